"""Everything a report reads from the store: the version, its run, its files and its holdout."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._errors import ConfigError
from ..models import PropensityModel
from ._config import ReportConfig

#: Run artifact folders and files (as the training pipeline writes them).
REPORT_DIR = "report"
HOLDOUT_DIR = "holdout"
PLOTS_DIR = "plots"
CONTEXT_FILE = "context.parquet"
_PROGRESS = "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"
TABLES = (
    "evaluation",
    "lift",
    "reliability",
    "performance_by_group",
    "shap_importance",
    "optuna_trials",
    "features",
    "cross_validation",
)


@dataclass(frozen=True)
class RunInputs:
    """A registered version, its run's numbers and files, and the holdout it was judged on."""

    name: str
    version: str
    run_id: str
    aliases: tuple[str, ...]
    created: pd.Timestamp
    model: PropensityModel
    metrics: dict[str, float]
    params: dict[str, str]
    tags: dict[str, str]
    tables: dict[str, pd.DataFrame]
    plots: dict[str, bytes]
    X: pd.DataFrame | None
    y: np.ndarray | None
    context: pd.DataFrame | None
    versions: pd.DataFrame
    uri: str


def read_inputs(config: ReportConfig) -> RunInputs:
    """Load the model version ``config`` names and everything its run logged."""
    import mlflow

    from ..scoring import load_registered
    from ..tracking import use_tracking

    pyfunc, info = load_registered(
        config.model, config=config.tracking, alias=config.alias, version=config.version
    )
    model = _propensity(pyfunc, config.model, info.version)
    uri = use_tracking(config.tracking)
    client = mlflow.MlflowClient(uri, uri)
    run = client.get_run(info.run_id)
    mv = client.get_model_version(info.name, info.version)
    with tempfile.TemporaryDirectory(prefix="collectscore-report-") as scratch:
        report = _download(client, info.run_id, REPORT_DIR, scratch)
        plots = _download(client, info.run_id, PLOTS_DIR, scratch)
        holdout = _download(client, info.run_id, HOLDOUT_DIR, scratch)
        tables = {
            name: pd.read_csv(report / f"{name}.csv", index_col=0 if name == "evaluation" else None)
            for name in TABLES
            if report is not None and (report / f"{name}.csv").is_file()
        }
        images = {
            p.stem: p.read_bytes() for p in (plots.glob("*.png") if plots is not None else ())
        }
        X = y = context = None
        if holdout is not None and (holdout / "features.parquet").is_file():
            X = pd.read_parquet(holdout / "features.parquet")
            y = pd.read_parquet(holdout / "labels.parquet").iloc[:, 0].to_numpy(dtype=np.int8)
            if (holdout / CONTEXT_FILE).is_file():
                context = pd.read_parquet(holdout / CONTEXT_FILE)
    return RunInputs(
        name=info.name,
        version=info.version,
        run_id=info.run_id,
        aliases=tuple(mv.aliases),
        created=pd.Timestamp(mv.creation_timestamp, unit="ms", tz="UTC"),
        model=model,
        metrics=dict(run.data.metrics),
        params=dict(run.data.params),
        tags=dict(run.data.tags),
        tables=tables,
        plots=images,
        X=X,
        y=y,
        context=context,
        versions=_versions(client, info.name),
        uri=uri,
    )


def _propensity(pyfunc: Any, name: str, version: str) -> PropensityModel:
    try:
        inner = pyfunc.unwrap_python_model()
    except Exception:  # not a python-function model logged by collectscore
        inner = None
    model = getattr(inner, "model", None)
    if not isinstance(model, PropensityModel):
        kind = type(model).__name__ if model is not None else type(pyfunc).__name__
        raise ConfigError(
            f"model '{name}' v{version} is a {kind}; the model report covers propensity-to-pay "
            "models (a PropensityModel logged by `collectscore train propensity`). "
            "Fix: pass a propensity model name, e.g. `collectscore report propensity`."
        )
    return model


def _download(client: Any, run_id: str, folder: str, scratch: str) -> Path | None:
    """The run's ``folder`` downloaded under ``scratch`` (``None`` when it was not logged)."""
    if not client.list_artifacts(run_id, folder):
        return None
    saved = os.environ.get(_PROGRESS)
    os.environ[_PROGRESS] = "false"  # no progress bars in a report command's output
    try:
        return Path(client.download_artifacts(run_id, folder, scratch))
    finally:
        if saved is None:
            os.environ.pop(_PROGRESS, None)
        else:
            os.environ[_PROGRESS] = saved


def _versions(client: Any, name: str) -> pd.DataFrame:
    """Every version of ``name``: number, creation date, aliases, promotion note, test AUC."""
    rows = []
    for found in client.search_model_versions(f"name = '{name}'"):
        mv = client.get_model_version(name, found.version)  # the search leaves out aliases
        try:
            auc = client.get_run(mv.run_id).data.metrics.get("test_auc", float("nan"))
        except Exception:  # a version whose run was deleted
            auc = float("nan")
        rows.append(
            {
                "version": int(mv.version),
                "registered (UTC)": pd.Timestamp(mv.creation_timestamp, unit="ms").strftime(
                    "%Y-%m-%d %H:%M"
                ),
                "aliases": ", ".join(sorted(mv.aliases)) or "-",
                "promotion": (mv.tags or {}).get("promotion.reason", "-"),
                "test AUC": auc,
                "run": mv.run_id,
            }
        )
    table = pd.DataFrame(
        rows, columns=["version", "registered (UTC)", "aliases", "promotion", "test AUC", "run"]
    )
    return table.sort_values("version", ascending=False).reset_index(drop=True)
