"""From validated requests to decisions: frames, features, scores, reasons and payloads.

A request becomes a :class:`Job` (its debtors and their tables as contract frames, keyed by
the debtor's position in the request). Jobs that arrive together are scored as one batch:
their frames are stacked under batch-unique ids, features are built once for the debtors
given with transactions (``build_features``, as in training), the propensity champion is
explained (exact TreeSHAP contributions, reason codes) and ``decide_snapshots`` adds the
segment and the recommended contact. The payloads are JSON text, built once and used both
for the response and for the audit log.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

import numpy as np
import pandas as pd

from collectscore._contract import CHANNELS, CONSENT_PREFIX, DEBTORS
from collectscore._errors import ContractError, Problem
from collectscore._numbers import finite_or_none

from ._config import ENV, ServiceConfig
from ._models import ModelBundle
from ._schemas import EARLIEST, LATEST


class RequestTooLarge(Exception):
    """A request beyond the configured limits (HTTP 413)."""


#: Contract columns of a debtor (account_id is the service's own).
_DEBTOR_COLUMNS = tuple(
    c.name for c in DEBTORS.columns if c.name not in ("debtor_id", "account_id")
)
_CONSENTS = tuple(CONSENT_PREFIX + c for c in CHANNELS)
#: Snapshot features that are plain copies of a debtor column.
_DEBTOR_FEATURES = ("outstanding", "days_past_due", "installment")


@dataclass
class Job:
    """One request, checked and queued: its frames are built with the rest of its batch."""

    kind: str  # "score" or "explain"
    request_id: str
    body_sha256: str
    debtors: list[Any]  # the request's Debtor models
    bundle: ModelBundle
    now: pd.Timestamp | None = None
    reasons: int = 4
    language: str = "en"
    recommend: bool = True
    feature_names: tuple[str, ...] | None = None  # of the debtors' feature_values

    @property
    def ids(self) -> list[str]:
        return [d.debtor_id for d in self.debtors]

    @functools.cached_property
    def given_features(self) -> list[tuple[tuple[str, ...], list[Any]] | None]:
        """Per debtor, its precomputed features as (names, values); None when it comes
        with transactions (read once: the checks and the batch frames both use it)."""
        names = self.feature_names
        out: list[tuple[tuple[str, ...], list[Any]] | None] = []
        for d in self.debtors:
            if d.feature_values is not None:
                out.append((names or (), d.feature_values))
            elif d.features is not None:
                out.append((tuple(d.features), list(d.features.values())))
            else:
                out.append(None)
        return out

    def group(self) -> tuple[Any, ...]:
        """Jobs with the same group key are scored in one pipeline call."""
        return (self.kind, self.now, self.reasons, self.language, self.recommend, id(self.bundle))

    def counts(self, table: str) -> np.ndarray:
        """Rows of ``table`` (transactions, contacts, payments) given per debtor."""
        return np.array([len(getattr(d, table) or ()) for d in self.debtors], dtype=np.int64)


@dataclass
class Outcome:
    """The result of one job: its payloads as JSON text, or the error to report."""

    payloads: list[str] = field(default_factory=list)
    audit_rows: list[tuple[Any, ...]] = field(default_factory=list)
    now: str = ""
    error: BaseException | None = None


# ------------------------------------------------------------------ request -> job
def prepare_job(
    kind: str,
    request: Any,
    bundle: ModelBundle,
    config: ServiceConfig,
    *,
    request_id: str,
    body_sha256: str,
) -> Job:
    """Check the limits and what can be checked per debtor; the job to queue."""
    debtors = list(request.debtors)
    if len(debtors) > config.max_debtors:
        raise RequestTooLarge(
            f"{len(debtors)} debtors in one request; the limit is {config.max_debtors} "
            f"({ENV['max_debtors']}). Fix: split the batch."
        )
    options = getattr(request, "options", None)
    now = getattr(request, "now", None)
    names = getattr(request, "feature_names", None)
    job = Job(
        kind=kind,
        request_id=request_id,
        body_sha256=body_sha256,
        debtors=debtors,
        bundle=bundle,
        now=pd.Timestamp(now) if now is not None else None,
        feature_names=tuple(names) if names is not None else None,
    )
    if options is not None:
        job.reasons, job.language, job.recommend = (
            options.reasons,
            options.language,
            options.recommend,
        )
    counts = job.counts("transactions")
    if counts.sum() > config.max_transactions:
        raise RequestTooLarge(
            f"{int(counts.sum())} transactions in one request; the limit is "
            f"{config.max_transactions} ({ENV['max_transactions']}). Fix: split the batch."
        )
    if counts.size and counts.max() > config.max_transactions_per_debtor:
        where = int(counts.argmax())
        raise RequestTooLarge(
            f"debtors[{where}] has {int(counts.max())} transactions; the limit is "
            f"{config.max_transactions_per_debtor} per debtor "
            f"({ENV['max_transactions_per_debtor']}). Fix: send the lookback window only "
            "(365 days before as_of)."
        )
    _check_features(job)
    if job.now is not None:
        _check_as_of(job, job.now)
    return job


def _check_features(job: Job) -> None:
    """Every debtor given with features has every feature the models and strategy need."""
    needed = job.bundle.needed_features
    missing_by_layout: dict[tuple[Any, ...], list[str]] = {}
    problems = []
    for i, (d, given) in enumerate(zip(job.debtors, job.given_features, strict=True)):
        if given is None:
            continue
        # a debtor column stands for the feature of the same name
        stand_ins = tuple(n for n in _DEBTOR_FEATURES if getattr(d, n) is not None)
        key = (given[0], stand_ins)
        if key not in missing_by_layout:
            have = set(given[0]) | set(stand_ins)
            missing_by_layout[key] = [name for name in needed if name not in have]
        if missing_by_layout[key]:
            problems.append((i, missing_by_layout[key], d.features is None))
    if problems:
        first, names, compact = problems[0]
        shown = ", ".join(f"'{c}'" for c in names[:5])
        more = f" (+{len(names) - 5} more)" if len(names) > 5 else ""
        where = "feature_names" if compact else f"debtors[{first}].features"
        raise ContractError(
            [
                Problem(
                    "features",
                    None,
                    f"the {len(needed)} features the serving models and the strategy use "
                    "(GET /model lists them; null when unknown)",
                    f"{where} misses {shown}{more}",
                    "give every listed feature, or the debtor's transactions instead",
                    rows=tuple(i for i, *_ in problems[:5]),
                    n_rows=len(problems),
                )
            ]
        )


def _check_as_of(job: Job, now: pd.Timestamp) -> None:
    day = (now.tz_convert("UTC").tz_localize(None) if now.tzinfo else now).date()
    late = [i for i, d in enumerate(job.debtors) if d.as_of > day]
    if late:
        raise ContractError(
            [
                Problem(
                    "debtors",
                    "as_of",
                    f"an observation date on or before the day of now ({day})",
                    f"a later as_of in {len(late)} debtor(s)",
                    "score a debtor at the moment of its snapshot or later (set now, or "
                    "leave it out to use the current time)",
                    rows=tuple(late[:5]),
                    n_rows=len(late),
                )
            ]
        )


# ------------------------------------------------------------------ batch frames
@dataclass
class _Batch:
    debtors: pd.DataFrame
    transactions: pd.DataFrame | None
    contacts: pd.DataFrame | None
    payments: pd.DataFrame | None
    raw: np.ndarray
    features: pd.DataFrame | None
    starts: np.ndarray  # first row of each job


def _stack(jobs: Sequence[Job]) -> _Batch:
    """Contract frames of all the jobs' debtors, with ids ``<job>.<position>``."""
    debtors = [d for job in jobs for d in job.debtors]
    ids = [f"{j}.{i}" for j, job in enumerate(jobs) for i in range(len(job.debtors))]
    sizes = np.array([len(job.debtors) for job in jobs])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    columns: dict[str, Any] = {
        "debtor_id": pd.array(ids, dtype="str"),
        "account_id": pd.array(ids, dtype="str"),
        "as_of": _days([d.as_of for d in debtors]),
        "outstanding": np.array([d.outstanding for d in debtors], dtype=float),
        "days_past_due": np.array([d.days_past_due for d in debtors], dtype=np.int64),
    }
    for name in ("installment", "country", "timezone", *_CONSENTS):
        values = [getattr(d, name) for d in debtors]
        if any(v is not None for v in values):
            if name == "installment":
                columns[name] = np.array([np.nan if v is None else v for v in values], float)
            elif name in _CONSENTS:
                columns[name] = pd.array(values, dtype="boolean")
            else:
                columns[name] = pd.array(values, dtype="str")
    frame = pd.DataFrame(columns)
    raw = np.array([d.transactions is not None for d in debtors], dtype=bool)
    given = [g for job in jobs for g in job.given_features if g is not None]
    return _Batch(
        debtors=frame,
        transactions=_transactions(debtors, ids),
        contacts=_history(debtors, ids, "contacts", "sent_at", frame),
        payments=_history(debtors, ids, "payments", "paid_at", frame),
        raw=raw,
        features=_given_features(given, raw, frame),
        starts=starts,
    )


