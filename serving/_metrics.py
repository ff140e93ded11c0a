"""What the service adds to ``/metrics`` (Prometheus), next to BentoML's request metrics.

- ``collectscore_p_pay``: histogram of the served p_pay (deciles), by model version: the
  score distribution, so that Prometheus can alert when it moves;
- ``collectscore_decisions_total``: debtors scored by ``POST /score``, by endpoint, decision
  and risk band;
- ``collectscore_requests_total``: requests answered, by route and status (401s and 413s
  included: they are answered before BentoML sees them);
- ``collectscore_needs_review``: 1 when the last ``collectscore monitor`` of a serving model
  found it needs review, 0 when it did not, absent before any check (re-read from the
  model's run with every registry check, ``GET /model`` and ``POST /reload``).

The metrics are created when the service starts, once per process: BentoML points
``prometheus_client`` at its multiprocess folder only then.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Routes counted by name in ``collectscore_requests_total`` (any other path: "other").
ROUTES = frozenset(
    {"/score", "/explain", "/model", "/reload", "/livez", "/readyz", "/metrics", "/docs.json"}
)
#: Upper bounds of the p_pay histogram's buckets.
P_PAY_BUCKETS: tuple[float, ...] = tuple(round(0.1 * i, 1) for i in range(1, 11))


@dataclass(frozen=True)
class ServiceMetrics:
    p_pay: Any
    decisions: Any
    requests: Any
    needs_review: Any

    def scored(
        self,
        endpoint: str,
        model_version: str,
        p_pay: Sequence[float],
        decisions: Sequence[str],
        bands: Sequence[str | None],
    ) -> None:
        """Count a batch's debtors: one call per batch, not per debtor."""
        observe_many(self.p_pay.labels(model_version=model_version), p_pay)
        pairs, counts = np.unique(
            np.array([f"{d}\x00{b or ''}" for d, b in zip(decisions, bands, strict=True)]),
            return_counts=True,
        )
        for pair, n in zip(pairs.tolist(), counts.tolist(), strict=True):
            decision, band = pair.split("\x00")
            self.decisions.labels(endpoint=endpoint, decision=decision, risk_band=band).inc(n)

    def reviewed(self, model: str, needs_review: bool | None) -> None:
        """The champion's review status (None: never monitored, nothing is exposed)."""
        if needs_review is not None:
            self.needs_review.labels(model=model).set(1.0 if needs_review else 0.0)

    def answered(self, route: str, status: int) -> None:
        known = route if route in ROUTES else "other"  # bounded label values
        self.requests.labels(route=known, status=str(status)).inc()


def observe_many(histogram: Any, values: Sequence[float]) -> None:
    """``histogram.observe`` for every value, in one pass.

    ``observe`` costs about 8 µs a value in multiprocess mode (8 ms for a batch of 1,000);
    here each bucket and the sum are incremented once. The buckets of a prometheus_client
    histogram hold the count of values above the previous bound up to their own; a test
    checks that the exposition equals ``observe`` one value at a time.
    """
    values = np.asarray(values, dtype=float)
    if not values.size:
        return
    bounds = np.asarray(histogram._upper_bounds, dtype=float)
    buckets = histogram._buckets
    if len(buckets) != len(bounds):  # another layout: fall back to the public API
        for v in values.tolist():
            histogram.observe(v)
        return
    counts = np.bincount(np.searchsorted(bounds, values, side="left"), minlength=len(bounds))
    for bucket, n in zip(buckets, counts[: len(bounds)].tolist(), strict=True):
        if n:
            bucket.inc(n)
    histogram._sum.inc(float(values.sum()))


@functools.cache
def service_metrics() -> ServiceMetrics:
    """The service's metrics, created on first use (once per process)."""
    from prometheus_client import Counter, Gauge, Histogram

    return ServiceMetrics(
        p_pay=Histogram(
            "collectscore_p_pay",
            "p_pay served by POST /score (probability of paying within the horizon)",
            labelnames=["model_version"],
            buckets=P_PAY_BUCKETS,
        ),
        decisions=Counter(
            "collectscore_decisions",
            "Debtors scored, by endpoint, decision and risk band",
            labelnames=["endpoint", "decision", "risk_band"],
        ),
        requests=Counter(
            "collectscore_requests",
            "Requests answered, by route and HTTP status",
            labelnames=["route", "status"],
        ),
        needs_review=Gauge(
            "collectscore_needs_review",
            "1 when the last monitoring of the serving champion found it needs review",
            labelnames=["model"],
            multiprocess_mode="livemostrecent",
        ),
    )
