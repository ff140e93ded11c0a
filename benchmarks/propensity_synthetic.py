"""The training pipeline on synthetic portfolios: model against both baselines, out of time.

    .venv/bin/python benchmarks/propensity_synthetic.py                      # seeds 7 and 1
    .venv/bin/python benchmarks/propensity_synthetic.py --debtors 1000 --seeds 3 --trials 10

For each seed: generate the portfolio, write it as a contract data folder, run
``train_propensity`` (out-of-time split: train on the earlier observation dates, tune, stop
early and calibrate on the next, judge on the last), print the comparison table and whether
the model beats both baselines in AUC and Brier with an expected calibration error < 0.03.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from collectscore.synthetic import SampleConfig, write_sample
from collectscore.tracking import TrackingConfig
from collectscore.training import ContractData, TrainConfig, TuningConfig, train_propensity


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debtors", type=int, default=3000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 1])
    parser.add_argument("--trials", type=int, default=30)
    args = parser.parse_args()
    for seed in args.seeds:
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch) / "data"
            write_sample(SampleConfig(debtors=args.debtors, seed=seed), folder)
            start = time.perf_counter()
            run = train_propensity(
                TrainConfig(
                    source=ContractData(folder),
                    tuning=TuningConfig(trials=args.trials, seed=seed),
                    tracking=TrackingConfig(root=Path(scratch) / "store"),
                )
            )
            table = run.evaluation
            model, *baselines = table.columns
            wins = all(
                table.loc["auc", model] > table.loc["auc", b]
                and table.loc["brier", model] < table.loc["brier", b]
                for b in baselines
            )
            print(
                f"\n{args.debtors:,} debtors, seed {seed}: {run.split.note}; "
                f"{run.split.sizes()}; {time.perf_counter() - start:.0f} s"
            )
            print(table.round(4).to_string())
            print(
                f"beats both baselines in AUC and Brier: {'yes' if wins else 'NO'}; "
                f"ECE {table.loc['ece', model]:.4f} "
                f"({'< 0.03' if table.loc['ece', model] < 0.03 else '>= 0.03'}); "
                f"PSI train/test {run.psi:.3f}"
            )


if __name__ == "__main__":
    main()