def _transactions(debtors: Sequence[Any], ids: list[str]) -> pd.DataFrame | None:
    counts = [len(d.transactions or ()) for d in debtors]
    if not sum(counts):
        return None
    rows = [t for d in debtors for t in d.transactions or ()]
    booked = [t["booked_at"] for t in rows]
    if any(b.tzinfo is not None for b in booked):
        booked = [_wall_clock(b) for b in booked]
    out = pd.DataFrame(
        {
            "account_id": pd.array(np.repeat(np.asarray(ids, dtype=object), counts), dtype="str"),
            "booked_at": _datetimes(booked),
            "amount": np.array([t["amount"] for t in rows], dtype=float),
        }
    )
    values = [t.get("balance_after") for t in rows]
    if any(v is not None for v in values):
        out["balance_after"] = np.array([np.nan if v is None else v for v in values], float)
    for name in ("description", "category", "transaction_id", "currency"):
        values = [t.get(name) for t in rows]
        if any(v is not None for v in values):
            out[name] = pd.array(values, dtype="str")
    _check_transactions(out)
    return out


def _check_transactions(tx: pd.DataFrame) -> None:
    """What pydantic checks per value cannot: date range, vocabulary, one currency."""
    from collectscore._contract import TRANSACTIONS, in_vocabulary

    problems = []
    low, high = np.datetime64(EARLIEST, "us"), np.datetime64(LATEST, "us") + np.timedelta64(1, "D")
    booked = tx["booked_at"].to_numpy()
    bad = np.flatnonzero((booked < low) | (booked >= high))
    if bad.size:
        problems.append(
            Problem(
                "transactions", "booked_at", f"a date between {EARLIEST} and {LATEST}",
                "dates out of that range", "check the year of these bookings",
                rows=tuple(int(i) for i in bad[:5]), n_rows=int(bad.size),
            )
        )  # fmt: skip
    if "category" in tx:
        column = TRANSACTIONS.column("category")
        given = tx["category"].dropna().unique()
        unknown = {v for v in given if not in_vocabulary(str(v), column.vocabulary or ())}
        if unknown:
            bad = np.flatnonzero(tx["category"].isin(unknown).to_numpy())
            shown = ", ".join(repr(v) for v in sorted(unknown)[:5])
            problems.append(
                Problem(
                    "transactions", "category", column.rule() + " in the category vocabulary",
                    shown, column.hint, rows=tuple(int(i) for i in bad[:5]), n_rows=int(bad.size),
                )
            )  # fmt: skip
    if "currency" in tx:
        per_account = tx.groupby("account_id", sort=False)["currency"].nunique()
        mixed = per_account.index[per_account.to_numpy() > 1]
        if len(mixed):
            bad = np.flatnonzero(tx["account_id"].isin(mixed).to_numpy())
            problems.append(
                Problem(
                    "transactions", "currency", "one currency per account (debtor)",
                    "several currencies", TRANSACTIONS.column("currency").hint,
                    rows=tuple(int(i) for i in bad[:5]), n_rows=int(bad.size),
                )
            )  # fmt: skip
    if problems:
        raise ContractError(problems)


