"""The model and its two baselines, trained on the same rows and scored side by side.

Shared by the single out-of-time run and every cross-validation fold, so both judge the
model against exactly the same competitors in exactly the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from collectscore.models import (
    DaysPastDueRule,
    PropensityModel,
    ScorecardBaseline,
    TuningResult,
    evaluate,
    tune_propensity,
)

from ._config import TrainConfig

#: The names the evaluation table gives the three contenders.
MODEL = "propensity (LightGBM)"
SCORECARD = "scorecard baseline"
RULE = "days-past-due rule"
#: Metric-name prefixes of the baselines in MLflow (the model's metrics have none).
PREFIX = {MODEL: "", SCORECARD: "scorecard_", RULE: "rule_"}


@dataclass(frozen=True)
class Contest:
    """The fitted contenders and their scores on the judged rows."""

    model: PropensityModel
    tuning: TuningResult
    baselines: dict[str, object]
    scores: dict[str, np.ndarray]
    metrics: dict[str, dict[str, float]]


def contest(
    X: pd.DataFrame,
    y: np.ndarray,
    train: np.ndarray,
    validation: np.ndarray,
    test: np.ndarray,
    *,
    config: TrainConfig,
    days_past_due: str | None,
    log: Callable[[str], None] = lambda _: None,
) -> Contest:
    """Tune on train/validation, fit the model (early stopping and calibration on validation),
    fit both baselines on train + validation, score all three on ``test``."""
    X_tr, y_tr = X.iloc[train], y[train]
    X_va, y_va = X.iloc[validation], y[validation]
    tuning = tune_propensity(
        X_tr,
        y_tr,
        X_va,
        y_va,
        trials=config.tuning.trials,
        timeout=config.tuning.timeout,
        seed=config.tuning.seed,
        metric=config.tuning.metric,  # type: ignore[arg-type]
        base_params={"n_estimators": config.n_estimators, "monotone": config.monotone},
    )
    log(f"tuning: {tuning.describe()}")
    model = PropensityModel(
        **tuning.best_params,  # type: ignore[arg-type]
        calibration=config.calibration,  # type: ignore[arg-type]
        random_state=config.tuning.seed,
        n_jobs=config.n_jobs,
    ).fit(X_tr, y_tr, eval_set=(X_va, y_va))

    fit_rows = np.sort(np.concatenate([train, validation]))
    baselines: dict[str, object] = {
        SCORECARD: ScorecardBaseline(random_state=config.tuning.seed).fit(
            X.iloc[fit_rows], y[fit_rows]
        )
    }
    if days_past_due is not None:
        baselines[RULE] = DaysPastDueRule(column=days_past_due).fit(X.iloc[fit_rows], y[fit_rows])

    X_te, y_te = X.iloc[test], y[test]
    scores = {MODEL: model.predict_proba(X_te)[:, 1]}
    for name, baseline in baselines.items():
        scores[name] = baseline.predict_proba(X_te)[:, 1]  # type: ignore[attr-defined]
    metrics = {name: evaluate(y_te, p) for name, p in scores.items()}
    return Contest(model, tuning, baselines, scores, metrics)


def flat_metrics(metrics: dict[str, dict[str, float]], suffix: str = "") -> dict[str, float]:
    """``{"test_auc": ..., "scorecard_test_auc": ...}`` for MLflow."""
    return {
        f"{PREFIX.get(name, name + '_')}{suffix}{metric}": float(value)
        for name, values in metrics.items()
        for metric, value in values.items()
    }
