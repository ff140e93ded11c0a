"""Run the service in a subprocess and talk to it: for the demo, scripts and notebooks."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from collectscore._data import Dataset
from collectscore._errors import ConfigError

#: The BentoML service to serve.
SERVICE = "collectscore.serving.service:CollectScore"


class ServiceProcess:
    """``bentoml serve`` of the service on localhost; ``stop()`` ends it (and its workers).

    The server's BentoML home (``home``, default ``bentoml-<port>`` beside the log) is its own,
    so that the ``/metrics`` of servers started side by side never mix.
    """

    def __init__(
        self,
        env: dict[str, str],
        *,
        port: int | None = None,
        log: Path,
        cwd: Path | None = None,
        home: Path | None = None,
    ) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(log)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        # BentoML empties $BENTOML_HOME/prometheus_multiproc_dir when a server starts: two
        # servers sharing a home would each serve the other's /metrics. Each gets its own.
        self.home = Path(home) if home is not None else self.log.parent / f"bentoml-{self.port}"
        env = {**env, "BENTOML_HOME": str(self.home.resolve())}
        command = [sys.executable, "-m", "bentoml", "serve", SERVICE]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                command,
                env=env,
                cwd=cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 120.0) -> ServiceProcess:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ConfigError(
                    f"the service stopped while starting; its log:\n{self.log.read_text()[-3000:]}"
                )
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        self.stop()
        raise ConfigError(f"the service was not ready after {timeout:.0f} s; see {self.log}")

    def post(self, path: str, body: Any, key: str) -> dict[str, Any]:
        """POST JSON with the API key; the decoded answer (``ConfigError`` on 4xx/5xx)."""
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
        )
        return json.loads(_send(request, timeout=300))

    def get(self, path: str, key: str | None = None) -> str:
        """GET ``path`` (with the API key when given); the body as text (``ConfigError`` on
        4xx/5xx)."""
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return _send(urllib.request.Request(self.url + path, headers=headers), timeout=60).decode()

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM to the server and its workers; :meth:`kill` after ``timeout`` seconds."""
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill(timeout)

    def kill(self, timeout: float = 30.0) -> None:
        """SIGKILL the server and its workers (no clean shutdown). The workers run in
        sessions of their own: killing the server's process group alone leaves them running."""
        workers = _children(self.process.pid)
        os.killpg(self.process.pid, signal.SIGKILL)
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=timeout)


def _send(request: urllib.request.Request, *, timeout: float) -> bytes:
    """The body of the service's answer; ``ConfigError`` with the status on 4xx/5xx."""
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        raise ConfigError(f"the service answered {exc.code}: {exc.read()[:2000]!r}") from exc


def bentoml_home(port: int) -> Path:
    """A BentoML home of the server on ``port`` alone (in the temporary folder): BentoML
    empties ``$BENTOML_HOME/prometheus_multiproc_dir`` when a server starts, so servers
    sharing a home would each serve the other's ``/metrics``."""
    import getpass
    import tempfile

    return Path(tempfile.gettempdir()) / f"collectscore-bentoml-{getpass.getuser()}-{port}"


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
    """A TCP port free on localhost now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def debtors_request(data: Dataset, debtors: pd.DataFrame) -> list[dict[str, Any]]:
    """The ``debtors`` rows as request items (see :func:`debtor_item`)."""
    return [debtor_item(data, row) for _, row in debtors.iterrows()]


def debtor_item(data: Dataset, row: pd.Series, *, with_transactions: bool = True) -> dict[str, Any]:
    """One debtors row as a request item, with its transactions (up to its as_of, unless
    ``with_transactions=False``), contacts and payments from ``data``."""
    as_of = pd.Timestamp(row["as_of"])
    item: dict[str, Any] = {}
    for name, value in row.items():
        if name == "account_id" or (not isinstance(value, str) and pd.isna(value)):
            continue
        if name == "as_of":
            value = as_of.date().isoformat()
        elif isinstance(value, np.generic):
            value = value.item()
        item[str(name)] = value
    if with_transactions:
        tx = data.transactions[data.transactions["account_id"] == row["account_id"]]
        item["transactions"] = _records(
            tx[tx["booked_at"] < as_of + pd.Timedelta(days=1)].drop(columns="account_id")
        )
    for name, column in (("contacts", "sent_at"), ("payments", "paid_at")):
        table = getattr(data, name)
        if table is not None:
            mine = table[table["debtor_id"] == row["debtor_id"]]
            item[name] = _records(mine[mine[column] <= as_of].drop(columns="debtor_id"))
    return item


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records", date_format="iso", date_unit="s"))
