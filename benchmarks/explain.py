"""Explaining 10,000 debtors: TreeSHAP contributions and reason codes, against a 5 s budget.

    .venv/bin/python benchmarks/explain.py
    .venv/bin/python benchmarks/explain.py --debtors 2000 --rows 10000 --repeats 3

Trains a propensity model with the pipeline's typical parameters (depth 6, 31 leaves,
learning rate 0.05, up to 2,000 trees with early stopping, sigmoid calibration) on a
synthetic portfolio, precomputes the features of 10,000 debtor snapshots (resampled from
the portfolio), then times ``explain`` and ``reason_codes`` separately and together (best
of 3) and prints rows/s and whether the total stays within 5 s. Repeats it for a heavier
fixed model (300 trees of depth 6) and for a model on the real UCI Taiwan set when
``../shared/data/taiwan_default`` is there.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from collectscore import build_features, paid_within_horizon
from collectscore.explanations import explain, reason_codes
from collectscore.models import PropensityModel
from collectscore.synthetic import SampleConfig, generate

BUDGET_S = 5.0
TAIWAN = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "taiwan_default"


def best_of(repeats: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def trees(model: PropensityModel) -> str:
    return f"{model.best_iteration_} trees, max_depth {model.max_depth}"


def measure(label: str, model: PropensityModel, X: pd.DataFrame, repeats: int) -> None:
    explanation = explain(model, X)
    t_explain = best_of(repeats, lambda: explain(model, X))
    t_reasons = best_of(repeats, lambda: reason_codes(explanation, k=4))
    t_both = best_of(repeats, lambda: reason_codes(explain(model, X), k=4, language="es"))
    n = len(X)
    print(
        f"{label} ({trees(model)}, {X.shape[1]} features), {n:,} rows: "
        f"explain {t_explain:.2f} s, reason_codes {t_reasons:.2f} s, "
        f"together {t_both:.2f} s = {n / t_both:,.0f} rows/s -> "
        f"{'within' if t_both <= BUDGET_S else 'OVER'} the {BUDGET_S:.0f} s budget"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debtors", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; best of {args.repeats}")

    start = time.perf_counter()
    ds = generate(SampleConfig(debtors=args.debtors, seed=args.seed))
    X = build_features(ds.transactions, ds.debtors, contacts=ds.contacts)
    label = paid_within_horizon(ds.debtors, ds.payments)
    label.index = pd.MultiIndex.from_frame(ds.debtors[["debtor_id", "as_of"]])
    y = label.reindex(X.index)
    rng = np.random.default_rng(args.seed)
    rows = X.iloc[rng.choice(len(X), size=args.rows, replace=True)]
    print(f"synthetic portfolio: {len(X):,} snapshots, {time.perf_counter() - start:.0f} s")

    typical = PropensityModel(n_estimators=2000, calibration="sigmoid", random_state=0).fit(X, y)
    measure("pipeline-like model", typical, rows, args.repeats)
    heavy = PropensityModel(
        n_estimators=300, early_stopping_rounds=None, calibration="sigmoid", random_state=0
    ).fit(X, y)
    measure("heavy model", heavy, rows, args.repeats)

    if TAIWAN.is_dir():
        from collectscore.datasets import taiwan, taiwan_features

        tx, ty = taiwan_features.model_frame(taiwan.load(TAIWAN))
        model = PropensityModel(n_estimators=2000, random_state=0).fit(
            tx.iloc[:20_000], ty[:20_000]
        )
        measure("Taiwan model", model, tx.iloc[20_000 : 20_000 + args.rows], args.repeats)
    else:
        print(f"Taiwan model: skipped, the data set is not at {TAIWAN}")


if __name__ == "__main__":
    main()
