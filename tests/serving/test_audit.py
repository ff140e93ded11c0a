"""The audit log: durable, queryable, purged after the retention period."""

from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from serving_helpers import start_server

from collectscore._errors import ConfigError
from collectscore.serving import AUDIT_COLUMNS, AuditLog, ServiceConfig, query_audit


def test_no_acknowledged_decision_is_lost_when_the_server_is_killed(
    store: Path, tmp_path: Path, raw_request: dict
) -> None:
    server = start_server(store, tmp_path / "killed")
    acknowledged: list[str] = []
    enough = threading.Event()

    def call(i: int) -> None:
        body = {
            "debtors": [raw_request["debtors"][i % len(raw_request["debtors"])]],
            "now": raw_request["now"],
            "options": {"recommend": False},
        }
        try:
            response = server.post("/score", body)
        except httpx.HTTPError:
            return  # in flight when the server died: never acknowledged
        if response.status_code == 200:
            acknowledged.append(response.headers["x-request-id"])
            if len(acknowledged) >= 8:
                enough.set()

    try:
        with ThreadPoolExecutor(8) as pool:
            for i in range(40):
                pool.submit(call, i)
            assert enough.wait(120), "the server answered fewer than 8 requests"
            server.kill()  # SIGKILL while requests are still in flight
    finally:
        server.stop()
    stored = {row["request_id"] for row in query_audit(server.audit_db, limit=100_000)}
    assert len(acknowledged) >= 8
    assert set(acknowledged) <= stored


PADDED = '{"p_pay": 0.5, "reason": "' + "x" * 1500 + '"}'


def _row(request_id: str, decided_at: dt.datetime, output: str | None = None) -> tuple:
    values = dict.fromkeys(AUDIT_COLUMNS)
    values.update(request_id=request_id, endpoint="score", decided_at=decided_at.isoformat())
    values["output"] = output
    return tuple(values[c] for c in AUDIT_COLUMNS)


def test_rows_older_than_the_retention_period_are_purged(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.db", retention_days=30).open()
    now = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    log.write([_row("old", now - dt.timedelta(days=31)), _row("new", now - dt.timedelta(days=29))])
    assert log.purge(now) == 1
    log.close()
    assert [r["request_id"] for r in query_audit(tmp_path / "audit.db")] == ["new"]
    since = query_audit(tmp_path / "audit.db", since=dt.datetime(2026, 8, 2))
    assert [r["request_id"] for r in since] == ["new"]


def test_retention_is_read_from_the_environment_and_defaults_to_seven_years() -> None:
    assert ServiceConfig.from_env({}).audit_retention_days == 7 * 365
    config = ServiceConfig.from_env({"COLLECTSCORE_AUDIT_RETENTION_DAYS": "3650"})
    assert config.audit_retention_days == 3650
    with pytest.raises(ConfigError, match="COLLECTSCORE_AUDIT_RETENTION_DAYS"):
        ServiceConfig.from_env({"COLLECTSCORE_AUDIT_RETENTION_DAYS": "0"})


def test_the_service_refuses_to_start_without_an_api_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="COLLECTSCORE_API_KEYS"):
        ServiceConfig.from_env({}).accepted_keys()
    keys = tmp_path / "keys"
    keys.write_text("# one key a line\nfirst\n\nsecond\n")
    config = ServiceConfig.from_env({"COLLECTSCORE_API_KEYS_FILE": str(keys)})
    assert config.accepted_keys() == ("first", "second")


def test_querying_a_missing_audit_database_says_which_option_to_use(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--db"):
        query_audit(tmp_path / "nowhere.db")


def test_writes_leave_the_checkpoint_to_the_background_thread(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.db", retention_days=30).open()
    now = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    for i in range(30):
        log.write([_row(f"r{i}-{j}", now, PADDED) for j in range(100)])
    in_log, copied = log.checkpoint()
    # SQLite's own default would have checkpointed at 1,000 pages
    assert in_log > 1000 and copied == in_log, "the writes checkpointed nothing themselves"
    log.start_checkpoints(every_s=0.05)
    log.write([_row("late", now)])
    deadline = time.monotonic() + 10
    while log.checkpoint()[0] != 0 and time.monotonic() < deadline:
        time.sleep(0.05)  # the next write after a full checkpoint starts the log over
        log.write([])
    log.close()
    assert len(query_audit(tmp_path / "audit.db", limit=10_000)) == 3001
