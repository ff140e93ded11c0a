"""Propensity model on the real UCI Taiwan set: 5-fold stratified cross-validation.

    .venv/bin/python benchmarks/taiwan_cv.py

Protocol: bring-your-own features (``taiwan_features.model_frame``), protected
attributes excluded, StratifiedKFold(5, shuffle=True, random_state=0). Per fold:
the binned logistic scorecard and the PropensityModel on the base features, and the
PropensityModel with the derived arrears features. The PropensityModel's settings
are picked per fold from a small fixed grid, scored on an inner stratified split of
the training fold only (the test fold is never looked at); the model then refits on
the whole training fold with its own internal validation split for early stopping
and calibration.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from collectscore.datasets import taiwan
from collectscore.datasets.taiwan_features import model_frame
from collectscore.models import PropensityModel, ScorecardBaseline

DATA = "../shared/data/taiwan_default"
FOLDS = 5
SEED = 0
N_JOBS = 2
#: Shared by every grid point: many trees, stopped early on the internal validation split.
FIXED: dict[str, Any] = {"n_estimators": 3000, "early_stopping_rounds": 100, "n_jobs": N_JOBS}
#: The candidate settings, scored on an inner split of each training fold.
GRID: tuple[dict[str, Any], ...] = (
    {"learning_rate": 0.05, "num_leaves": 31, "max_depth": 6, "min_child_samples": 20},
    {"learning_rate": 0.02, "num_leaves": 15, "max_depth": -1, "min_child_samples": 50},
    {"learning_rate": 0.02, "num_leaves": 7, "max_depth": -1, "min_child_samples": 100},
    {"learning_rate": 0.02, "num_leaves": 31, "max_depth": 6, "min_child_samples": 200},
)


def _auc(model: Any, X: pd.DataFrame, y: pd.Series) -> float:
    return float(roc_auc_score(y, model.predict_proba(X)[:, 1]))


def choose(X: pd.DataFrame, y: pd.Series) -> int:
    """Index of the grid point with the best AUC on an inner 20 % split of the training rows."""
    X_in, X_val, y_in, y_val = train_test_split(X, y, test_size=0.2, stratify=y, random_state=SEED)
    scores = [_auc(PropensityModel(**FIXED, **p).fit(X_in, y_in), X_val, y_val) for p in GRID]
    return int(np.argmax(scores))


def main() -> None:
    start = time.perf_counter()
    frame = taiwan.load(DATA)
    X_base, y = model_frame(frame, arrears=False)
    X_full, _ = model_frame(frame, arrears=True)
    print(
        f"UCI Taiwan: {len(y):,} clients, pay rate {y.mean():.4f}; "
        f"{X_base.shape[1]} base features, {X_full.shape[1]} with arrears; "
        f"excluded: {', '.join(taiwan.PROTECTED)}, client_id"
    )
    models = ("scorecard (base)", "propensity (base)", "propensity (+arrears)")
    aucs: dict[str, list[float]] = {m: [] for m in models}
    seconds: Counter[str] = Counter()
    chosen: dict[str, list[int]] = {m: [] for m in models[1:]}
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    for k, (train, test) in enumerate(folds.split(X_base, y), start=1):
        y_tr, y_te = y.iloc[train], y.iloc[test]
        t0 = time.perf_counter()
        card = ScorecardBaseline().fit(X_base.iloc[train], y_tr)
        aucs[models[0]].append(_auc(card, X_base.iloc[test], y_te))
        seconds[models[0]] += time.perf_counter() - t0
        for name, X in ((models[1], X_base), (models[2], X_full)):
            t0 = time.perf_counter()
            best = choose(X.iloc[train], y_tr)
            model = PropensityModel(**FIXED, **GRID[best]).fit(X.iloc[train], y_tr)
            aucs[name].append(_auc(model, X.iloc[test], y_te))
            seconds[name] += time.perf_counter() - t0
            chosen[name].append(best)
        print(f"fold {k}: " + ", ".join(f"{m} {aucs[m][-1]:.4f}" for m in models), flush=True)

    print("\ngrid (inner 20 % split of each training fold; fixed: " + f"{FIXED}):")
    for i, p in enumerate(GRID):
        picks = {m: chosen[m].count(i) for m in chosen}
        print(f"  [{i}] {p}  chosen in folds: " + ", ".join(f"{m} {n}" for m, n in picks.items()))
    print(f"\nAUC over {FOLDS} folds (mean +/- std), time incl. grid search:")
    for m in models:
        a = np.array(aucs[m])
        print(f"  {m:<24} {a.mean():.4f} +/- {a.std(ddof=1):.4f}   {seconds[m]:6.1f} s")
    lift = np.array(aucs[models[2]]) - np.array(aucs[models[1]])
    print(f"  arrears lift (paired)    {lift.mean():+.4f} +/- {lift.std(ddof=1):.4f}")
    print(f"total {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
