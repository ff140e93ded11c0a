"""Time ``categorize`` on a large synthetic frame and measure its peak memory.

Usage::

    .venv/bin/python benchmarks/categorize.py [ROWS] [--reference-share S] [--no-descriptions]
    .venv/bin/python benchmarks/categorize.py [ROWS] --features-frame [--accounts N]

By default the frame tiles a 500-debtor synthetic sample (new account ids per copy)
up to ROWS rows; ``--reference-share`` appends a random reference number to that
share of the descriptions, as real bank feeds do, so there are many more distinct
descriptions. ``--features-frame`` uses the frame of ``benchmarks/features.py``
instead (a third of its descriptions carry a reference number), without its
``category`` column. Each run is a fresh process that reads the frame from a
temporary parquet file; peak memory is the highest resident memory seen during the
call (sampled every 5 ms) above what the process held just before it.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import polars as pl
import psutil

from collectscore.features._categorize import categorization_report, categorize
from collectscore.synthetic import SampleConfig, generate


def frame(rows: int, reference_share: float, seed: int = 0) -> tuple[pl.DataFrame, pl.Series]:
    data = generate(SampleConfig(debtors=500, seed=seed))
    base = pl.from_pandas(data.transactions).join(
        pl.from_pandas(data.truth["transactions"]), on="transaction_id", how="left"
    )
    copies = -(-rows // base.height)
    tiled = pl.concat(
        [base.with_columns(account_id=pl.col("account_id") + f"-{i}") for i in range(copies)]
    ).head(rows)
    if reference_share > 0:
        rng = np.random.default_rng(seed)
        ref = rng.integers(10**7, 10**8, tiled.height)
        use = rng.random(tiled.height) < reference_share
        tiled = tiled.with_columns(
            description=pl.when(pl.Series(use))
            .then(pl.col("description") + " REF " + pl.Series(ref).cast(pl.String))
            .otherwise(pl.col("description"))
        )
    truth = tiled["category"]
    return tiled.drop("category", "transaction_id", "balance_after", "currency"), truth


def features_frame(rows: int, accounts: int, seed: int = 0) -> tuple[pl.DataFrame, pl.Series]:
    from features import make_frames  # benchmarks/features.py, next to this script

    tx = make_frames(rows, accounts, seed)[0]
    truth = pl.Series(tx["category"].to_numpy(), dtype=pl.String)
    columns = ["account_id", "booked_at", "amount", "balance_after", "description"]
    return pl.from_pandas(tx[columns]), truth


def timed(tx: pl.DataFrame) -> tuple[pl.Series, float, float]:
    """(categories, seconds, peak MB above the memory held before the call)."""
    gc.collect()
    process = psutil.Process()
    base = process.memory_info().rss
    peak = [base]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], process.memory_info().rss)
            time.sleep(0.005)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    start = time.perf_counter()
    result = categorize(tx)
    seconds = time.perf_counter() - start
    done.set()
    watcher.join()
    return result, seconds, (peak[0] - base) / 2**20


def run_one(folder: Path) -> dict[str, float]:
    """One timed call on the frame in ``folder`` (in this process)."""
    tx = pl.read_parquet(folder / "transactions.parquet")
    result, seconds, peak = timed(tx)
    truth = pl.read_parquet(folder / "truth.parquet")["category"]
    report = categorization_report(result.to_pandas(), truth.to_pandas())
    return {"seconds": seconds, "peak_mb": peak, "accuracy": report.loc["accuracy", "f1"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="?", default=10_000_000)
    parser.add_argument("--reference-share", type=float, default=0.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--no-descriptions", action="store_true", help="drop descriptions: behaviour rules only"
    )
    parser.add_argument(
        "--features-frame", action="store_true", help="the frame of benchmarks/features.py"
    )
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--_run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._run:
        print(json.dumps(run_one(Path(args._run))))
        return
    if args.features_frame:
        tx, truth = features_frame(args.rows, args.accounts)
    else:
        tx, truth = frame(args.rows, args.reference_share)
    if args.no_descriptions:
        tx = tx.drop("description")
    distinct = tx["description"].n_unique() if "description" in tx.columns else 0
    print(f"{tx.height:,} rows, {distinct:,} distinct descriptions")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        tx.write_parquet(folder / "transactions.parquet")
        truth.rename("category").to_frame().write_parquet(folder / "truth.parquet")
        del tx, truth
        runs = []
        for _ in range(args.repeat):
            done = subprocess.run(
                [sys.executable, __file__, "--_run", str(folder)],
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    seconds = [r["seconds"] for r in runs]
    peaks = [r["peak_mb"] for r in runs]
    print(
        f"categorize: best {min(seconds):.2f} s, all {', '.join(f'{t:.2f}' for t in seconds)}; "
        f"peak memory {max(peaks):,.0f} MB above the start, all "
        + ", ".join(f"{p:,.0f}" for p in peaks)
    )
    print(f"accuracy {runs[0]['accuracy']:.4f}")


if __name__ == "__main__":
    main()
