"""The Prometheus rules shipped for the service: valid, unit-tested with promtool on series
that should and should not fire, and written against metrics the service really exposes."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from serving_helpers import Server

RULES = Path(__file__).resolve().parents[2] / "serving" / "prometheus"
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None,
    reason="promtool is not installed (Debian package 'prometheus'; make test installs it "
    "when it can)",
)


def _promtool(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None
    return subprocess.run(
        [PROMTOOL, *args], cwd=RULES, input=stdin, capture_output=True, text=True, check=False
    )


@needs_promtool
def test_the_rules_are_valid_prometheus_rules() -> None:
    out = _promtool("check", "rules", "rules.yml")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "SUCCESS: 9 rules found" in out.stdout


@needs_promtool
def test_each_alert_fires_on_its_series_and_stays_quiet_otherwise() -> None:
    out = _promtool("test", "rules", "rules.test.yml")
    assert out.returncode == 0, out.stdout + out.stderr
    tested = set(re.findall(r"alertname: (\w+)", (RULES / "rules.test.yml").read_text()))
    declared = set(re.findall(r"- alert: (\w+)", (RULES / "rules.yml").read_text()))
    assert tested == declared, "every alert has a test"


def _exposed_names() -> set[str]:
    """The sample names of the metrics the service declares (one process, no samples yet)."""
    from prometheus_client import REGISTRY

    from collectscore.serving._metrics import service_metrics

    service_metrics()
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count")}
    names = set()
    for family in REGISTRY.collect():
        if family.name.startswith("collectscore_"):
            names |= {family.name + s for s in suffixes.get(family.type, ("",))}
    return names


def test_the_rules_use_only_metrics_the_service_exposes() -> None:
    used = set(re.findall(r"\bcollectscore_[a-z_]+", (RULES / "rules.yml").read_text()))
    assert used, "the rules read the service's metrics"
    assert used <= _exposed_names(), used - _exposed_names()


@needs_promtool
def test_the_live_metrics_pass_promtools_lint(server: Server, raw_request: dict) -> None:
    assert server.post("/score", raw_request).status_code == 200
    exposition = server.get("/metrics", key=None).text
    assert "collectscore_p_pay_bucket" in exposition
    out = _promtool("check", "metrics", stdin=exposition)
    assert out.returncode == 0, out.stdout + out.stderr
