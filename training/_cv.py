"""Stratified K-fold cross-validation of the whole procedure, tuning included.

Each fold's test rows are never seen while choosing parameters: the tuner, early stopping and
the calibrator work on a stratified inner split of the fold's training rows (``fraction`` of
them for validation), then the model and both baselines are judged on the fold's test rows.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold, train_test_split

from collectscore.models import METRICS

from ._compare import contest
from ._config import TrainConfig
from ._sources import TrainingData


def cross_validate(
    data: TrainingData, config: TrainConfig, log: Callable[[str], None] = lambda _: None
) -> pd.DataFrame:
    """One row per fold and contender: fold, model and the metrics of ``evaluate``."""
    assert config.cv_folds is not None
    seed = config.tuning.seed
    folds = StratifiedKFold(n_splits=config.cv_folds, shuffle=True, random_state=seed)
    rows = []
    for k, (fit_rows, test) in enumerate(folds.split(data.X, data.y), start=1):
        train, validation = train_test_split(
            fit_rows, test_size=config.fraction, stratify=data.y[fit_rows], random_state=seed
        )
        result = contest(
            data.X,
            data.y,
            np.sort(train),
            np.sort(validation),
            np.sort(test),
            config=config,
            days_past_due=data.days_past_due,
        )
        for name, metrics in result.metrics.items():
            rows.append({"fold": k, "model": name, **metrics})
        log(
            f"fold {k}/{config.cv_folds}: "
            + ", ".join(f"{name} AUC {m['auc']:.4f}" for name, m in result.metrics.items())
        )
    return pd.DataFrame(rows)


def cv_summary(folds: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation (ddof 1) of each metric per contender, in contender order."""
    metrics = [m for m in METRICS if m in folds and m not in ("n", "positive_rate")]
    order = list(dict.fromkeys(folds["model"]))
    grouped = folds.groupby("model", sort=False)[metrics]
    table = grouped.mean().add_suffix("_mean").join(grouped.std(ddof=1).add_suffix("_std"))
    return table.loc[order, [f"{m}_{s}" for m in metrics for s in ("mean", "std")]]
