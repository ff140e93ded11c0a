"""Helpers of the service tests: start the real service in a subprocess, build request bodies."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pandas as pd

from collectscore import Dataset
from collectscore.serving import service_env
from collectscore.serving._run import ServiceProcess, debtor_item

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
KEY = "test-key-0123456789"
#: Limits of the test servers (small, so that 413s are cheap to provoke).
LIMITS = {"max_debtors": 50, "max_body_bytes": 4_000_000, "reload_interval_s": 0}


@dataclass
class Server:
    """A running ``bentoml serve`` of the service (the library's ServiceProcess)."""

    url: str
    audit_db: Path
    service: ServiceProcess

    @property
    def log(self) -> Path:
        return self.service.log

    def post(self, path: str, body: Any, *, key: str | None = KEY, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.post(self.url + path, json=body, headers=headers, timeout=120, **kw)

    def get(self, path: str, *, key: str | None = KEY) -> httpx.Response:
        headers = {"X-API-Key": key} if key else {}
        return httpx.get(self.url + path, headers=headers, timeout=60)

    def kill(self) -> None:
        """SIGKILL the server and its workers (no clean shutdown)."""
        self.service.kill()

    def stop(self) -> None:
        self.service.stop()


def start_server(store: Path, folder: Path, **settings: Any) -> Server:
    """Start the service against ``store`` with an audit db in ``folder``; wait until ready."""
    folder.mkdir(parents=True, exist_ok=True)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "COLLECTSCORE_"))}
    env = service_env(
        tracking_root=store,
        audit_db=folder / "audit.db",
        base=base,
        api_keys=(KEY, "second-key"),
        **{**LIMITS, **settings},
    )
    service = ServiceProcess(env, log=folder / "server.log", cwd=folder).wait_ready()
    return Server(service.url, folder / "audit.db", service)


def debtor_payload(data: Dataset, row: pd.Series, *, with_transactions: bool = True) -> dict:
    """One debtor of a request, from the contract tables (transactions up to as_of)."""
    return debtor_item(data, row, with_transactions=with_transactions)
