"""Time contact recommendations (``collectscore.policy.recommend``) per debtor, by stage.

    .venv/bin/python benchmarks/recommend.py                        # 1,000 and 3,000 debtors
    .venv/bin/python benchmarks/recommend.py --sizes 1000 --repeat 5
    .venv/bin/python benchmarks/recommend.py --save out/            # keep the outputs
    .venv/bin/python benchmarks/recommend.py --compare out/         # same outputs as before?

Generates a synthetic portfolio (``--debtors``, ``--seed``), fits a ``ContactModel`` on its
logged contacts (``contact_training_frame``, default settings), builds the snapshot
features and payday calendar of each debtor's latest snapshot, and recommends for the
first N debtors of each ``--sizes`` at ``--now`` with the default ``RecommendConfig``
(``days`` x ``hours`` x channels candidate slots per debtor). Prints the best of
``--repeat`` runs in ms per debtor, then a breakdown by stage from one more run with each
stage's function timed (the outermost timed call counts; "other" is the rest: input
checks, sorting, frame assembly). ``--save`` writes the outputs (best, alternatives,
excluded) as pickles; ``--compare`` checks them frame by frame against saved ones
(columns, dtypes, values and row order).
"""

from __future__ import annotations

import argparse
import functools
import importlib
import time
import warnings
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from collectscore._contract import CHANNELS
from collectscore.features import build_features
from collectscore.features._contact import payday_calendar
from collectscore.models._contact import ContactModel, contact_training_frame
from collectscore.policy import RecommendConfig, recommend
from collectscore.synthetic import SampleConfig, generate

#: Stage -> functions (module, name) whose time it counts; missing names are skipped, so
#: the same table times the per-debtor and the batch implementations.
STAGES: dict[str, list[tuple[str, str]]] = {
    "inputs (checks, history)": [
        ("collectscore.policy._recommend", "_check_debtors"),
        ("collectscore.policy._recommend", "_snapshot_features"),
        ("collectscore.policy._recommend", "_history"),
    ],
    "candidates": [
        ("collectscore.models._contact", "candidate_frame"),
        ("collectscore.models._contact", "candidate_grid"),
    ],
    "rules": [
        ("collectscore.rules", "allowed_slots"),
        ("collectscore.policy._recommend", "_rules"),
    ],
    "model scoring": [("collectscore.policy._recommend", "_score")],
    "choice": [
        ("collectscore.policy._recommend", "_ranked"),
        ("collectscore.policy._recommend", "_choose"),
    ],
    "reasons": [("collectscore.policy._recommend", "_reasons")],
    "alternatives, excluded": [
        ("collectscore.policy._recommend", "_alternatives"),
        ("collectscore.policy._recommend", "_excluded"),
    ],
    "re-check": [
        ("collectscore.rules", "violations"),
        ("collectscore.policy._recommend", "_recheck"),
    ],
}


def portfolio(debtors: int, seed: int) -> dict[str, Any]:
    """Latest snapshots with p_pay, their features and paydays, the contacts and a model."""
    start = time.perf_counter()
    data = generate(SampleConfig(debtors=debtors, seed=seed))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # notes about contacts without a snapshot
        X, y, _ = contact_training_frame(data)
    model = ContactModel(random_state=seed).fit(X, y)
    latest = data.debtors.sort_values("as_of", kind="stable").groupby("debtor_id").tail(1)
    latest = latest.sort_values("debtor_id", kind="stable").reset_index(drop=True)
    rng = np.random.default_rng(seed)
    snaps = latest.assign(p_pay=rng.uniform(0.02, 0.98, len(latest)))
    features = build_features(
        data.transactions, latest, contacts=data.contacts, payments=data.payments
    )
    paydays = payday_calendar(data.transactions, latest)
    print(
        f"portfolio: {len(snaps):,} debtors (seed {seed}), {len(data.contacts):,} contacts, "
        f"contact model with {model.best_iteration_} trees on {X.shape[1]} features; "
        f"{time.perf_counter() - start:.1f} s to prepare"
    )
    return {
        "debtors": snaps,
        "features": features,
        "paydays": paydays,
        "contacts": data.contacts,
        "model": model,
    }


