"""The audit log: every decision appended to SQLite and committed before the response.

WAL mode with ``synchronous=FULL``: a committed row survives a crash or kill of the server
and a power cut. Rows older than the retention period are purged when the service starts
and once a day. Copying the log into the database file (a checkpoint) is left to a
background thread (:meth:`AuditLog.start_checkpoints`): done by the write that fills the
log, it doubled that write's time every other batch of 1,000 decisions.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from collectscore._errors import ConfigError

#: Columns of the ``decisions`` table, in order.
AUDIT_COLUMNS: tuple[str, ...] = (
    "request_id",
    "endpoint",
    "decided_at",
    "debtor_id",
    "as_of",
    "position",
    "propensity_model",
    "contact_model",
    "input_sha256",
    "p_pay",
    "risk_band",
    "segment",
    "decision",
    "channel",
    "send_at",
    "output",
)
#: Columns read from the stored answer (``output``) rather than stored twice.
DERIVED_COLUMNS: dict[str, str] = {
    "reasons": "CASE WHEN json_valid(output) THEN json_extract(output, '$.reasons') END"
}

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    {", ".join(f"{c} {'REAL' if c == 'p_pay' else 'INTEGER' if c == 'position' else 'TEXT'}" for c in AUDIT_COLUMNS)}
);
CREATE INDEX IF NOT EXISTS decisions_request ON decisions (request_id);
CREATE INDEX IF NOT EXISTS decisions_time ON decisions (decided_at);
"""


class AuditLog:
    """Append-only decisions table in a SQLite file (thread-safe; one connection per process,
    several processes may write: each commit waits for the others, up to 30 s)."""

    def __init__(self, path: Path, retention_days: int) -> None:
        self.path = Path(path)
        self.retention_days = retention_days
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._stop = threading.Event()
        self._checkpointer: threading.Thread | None = None

    def open(self) -> AuditLog:
        """Create the file and table when needed; WAL journal, full sync."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            # first: several worker processes open (and write) the same file
            db.execute("PRAGMA busy_timeout=30000")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA wal_autocheckpoint=0")  # see start_checkpoints
            db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(
                f"cannot open the audit database {self.path}: {exc}. Fix: point "
                "COLLECTSCORE_AUDIT_DB at a writable file."
            ) from exc
        self._db = db
        return self

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        """Append ``rows`` (values in ``AUDIT_COLUMNS`` order) in one committed transaction."""
        if not rows:
            return
        db = self._require()
        marks = ", ".join("?" * len(AUDIT_COLUMNS))
        with self._lock:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(
                    f"INSERT INTO decisions ({', '.join(AUDIT_COLUMNS)}) VALUES ({marks})", rows
                )
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def purge(self, now: dt.datetime | None = None) -> int:
        """Delete rows older than the retention period; returns how many."""
        moment = now or dt.datetime.now(dt.UTC)
        cutoff = (moment - dt.timedelta(days=self.retention_days)).isoformat()
        db = self._require()
        with self._lock:
            cursor = db.execute("DELETE FROM decisions WHERE decided_at < ?", (cutoff,))
        return cursor.rowcount

    def checkpoint(self) -> tuple[int, int]:
        """Copy committed pages from the write-ahead log into the database file, without
        waiting for writers (PASSIVE); (pages in the log, pages copied)."""
        db = sqlite3.connect(self.path, timeout=30)
        try:
            _, in_log, copied = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        finally:
            db.close()
        return int(in_log), int(copied)

    def start_checkpoints(self, every_s: float = 1.0) -> None:
        """Checkpoint every ``every_s`` seconds in a background thread (until close)."""

        def run() -> None:
            while not self._stop.wait(every_s):
                try:
                    self.checkpoint()
                except sqlite3.Error:  # the next round tries again; writes are unaffected
                    continue

        self._checkpointer = threading.Thread(target=run, name="audit-checkpoint", daemon=True)
        self._checkpointer.start()

    def close(self) -> None:
        self._stop.set()
        if self._checkpointer is not None:
            self._checkpointer.join()
            self._checkpointer = None
        if self._db is not None:
            with self._lock:
                self._db.close()
            self._db = None

    def _require(self) -> sqlite3.Connection:
        if self._db is None:
            raise ConfigError("the audit log is not open; call open() first")
        return self._db


def query_audit(
    path: Path,
    *,
    request_id: str | None = None,
    since: dt.datetime | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """The latest decisions first, filtered by request id and/or time (UTC when naive)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(
            f"no audit database at {path}. Fix: pass --db PATH (the service's "
            "COLLECTSCORE_AUDIT_DB)."
        )
    if limit < 1:
        raise ConfigError(f"limit must be >= 1; got {limit}")
    where, args = [], []
    if request_id is not None:
        where.append("request_id = ?")
        args.append(request_id)
    if since is not None:
        moment = since if since.tzinfo else since.replace(tzinfo=dt.UTC)
        where.append("decided_at >= ?")
        args.append(moment.astimezone(dt.UTC).isoformat())
    derived = [f"{expr} AS {name}" for name, expr in DERIVED_COLUMNS.items()]
    sql = f"SELECT id, {', '.join([*AUDIT_COLUMNS, *derived])} FROM decisions"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC LIMIT ?"
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute(sql, [*args, limit])]
    finally:
        db.close()
