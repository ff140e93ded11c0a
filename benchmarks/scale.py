"""Beyond one machine: the same features on pandas, Spark (local) and Dask (local cluster).

    .venv/bin/python benchmarks/scale.py                          # 10,000,000 transactions, 100,000 accounts
    .venv/bin/python benchmarks/scale.py --transactions 1000000 --accounts 10000 --engines pandas,dask

Generates the transactions of ``benchmarks/features.py`` (realistic descriptions and
categories, seeded) into Parquet, then, for each engine in a fresh process, reads the
Parquet files, builds every feature with the engine's ``build_features`` and writes the
result to Parquet (a batch job from files to files): seconds, transactions per second and
peak memory of the process tree (JVM and Python workers included). Finally every engine's
features are compared with pandas' (largest absolute difference, NaN positions).

On one 2-core machine the local clusters are expected to be slower than pandas (the same
feature code runs per account group, plus the engines' own work: Arrow transfers to Python
workers, shuffles, scheduling). The point is that the same code runs on a cluster; see
``docs/scale-spark.md`` and ``docs/scale-dask.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ENGINES = ("pandas", "spark", "dask")


def _tree_rss(pid: int) -> int:
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def _run_pandas(folder: Path, out: Path) -> None:
    from collectscore.features import build_features

    tx = pd.read_parquet(folder / "transactions.parquet")
    debtors = pd.read_parquet(folder / "debtors.parquet")
    build_features(tx, debtors).reset_index().to_parquet(out)


def _run_spark(folder: Path, out: Path) -> None:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    from collectscore.features.spark import build_features

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("collectscore-scale-benchmark")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "4g")
        .config("spark.sql.shuffle.partitions", "40")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    try:
        tx = spark.read.parquet(str(folder / "transactions.parquet"))
        debtors = spark.read.parquet(str(folder / "debtors.parquet"))
        # about 250,000 transactions per account group: under 1 GB per Python worker
        groups = max(2, -(-_transaction_rows(folder) // 250_000))
        build_features(tx, debtors, partitions=groups).write.mode("overwrite").parquet(str(out))
    finally:
        spark.stop()


def _run_dask(folder: Path, out: Path) -> None:
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    from collectscore.features.dask import build_features

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster),
    ):
        tx = dd.read_parquet(str(folder / "transactions.parquet"))
        debtors = dd.read_parquet(str(folder / "debtors.parquet"))
        # about 400,000 transactions per partition
        parts = max(4, _transaction_rows(folder) // 400_000)
        build_features(tx, debtors, npartitions=parts).to_parquet(str(out), write_index=False)


def _transaction_rows(folder: Path) -> int:
    """Rows of the transactions file (from its footer)."""
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(folder / "transactions.parquet").metadata.num_rows)


RUNNERS = {"pandas": _run_pandas, "spark": _run_spark, "dask": _run_dask}


def run_engine(engine: str, folder: Path, out: Path) -> dict[str, float]:
    """Run one engine in a fresh process; seconds and peak memory of its process tree."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--_run", f"{engine}::{folder}::{out}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = [0]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    stdout, stderr = proc.communicate()
    done.set()
    watcher.join()
    if proc.returncode != 0:
        raise SystemExit(f"{engine} failed:\n{stderr[-4000:]}")
    timing = json.loads(stdout.strip().splitlines()[-1])
    return {
        "process_s": time.perf_counter() - start,
        "job_s": timing["seconds"],
        "peak_mb": peak[0] / 2**20,
    }


def _read(engine: str, out: Path) -> pd.DataFrame:
    frame = pd.read_parquet(out)
    frame["as_of"] = pd.to_datetime(frame["as_of"]).astype("datetime64[us]")
    return frame.sort_values(["debtor_id", "as_of"]).reset_index(drop=True)


def compare(reference: pd.DataFrame, other: pd.DataFrame) -> tuple[float, int]:
    """Largest absolute difference and number of cells whose NaN-ness differs."""
    if list(other["debtor_id"]) != list(reference["debtor_id"]):
        raise SystemExit("the engines returned different debtors")
    names = [c for c in reference.columns if c not in ("debtor_id", "as_of")]
    a = reference[names].to_numpy(dtype=float)
    b = other[names].to_numpy(dtype=float)
    nan_mismatch = int((np.isnan(a) != np.isnan(b)).sum())
    both = ~np.isnan(a) & ~np.isnan(b)
    worst = float(np.abs(a[both] - b[both]).max()) if both.any() else 0.0
    return worst, nan_mismatch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=10_000_000)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--_run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._run:
        engine, folder, out = args._run.split("::")
        start = time.perf_counter()
        RUNNERS[engine](Path(folder), Path(out))
        print(json.dumps({"seconds": time.perf_counter() - start}))
        return

    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = sorted(set(engines) - set(ENGINES))
    if unknown:
        raise SystemExit(f"unknown engines {unknown}; choose from {', '.join(ENGINES)}")
    sys.path.insert(0, str(HERE))
    from features import make_frames

    with tempfile.TemporaryDirectory(prefix="collectscore-scale-") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        tx, debtors = make_frames(args.transactions, args.accounts, args.seed)
        tx.to_parquet(folder / "transactions.parquet")
        debtors.to_parquet(folder / "debtors.parquet")
        del tx, debtors
        print(
            f"generated {args.transactions:,} transactions over {args.accounts:,} accounts "
            f"in {time.perf_counter() - start:.1f} s (cpus: {os.cpu_count()})",
            flush=True,
        )
        results: dict[str, dict[str, float]] = {}
        for engine in engines:
            out = folder / f"features-{engine}.parquet"
            r = run_engine(engine, folder, out)
            results[engine] = r
            print(
                f"  {engine:7s} job {r['job_s']:7.1f} s ({args.transactions / r['job_s'] / 1e6:5.2f} M "
                f"transactions/s), with start-up {r['process_s']:6.1f} s, "
                f"peak memory {r['peak_mb']:7,.0f} MB",
                flush=True,
            )
        if "pandas" in results and len(results) > 1:
            reference = _read("pandas", folder / "features-pandas.parquet")
            for engine in engines:
                if engine == "pandas":
                    continue
                worst, nan_mismatch = compare(
                    reference, _read(engine, folder / f"features-{engine}.parquet")
                )
                ratio = results[engine]["job_s"] / results["pandas"]["job_s"]
                print(
                    f"  {engine} vs pandas: {ratio:.1f}x the time; largest difference "
                    f"{worst:.1e}, NaN positions differing in {nan_mismatch} cells"
                )


if __name__ == "__main__":
    main()
