"""Throughput and memory of the synthetic sample generator.

Run from the repository root, e.g.::

    .venv/bin/python benchmarks/sample_generation.py --debtors 100000 --chunk-debtors 20000

Prints debtors/s, transactions/s, seconds, peak resident memory and file sizes, and
extrapolates the time for one million debtors.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from collectscore.synthetic import SampleConfig, write_sample


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # kilobytes on Linux, bytes on macOS
    return peak / 1024**2 if sys.platform == "darwin" else peak / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debtors", type=int, default=20_000)
    parser.add_argument("--chunk-debtors", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--out", type=Path, default=None, help="folder to keep (default: temporary)"
    )
    args = parser.parse_args(argv)

    config = SampleConfig(debtors=args.debtors, seed=args.seed)
    with tempfile.TemporaryDirectory(prefix="collectscore-bench-") as tmp:
        out = args.out or Path(tmp)
        peaks: list[float] = []
        start = time.perf_counter()
        summary = write_sample(
            config,
            out,
            chunk_debtors=args.chunk_debtors,
            progress=lambda done, total: peaks.append(_peak_rss_mb()),
        )
        seconds = time.perf_counter() - start
        sizes = {name: path.stat().st_size for name, path in summary.files.items()}

    tx = summary.rows["transactions"]
    print(f"debtors            {args.debtors:>14,}   (chunks of {args.chunk_debtors:,})")
    print(f"seconds            {seconds:>14.1f}")
    print(f"debtors/s          {args.debtors / seconds:>14,.0f}")
    print(f"transactions       {tx:>14,}")
    print(f"transactions/s     {tx / seconds:>14,.0f}")
    print(f"peak RSS (MB)      {_peak_rss_mb():>14,.0f}")
    if len(peaks) > 1:
        print(f"peak RSS after first / last chunk (MB)  {peaks[0]:,.0f} / {peaks[-1]:,.0f}")
    print(f"1M debtors (est.)  {seconds / args.debtors * 1_000_000 / 60:>14.1f} min")
    print("rows and file sizes:")
    for name, rows in summary.rows.items():
        print(f"  {name:<24}{rows:>14,} rows {sizes[name] / 1024**2:>10.1f} MB")
    print(f"  {'total':<24}{'':>14} {sum(sizes.values()) / 1024**2:>15.1f} MB")


if __name__ == "__main__":
    main()
