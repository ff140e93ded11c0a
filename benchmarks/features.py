"""Feature-building benchmark: transactions per second, seconds and peak memory.

    .venv/bin/python benchmarks/features.py                       # 10,000,000 transactions, 100,000 accounts
    .venv/bin/python benchmarks/features.py --transactions 1000000 --accounts 10000

Generates a transactions frame with realistic descriptions (vectorised, seeded),
then builds every feature twice, each in a fresh process: with the ``category``
column given, and with categories inferred from descriptions and behaviour.
Peak memory is the highest resident memory seen while building, above what the
process held with the input frame loaded, and is compared with the input frame's
own size (``DataFrame.memory_usage(deep=True)``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

END = np.datetime64("2026-09-30T23:59:59")

# kind: (share of rows, category, sign, typical amount, descriptions)
KINDS = {
    "salary": (
        0.03,
        "income.salary",
        1,
        2500,
        ["NOMINA ACME SA", "PAYROLL DIRECT DEP GLOBEX", "PAGO NOMINA CEMEX"],
    ),
    "pension": (
        0.01,
        "income.pension",
        1,
        1200,
        ["PENSION COLPENSIONES", "SOCIAL SECURITY SSA TREAS"],
    ),
    "transfer_in": (0.05, "transfer.in", 1, 300, ["Transferencia recibida", "ZELLE FROM J SMITH"]),
    "rent": (0.02, "housing", -1, 800, ["ALQUILER PISO", "RENT PAYMENT OAK APTS"]),
    "utilities": (
        0.04,
        "utilities",
        -1,
        90,
        ["PAGO RECIBO LUZ", "COMCAST INTERNET", "RECIBO AGUA"],
    ),
    "groceries": (
        0.28,
        "groceries",
        -1,
        45,
        ["CARD PURCHASE MERCADONA", "COMPRA EXITO", "WALMART SUPERCENTER"],
    ),
    "spending": (
        0.38,
        "spending.other",
        -1,
        30,
        ["CARD PURCHASE AMAZON", "COMPRA RAPPI", "UBER TRIP", "NETFLIX.COM"],
    ),
    "cash": (0.08, "cash.withdrawal", -1, 100, ["RETIRO CAJERO", "ATM WITHDRAWAL"]),
    "loan": (0.03, "loan.repayment", -1, 250, ["CUOTA PRESTAMO BANCO", "LOAN PAYMENT ONEMAIN"]),
    "insurance": (0.01, "insurance", -1, 60, ["SEGURO VIDA", "GEICO INSURANCE"]),
    "nsf": (0.02, "fee.nsf", -1, 30, ["DEVOLUCION RECIBO", "NSF RETURNED ITEM FEE"]),
    "overdraft": (0.02, "fee.overdraft", -1, 25, ["COMISION DESCUBIERTO", "OVERDRAFT FEE"]),
    "gambling": (0.02, "gambling", -1, 40, ["CODERE APUESTAS", "DRAFTKINGS BET"]),
    "collections": (
        0.01,
        "collections.payment",
        -1,
        150,
        ["PAGO COBRANZA", "COLLECTION AGENCY PAYMENT"],
    ),
}


def make_frames(n: int, accounts: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    names = list(KINDS)
    share = np.array([KINDS[k][0] for k in names])
    kind = rng.choice(len(names), size=n, p=share / share.sum())
    account = np.sort(rng.integers(0, accounts, size=n))
    seconds = rng.integers(0, 365 * 86_400, size=n)
    order = np.lexsort((seconds, account))
    account, seconds, kind = account[order], seconds[order], kind[order]
    booked = END - seconds.astype("timedelta64[s]")
    order = np.lexsort((booked, account))
    account, booked, kind = account[order], booked[order], kind[order]
    typical = np.array([KINDS[k][3] for k in names], dtype=float)
    sign = np.array([KINDS[k][2] for k in names], dtype=float)
    amount = np.round(sign[kind] * typical[kind] * rng.lognormal(0, 0.35, size=n), 2)
    # descriptions: a pool per kind, with a reference number on a third of the rows
    pool, offsets = [], []
    for k in names:
        offsets.append(len(pool))
        pool.extend(KINDS[k][4])
    sizes = np.array([len(KINDS[k][4]) for k in names])
    pick = np.array(offsets)[kind] + (rng.random(n) * sizes[kind]).astype(int)
    desc = np.array(pool, dtype=object)[pick]
    ref = rng.random(n) < 1 / 3
    desc[ref] = desc[ref] + " REF " + rng.integers(10_000, 99_999, size=int(ref.sum())).astype(str)
    category = np.array([KINDS[k][1] for k in names], dtype=object)[kind]
    opening = rng.normal(800, 600, size=accounts)
    balance = opening[account] + pd.Series(amount).groupby(account).cumsum().to_numpy()
    ids = np.char.add("A", np.char.zfill(np.arange(accounts).astype(str), 6))
    tx = pd.DataFrame(
        {
            "account_id": pd.array(ids[account], dtype="str"),
            "booked_at": booked.astype("datetime64[us]"),
            "amount": amount,
            "balance_after": np.round(balance, 2),
            "description": pd.array(desc, dtype="str"),
            "category": pd.array(category, dtype="str"),
        }
    )
    debtors = pd.DataFrame(
        {
            "debtor_id": pd.array(np.char.replace(ids, "A", "D"), dtype="str"),
            "account_id": pd.array(ids, dtype="str"),
            "as_of": pd.Timestamp("2026-09-30"),
            "outstanding": np.round(rng.gamma(2, 800, size=accounts), 2),
            "days_past_due": rng.integers(0, 180, size=accounts),
            "installment": np.round(rng.gamma(2, 80, size=accounts), 2),
        }
    )
    return tx, debtors


def _rss() -> int:
    import psutil

    return psutil.Process().memory_info().rss


def run_one(folder: Path, mode: str) -> dict[str, float]:
    """Build all features once from the frames in ``folder`` (in this process)."""
    from collectscore.features import build_features

    tx = pd.read_parquet(folder / "transactions.parquet")
    debtors = pd.read_parquet(folder / "debtors.parquet")
    if mode == "inferred":
        tx = tx.drop(columns="category")
    input_bytes = int(tx.memory_usage(deep=True).sum())
    base = _rss()
    peak = [base]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss())
            time.sleep(0.01)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    start = time.perf_counter()
    features = build_features(tx, debtors)
    seconds = time.perf_counter() - start
    done.set()
    watcher.join()
    return {
        "mode": mode,
        "transactions": len(tx),
        "accounts": int(tx["account_id"].nunique()),
        "features": features.shape[1],
        "seconds": seconds,
        "tx_per_s": len(tx) / seconds,
        "input_mb": input_bytes / 2**20,
        "peak_extra_mb": (peak[0] - base) / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=10_000_000)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--modes", default="given,inferred")
    parser.add_argument("--_run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._run:
        folder, mode = args._run.split("::")
        print(json.dumps(run_one(Path(folder), mode)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        tx, debtors = make_frames(args.transactions, args.accounts, args.seed)
        tx.to_parquet(folder / "transactions.parquet")
        debtors.to_parquet(folder / "debtors.parquet")
        del tx, debtors
        print(
            f"generated {args.transactions:,} transactions over {args.accounts:,} accounts "
            f"in {time.perf_counter() - start:.1f} s"
        )
        for mode in args.modes.split(","):
            result = subprocess.run(
                [sys.executable, __file__, "--_run", f"{folder}::{mode}"],
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(result.stdout.strip().splitlines()[-1])
            print(
                f"categories {r['mode']:>8}: {r['features']} features, {r['seconds']:.1f} s, "
                f"{r['tx_per_s'] / 1e6:.2f} M transactions/s, input frame {r['input_mb']:,.0f} MB, "
                f"peak extra memory {r['peak_extra_mb']:,.0f} MB "
                f"({r['peak_extra_mb'] / r['input_mb']:.1f}x the input)"
            )


if __name__ == "__main__":
    main()
