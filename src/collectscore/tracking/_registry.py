"""Log propensity models to MLflow, register them and promote challengers to champion."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd
from mlflow.exceptions import MlflowException

from .._errors import ConfigError, did_you_mean
from ..models import evaluate
from ._config import TrackingConfig, use_tracking

CHAMPION = "champion"
CHALLENGER = "challenger"
#: The model's output column.
OUTPUT = "p_pay"
#: Rows of the training frame saved as the input example.
EXAMPLE_ROWS = 5
#: Metrics ``promote`` can compare on, with True when higher is better.
PROMOTION_METRICS: dict[str, bool] = {
    "auc": True,
    "gini": True,
    "ks": True,
    "brier": False,
    "log_loss": False,
    "ece": False,
}
_REQUIREMENTS = ("mlflow", "lightgbm", "scikit-learn", "pandas", "numpy", "pyarrow")


class PropensityPyfunc(mlflow.pyfunc.PythonModel):
    """A fitted binary estimator as an MLflow pyfunc: features in, one probability column out
    (``p_pay`` for the propensity model, ``p_success`` for the contact model)."""

    def __init__(self, model: Any, output: str = OUTPUT) -> None:
        self.model = model
        self.output = output

    def predict(self, context: Any, model_input: pd.DataFrame, params: Any = None) -> pd.DataFrame:
        """A frame with one column, ``output`` (the estimator checks the columns)."""
        p = self.model.predict_proba(model_input)[:, 1]
        return pd.DataFrame({getattr(self, "output", OUTPUT): p}, index=model_input.index)


@dataclass(frozen=True)
class ModelVersionInfo:
    """A registered model version and where it came from."""

    name: str
    version: str
    run_id: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class PromotionDecision:
    """The outcome of :func:`promote` (``champion_version`` is the champion after it)."""

    promoted: bool
    challenger_version: str
    champion_version: str
    challenger_score: float
    champion_score: float | None
    reason: str


def data_fingerprint(X: pd.DataFrame, y: Any = None) -> str:
    """sha256 over the frame's columns, dtypes, index and values (and the labels)."""
    digest = hashlib.sha256()
    digest.update(repr([(str(c), str(t)) for c, t in X.dtypes.items()]).encode())
    digest.update(pd.util.hash_pandas_object(X, index=True).to_numpy().tobytes())
    if y is not None:
        labels = pd.Series(np.asarray(y).ravel())
        digest.update(pd.util.hash_pandas_object(labels, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def git_commit(*folders: Path) -> str:
    """The commit checked out in the first folder that is a git work tree, else ``"unknown"``."""
    for folder in (*folders, Path(__file__).resolve().parent):
        try:
            out = subprocess.run(
                ["git", "-C", str(folder), "rev-parse", "HEAD"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    return "unknown"


def log_model_run(
    model: Any,
    X_train: pd.DataFrame,
    y_train: Any,
    *,
    metrics: Mapping[str, float],
    params: Mapping[str, object],
    config: TrackingConfig,
    registered_name: str = "propensity",
    tags: Mapping[str, str] | None = None,
    artifacts: Mapping[str, Path] | None = None,
    figures: Mapping[str, Any] | None = None,
    output: str = OUTPUT,
) -> ModelVersionInfo:
    """Log one run (params, metrics, pyfunc model, data fingerprint, commit, artifacts and
    matplotlib ``figures`` keyed by their artifact file name, e.g. ``"plots/roc.png"``),
    register a new version of ``registered_name`` and give it the alias ``challenger``."""
    _require_fitted(model)
    if not isinstance(X_train, pd.DataFrame) or X_train.empty:
        raise ConfigError(
            "X_train must be the non-empty feature DataFrame the model was fitted on; "
            f"got {type(X_train).__name__}. Fix: pass the training features."
        )
    missing = [a for a in (artifacts or {}).values() if not Path(a).exists()]
    if missing:
        raise ConfigError(
            f"artifacts do not exist: {', '.join(map(str, missing))}. "
            "Fix: write the files first or drop them from artifacts."
        )
    bad = {k: v for k, v in metrics.items() if not _is_number(v)}
    if bad:
        raise ConfigError(f"metrics must be numbers; got {bad!r}")
    uri = use_tracking(config)
    client = mlflow.MlflowClient(uri, uri)

    example = X_train.head(EXAMPLE_ROWS)
    wrapper = PropensityPyfunc(model, output)
    signature = mlflow.models.infer_signature(example, wrapper.predict(None, example))
    with mlflow.start_run() as run:
        mlflow.log_params({str(k): _param(v) for k, v in params.items()})
        mlflow.log_params({f"estimator.{k}": _param(v) for k, v in model.get_params().items()})
        mlflow.log_metrics({str(k): float(v) for k, v in metrics.items()})
        mlflow.set_tags(
            {
                "collectscore.training_data_sha256": data_fingerprint(X_train, y_train),
                "collectscore.training_rows": str(len(X_train)),
                "collectscore.features": str(X_train.shape[1]),
                "collectscore.git_commit": git_commit(Path(config.root)),
                **{str(k): str(v) for k, v in (tags or {}).items()},
            }
        )
        for key, path in (artifacts or {}).items():
            if Path(path).is_dir():
                mlflow.log_artifacts(str(path), artifact_path=str(key))
            else:
                mlflow.log_artifact(str(path), artifact_path=str(key))
        for file_name, figure in (figures or {}).items():
            mlflow.log_figure(figure, str(file_name))
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=wrapper,
            signature=signature,
            input_example=example,
            pip_requirements=_requirements(),
        )
    # registered through this store's client: MLflow's own registration keeps using the
    # first registry a process talked to
    try:
        client.get_registered_model(registered_name)
    except MlflowException:
        client.create_registered_model(registered_name)
    created = client.create_model_version(
        registered_name, source=info.model_uri, run_id=run.info.run_id, model_id=info.model_id
    )
    version = str(created.version)
    client.set_registered_model_alias(registered_name, CHALLENGER, version)
    aliases = tuple(client.get_model_version(registered_name, version).aliases)
    return ModelVersionInfo(registered_name, version, run.info.run_id, aliases)


def promote(
    name: str,
    X_holdout: pd.DataFrame,
    y_holdout: Any,
    *,
    config: TrackingConfig,
    metric: str = "auc",
    margin: float = 0.0,
) -> PromotionDecision:
    """Score challenger and champion on the same holdout; move ``champion`` when the
    challenger beats it by more than ``margin`` (the first model simply becomes champion)."""
    if metric not in PROMOTION_METRICS:
        raise ConfigError(
            f"metric must be one of {', '.join(PROMOTION_METRICS)}; got {metric!r}"
            f"{did_you_mean(str(metric), PROMOTION_METRICS)}"
        )
    if not _is_number(margin) or margin < 0:
        raise ConfigError(f"margin must be a number >= 0; got {margin!r}")
    uri = use_tracking(config)
    client = mlflow.MlflowClient(uri, uri)
    _require_registered(client, name)
    challenger = _version(client, name, CHALLENGER)
    if challenger is None:
        raise ConfigError(
            f"model '{name}' has no version with the alias '{CHALLENGER}', so there is nothing "
            "to promote. Fix: log and register a candidate first with log_model_run."
        )
    champion = _version(client, name, CHAMPION)
    challenger_score = _score(name, CHALLENGER, X_holdout, y_holdout, metric)
    champion_score: float | None = None
    higher = PROMOTION_METRICS[metric]
    if champion is None:
        promoted = True
        reason = f"no champion yet: version {challenger} becomes the first champion"
    elif champion == challenger:
        promoted = False
        champion_score = challenger_score
        reason = f"version {challenger} is already the champion"
    else:
        champion_score = _score(name, CHAMPION, X_holdout, y_holdout, metric)
        gain = challenger_score - champion_score if higher else champion_score - challenger_score
        promoted = gain > margin
        verb = "beats" if promoted else "does not beat"
        reason = (
            f"challenger v{challenger} {metric}={challenger_score:.4f} {verb} champion "
            f"v{champion} {metric}={champion_score:.4f} by more than margin {margin:g} "
            f"({'higher' if higher else 'lower'} is better; gain {gain:+.4f})"
        )
    if promoted:
        client.set_registered_model_alias(name, CHAMPION, challenger)
    decision = PromotionDecision(
        promoted=promoted,
        challenger_version=challenger,
        champion_version=challenger if promoted else str(champion),
        challenger_score=challenger_score,
        champion_score=champion_score,
        reason=reason,
    )
    _log_decision(client, name, metric, margin, decision, data_fingerprint(X_holdout, y_holdout))
    return decision


def registered_version(name: str, alias: str, *, config: TrackingConfig) -> ModelVersionInfo | None:
    """The version of ``name`` that carries ``alias`` (``None`` when no version has it).

    Raises ``ConfigError`` listing the registered names when ``name`` is not registered.
    """
    uri = use_tracking(config)
    client = mlflow.MlflowClient(uri, uri)
    _require_registered(client, name)
    number = _version(client, name, alias)
    if number is None:
        return None
    mv = client.get_model_version(name, number)
    return ModelVersionInfo(name, str(mv.version), str(mv.run_id), tuple(mv.aliases))


def load_champion(name: str = "propensity", *, config: TrackingConfig) -> mlflow.pyfunc.PyFuncModel:
    """The current champion of ``name`` as a pyfunc model (``predict`` gives ``p_pay``)."""
    uri = use_tracking(config)
    client = mlflow.MlflowClient(uri, uri)
    _require_registered(client, name)
    if _version(client, name, CHAMPION) is None:
        raise ConfigError(
            f"model '{name}' has no version with the alias '{CHAMPION}'. "
            "Fix: run promote(name, X_holdout, y_holdout, config=...) first."
        )
    return mlflow.pyfunc.load_model(f"models:/{name}@{CHAMPION}")


# ------------------------------------------------------------------ helpers
def _require_fitted(model: object) -> None:
    fitted = hasattr(model, "classes_") and hasattr(model, "feature_names_in_")
    if not (hasattr(model, "predict_proba") and hasattr(model, "get_params")) or not fitted:
        raise ConfigError(
            f"model must be a fitted PropensityModel (or ContactModel); got {type(model).__name__}"
            f"{' (not fitted)' if hasattr(model, 'predict_proba') else ''}. "
            "Fix: call PropensityModel(...).fit(X, y) first."
        )


def _require_registered(client: mlflow.MlflowClient, name: str) -> None:
    try:
        client.get_registered_model(name)
    except MlflowException as exc:
        names = sorted(m.name for m in client.search_registered_models())
        listed = ", ".join(f"'{n}'" for n in names) if names else "none"
        raise ConfigError(
            f"no registered model named '{name}'{did_you_mean(name, names)} "
            f"(registered: {listed}). Fix: use one of those names or log a model "
            "with log_model_run(..., registered_name=...)."
        ) from exc


def _version(client: mlflow.MlflowClient, name: str, alias: str) -> str | None:
    try:
        return str(client.get_model_version_by_alias(name, alias).version)
    except MlflowException:
        return None


def _score(name: str, alias: str, X: pd.DataFrame, y: Any, metric: str) -> float:
    model = mlflow.pyfunc.load_model(f"models:/{name}@{alias}")
    predicted = model.predict(X)
    p = np.asarray(predicted.iloc[:, 0] if isinstance(predicted, pd.DataFrame) else predicted)
    return float(evaluate(y, p)[metric])


def _log_decision(
    client: mlflow.MlflowClient,
    name: str,
    metric: str,
    margin: float,
    decision: PromotionDecision,
    holdout_sha256: str,
) -> None:
    tags = {
        "promotion.decision": "promoted" if decision.promoted else "refused",
        "promotion.metric": metric,
        "promotion.margin": f"{margin:g}",
        "promotion.challenger_score": f"{decision.challenger_score:.6f}",
        "promotion.champion_score": (
            "" if decision.champion_score is None else f"{decision.champion_score:.6f}"
        ),
        "promotion.champion_version": decision.champion_version,
        "promotion.reason": decision.reason,
        "promotion.holdout_sha256": holdout_sha256,
    }
    for key, value in tags.items():
        client.set_model_version_tag(name, decision.challenger_version, key, value)
    with mlflow.start_run(run_name=f"promote {name} v{decision.challenger_version}"):
        mlflow.log_params(
            {
                "model": name,
                "metric": metric,
                "margin": margin,
                "challenger_version": decision.challenger_version,
            }
        )
        mlflow.log_metric(f"challenger_{metric}", decision.challenger_score)
        if decision.champion_score is not None:
            mlflow.log_metric(f"champion_{metric}", decision.champion_score)
        mlflow.set_tags(tags)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def _param(value: object) -> str:
    text = str(value)
    return text if len(text) <= 6000 else text[:5997] + "..."


def _requirements() -> list[str]:
    reqs = []
    for dist in _REQUIREMENTS:
        try:
            reqs.append(f"{dist}=={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            reqs.append(dist)
    return reqs
