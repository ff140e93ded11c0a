"""Helpers of the service tests: start the real service in a subprocess, build request bodies."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd

from collectscore import Dataset
from collectscore.serving import service_env

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
KEY = "test-key-0123456789"
#: Limits of the test servers (small, so that 413s are cheap to provoke).
LIMITS = {"max_debtors": 50, "max_body_bytes": 4_000_000, "reload_interval_s": 0}


@dataclass
class Server:
    """A running ``bentoml serve`` of the service."""

    url: str
    audit_db: Path
    process: subprocess.Popen[bytes]
    log: Path

    def post(self, path: str, body: Any, *, key: str | None = KEY, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.post(self.url + path, json=body, headers=headers, timeout=120, **kw)

    def get(self, path: str, *, key: str | None = KEY) -> httpx.Response:
        headers = {"X-API-Key": key} if key else {}
        return httpx.get(self.url + path, headers=headers, timeout=60)

    def kill(self) -> None:
        """SIGKILL the server and its workers (no clean shutdown). The workers run in
        sessions of their own: killing the server's process group alone leaves them running."""
        workers = _children(self.process.pid)
        os.killpg(self.process.pid, signal.SIGKILL)
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux ``/proc``)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(store: Path, folder: Path, **settings: Any) -> Server:
    """Start the service against ``store`` with an audit db in ``folder``; wait until ready."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "COLLECTSCORE_"))}
    env = service_env(
        tracking_root=store,
        audit_db=folder / "audit.db",
        base=base,
        api_keys=(KEY, "second-key"),
        **{**LIMITS, **settings},
    )
    log = folder / "server.log"
    command = [sys.executable, "-m", "bentoml", "serve"]
    command += ["collectscore.serving.service:CollectScore", "--host", "127.0.0.1"]
    command += ["--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env=env, cwd=folder, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    server = Server(f"http://127.0.0.1:{port}", folder / "audit.db", process, log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the service exited:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(server.url + "/readyz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"the service did not get ready:\n{log.read_text()[-4000:]}")


def debtor_payload(data: Dataset, row: pd.Series, *, with_transactions: bool = True) -> dict:
    """One debtor of a request, from the contract tables (transactions up to as_of)."""
    as_of = pd.Timestamp(row["as_of"])
    body: dict[str, Any] = {}
    for name, value in row.items():
        if name == "account_id" or (not isinstance(value, str) and pd.isna(value)):
            continue
        if name == "as_of":
            value = as_of.date().isoformat()
        elif isinstance(value, np.bool_ | bool):
            value = bool(value)
        elif isinstance(value, np.integer):
            value = int(value)
        elif isinstance(value, np.floating):
            value = float(value)
        body[name] = value
    if with_transactions:
        tx = data.transactions[data.transactions["account_id"] == row["account_id"]]
        tx = tx[tx["booked_at"] < as_of + pd.Timedelta(days=1)].drop(columns="account_id")
        body["transactions"] = _records(tx)
    assert data.contacts is not None and data.payments is not None
    contacts = data.contacts[data.contacts["debtor_id"] == row["debtor_id"]]
    body["contacts"] = _records(contacts[contacts["sent_at"] <= as_of].drop(columns="debtor_id"))
    payments = data.payments[data.payments["debtor_id"] == row["debtor_id"]]
    body["payments"] = _records(payments[payments["paid_at"] <= as_of].drop(columns="debtor_id"))
    return body


def _records(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", date_format="iso", date_unit="s"))
