"""Two worker processes: both serve, both write the one audit log."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from serving_helpers import start_server

from collectscore.serving import query_audit


def test_two_workers_answer_concurrent_requests_and_audit_every_decision(
    store: Path, tmp_path: Path, raw_request: dict
) -> None:
    server = start_server(store, tmp_path / "two", workers=2, reload_interval_s=3600)
    # ready means one worker answers; on a loaded machine the other may still be loading
    # its models, and every request would then go to the first
    deadline = time.monotonic() + 120
    while _loads(server.log) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)

    def call(i: int) -> httpx.Response:
        debtor = raw_request["debtors"][i % len(raw_request["debtors"])]
        body = {"debtors": [debtor], "now": raw_request["now"], "options": {"recommend": False}}
        with httpx.Client(timeout=120) as client:  # a connection each: both workers get some
            return client.post(
                server.url + "/score", json=body, headers={"X-API-Key": "second-key"}
            )

    try:
        with ThreadPoolExecutor(12) as pool:
            responses = list(pool.map(call, range(48)))
    finally:
        server.stop()
    assert [r.status_code for r in responses] == [200] * 48
    ids = {r.headers["x-request-id"] for r in responses}
    assert ids <= {row["request_id"] for row in query_audit(server.audit_db, limit=1000)}
    log = server.log.read_text()
    assert _loads(server.log) == 2, "one model load per worker"
    workers = set(re.findall(r"collectscore:(\d+)\]\S* batch of", log))
    assert len(workers) == 2, f"batches scored by workers {workers}"


def _loads(log: Path) -> int:
    """Workers that have loaded their models (each logs one line)."""
    return len(re.findall(r"serving propensity v", log.read_text()))
