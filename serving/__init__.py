"""The HTTP scoring service (BentoML): settings, audit log and helpers to run it.

The service itself is ``collectscore.serving.service:CollectScore`` (imported only when
served, it loads the models as it starts); ``collectscore serve`` starts it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from ._audit import AUDIT_COLUMNS, AuditLog, query_audit
from ._config import DEFAULT_RETENTION_DAYS, ENV, ServiceConfig

__all__ = [
    "AUDIT_COLUMNS",
    "DEFAULT_RETENTION_DAYS",
    "ENV",
    "AuditLog",
    "ServiceConfig",
    "query_audit",
    "service_env",
]


def service_env(
    *,
    tracking_root: Path | None = None,
    audit_db: Path | None = None,
    base: Mapping[str, str] | None = None,
    **settings: object,
) -> dict[str, str]:
    """The environment to start the service with: ``base`` (default ``os.environ``) plus the
    given settings (``ServiceConfig`` field names), paths made absolute."""
    env = dict(os.environ if base is None else base)
    if tracking_root is not None:
        env[ENV["tracking_root"]] = str(Path(tracking_root).resolve())
    if audit_db is not None:
        env[ENV["audit_db"]] = str(Path(audit_db).resolve())
    for name, value in settings.items():
        if name not in ENV:
            from collectscore._errors import ConfigError, did_you_mean

            raise ConfigError(f"unknown service setting {name!r}{did_you_mean(name, ENV)}")
        env[ENV[name]] = ",".join(value) if isinstance(value, tuple | list) else str(value)
    return env