def _datetimes(values: list[dt.datetime]) -> np.ndarray:
    """Naive datetimes as ``datetime64[us]`` (pandas converts them about 20 times faster
    than ``np.array``)."""
    if not values:
        return np.array([], dtype="datetime64[us]")
    return pd.DatetimeIndex(values).as_unit("us").to_numpy()


def _days(values: list[dt.date]) -> np.ndarray:
    """Dates as ``datetime64[us]`` midnights, through their day numbers."""
    ordinals = np.fromiter((d.toordinal() for d in values), dtype=np.int64, count=len(values))
    return (ordinals - _EPOCH_ORDINAL).astype("datetime64[D]").astype("datetime64[us]")


_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def _wall_clock(value: dt.datetime) -> dt.datetime:
    """Naive booking times are account-local; aware ones keep their wall-clock time."""
    return value.replace(tzinfo=None) if value.tzinfo is not None else value


def _history(
    debtors: Sequence[Any], ids: list[str], name: str, moment: str, frame: pd.DataFrame
) -> pd.DataFrame | None:
    """The debtors' ``contacts`` or ``payments`` as one contract table."""
    lists = [getattr(d, name) or () for d in debtors]
    counts = [len(rows) for rows in lists]
    if not sum(counts):
        return None
    owner = np.repeat(np.arange(len(debtors)), counts)
    records = [r for rows in lists for r in rows]
    keys = dict.fromkeys(k for layout in dict.fromkeys(map(tuple, records)) for k in layout)
    columns: dict[str, Any] = {
        "debtor_id": pd.array(np.asarray(ids, dtype=object)[owner], dtype="str")
    }
    for key in keys:
        columns[key] = [r.get(key) for r in records]
    local = columns[moment]
    if any(v.tzinfo is not None for v in local):  # aware: to the debtor's wall-clock time
        zones = frame["timezone"] if "timezone" in frame else pd.Series("UTC", index=frame.index)
        zone = zones.iloc[owner].fillna("UTC").to_numpy()
        local = [
            v if v.tzinfo is None else v.astimezone(_zone(z)).replace(tzinfo=None)
            for v, z in zip(local, zone, strict=True)
        ]
    columns[moment] = _datetimes(local)
    table = pd.DataFrame(columns)
    if "promise_date" in table:
        table["promise_date"] = pd.to_datetime(table["promise_date"]).astype("datetime64[us]")
    for column in ("promise_amount", "propensity", "amount"):
        if column in table:
            table[column] = table[column].astype("float64")
    if "success" in table:
        table["success"] = table["success"].astype(bool)
    if "channel" in table:
        table["channel"] = table["channel"].astype("str")
    low, high = np.datetime64(EARLIEST, "us"), np.datetime64(LATEST, "us") + np.timedelta64(1, "D")
    values = table[moment].to_numpy()
    bad = np.flatnonzero((values < low) | (values >= high))
    if bad.size:
        raise ContractError(
            [
                Problem(
                    name, moment, f"a date between {EARLIEST} and {LATEST}",
                    "dates out of that range", "check the year of these rows",
                    rows=tuple(int(i) for i in bad[:5]), n_rows=int(bad.size),
                )
            ]
        )  # fmt: skip
    return table