def _timed(stage: str, fn: Callable[..., Any], clock: dict[str, float], depth: list[int]) -> Any:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        depth[0] += 1
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                clock[stage] += time.perf_counter() - start

    return wrapper


def breakdown(run: Callable[[], Any]) -> tuple[dict[str, float], float]:
    """Seconds per stage of one ``run()`` (and its total), each stage's functions wrapped."""
    clock: dict[str, float] = defaultdict(float)
    depth = [0]
    patched: list[tuple[Any, str, Any]] = []
    for stage, targets in STAGES.items():
        for module_name, name in targets:
            module = importlib.import_module(module_name)
            original = getattr(module, name, None)
            if original is None:
                continue
            patched.append((module, name, original))
            setattr(module, name, _timed(stage, original, clock, depth))
    try:
        start = time.perf_counter()
        run()
        total = time.perf_counter() - start
    finally:
        for module, name, original in reversed(patched):
            setattr(module, name, original)
    return dict(clock), total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--debtors", type=int, default=3000, help="portfolio size generated")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--now", default="2026-09-01 13:00+00:00", help="moment of decision")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--save", type=Path, help="folder to write the outputs to")
    parser.add_argument("--compare", type=Path, help="folder of saved outputs to compare with")
    args = parser.parse_args()

    p = portfolio(args.debtors, args.seed)
    config = RecommendConfig()
    now = pd.Timestamp(args.now)
    per_debtor = config.days * len(config.hours) * len(CHANNELS)
    print(
        f"default RecommendConfig: {config.days} days x {len(config.hours)} hours x "
        f"{len(CHANNELS)} channels = {per_debtor} candidate slots per debtor"
    )
    mismatches = 0
    for n in args.sizes:
        debtors = p["debtors"].head(n)

        def run(debtors: pd.DataFrame = debtors) -> Any:
            return recommend(
                debtors,
                now,
                p["model"],
                features=p["features"],
                contacts=p["contacts"],
                paydays=p["paydays"],
                config=config,
            )

        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            out = run()
            times.append(time.perf_counter() - start)
        best = min(times)
        contact = int((out.best["action"] == "contact").sum())
        print(
            f"\n{len(debtors):,} debtors: {best * 1000 / len(debtors):.3f} ms per debtor "
            f"({best:.2f} s; best of {args.repeat}: "
            + ", ".join(f"{t:.2f}" for t in times)
            + f" s); {contact:,} contacted, {len(out.alternatives):,} alternatives, "
            f"{len(out.excluded):,} exclusion rows"
        )
        stages, total = breakdown(run)
        rest = total - sum(stages.values())
        for stage in STAGES:
            secs = stages.get(stage, 0.0)
            print(f"  {stage:<26} {secs * 1000 / len(debtors):8.3f} ms/debtor {secs / total:6.1%}")
        print(f"  {'other':<26} {rest * 1000 / len(debtors):8.3f} ms/debtor {rest / total:6.1%}")
        frames = {"best": out.best, "alternatives": out.alternatives, "excluded": out.excluded}
        if args.save is not None:
            args.save.mkdir(parents=True, exist_ok=True)
            for name, frame in frames.items():
                frame.to_pickle(args.save / f"{name}_{n}.pkl")
        if args.compare is not None:
            for name, frame in frames.items():
                saved = pd.read_pickle(args.compare / f"{name}_{n}.pkl")
                try:
                    pd.testing.assert_frame_equal(frame, saved, check_exact=True)
                except AssertionError as exc:
                    mismatches += 1
                    print(f"  {name}: DIFFERS from {args.compare}: {str(exc)[:300]}")
                else:
                    print(f"  {name}: identical to {args.compare} ({len(frame):,} rows)")
    if mismatches:
        raise SystemExit(f"{mismatches} output frame(s) differ from the saved ones")


if __name__ == "__main__":
    main()
