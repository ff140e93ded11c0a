"""The service's settings: one typed object, read from the environment when the service starts."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from collectscore._errors import ConfigError

#: Environment variables read by :meth:`ServiceConfig.from_env`, by field.
ENV: dict[str, str] = {
    "tracking_root": "COLLECTSCORE_TRACKING_ROOT",
    "propensity_model": "COLLECTSCORE_PROPENSITY_MODEL",
    "contact_model": "COLLECTSCORE_CONTACT_MODEL",
    "alias": "COLLECTSCORE_MODEL_ALIAS",
    "api_keys": "COLLECTSCORE_API_KEYS",
    "api_keys_file": "COLLECTSCORE_API_KEYS_FILE",
    "audit_db": "COLLECTSCORE_AUDIT_DB",
    "audit_retention_days": "COLLECTSCORE_AUDIT_RETENTION_DAYS",
    "max_debtors": "COLLECTSCORE_MAX_DEBTORS",
    "max_transactions": "COLLECTSCORE_MAX_TRANSACTIONS",
    "max_transactions_per_debtor": "COLLECTSCORE_MAX_TRANSACTIONS_PER_DEBTOR",
    "max_body_bytes": "COLLECTSCORE_MAX_BODY_BYTES",
    "max_batch_debtors": "COLLECTSCORE_MAX_BATCH_DEBTORS",
    "max_batch_wait_ms": "COLLECTSCORE_MAX_BATCH_WAIT_MS",
    "reload_interval_s": "COLLECTSCORE_RELOAD_INTERVAL_S",
    "workers": "COLLECTSCORE_WORKERS",
    "threads": "COLLECTSCORE_THREADS",
}

#: Seven years: collection rules ask to keep decisions for years.
DEFAULT_RETENTION_DAYS = 7 * 365


@dataclass(frozen=True)
class ServiceConfig:
    """Everything the HTTP service needs to know, with its environment variable (see ``ENV``).

    - models: the ``alias`` versions of ``propensity_model`` and ``contact_model`` in the
      MLflow store at ``tracking_root`` (``MLFLOW_TRACKING_URI`` wins when set);
    - security: API keys (comma-separated, or one a line in ``api_keys_file``);
    - audit: SQLite database ``audit_db``, rows older than ``audit_retention_days`` purged;
    - limits: debtors and transactions per request, bytes per body (413 beyond);
    - batching: at most ``max_batch_debtors`` debtors scored together; before a batch starts,
      requests that reached the server, or are expected back from the clients just answered,
      are waited for while they keep coming: a pause of ``max_batch_wait_ms`` ends the wait,
      which never exceeds ``max_batch_wait_ms`` plus the previous batch's time (0: only those
      already queued);
    - reload: the registry is checked every ``reload_interval_s`` seconds (0: only on
      ``POST /reload``);
    - ``workers``: server processes, each with its models, batcher and audit connection
      (read when ``bentoml serve`` imports the service module). On 2 cores two processes
      gave about the same p99 as one at 16 concurrent clients and 1.3-1.6x the throughput
      at 64 (``benchmarks/serving.py --workers 2``), for twice the memory. ``POST /reload`` reloads the
      process that answers it; the others follow at their next check, so more than one
      worker needs ``reload_interval_s`` > 0.
    - ``threads``: LightGBM threads per prediction. One leaves the other core to the threads
      that read and validate requests; a pool of two cost about 8 ms a call (even for one
      debtor) when both cores were busy.
    """

    tracking_root: Path = Path(".")
    propensity_model: str = "propensity"
    contact_model: str = "contact"
    alias: str = "champion"
    api_keys: tuple[str, ...] = ()
    api_keys_file: Path | None = None
    audit_db: Path = Path("audit.db")
    audit_retention_days: int = DEFAULT_RETENTION_DAYS
    max_debtors: int = 1000
    max_transactions: int = 300_000
    max_transactions_per_debtor: int = 5000
    max_body_bytes: int = 64 * 1024 * 1024
    max_batch_debtors: int = 2000
    max_batch_wait_ms: float = 20.0
    reload_interval_s: float = 30.0
    workers: int = 1
    threads: int = 1

    def __post_init__(self) -> None:
        positive = (
            "audit_retention_days",
            "max_debtors",
            "max_transactions",
            "max_transactions_per_debtor",
            "max_body_bytes",
            "max_batch_debtors",
            "workers",
            "threads",
        )
        for name in positive:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(
                    f"{name} ({ENV[name]}) must be a whole number >= 1; got {value!r}"
                )
        for name in ("max_batch_wait_ms", "reload_interval_s"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or value < 0:
                raise ConfigError(f"{name} ({ENV[name]}) must be a number >= 0; got {value!r}")
        if self.workers > 1 and self.reload_interval_s == 0:
            raise ConfigError(
                f"{self.workers} workers need {ENV['reload_interval_s']} > 0: POST /reload "
                "reloads only the worker that answers it, the others follow at their next "
                f"check. Fix: set {ENV['reload_interval_s']} (e.g. 30) or {ENV['workers']}=1."
            )
        for name in ("propensity_model", "contact_model", "alias"):
            if not str(getattr(self, name)).strip():
                raise ConfigError(f"{name} ({ENV[name]}) must not be empty")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServiceConfig:
        """The configuration given by the environment (defaults for what is not set)."""
        env = os.environ if environ is None else environ
        types = {f.name: f.type for f in fields(cls)}
        values: dict[str, object] = {}
        for name, variable in ENV.items():
            raw = env.get(variable)
            if raw is None or raw.strip() == "":
                continue
            kind = str(types[name])
            try:
                if "int" in kind and "float" not in kind:
                    values[name] = int(raw)
                elif "float" in kind:
                    values[name] = float(raw)
                elif "Path" in kind:
                    values[name] = Path(raw)
                elif name == "api_keys":
                    values[name] = tuple(k.strip() for k in raw.split(",") if k.strip())
                else:
                    values[name] = raw.strip()
            except ValueError as exc:
                raise ConfigError(f"{variable} must be a number; got {raw!r}") from exc
        return cls(**values)  # type: ignore[arg-type]

    def accepted_keys(self) -> tuple[str, ...]:
        """The accepted API keys: ``api_keys`` and the lines of ``api_keys_file``."""
        keys = list(self.api_keys)
        if self.api_keys_file is not None:
            try:
                text = Path(self.api_keys_file).read_text(encoding="utf-8")
            except OSError as exc:
                raise ConfigError(
                    f"cannot read the API key file {self.api_keys_file} "
                    f"({ENV['api_keys_file']}): {exc}"
                ) from exc
            keys += [
                line.strip()
                for line in text.splitlines()
                if line.strip() and not line.startswith("#")
            ]
        if not keys:
            raise ConfigError(
                f"no API key configured. Fix: set {ENV['api_keys']} (comma-separated) or "
                f"{ENV['api_keys_file']} (a file with one key a line)."
            )
        return tuple(keys)
