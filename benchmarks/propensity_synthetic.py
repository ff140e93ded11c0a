"""Propensity model against its two baselines on synthetic data, out of time.

    .venv/bin/python benchmarks/propensity_synthetic.py              # 3,000 debtors, seed 7
    .venv/bin/python benchmarks/propensity_synthetic.py --debtors 1000 --seed 1

Trains on the earlier observation dates, stops early and calibrates on the next one,
and evaluates on the last (untouched) one: the PropensityModel, the binned
logistic scorecard and the rule "fewer days past due pays first".
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from collectscore import build_features, paid_within_horizon
from collectscore.models import (
    DaysPastDueRule,
    PropensityModel,
    ScorecardBaseline,
    comparison_table,
    evaluate,
    out_of_time_split,
)
from collectscore.synthetic import SampleConfig, generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debtors", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    data = generate(SampleConfig(debtors=args.debtors, seed=args.seed))
    X = build_features(
        data.transactions, data.debtors, contacts=data.contacts, payments=data.payments
    ).reset_index(drop=True)
    y = paid_within_horizon(data.debtors, data.payments).to_numpy()
    split = out_of_time_split(data.debtors["as_of"], y)
    print(split.note, split.sizes())
    train, valid, test = (
        (X.iloc[split.train], y[split.train]),
        (
            X.iloc[split.validation],
            y[split.validation],
        ),
        (X.iloc[split.test], y[split.test]),
    )
    models = {
        "propensity (LightGBM)": PropensityModel(random_state=args.seed),
        "scorecard baseline": ScorecardBaseline(random_state=args.seed),
        "days-past-due rule": DaysPastDueRule(),
    }
    results = {}
    for name, model in models.items():
        start = time.perf_counter()
        if isinstance(model, PropensityModel):
            model.fit(*train, eval_set=valid)
        else:
            model.fit(pd.concat([train[0], valid[0]]), list(train[1]) + list(valid[1]))
        results[name] = evaluate(test[1], model.predict_proba(test[0])[:, 1])
        print(f"{name}: fitted in {time.perf_counter() - start:.1f} s")
    print(comparison_table(results).round(4).to_string())


if __name__ == "__main__":
    main()
