"""Where runs and models go: the tracking URI, the experiment and its artifact folder."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from .._errors import ConfigError

#: The file names inside ``TrackingConfig.root``.
DB_FILE = "mlflow.db"
ARTIFACT_DIR = "mlruns"

#: Seconds to wait for a tracking server to answer before calling it unreachable.
HTTP_TIMEOUT = 5.0

_HTTP_SCHEMES = ("http", "https")
_URI_VARIABLES = ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")


@dataclass(frozen=True)
class TrackingConfig:
    """A tracking store: ``sqlite:///<root>/mlflow.db`` with artifacts in ``<root>/mlruns``.

    An explicit ``tracking_uri`` wins, then the ``MLFLOW_TRACKING_URI`` environment
    variable (read when resolved, never at import), then the embedded SQLite store.
    """

    root: Path = Path(".")
    tracking_uri: str | None = None
    experiment: str = "collectscore-propensity"

    def resolved_uri(self) -> str:
        """The tracking URI this configuration points at."""
        if self.tracking_uri:
            return self.tracking_uri
        from_env = os.environ.get("MLFLOW_TRACKING_URI")
        if from_env:
            return from_env
        return self.embedded_uri()

    def embedded_uri(self) -> str:
        """The local SQLite store in ``root``."""
        return f"sqlite:///{(Path(self.root).resolve() / DB_FILE).as_posix()}"

    def artifact_location(self) -> str | None:
        """``<root>/mlruns`` as a URI for database and local stores; ``None`` for a server."""
        if urlparse(self.resolved_uri()).scheme in (*_HTTP_SCHEMES, "databricks"):
            return None
        return (Path(self.root).resolve() / ARTIFACT_DIR).as_uri()


def use_tracking(config: TrackingConfig) -> str:
    """Point MLflow at ``config`` (tracking, registry, experiment) and return the URI.

    Raises ``ConfigError`` when the store cannot be reached.
    """
    import mlflow
    from mlflow.exceptions import MlflowException

    if not isinstance(config, TrackingConfig):
        raise ConfigError(
            f"config must be a TrackingConfig; got {type(config).__name__}. "
            "Fix: pass TrackingConfig(root=Path('my-project'))."
        )
    uri = config.resolved_uri()
    _check_reachable(uri, config)
    # MLflow also writes both URIs into the environment, where the next configuration would
    # read them as the user's choice: keep the environment as the user left it
    saved = {name: os.environ.get(name) for name in _URI_VARIABLES}
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    try:
        client = mlflow.MlflowClient(uri, uri)
        experiment = client.get_experiment_by_name(config.experiment)
        if experiment is None:
            client.create_experiment(
                config.experiment, artifact_location=config.artifact_location()
            )
        mlflow.set_experiment(config.experiment)
    except (MlflowException, OSError) as exc:
        raise ConfigError(
            f"cannot use the tracking store {uri!r}: {exc}. "
            "Fix: check the URI (TrackingConfig.tracking_uri or MLFLOW_TRACKING_URI) "
            "and that the store is running and writable."
        ) from exc
    return uri


def _check_reachable(uri: str, config: TrackingConfig) -> None:
    parsed = urlparse(uri)
    if parsed.scheme in _HTTP_SCHEMES:
        health = uri.rstrip("/") + "/health"
        try:
            with urllib.request.urlopen(health, timeout=HTTP_TIMEOUT):
                pass
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise ConfigError(
                f"the tracking server {uri!r} is unreachable ({exc}). Fix: start it, e.g. "
                "`mlflow server --backend-store-uri sqlite:///mlflow.db --host 127.0.0.1`, "
                "or unset MLFLOW_TRACKING_URI to use the local store in TrackingConfig.root."
            ) from exc
    elif parsed.scheme == "sqlite" and uri.startswith("sqlite:///"):
        folder = Path(uri.removeprefix("sqlite:///")).parent
        if uri == config.embedded_uri():
            folder.mkdir(parents=True, exist_ok=True)
        elif not folder.is_dir():
            raise ConfigError(
                f"the tracking store {uri!r} is unreachable: the folder {folder} does not "
                "exist. Fix: create the folder or correct the URI."
            )
    elif parsed.scheme in ("", "file"):
        raise ConfigError(
            f"the tracking URI {uri!r} is a plain file store, which MLflow 3 no longer starts "
            "by default. Fix: use a SQLite store, e.g. "
            f"'sqlite:///{Path(config.root).resolve().as_posix()}/{DB_FILE}'."
        )