def _zone(name: str) -> dt.tzinfo:
    import zoneinfo

    return zoneinfo.ZoneInfo(name)


def _given_features(
    given: list[tuple[tuple[str, ...], list[Any]]], raw: np.ndarray, frame: pd.DataFrame
) -> pd.DataFrame | None:
    """The precomputed features, one row per such debtor (positions of the batch).

    ``given``: (names, values) of each debtor not given with transactions, in batch order.
    Debtors sharing a layout of names (all of a compact request) make one block.
    """
    positions = np.flatnonzero(~raw)
    if not positions.size:
        return None
    layouts: dict[tuple[str, ...], list[int]] = {}
    for k, (names, _) in enumerate(given):
        layouts.setdefault(names, []).append(k)
    known = {  # a debtor column stands for a feature a debtor's features do not give
        name: frame[name].to_numpy(dtype=float, na_value=np.nan)[positions]
        for name in _DEBTOR_FEATURES
        if name in frame
    }
    if len(layouts) == 1:
        columns = list(next(iter(layouts)))
        matrix = np.array([values for _, values in given], dtype=float).reshape(
            len(given), len(columns)
        )
    else:
        columns = list(dict.fromkeys(name for layout in layouts for name in layout))
        where = {name: j for j, name in enumerate(columns)}
        matrix = np.full((len(given), len(columns)), np.nan)
        for layout, members in layouts.items():
            block = np.array([given[k][1] for k in members], dtype=float)
            matrix[np.ix_(members, [where[name] for name in layout])] = block.reshape(
                len(members), len(layout)
            )
            for name in (known.keys() & where.keys()) - set(layout):
                matrix[members, where[name]] = known[name][members]
    added = [name for name in known if name not in columns]
    if added:
        matrix = np.column_stack([matrix, *(known[name] for name in added)])
    return pd.DataFrame(matrix, index=positions, columns=[*columns, *added])


