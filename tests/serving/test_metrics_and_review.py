"""/metrics carries the score distribution, the decisions, the request counts and the review
verdict; GET /model says whether the champion needs review, read from its run as it changes."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
from prometheus_client import CollectorRegistry, Histogram
from serving_helpers import KEY, LIMITS, SAMPLE, Server, start_server

from collectscore.monitoring import AlertRule, MonitorConfig, run_monitoring
from collectscore.serving import service_env
from collectscore.serving._metrics import P_PAY_BUCKETS, observe_many
from collectscore.serving._run import bentoml_home, free_port
from collectscore.tracking import TrackingConfig


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


def test_a_server_started_beside_another_keeps_its_own_metrics(
    server: Server, store: Path, raw_request: dict, tmp_path: Path
) -> None:
    """BentoML empties its metrics folder when a server starts: a shared one would make each
    server's /metrics show the other's counts."""
    version = server.post("/score", raw_request).json()["debtors"][0]["models"]["propensity"]
    count = ("collectscore_p_pay_count", {"model_version": version["version"]})
    other = start_server(store, tmp_path / "other")
    try:
        before = _sample(server.get("/metrics", key=None).text, count[0], **count[1])
        assert server.post("/score", raw_request).status_code == 200
        after = _sample(server.get("/metrics", key=None).text, count[0], **count[1])
        assert after - before == len(raw_request["debtors"])
        assert _sample(other.get("/metrics", key=None).text, count[0], **count[1]) == 0
    finally:
        other.stop()


def test_a_monitoring_check_shows_in_get_model_and_metrics_without_a_restart(
    server: Server, store: Path, tmp_path: Path
) -> None:
    def review(role: str = "propensity") -> dict:
        return server.get("/model").json()["models"][role]["review"]

    assert review()["needs_review"] is None
    assert review()["headline"].startswith("Never monitored")
    gauge = "collectscore_needs_review"
    assert f'{gauge}{{model="propensity"}}' not in server.get("/metrics", key=None).text

    # a rule strict enough that the committed sample itself needs review
    strict = AlertRule(score_psi_max=1e-6, min_rows=10)
    result = run_monitoring(
        MonitorConfig(
            data=SAMPLE,
            tracking=TrackingConfig(root=store),
            rule=strict,
            out=tmp_path / "monitor.html",
        )
    )
    assert result.status.needs_review, result.headline

    seen = review()
    assert seen == {
        "needs_review": True,
        "checked_at": result.checked_at.isoformat(),
        "headline": result.headline,
        "report": result.artifact,
    }
    assert seen["headline"].startswith("Needs review: score PSI")
    assert review("contact")["needs_review"] is None, "only the propensity model was checked"
    assert _sample(server.get("/metrics", key=None).text, gauge, model="propensity") == 1.0


def test_collectscore_serve_gives_each_port_a_bentoml_home_of_its_own(
    store: Path, tmp_path: Path
) -> None:
    port = free_port()
    env = service_env(
        tracking_root=store,
        audit_db=tmp_path / "audit.db",
        base={k: v for k, v in os.environ.items() if k != "BENTOML_HOME"},
        api_keys=(KEY,),
        **LIMITS,
    )
    command = [sys.executable, "-m", "collectscore", "serve", "--port", str(port)]
    command += ["--tracking-root", str(store)]
    with (tmp_path / "serve.log").open("wb") as log:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                    break
            time.sleep(0.5)
        assert process.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
        assert httpx.get(url + "/metrics", timeout=10).status_code == 200
        multiproc = bentoml_home(port) / "prometheus_multiproc_dir"
        assert any(multiproc.iterdir()), "the metrics of this server live in its own home"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
