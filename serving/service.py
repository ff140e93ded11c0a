"""The collectscore scoring service (BentoML 1.4).

Start it with ``collectscore serve`` (or ``bentoml serve collectscore.serving.service:CollectScore``).
Settings come from the environment when it starts (:class:`ServiceConfig`, ``ENV``); the
number of worker processes when ``bentoml serve`` imports this module.

- ``POST /score``: debtors with their transactions or precomputed features -> p_pay, risk
  band, segment, expected recovery, recommended contact with alternatives and exclusions,
  reason codes and model versions; every decision is in the audit log before the answer;
- ``POST /explain``: every feature's contribution to each debtor's score;
- ``GET /model``: the serving models (versions, aliases, training dates, test metrics);
- ``POST /reload``: load the models the alias points at now (also checked periodically);
- BentoML's ``/livez``, ``/readyz``, ``/metrics`` and the OpenAPI document ``/docs.json``.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import threading
import time
import traceback
import uuid
from collections import defaultdict
from typing import Any

import bentoml
import numpy as np
import pandas as pd
from fastapi import FastAPI
from starlette.responses import JSONResponse, Response

from collectscore._errors import ConfigError, ContractError

from ._audit import AUDIT_COLUMNS, AuditLog
from ._batching import ACTIVITY, MicroBatcher
from ._config import ENV, ServiceConfig
from ._gate import SCOPE_KEY, Gate
from ._metrics import service_metrics
from ._models import ModelBundle, load_bundle, read_reviews, registered_versions
from ._pipeline import Job, Outcome, RequestTooLarge, prepare_job, run_jobs
from ._schemas import (
    ExplainRequest,
    ExplainResponse,
    ModelInfo,
    ReloadResponse,
    ScoreRequest,
    ScoreResponse,
)

logger = logging.getLogger("collectscore.serving")

_DAY = 24 * 3600.0
#: How often the review status is re-read when the registry is not polled (reload interval 0).
_REVIEW_EVERY_S = 300.0

routes = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


class AuditUnavailable(Exception):
    """The decision could not be written to the audit log (HTTP 503; nothing is returned)."""


def _workers() -> int:
    """``COLLECTSCORE_WORKERS``: BentoML takes the number of processes from the decorator."""
    name = ENV["workers"]
    return ServiceConfig.from_env({name: os.environ.get(name, "")}).workers


# the gate logs every request (id, route, status, size, time): BentoML's access log is off
@bentoml.service(
    name="collectscore",
    traffic={"timeout": 300},
    logging={"access": {"enabled": False}},
    workers=_workers(),
)
@bentoml.asgi_app(routes, path="/")
class CollectScore:
    """Scores debtors with the champion models (see the module docstring)."""

    def __init__(self) -> None:
        logger.setLevel(logging.INFO)  # request lines (ids, statuses, timings) in the server log
        # the scoring thread holds the GIL for long stretches of pandas work: hand it to the
        # event loop more often, so that requests keep being read (and batched) meanwhile
        sys.setswitchinterval(0.001)
        self.config = ServiceConfig.from_env()
        self.config.accepted_keys()  # no key configured: refuse to start
        self.bundle: ModelBundle = load_bundle(self.config)
        self.audit = AuditLog(self.config.audit_db, self.config.audit_retention_days).open()
        purged = self.audit.purge()
        self.audit.start_checkpoints()
        self.batcher = MicroBatcher(
            self._process,
            max_rows=self.config.max_batch_debtors,
            max_wait_ms=self.config.max_batch_wait_ms,
        )
        self._reload_lock = threading.Lock()
        self._stop = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="model-watch", daemon=True)
        self._watcher.start()
        self.check_review(self.bundle)  # /metrics carries the verdict from the start
        self._heap_settled = False
        _settle_heap()
        versions = self.bundle.versions()
        logger.info(
            "serving propensity v%s and contact v%s (%s); audit purge removed %d rows",
            versions[0],
            versions[1],
            self.config.alias,
            purged,
        )

    # ------------------------------------------------------------------ endpoints
    @bentoml.api(route="/score")
    async def score(self, request: ScoreRequest, /, ctx: bentoml.Context) -> ScoreResponse:
        """Score a batch of debtors and recommend the contact for each (see ScoreResponse)."""
        return await self._handle("score", request, ctx)

    @bentoml.api(route="/explain")
    async def explain(self, request: ExplainRequest, /, ctx: bentoml.Context) -> ExplainResponse:
        """Every feature's exact TreeSHAP contribution (log-odds) to each debtor's score."""
        return await self._handle("explain", request, ctx)

    @routes.get("/model", response_model=ModelInfo)
    def model(self) -> dict[str, Any]:
        """The serving models: names, versions, aliases, training dates, test metrics and the
        last monitoring verdict (``review``: does the champion need review, and why)."""
        bundle = self.bundle
        return bundle.info(self.check_review(bundle))

    @routes.post("/reload", response_model=ReloadResponse)
    def reload(self) -> dict[str, Any]:
        """Load the versions the alias points at now, if they changed (in-flight requests
        finish with the models they started with)."""
        changed = self.check_reload()
        bundle = self.bundle
        return {"reloaded": changed, "info": bundle.info(self.check_review(bundle))}

    @bentoml.on_shutdown
    def close(self) -> None:
        self._stop.set()
        self.batcher.close()
        self.audit.close()

    # ------------------------------------------------------------------ reload
    def check_reload(self) -> bool:
        """Swap in a new bundle when the alias moved; True when it did."""
        with self._reload_lock:
            if registered_versions(self.config) == self.bundle.versions():
                return False
            fresh = load_bundle(self.config)  # built whole, then swapped in one assignment
            old = self.bundle.versions()
            self.bundle = fresh
            logger.info("models reloaded: %s -> %s", old, fresh.versions())
            _settle_heap()
            return True

    def check_review(self, bundle: ModelBundle) -> dict[str, dict[str, Any]]:
        """The models' last monitoring verdicts, read now; ``collectscore_needs_review`` in
        ``/metrics`` follows them."""
        reviews = read_reviews(bundle, self.config)
        metrics = service_metrics()
        for role, review in reviews.items():
            metrics.reviewed(bundle.cards[role]["name"], review["needs_review"])
        return reviews

    def _watch(self) -> None:
        interval = self.config.reload_interval_s
        last_purge = time.monotonic()
        while not self._stop.wait(interval if interval > 0 else _REVIEW_EVERY_S):
            try:
                if interval > 0:
                    self.check_reload()
                self.check_review(self.bundle)
                if time.monotonic() - last_purge >= _DAY:
                    self.audit.purge()
                    last_purge = time.monotonic()
            except Exception as exc:  # keep serving the loaded models
                logger.warning(
                    "model check failed (%s); keeping the loaded models", type(exc).__name__
                )

    # ------------------------------------------------------------------ requests
    async def _handle(self, kind: str, request: Any, ctx: bentoml.Context) -> Response:
        meta = _meta(ctx)
        request_id = meta.get("request_id") or uuid.uuid4().hex
        headers = {"x-request-id": request_id}
        try:
            bundle = self.bundle  # the models this request is scored with, even across a reload
            job = prepare_job(
                kind,
                request,
                bundle,
                self.config,
                request_id=request_id,
                body_sha256=meta.get("body_sha256", ""),
            )
            _queued_now(meta)  # from here on the batcher sees it in its queue
            outcome = await self.batcher.submit(job, len(job.debtors))
            if isinstance(outcome, BaseException):
                raise outcome
            if outcome.error is not None:
                raise outcome.error
            ctx.response.status_code = 200
            return Response(
                _body(kind, request_id, outcome, bundle),
                headers=headers,
                media_type="application/json",
            )
        except RequestTooLarge as exc:
            status, response = 413, _error(413, str(exc), request_id)
        except ContractError as exc:
            job_or_none = locals().get("job")
            problems = _problems(exc, job_or_none)
            status, response = 422, _error(422, str(exc), request_id, problems=problems)
        except ConfigError as exc:
            status, response = 422, _error(422, str(exc), request_id)
        except AuditUnavailable:
            logger.error("request %s: audit log unavailable; no decision returned", request_id)
            message = "the audit log is unavailable; no decision was made"
            status, response = 503, _error(503, message, request_id)
        except Exception as exc:
            stack = "".join(traceback.TracebackException.from_exception(exc).stack.format())
            logger.error("request %s failed: %s\n%s", request_id, type(exc).__name__, stack)
            message = "unexpected error; quote the request id when reporting it"
            status, response = 500, _error(500, message, request_id)
        _queued_now(meta)
        # BentoML copies the context's status onto the response of an API with a context
        ctx.response.status_code = status
        return response

    def _process(self, jobs: list[Job]) -> list[Outcome]:
        """Score queued jobs group by group, then commit their audit rows (worker thread)."""
        started = time.perf_counter()
        now = pd.Timestamp.now(tz="UTC")
        groups: dict[Any, list[int]] = defaultdict(list)
        for i, job in enumerate(jobs):
            groups[job.group()].append(i)
        outcomes: list[Outcome] = [Outcome()] * len(jobs)
        for members in groups.values():
            bundle = jobs[members[0]].bundle
            try:
                results = run_jobs(
                    [jobs[i] for i in members], bundle, now, threads=self.config.threads
                )
            except Exception as exc:
                if len(members) == 1:
                    results = [Outcome(error=exc)]
                else:  # find the request that failed: the others are answered
                    results = [_alone(jobs[i], bundle, now, self.config.threads) for i in members]
            for i, result in zip(members, results, strict=True):
                outcomes[i] = result
        rows = [row for o in outcomes if o.error is None for row in o.audit_rows]
        scored = time.perf_counter()
        try:
            self.audit.write(rows)
        except Exception as exc:
            logger.error("audit write failed: %s", type(exc).__name__)
            for o in outcomes:
                if o.error is None:
                    o.error = AuditUnavailable()
        _count(jobs, outcomes)
        done = time.perf_counter()
        logger.info(
            "batch of %d request(s), %d debtor(s), %d group(s) in %.1f ms (audit %.1f ms)",
            len(jobs),
            sum(len(job.debtors) for job in jobs),
            len(groups),
            (done - started) * 1000,
            (done - scored) * 1000,
        )
        if not self._heap_settled:  # the first batch imported and cached what scoring needs
            self._heap_settled = True
            _settle_heap()
        return outcomes


CollectScore.add_asgi_middleware(Gate)


_P_PAY, _BAND, _DECISION = (AUDIT_COLUMNS.index(c) for c in ("p_pay", "risk_band", "decision"))


def _count(jobs: list[Job], outcomes: list[Outcome]) -> None:
    """The answered decisions of POST /score in /metrics (score distribution, decisions)."""
    metrics = service_metrics()
    for job, outcome in zip(jobs, outcomes, strict=True):
        if job.kind != "score" or outcome.error is not None or not outcome.audit_rows:
            continue
        rows = outcome.audit_rows
        metrics.scored(
            job.kind,
            job.bundle.ref("propensity")["version"],
            [row[_P_PAY] for row in rows],
            [row[_DECISION] for row in rows],
            [row[_BAND] for row in rows],
        )


def _alone(job: Job, bundle: ModelBundle, now: pd.Timestamp, threads: int) -> Outcome:
    try:
        return run_jobs([job], bundle, now, threads=threads)[0]
    except Exception as exc:
        return Outcome(error=exc)


def _meta(ctx: Any) -> dict[str, Any]:
    """The gate's values for this request (its own dict: the gate reads ``active`` back)."""
    try:
        return ctx.request.scope.get(SCOPE_KEY) or {}
    except Exception:  # called outside an HTTP request (in-process use)
        return {}