def _features(batch: _Batch, bundle: ModelBundle) -> pd.DataFrame:
    """One row of features per debtor of the batch (built, or given), indexed by (id, as_of)."""
    from collectscore.features import build_features

    parts = []
    raw = np.flatnonzero(batch.raw)
    if raw.size:
        built = build_features(
            batch.transactions if batch.transactions is not None else _no_transactions(),
            batch.debtors.iloc[raw],
            contacts=batch.contacts,
            payments=batch.payments,
        )
        parts.append(built.set_axis(raw))
    if batch.features is not None:
        parts.append(batch.features)
    table = pd.concat(parts).sort_index() if len(parts) > 1 else parts[0]
    keys = pd.MultiIndex.from_arrays(
        [batch.debtors["debtor_id"].to_numpy(), batch.debtors["as_of"].to_numpy()],
        names=["debtor_id", "as_of"],
    )
    return table.set_axis(keys)


def _no_transactions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": pd.Series([], dtype="str"),
            "booked_at": pd.Series([], dtype="datetime64[us]"),
            "amount": pd.Series([], dtype="float64"),
        }
    )


def run_jobs(
    jobs: Sequence[Job], bundle: ModelBundle, now: pd.Timestamp, *, threads: int = 1
) -> list[Outcome]:
    """Score jobs of one group together; their outcomes in order (raises on failure).

    ``threads``: LightGBM threads of the propensity model's predictions."""
    from collectscore.explanations import explain, reason_columns
    from collectscore.scoring import decide_snapshots

    first = jobs[0]
    moment = first.now if first.now is not None else now
    for job in jobs:
        if job.now is None:
            _check_as_of(job, moment)
    batch = _stack(jobs)
    features = _features(batch, bundle)
    model = bundle.models.propensity
    names = [str(c) for c in model.feature_names_in_]
    X = features[names].reset_index(drop=True)
    explanation = explain(model, X, threads=threads)
    stamp = _iso(pd.Timestamp.now(tz="UTC"))
    if first.kind == "explain":
        return _explained(jobs, batch, explanation, bundle, stamp)
    reasons = (
        reason_columns(explanation, k=first.reasons, language=first.language)  # type: ignore[arg-type]
        if first.reasons > 0
        else None
    )
    decided = decide_snapshots(
        batch.debtors,
        features,
        moment,
        bundle.models,
        transactions=batch.transactions,
        contacts=batch.contacts,
        p_pay=explanation.p_pay,
        recommend=first.recommend,
    )
    return _scored(jobs, batch, decided, reasons, bundle, first.recommend, stamp, moment)


