"""Offline evaluation of contact policies on synthetic data, against the true success rates.

    .venv/bin/python benchmarks/contact_policy.py                         # 3,000 debtors, seed 7
    .venv/bin/python benchmarks/contact_policy.py --debtors 10000 --seeds 7 1

For each seed: generate the portfolio, turn its logged contacts into training rows
(``contact_training_frame``), split them out of time (train on the contacts sent before
``--cutoff``, evaluate on the later ones), fit ``ContactModel`` on the earlier contacts and
choose the best fixed (channel, hour) on them too (doubly robust value of "that pair
where allowed, else the logged action"). On the later contacts, print IPS, SNIPS and DR
estimates with 95 % intervals next to the true success rate of each policy (from the
generator's truth) and its regret against the oracle (the truly best action of each
context): logging, model greedy, best fixed, a fixed preference order of all pairs
(ranked on the earlier contacts) and the oracle. Then say whether the model's policy
beats the logging and best fixed policies in true success and whether each DR interval
covers the truth. A single log's interval can miss by chance, so the model greedy
policy's intervals are also checked over ``--draws`` logs re-drawn from the generator's
logging policy (``interval_coverage``): the share that contains the truth should be near
95 %.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from collectscore.models._contact import ContactModel, contact_training_frame
from collectscore.policy import (
    action_grid,
    best_fixed_ranking,
    evaluate_policies,
    fixed_policy,
    greedy_policy,
    interval_coverage,
)
from collectscore.synthetic import SampleConfig, generate, logging_policy


def run(debtors: int, seed: int, cutoff: str, draws: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    start = time.perf_counter()
    data = generate(SampleConfig(debtors=debtors, seed=seed))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # notes about dropped contacts are counted below
        X, y, meta = contact_training_frame(data)
    early = (meta["sent_at"] < pd.Timestamp(cutoff)).to_numpy()
    late = ~early
    if not early.any() or not late.any():
        raise SystemExit(
            f"--cutoff {cutoff} leaves no contacts on one side (contacts run from "
            f"{meta['sent_at'].min():%Y-%m-%d} to {meta['sent_at'].max():%Y-%m-%d})"
        )
    model = ContactModel(random_state=seed).fit(X[early], y[early])

    def part(mask: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
        return meta[mask].reset_index(drop=True), X[mask].reset_index(drop=True)

    meta_early, X_early = part(early)
    grid = action_grid(meta_early, X_early, model, debtors=data.debtors)
    ranking = best_fixed_ranking(grid, y[early], meta_early["propensity"].to_numpy())
    meta_late, X_late = part(late)
    table = evaluate_policies(
        meta_late,
        X_late,
        y[late],
        model,
        debtors=data.debtors,
        truth=data,
        fixed=ranking[0],
        policies={"fixed_ranking": fixed_policy(ranking)},
    )
    table.loc["fixed_ranking", "description"] = (
        "fixed preference order of (channel, hour), ranked on the earlier contacts"
    )
    table["dr_covers_truth"] = (table["dr_low"] <= table["true_success"]) & (
        table["true_success"] <= table["dr_high"]
    )
    late_grid = action_grid(meta_late, X_late, model, debtors=data.debtors, truth=data)
    coverage = interval_coverage(
        late_grid, logging_policy(late_grid), greedy_policy, draws=draws, seed=seed
    )
    cov = pd.DataFrame([c.as_dict() for c in coverage.values()]).set_index("estimator")
    dropped = meta.attrs.get("dropped", {})
    print(
        f"\n{debtors:,} debtors, seed {seed}: {early.sum():,} contacts before {cutoff} "
        f"(model, best fixed), {late.sum():,} after (evaluated); "
        f"{sum(dropped.values())} contacts without a snapshot left out; "
        f"{time.perf_counter() - start:.0f} s"
    )
    return table, cov


def show(table: pd.DataFrame, cov: pd.DataFrame) -> None:
    def ci(name: str) -> pd.Series:
        return (
            table[name].map("{:.3f}".format)
            + " ["
            + table[f"{name}_low"].map("{:.3f}".format)
            + ", "
            + table[f"{name}_high"].map("{:.3f}".format)
            + "]"
        )

    shown = pd.DataFrame(
        {
            "IPS [95% CI]": ci("ips"),
            "SNIPS [95% CI]": ci("snips"),
            "DR [95% CI]": ci("dr"),
            "TRUE": table["true_success"].map("{:.3f}".format),
            "regret": table["regret"].map("{:.3f}".format),
            "DR covers": table["dr_covers_truth"].map({True: "yes", False: "no"}),
        }
    )
    print(shown.to_string())
    for name, row in table.iterrows():
        print(f"  {name}: {row['description']}")
    greedy = table.loc["model_greedy", "true_success"]
    beats = {
        other: greedy > table.loc[other, "true_success"]
        for other in ("logging", "best_fixed", "fixed_ranking")
    }
    print(
        "model greedy beats, in TRUE success: "
        + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in beats.items())
        + f"; its DR interval covers the truth: "
        f"{'yes' if table.loc['model_greedy', 'dr_covers_truth'] else 'NO'}"
    )
    first = cov.iloc[0]
    print(
        f"model greedy over {int(first['draws'])} logs re-drawn from the logging policy "
        f"(true value {first['true_value']:.3f}): "
        + "; ".join(
            f"{name.upper()} covers {row['coverage']:.0%}, mean {row['mean_estimate']:.3f}, "
            f"sd {row['sd_estimate']:.3f} vs reported se {row['mean_std_error']:.3f}"
            for name, row in cov.iterrows()
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debtors", type=int, default=3000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[7])
    parser.add_argument("--draws", type=int, default=300, help="re-drawn logs for coverage")
    parser.add_argument(
        "--cutoff", default="2026-08-16", help="contacts before this day train, later ones evaluate"
    )
    args = parser.parse_args()
    pd.set_option("display.width", 200)
    for seed in args.seeds:
        show(*run(args.debtors, seed, args.cutoff, args.draws))


if __name__ == "__main__":
    main()
