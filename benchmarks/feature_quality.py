"""How much each feature says about paying, and how well categories are inferred.

    .venv/bin/python benchmarks/feature_quality.py            # 2,000 synthetic debtors, seed 7
    .venv/bin/python benchmarks/feature_quality.py --debtors 500 --top 15

On synthetic data (categories left for the library to infer), prints the
categoriser's precision and recall per category against the ground truth, and the
features ranked by univariate ROC AUC for paying within the horizon
(``paid_within_horizon``), with ``collectscore.features.univariate_auc``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from collectscore import paid_within_horizon
from collectscore.features import (
    build_features,
    categorization_report,
    categorize,
    univariate_auc,
)
from collectscore.synthetic import SampleConfig, generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debtors", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    pd.set_option("display.width", 160)
    pd.set_option("display.max_rows", 200)

    data = generate(SampleConfig(debtors=args.debtors, seed=args.seed))
    truth = data.truth["transactions"].set_index("transaction_id")["category"]
    start = time.perf_counter()
    inferred = categorize(data.transactions).to_pandas()
    report = categorization_report(
        inferred, truth.loc[data.transactions["transaction_id"]].to_numpy()
    )
    print(f"categoriser on {len(inferred):,} transactions ({time.perf_counter() - start:.1f} s):")
    print(report.round(3).to_string())

    start = time.perf_counter()
    features = build_features(
        data.transactions, data.debtors, contacts=data.contacts, payments=data.payments
    )
    label = paid_within_horizon(data.debtors, data.payments).to_numpy()
    print(
        f"\n{features.shape[1]} features for {len(features):,} debtor snapshots in "
        f"{time.perf_counter() - start:.1f} s; {label.mean():.1%} paid within 30 days"
    )
    table = univariate_auc(features, label)
    print(f"\ntop {args.top} features by univariate AUC:")
    print(table.head(args.top).round(3).to_string())
    wrong = table[(table["direction"] != 0) & (table["auc"] < 0.5) & (table["strength"] >= 0.55)]
    print(f"\ndeclared directions contradicted by the data (strength >= 0.55): {len(wrong)}")
    if len(wrong):
        print(wrong.round(3).to_string())
    print(f"median strength over all features: {np.median(table['strength']):.3f}")


if __name__ == "__main__":
    main()
