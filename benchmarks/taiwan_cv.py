"""Propensity model on the real UCI Taiwan set, through the bring-your-own training path.

    .venv/bin/python benchmarks/taiwan_cv.py                 # 25 Optuna trials per tuning
    .venv/bin/python benchmarks/taiwan_cv.py --trials 10

Protocol: the loaded frame is written as a plain table (features, protected attributes, the
client number and the target "defaulted next month", 1 = did not pay) and trained exactly as a
user would: ``FeatureTable(target=..., target_means="default", protected=(sex,
marital_status, age), id="client_id")`` with 5-fold stratified cross-validation
(StratifiedKFold(5, shuffle=True, seed 0); Optuna tuning, early stopping and calibration on an
inner split of each training fold, the test fold untouched). Twice: the base columns, and the
base columns plus the arrears features derived from the monthly history. Same folds, so the
arrears lift is a paired difference. Each run is also logged to a temporary MLflow store.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from collectscore.datasets import taiwan
from collectscore.datasets.taiwan_features import model_frame
from collectscore.tracking import TrackingConfig
from collectscore.training import (
    FeatureTable,
    TrainConfig,
    TuningConfig,
    cv_summary,
    train_propensity,
)

DATA = Path("../shared/data/taiwan_default")
FOLDS = 5
TARGET = "defaulted_next_month"
ID = "client_id"


def table(frame: pd.DataFrame, *, arrears: bool) -> pd.DataFrame:
    """What a user would bring: features, protected columns, id, days past due and the target."""
    X, paid = model_frame(frame, arrears=arrears)
    out = X.copy()
    # the rule baseline's input: months of delay in the latest month, in days
    out["days_past_due"] = 30.0 * frame["repayment_status_sep"].clip(lower=0).to_numpy()
    for column in taiwan.PROTECTED:
        out[column] = frame[column].to_numpy()
    out[ID] = frame[ID].to_numpy()
    out[TARGET] = 1 - paid.to_numpy()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=25)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    start = time.perf_counter()
    frame = taiwan.load(DATA)
    print(f"loaded and checked the file in {time.perf_counter() - start:.2f} s")
    print(
        f"UCI Taiwan: {len(frame):,} clients; protected (kept out, reported by group): "
        f"{', '.join(taiwan.PROTECTED)}; {FOLDS}-fold stratified CV, {args.trials} trials each"
    )
    folds: dict[str, pd.DataFrame] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for label, arrears in (("base", False), ("+arrears", True)):
            path = Path(scratch) / f"taiwan_{label.strip('+')}.parquet"
            table(frame, arrears=arrears).to_parquet(path)
            config = TrainConfig(
                source=FeatureTable(
                    path,
                    target=TARGET,
                    target_means="default",
                    protected=taiwan.PROTECTED,
                    id=ID,
                    days_past_due="days_past_due",
                ),
                tuning=TuningConfig(trials=args.trials, seed=args.seed),
                tracking=TrackingConfig(root=Path(scratch) / "store"),
                cv_folds=FOLDS,
                n_jobs=2,
            )
            t0 = time.perf_counter()
            run = train_propensity(config, log=lambda m, label=label: print(f"[{label}] {m}"))
            folds[label] = run.cv
            summary = cv_summary(run.cv)
            print(f"\n[{label}] {FOLDS}-fold CV (mean +/- std), {time.perf_counter() - t0:.0f} s:")
            for name, row in summary.iterrows():
                print(
                    f"  {name:<24} AUC {row['auc_mean']:.4f} +/- {row['auc_std']:.4f}   "
                    f"Brier {row['brier_mean']:.4f}   ECE {row['ece_mean']:.4f}"
                )
            print(f"[{label}] by protected group (single split, test rows):")
            print(run.by_group.round(3).to_string(index=False))

    def model_auc(table: pd.DataFrame) -> pd.Series:
        return table[table["model"] == "propensity (LightGBM)"].set_index("fold")["auc"]

    base, full = model_auc(folds["base"]), model_auc(folds["+arrears"])
    lift = (full - base).to_numpy()
    print(
        f"\narrears lift (paired over folds): {lift.mean():+.4f} +/- {lift.std(ddof=1):.4f}; "
        f"folds improved: {int((lift > 0).sum())} of {FOLDS}"
    )
    print(f"total {time.perf_counter() - start:.0f} s")
    assert np.isfinite(lift).all()


if __name__ == "__main__":
    main()
