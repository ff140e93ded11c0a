"""/metrics carries the score distribution, the decisions and the request counts."""

from __future__ import annotations

import numpy as np
import pytest
from prometheus_client import CollectorRegistry, Histogram
from serving_helpers import Server

from collectscore.serving._metrics import P_PAY_BUCKETS, observe_many


def test_observing_a_batch_at_once_equals_observing_each_value() -> None:
    registry = CollectorRegistry()
    one = Histogram("one", "each value", buckets=P_PAY_BUCKETS, registry=registry)
    many = Histogram("many", "all at once", buckets=P_PAY_BUCKETS, registry=registry)
    values = [*np.random.default_rng(0).random(500).tolist(), 0.0, 0.1, 0.2, 1.0, 0.30000001]
    for v in values:
        one.observe(v)
    observe_many(many, values)
    for bound in [*P_PAY_BUCKETS, float("inf")]:
        le = str(bound) if bound != float("inf") else "+Inf"
        assert registry.get_sample_value("many_bucket", {"le": le}) == registry.get_sample_value(
            "one_bucket", {"le": le}
        ), le
    assert registry.get_sample_value("many_sum") == pytest.approx(
        registry.get_sample_value("one_sum"), abs=1e-9
    )
    assert registry.get_sample_value("many_count") == len(values)


def _sample(text: str, name: str, **labels: str) -> float:
    """The sum of the samples of ``name`` carrying ``labels`` in a Prometheus exposition."""
    total = 0.0
    for line in text.splitlines():
        head, _, value = line.rpartition(" ")
        if head.split("{")[0] == name and all(f'{k}="{v}"' in head for k, v in labels.items()):
            total += float(value)
    return total


def test_metrics_count_scores_decisions_and_requests_by_status(
    server: Server, raw_request: dict
) -> None:
    before = server.get("/metrics", key=None).text
    response = server.post("/score", raw_request)
    assert response.status_code == 200, response.text
    assert server.post("/score", raw_request, key=None).status_code == 401
    after = server.get("/metrics", key=None).text

    version = response.json()["debtors"][0]["models"]["propensity"]["version"]
    n = len(raw_request["debtors"])
    count = "collectscore_p_pay_count"
    assert (
        _sample(after, count, model_version=version) - _sample(before, count, model_version=version)
        == n
    )
    below_one = _sample(after, "collectscore_p_pay_bucket", model_version=version, le="1.0")
    assert below_one >= n, "every p_pay is at most 1"
    decided = _sample(after, "collectscore_decisions_total", endpoint="score") - _sample(
        before, "collectscore_decisions_total", endpoint="score"
    )
    assert decided == n
    for status in ("200", "401"):
        grew = _sample(after, "collectscore_requests_total", route="/score", status=status) - (
            _sample(before, "collectscore_requests_total", route="/score", status=status)
        )
        assert grew >= 1, status