def _scored(
    jobs: Sequence[Job],
    batch: _Batch,
    decided: pd.DataFrame,
    reasons: pd.DataFrame | None,
    bundle: ModelBundle,
    recommend: bool,
    stamp: str,
    moment: pd.Timestamp,
) -> list[Outcome]:
    n = len(decided)
    if reasons is None:
        lowering = raising = ["[]"] * n
        top: list[Any] = [None] * n
    else:
        lowering = reasons["reasons_lowering"].tolist()
        raising = reasons["reasons_raising"].tolist()
        top = reasons["top_reason"].tolist()
    models = {"propensity": bundle.ref("propensity")}
    if recommend:
        models["contact"] = bundle.ref("contact")
    models_text = json.dumps(models)
    propensity_model = decided["propensity_model"].iloc[0]
    contact_model = decided["contact_model"].iloc[0] if recommend else None
    col = {c: decided[c].tolist() for c in _PAYLOAD_COLUMNS}
    as_of = np.datetime_as_string(decided["as_of"].to_numpy(), unit="D").tolist()
    p_pay = [float(p) for p in col["p_pay"]]
    texts = {  # each column's values as JSON text
        "p_pay": _json_numbers(p_pay, strict=True),
        "expected_recovery": _json_numbers([finite_or_none(v) for v in col["expected_recovery"]]),
        "human_review": ["true" if bool(v) else "false" for v in col["human_review"]],
        "reason": [_json_text(str(v)) for v in col["reason"]],
        "top_reason": [_json_text(t) if isinstance(t, str) else "null" for t in top],
    }
    for c in ("risk_band", "segment", "stage", "strategy_action", "decision"):
        col[c] = [str(v) for v in col[c]]
        quoted = {v: _json_text(v) for v in set(col[c])}
        texts[c] = [quoted[v] for v in col[c]]
    searched = "alternatives" in decided and decided["alternatives"].notna().any()
    contacts: list[dict[str, Any] | None] = [None] * n
    if searched:
        contact_cols = {c: decided[c].tolist() for c in _CONTACT_COLUMNS if c in decided}
        contacts = [_contact({c: v[r] for c, v in contact_cols.items()}) for r in range(n)]
    reason_texts = [
        f'{{"lowering": {low}, "raising": {high}}}'
        for low, high in zip(lowering, raising, strict=True)
    ]
    now_text = _iso(moment)
    outcomes = []
    for j, job in enumerate(jobs):
        out = Outcome(now=now_text)
        start = int(batch.starts[j])
        for i, user_id in enumerate(job.ids):
            r = start + i
            contact = contacts[r]
            contact_text = "null" if contact is None else json.dumps(contact, allow_nan=False)
            body = (
                f'{{"debtor_id": {_json_text(user_id)}, "as_of": "{as_of[r]}", '
                f'"p_pay": {texts["p_pay"][r]}, "risk_band": {texts["risk_band"][r]}, '
                f'"segment": {texts["segment"][r]}, "stage": {texts["stage"][r]}, '
                f'"strategy_action": {texts["strategy_action"][r]}, '
                f'"human_review": {texts["human_review"][r]}, '
                f'"expected_recovery": {texts["expected_recovery"][r]}, '
                f'"decision": {texts["decision"][r]}, "contact": {contact_text}, '
                f'"reason": {texts["reason"][r]}, "top_reason": {texts["top_reason"][r]}, '
                f'"reasons": {reason_texts[r]}, "models": {models_text}}}'
            )
            out.payloads.append(body)
            chosen = contact or {}
            out.audit_rows.append(
                (
                    job.request_id,
                    job.kind,
                    stamp,
                    user_id,
                    as_of[r],
                    i,
                    propensity_model,
                    contact_model,
                    job.body_sha256,
                    p_pay[r],
                    col["risk_band"][r],
                    col["segment"][r],
                    col["decision"][r],
                    chosen.get("channel"),
                    chosen.get("send_at"),
                    body,
                )
            )
        outcomes.append(out)
    return outcomes


