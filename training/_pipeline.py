"""Train the propensity-to-pay model: split, tune, fit, calibrate, evaluate, track, register.

``train_propensity(config)`` runs the whole job on either source (contract data folder or a
bring-your-own table) and returns a :class:`TrainingRun`; the run, its report files, plots and
model card are in MLflow and the model is registered as the new ``challenger``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version as _package_version
from pathlib import Path

import numpy as np
import pandas as pd

from collectscore.models import (
    PropensityModel,
    Split,
    TuningResult,
    comparison_table,
    lift_table,
    out_of_time_split,
    psi,
    reliability_curve,
    roc_auc,
    stratified_split,
)
from collectscore.monitoring import REFERENCE_DIR, write_reference
from collectscore.tracking import ModelVersionInfo, log_model_run

from . import _figures
from ._card import model_card
from ._compare import MODEL, Contest, contest, flat_metrics
from ._config import ContractData, TrainConfig
from ._cv import cross_validate, cv_summary
from ._sources import TrainingData, catalogue_rows, load_training_data

Log = Callable[[str], None]

#: Artifact folders of a training run.
HOLDOUT_DIR = "holdout"
REPORT_DIR = "report"
#: A numeric protected column with more distinct values than this is cut into quantile bands.
MAX_GROUPS = 10
GROUP_BANDS = 4
#: The holdout's row-aligned description of its rows (never model input).
CONTEXT_FILE = "context.parquet"
#: ``income_type`` values, derived from the income features of the last 180 days.
INCOME_TYPES: tuple[str, ...] = ("salary or pension", "other income", "no income seen")


@dataclass(frozen=True)
class TrainingRun:
    """What a training run produced (the same numbers are in MLflow)."""

    version: ModelVersionInfo
    model: PropensityModel
    split: Split
    evaluation: pd.DataFrame
    lift: pd.DataFrame
    reliability: pd.DataFrame
    by_group: pd.DataFrame
    psi: float
    tuning: TuningResult
    cv: pd.DataFrame | None
    test_scores: pd.DataFrame
    notes: tuple[str, ...]
    report_dir: Path | None
    card: str

    @property
    def run_id(self) -> str:
        return self.version.run_id


def train_propensity(config: TrainConfig, log: Log | None = None) -> TrainingRun:
    """Run the propensity training job described by ``config``."""
    say = log or (lambda _: None)
    if not isinstance(config, TrainConfig):
        from collectscore._errors import ConfigError

        raise ConfigError(
            f"config must be a TrainConfig; got {type(config).__name__}. "
            "Fix: TrainConfig(source=ContractData(Path('data/sample')))."
        )
    data = load_training_data(config.source)
    say(
        f"data: {data.source}; {len(data.X):,} rows, {data.X.shape[1]} features, "
        f"pay rate {data.y.mean():.1%}"
    )
    for note in data.notes:
        say(f"note: {note}")
    split = _split(data, config)
    say(f"split: {split.note}; " + ", ".join(f"{k} {v:,}" for k, v in split.sizes().items()))

    result = contest(
        data.X,
        data.y,
        split.train,
        split.validation,
        split.test,
        config=config,
        days_past_due=data.days_past_due,
        log=say,
    )
    evaluation = comparison_table(result.metrics)
    y_test = data.y[split.test]
    p_test = result.scores[MODEL]
    p_train = result.model.predict_proba(data.X.iloc[split.train])[:, 1]
    drift = psi(p_train, p_test)
    lift = lift_table(y_test, p_test)
    reliability = reliability_curve(y_test, p_test)
    groups = performance_by_group(data.protected.iloc[split.test], y_test, p_test)
    test_scores = data.keys.iloc[split.test].reset_index(drop=True)
    test_scores["paid"] = y_test
    for name, p in result.scores.items():
        test_scores[name] = p

    cv = None
    if config.cv_folds:
        say(f"cross-validation: {config.cv_folds} stratified folds, tuning inside each fold")
        cv = cross_validate(data, config, log=say)

    with tempfile.TemporaryDirectory(prefix="collectscore-train-") as scratch:
        report_dir = Path(config.out) if config.out is not None else Path(scratch) / REPORT_DIR
        holdout_dir = Path(scratch) / HOLDOUT_DIR
        importance = _figures.shap_importance(result.model, data.X.iloc[split.test])
        metrics = {
            **flat_metrics(result.metrics, "test_"),
            "psi_train_test": drift,
            f"tuning_best_{result.tuning.metric}": result.tuning.best_score,
            "tuning_trials": float(result.tuning.trials),
            "tuning_pruned": float(result.tuning.pruned),
            "tuning_seconds": result.tuning.seconds,
            "best_iteration": float(result.model.best_iteration_),
        }
        summary = None
        if cv is not None:
            summary = cv_summary(cv)
            for name, row in summary.iterrows():
                prefix = "" if name == MODEL else f"{str(name).split()[0]}_"
                metrics.update({f"{prefix}cv_{k}": float(v) for k, v in row.items()})
        card = model_card(
            name=config.registered_name,
            data=data,
            split=split,
            evaluation=evaluation,
            tuning=result.tuning,
            model=result.model,
            psi=drift,
            lift=lift,
            by_group=groups,
            importance=importance,
            cv=summary,
            cv_folds=config.cv_folds,
        )
        _write_report(
            report_dir,
            evaluation=evaluation,
            lift=lift,
            reliability=reliability,
            by_group=groups,
            importance=importance,
            tuning=result.tuning,
            cv=cv,
            data=data,
            card=card,
        )
        _write_holdout(
            holdout_dir, data.X.iloc[split.test], y_test, context=holdout_context(data, split.test)
        )
        monitoring_dir = Path(scratch) / REFERENCE_DIR
        write_reference(monitoring_dir, result.model, data.X.iloc[split.train])
        say("logging the run to MLflow and registering the model")
        version = log_model_run(
            result.model,
            data.X.iloc[split.train],
            data.y[split.train],
            metrics=metrics,
            params=_params(config, data, split, result),
            config=config.tracking,
            registered_name=config.registered_name,
            tags=_tags(config, data, split),
            artifacts={
                REPORT_DIR: report_dir,
                HOLDOUT_DIR: holdout_dir,
                REFERENCE_DIR: monitoring_dir,
            },
            figures=_plots(result, data, split),
        )
    say(
        f"registered {version.name} version {version.version} as "
        f"{', '.join(version.aliases)} (run {version.run_id})"
    )
    return TrainingRun(
        version=version,
        model=result.model,
        split=split,
        evaluation=evaluation,
        lift=lift,
        reliability=reliability,
        by_group=groups,
        psi=drift,
        tuning=result.tuning,
        cv=cv,
        test_scores=test_scores,
        notes=tuple(data.notes),
        report_dir=Path(config.out) if config.out is not None else None,
        card=card,
    )


# ---------------------------------------------------------------- pieces
def _split(data: TrainingData, config: TrainConfig) -> Split:
    seed = config.tuning.seed
    if data.as_of is None:
        return stratified_split(data.y, fraction=config.fraction, random_state=seed)
    return out_of_time_split(
        data.as_of,
        data.y,
        test_periods=config.test_periods,
        validation_periods=config.validation_periods,
        fraction=config.fraction,
        random_state=seed,
    )


def performance_by_group(protected: pd.DataFrame, y: np.ndarray, p: np.ndarray) -> pd.DataFrame:
    """Rows, pay rate, mean p_pay, AUC and calibration gap per group of each protected column.

    A numeric column with more than ``MAX_GROUPS`` values is cut into ``GROUP_BANDS`` quantile
    bands; missing values form their own group. AUC is NaN where a group has one outcome only.
    """
    columns = ["attribute", "group", "n", "pay_rate", "mean_p_pay", "gap", "auc"]
    rows = []
    for name in protected.columns:
        values = protected[name].reset_index(drop=True)
        if pd.api.types.is_numeric_dtype(values) and values.nunique() > MAX_GROUPS:
            values = pd.qcut(values, GROUP_BANDS, duplicates="drop").astype(str)
        labels = values.astype(str).where(values.notna(), "(missing)")
        for group in sorted(labels.unique()):
            mask = (labels == group).to_numpy()
            yg, pg = y[mask], p[mask]
            rows.append(
                {
                    "attribute": name,
                    "group": group,
                    "n": int(mask.sum()),
                    "pay_rate": float(yg.mean()),
                    "mean_p_pay": float(pg.mean()),
                    "gap": float(pg.mean() - yg.mean()),
                    "auc": roc_auc(yg, pg) if len(np.unique(yg)) == 2 else float("nan"),
                }
            )
    return pd.DataFrame(rows, columns=columns)


def _plots(result: Contest, data: TrainingData, split: Split) -> dict[str, object]:
    y_test = data.y[split.test]
    return {
        "plots/roc.png": _figures.roc_figure(y_test, result.scores),
        "plots/calibration.png": _figures.calibration_figure(y_test, result.scores),
        "plots/lift.png": _figures.lift_figure(lift_table(y_test, result.scores[MODEL])),
        "plots/shap_summary.png": _figures.shap_summary_figure(
            result.model, data.X.iloc[split.test], seed=0
        ),
    }


def _write_report(
    folder: Path,
    *,
    evaluation: pd.DataFrame,
    lift: pd.DataFrame,
    reliability: pd.DataFrame,
    by_group: pd.DataFrame,
    importance: pd.DataFrame,
    tuning: TuningResult,
    cv: pd.DataFrame | None,
    data: TrainingData,
    card: str,
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    evaluation.to_csv(folder / "evaluation.csv")
    lift.to_csv(folder / "lift.csv", index=False)
    reliability.to_csv(folder / "reliability.csv", index=False)
    by_group.to_csv(folder / "performance_by_group.csv", index=False)
    importance.to_csv(folder / "shap_importance.csv", index=False)
    tuning.history.to_csv(folder / "optuna_trials.csv", index=False)
    if cv is not None:
        cv.to_csv(folder / "cross_validation.csv", index=False)
    _feature_list(data).to_csv(folder / "features.csv", index=False)
    (folder / "model_card.md").write_text(card, encoding="utf-8")


def _feature_list(data: TrainingData) -> pd.DataFrame:
    """The feature catalogue rows of the model's features (or the columns of a BYO table)."""
    if data.feature_set == "collectscore catalogue":
        return catalogue_rows(list(data.X.columns))
    return pd.DataFrame({"name": data.X.columns, "dtype": [str(t) for t in data.X.dtypes]})


