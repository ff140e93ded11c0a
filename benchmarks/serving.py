"""Benchmark the HTTP scoring service: latency under concurrency and batch throughput.

Starts the real service (``bentoml serve``) against champions trained cheaply on the committed
sample (or an existing store: ``--tracking-root``), then measures

- one-debtor requests with precomputed features at concurrency 1, 16 and 64: p50/p95/p99
  latency, for scoring (p_pay, band, segment, reason codes) and for the full decision
  (plus the recommended contact);
- 1,000-debtor batches with raw transactions (about 150 per debtor) and with precomputed
  features: debtors per second;
- the same work in-process (features + predict, without HTTP) for the ratio.

Run: ``.venv/bin/python benchmarks/serving.py`` (about 2 minutes on 2 cores; ``--workers 2``
for two server processes).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "serving"))

from serving_helpers import KEY, debtor_payload, start_server  # noqa: E402

from collectscore import Dataset, read_dir, validate_dataset  # noqa: E402

SAMPLE = ROOT / "data" / "sample"


def train(root: Path) -> None:
    from collectscore.tracking import TrackingConfig
    from collectscore.training import TuningConfig, train_champions

    train_champions(SAMPLE, TrackingConfig(root=root), tuning=TuningConfig(trials=2))


def portfolio(data: Dataset, n: int, per_debtor: int) -> tuple[Dataset, pd.DataFrame]:
    """``n`` debtor snapshots (the sample's latest ones, repeated under new ids), each with
    its ``per_debtor`` latest transactions up to as_of."""
    latest = data.debtors.sort_values("as_of").groupby("debtor_id").tail(1)
    reps = -(-n // len(latest))
    rows, txs, contacts = [], [], []
    for r in range(reps):
        part = latest.assign(
            debtor_id=latest["debtor_id"] + f"-{r}", account_id=latest["account_id"] + f"-{r}"
        )
        rows.append(part)
        tx = data.transactions.merge(latest[["account_id", "as_of"]], on="account_id")
        tx = tx[tx["booked_at"] < tx["as_of"] + pd.Timedelta(days=1)]
        tx = tx.sort_values("booked_at").groupby("account_id").tail(per_debtor)
        txs.append(tx.drop(columns="as_of").assign(account_id=tx["account_id"] + f"-{r}"))
        assert data.contacts is not None
        contacts.append(data.contacts.assign(debtor_id=data.contacts["debtor_id"] + f"-{r}"))
    debtors = pd.concat(rows, ignore_index=True).head(n)
    tx = pd.concat(txs, ignore_index=True)
    tx = tx[tx["account_id"].isin(debtors["account_id"])]
    history = pd.concat(contacts, ignore_index=True)
    history = history[history["debtor_id"].isin(debtors["debtor_id"])]
    empty = data.payments.iloc[:0] if data.payments is not None else None
    return Dataset(transactions=tx, debtors=debtors, contacts=history, payments=empty), debtors


def bodies(
    data: Dataset, debtors: pd.DataFrame, features: pd.DataFrame | None, *, compact: bool = False
) -> list[dict]:
    """Request items: with transactions (no ``features``), or with features as name -> value,
    or as values in the order of the request's ``feature_names`` (``compact``)."""
    out = []
    values = features.to_dict("records") if features is not None else None
    for i, (_, row) in enumerate(debtors.iterrows()):
        debtor = debtor_payload(data, row, with_transactions=features is None)
        debtor.pop("payments", None)
        if values is not None:
            given = [None if pd.isna(v) else v for v in values[i].values()]
            if compact:
                debtor["feature_values"] = given
            else:
                debtor["features"] = dict(zip(values[i], given, strict=True))
        out.append(debtor)
    return out


async def latencies(url: str, requests: list[bytes], concurrency: int) -> np.ndarray:
    """Milliseconds per request, ``concurrency`` requests in flight at all times, each on its
    own keep-alive connection.

    A minimal HTTP/1.1 client: the load generator shares the two cores with the server, and
    httpx spent about 8 ms of CPU a request at c=64 (a whole core at 110 requests/s), so the
    client, not the service, set the c=64 numbers.
    """
    parts = urllib.parse.urlsplit(url)
    head = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Authorization: Bearer {KEY}\r\nContent-Type: application/json\r\n"
    ).encode()
    queue = list(enumerate(requests))
    out = np.zeros(len(requests))

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            while queue:
                i, body = queue.pop()
                start = time.perf_counter()
                writer.write(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
                status, length = 0, 0
                for n, line in enumerate((await reader.readuntil(b"\r\n\r\n")).split(b"\r\n")):
                    if n == 0:
                        status = int(line.split()[1])
                    elif line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                answer = await reader.readexactly(length)
                out[i] = (time.perf_counter() - start) * 1000
                if status != 200:
                    raise RuntimeError(f"HTTP {status}: {answer[:500]!r}")
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return out


def quantiles(ms: np.ndarray) -> str:
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    return f"p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  p99 {p99:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracking-root", type=Path, help="Use this store's champions.")
    parser.add_argument("--requests", type=int, default=400, help="One-debtor requests per run.")
    parser.add_argument("--batches", type=int, default=5, help="1,000-debtor batches per run.")
    parser.add_argument("--workers", type=int, default=1, help="Server processes.")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="collectscore-serving-bench-"))
    store = args.tracking_root
    if store is None:
        store = work / "store"
        print("training champions on the sample (2 trials each) ...", flush=True)
        train(store)
    data, _ = validate_dataset(read_dir(SAMPLE))
    big, debtors = portfolio(data, 1000, 150)
    now = (pd.Timestamp(debtors["as_of"].max()) + pd.Timedelta(days=2, hours=9)).isoformat()

    from collectscore.explanations import explain
    from collectscore.features import build_features
    from collectscore.scoring._decide import load_decision_models
    from collectscore.tracking import TrackingConfig

    models = load_decision_models(TrackingConfig(root=store))
    features = build_features(big.transactions, debtors, contacts=big.contacts)
    raw_bodies = bodies(big, debtors, None)
    feature_bodies = bodies(big, debtors, features)
    compact_bodies = bodies(big, debtors, features, compact=True)
    n_tx = len(big.transactions) / len(debtors)
    print(f"{len(debtors):,} debtors, {n_tx:.0f} transactions each on average")

    # more than one worker needs the periodic model check (see ServiceConfig.workers)
    reload = {"workers": args.workers, "reload_interval_s": 3600} if args.workers > 1 else {}
    server = start_server(
        store, work / "server", max_debtors=1000, max_body_bytes=256_000_000, **reload
    )
    print(
        f"service up at {server.url} (cpus: {os.cpu_count()}, workers: {args.workers})\n",
        flush=True,
    )
    try:
        # warm up
        for body in feature_bodies[:5]:
            server.post("/score", {"debtors": [body], "now": now})
        print("one-debtor requests, precomputed features")
        for recommend in (False, True):
            label = "full decision (with contact)" if recommend else "score + reasons"
            options = {"recommend": recommend}
            requests = [
                json.dumps(
                    {"debtors": [feature_bodies[i % 1000]], "now": now, "options": options}
                ).encode()
                for i in range(args.requests if not recommend else args.requests // 4)
            ]
            for concurrency in (1, 16, 64):
                start = time.perf_counter()
                ms = asyncio.run(latencies(server.url + "/score", requests, concurrency))
                rate = len(requests) / (time.perf_counter() - start)
                print(f"  {label:30s} c={concurrency:<3d} {quantiles(ms)}  {rate:6.0f} req/s")

        print("\n1,000-debtor batches")
        names = {"feature_names": list(features.columns)}
        for name, batch_bodies, extra in (
            ("raw transactions", raw_bodies, {}),
            ("precomputed, name -> value", feature_bodies, {}),
            ("precomputed, feature_names once", compact_bodies, names),
        ):
            for recommend in (False, True):
                options = {"recommend": recommend}
                body = json.dumps(
                    {"debtors": batch_bodies, **extra, "now": now, "options": options}
                ).encode()
                runs = args.batches if not recommend else 1
                ms = asyncio.run(latencies(server.url + "/score", [body] * runs, 1))
                label = f"{name}, {'full decision' if recommend else 'score + reasons'}"
                print(
                    f"  {label:52s} {statistics.median(ms) / 1000:6.2f} s a batch "
                    f"({len(body) / 1e6:5.1f} MB) -> {1000 / (statistics.median(ms) / 1000):7.0f} debtors/s"
                )
    finally:
        server.stop()

    print("\nin-process, same 1,000 debtors (no HTTP, no audit)")
    start = time.perf_counter()
    built = build_features(big.transactions, debtors, contacts=big.contacts)
    t_features = time.perf_counter() - start
    start = time.perf_counter()
    explanation = explain(models.propensity, built[list(models.propensity.feature_names_in_)])
    t_explain = time.perf_counter() - start
    start = time.perf_counter()
    models.p_pay(built)
    t_predict = time.perf_counter() - start
    total = t_features + t_predict
    print(
        f"  build_features {t_features:.2f} s, predict {t_predict * 1000:.1f} ms, "
        f"contributions {t_explain * 1000:.1f} ms -> features + predict "
        f"{1000 / total:,.0f} debtors/s; predict only {1000 / t_predict:,.0f} debtors/s"
    )
    assert len(explanation.p_pay) == 1000


if __name__ == "__main__":
    main()