def _json_numbers(values: list[float | None], *, strict: bool = False) -> list[str]:
    """Numbers as ``json.dumps`` writes them (None as null; not finite: refused if
    ``strict``, as ``allow_nan=False`` refuses them)."""
    if strict and not all(map(math.isfinite, values)):
        json.dumps(values, allow_nan=False)  # raises the encoder's own error
    return ["null" if v is None else float.__repr__(v) for v in values]


def _json_text(value: str) -> str:
    """``json.dumps`` of a string."""
    return encode_basestring_ascii(value)


_PAYLOAD_COLUMNS = (
    "p_pay", "risk_band", "segment", "stage", "strategy_action", "human_review",
    "expected_recovery", "decision", "reason",
)  # fmt: skip
_CONTACT_COLUMNS = (
    "channel", "send_at", "send_at_utc", "p_success", "value", "pack", "alternatives", "excluded",
)  # fmt: skip


def _explained(
    jobs: Sequence[Job], batch: _Batch, explanation: Any, bundle: ModelBundle, stamp: str
) -> list[Outcome]:
    contributions = explanation.contributions.to_numpy(float)
    values = explanation.values.to_numpy(float)
    names = [str(c) for c in explanation.contributions.columns]
    ref = bundle.ref("propensity")
    model_name = f"{ref['name']} v{ref['version']}"
    outcomes = []
    for j, job in enumerate(jobs):
        out = Outcome(now=stamp)
        for i, user_id in enumerate(job.ids):
            row = batch.starts[j] + i
            payload = {
                "debtor_id": user_id,
                "as_of": _iso(batch.debtors["as_of"].iat[row])[:10],
                "p_pay": float(explanation.p_pay[row]),
                "margin": float(explanation.margin[row]),
                "base_value": float(explanation.base_value),
                "contributions": dict(zip(names, map(float, contributions[row]), strict=True)),
                "values": {n: finite_or_none(v) for n, v in zip(names, values[row], strict=True)},
            }
            text = json.dumps(payload, allow_nan=False)
            out.payloads.append(text)
            out.audit_rows.append(
                (
                    job.request_id,
                    job.kind,
                    stamp,
                    user_id,
                    payload["as_of"],
                    i,
                    model_name,
                    None,
                    job.body_sha256,
                    payload["p_pay"],
                    None,
                    None,
                    "explain",
                    None,
                    None,
                    text,
                )
            )
        outcomes.append(out)
    return outcomes


def _contact(r: dict[str, Any]) -> dict[str, Any] | None:
    alternatives = r.get("alternatives")
    if not isinstance(alternatives, str):
        return None  # no recommendation was searched for this debtor
    excluded = r.get("excluded")
    return {
        "channel": r["channel"] if isinstance(r["channel"], str) else None,
        "send_at": _iso(r["send_at"]),
        "send_at_utc": _iso(r["send_at_utc"]),
        "p_success": finite_or_none(r["p_success"]),
        "value": finite_or_none(r["value"]),
        "pack": r["pack"] if isinstance(r["pack"], str) else None,
        "alternatives": [_clean(a) for a in json.loads(alternatives)],
        "excluded": [_clean(e) for e in json.loads(excluded)] if isinstance(excluded, str) else [],
    }


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in record.items()
    }


def _iso(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return value
    return pd.Timestamp(value).isoformat()