def _write_holdout(
    folder: Path, X: pd.DataFrame, y: np.ndarray, *, context: pd.DataFrame | None = None
) -> None:
    """The untouched test rows, so ``promote`` can judge challenger and champion on them, and
    (``context``) who those rows are, so the model report can break the evaluation down."""
    folder.mkdir(parents=True, exist_ok=True)
    X.reset_index(drop=True).to_parquet(folder / "features.parquet")
    pd.DataFrame({"paid": y}).to_parquet(folder / "labels.parquet")
    if context is not None:
        if len(context) != len(X):
            raise ValueError(f"context has {len(context)} rows for {len(X)} holdout rows")
        context.reset_index(drop=True).to_parquet(folder / CONTEXT_FILE)


def holdout_context(data: TrainingData, rows: np.ndarray) -> pd.DataFrame:
    """One row per holdout row: its keys (``debtor_id`` or the id column, ``as_of``), then
    ``country``, ``days_past_due`` and ``income_type`` where the data has them, then the
    protected columns (prefixed ``protected.``)."""
    keys = data.keys.iloc[rows].reset_index(drop=True)
    out = keys.copy()
    if "as_of" in out:
        out["as_of"] = pd.to_datetime(out["as_of"])
    X = data.X.iloc[rows].reset_index(drop=True)
    if "country" in data.context:
        out["country"] = data.context["country"].iloc[rows].astype("string").to_numpy()
    if data.days_past_due is not None and data.days_past_due in X:
        out["days_past_due"] = X[data.days_past_due].to_numpy(dtype=float)
    income_type = _income_type(X)
    if income_type is not None:
        out["income_type"] = income_type
    for name in data.protected.columns:
        out[f"protected.{name}"] = data.protected[name].iloc[rows].to_numpy()
    return out