def _settle_heap() -> None:
    """Move everything alive now (modules, models, caches) out of the garbage collector's
    sight: a full collection then scans only the objects made since, which keeps it from
    pausing the service for a few hundred milliseconds every few hundred requests."""
    gc.collect()
    gc.freeze()


def _queued_now(meta: dict[str, Any]) -> None:
    """This request is queued (or answered): the batcher no longer waits for it to arrive."""
    if meta.get("active"):
        meta["active"] = False
        ACTIVITY.leave()


def _body(kind: str, request_id: str, outcome: Outcome, bundle: ModelBundle) -> bytes:
    import json

    head = {"request_id": request_id}
    if kind == "score":
        head["now"] = outcome.now
    else:
        head["model"] = bundle.ref("propensity")  # type: ignore[assignment]
    text = json.dumps(head)
    return f'{text[:-1]}, "debtors": [{", ".join(outcome.payloads)}]}}'.encode()


def _error(
    status: int, message: str, request_id: str, problems: list[dict[str, Any]] | None = None
) -> JSONResponse:
    body: dict[str, Any] = {"error": message, "request_id": request_id}
    if problems is not None:
        body["problems"] = problems
    return JSONResponse(body, status_code=status, headers={"x-request-id": request_id})


def _problems(exc: ContractError, job: Job | None) -> list[dict[str, Any]]:
    """Each problem with where it is in the request (``debtors[3].transactions[7]``)."""
    out = []
    for p in exc.problems:
        out.append(
            {
                "table": p.table,
                "column": p.column,
                "expected": p.expected,
                "received": p.received,
                "fix": p.fix,
                "n_rows": p.n_rows,
                "loc": [_where(p.table, int(r), p.column, job) for r in p.rows],
            }
        )
    return out


def _where(table: str, row: int, column: str | None, job: Job | None) -> str:
    """Where row ``row`` of a table of a job's batch is in its request."""
    suffix = f".{column}" if column else ""
    if table in ("debtors", "features"):
        return f"debtors[{row}]{suffix}"
    if job is not None and table in ("transactions", "contacts", "payments"):
        ends = np.cumsum(job.counts(table))
        debtor = int(np.searchsorted(ends, row, side="right"))
        if debtor < len(ends):
            first = int(ends[debtor - 1]) if debtor else 0
            return f"debtors[{debtor}].{table}[{row - first}]{suffix}"
    return f"{table}[{row}]{suffix}"