def _income_type(X: pd.DataFrame) -> np.ndarray | None:
    """Main income type from the catalogue's income features (``None`` when they are absent)."""
    needed = ("income_monthly_mean_180d", "income_share_salary_180d")
    if not all(c in X for c in needed):
        return None
    income = X["income_monthly_mean_180d"].to_numpy(dtype=float)
    salary = X["income_share_salary_180d"].to_numpy(dtype=float)
    seen = np.nan_to_num(income) > 0
    kind = np.where(np.nan_to_num(salary) >= 0.5, INCOME_TYPES[0], INCOME_TYPES[1])
    return np.where(seen, kind, INCOME_TYPES[2]).astype(object)


def _params(
    config: TrainConfig, data: TrainingData, split: Split, result: Contest
) -> dict[str, object]:
    source = config.source
    params: dict[str, object] = {
        "source": "contract" if isinstance(source, ContractData) else "table",
        "split_method": split.method,
        "tuning_trials_requested": config.tuning.trials,
        "tuning_timeout": config.tuning.timeout,
        "tuning_seed": config.tuning.seed,
        "tuning_metric": config.tuning.metric,
        "cv_folds": config.cv_folds,
        "rows_train": len(split.train),
        "rows_validation": len(split.validation),
        "rows_test": len(split.test),
    }
    if isinstance(source, ContractData):
        params["horizon_days"] = source.horizon_days
    else:
        params.update(
            target=source.target,
            target_means=source.target_means,
            protected=",".join(source.protected),
            id_column=source.id,
            time_column=source.time,
        )
    params.update({f"tuned.{k}": v for k, v in result.tuning.best_params.items()})
    return params


def _tags(config: TrainConfig, data: TrainingData, split: Split) -> dict[str, str]:
    return {
        "collectscore.version": _package_version("collectscore"),
        "collectscore.source": data.source,
        "collectscore.feature_set": data.feature_set,
        "collectscore.feature_set_version": data.feature_set_version,
        "collectscore.split": split.note,
        "collectscore.notes": " | ".join(data.notes) or "-",
    }
