"""Point-in-time frames the features aggregate over.

``prepare`` turns the contract tables into polars frames keyed by ``sid`` (the
position of the debtor row): every transaction is paired with each snapshot of its
account whose ``as_of`` is on or after its booking day and at most
``lookback_days`` before it. Nothing booked after ``as_of`` can reach a feature.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import polars as pl

from .._contract import CATEGORIES
from .._errors import ConfigError

#: Polars enum of the contract categories: compact, comparable with plain strings.
CATEGORY = pl.Enum(list(CATEGORIES))


@dataclass(frozen=True)
class FeatureConfig:
    """Settings of the feature builder (one typed object, from the CLI to the code)."""

    #: Transactions older than this (days before ``as_of``) are not used.
    lookback_days: int = 365
    #: Days after a recurring flow's due date before it counts as missed.
    grace_days: int = 5
    #: Days after a promise date before an unpaid promise counts as broken.
    promise_grace_days: int = 3
    #: Transactions per chunk: large portfolios are processed a group of whole accounts
    #: at a time, which bounds memory (the result does not depend on it).
    chunk_rows: int = 1_000_000
    #: "Funds available" threshold: installment times this, plus ``buffer_share`` of
    #: the monthly income (capacity signal; see ``capacity_signals``).
    buffer_share: float = 0.1

    def __post_init__(self) -> None:
        if self.lookback_days < 180:
            raise ConfigError(
                f"lookback_days must be >= 180 (the longest window); got {self.lookback_days}"
            )
        if self.chunk_rows < 1:
            raise ConfigError(f"chunk_rows must be >= 1; got {self.chunk_rows}")
        if self.grace_days < 0 or self.promise_grace_days < 0:
            raise ConfigError("grace_days and promise_grace_days must be >= 0")
        if not 0 <= self.buffer_share <= 1:
            raise ConfigError(f"buffer_share must be within [0, 1]; got {self.buffer_share}")


@dataclass
class Frames:
    """The polars frames one feature build works on."""

    snapshots: pl.DataFrame  # sid, debtor columns, as_of (Date), history_days
    rows: pl.DataFrame  # one row per (snapshot, transaction booked in the lookback)
    monthly: pl.DataFrame  # one row per (snapshot, 30-day bucket m = 0..5), m = 0 the latest
    promises: pl.DataFrame | None = None  # one row per (snapshot, promise made before as_of)


def canonical_category(values: pl.Series) -> pl.Series:
    """Map categories (possibly user extensions like ``housing.rent``) onto the vocabulary."""
    uniques = values.drop_nulls().unique().to_list()
    mapping: dict[str, str] = {}
    for value in uniques:
        parts = value.split(".")
        target = None
        for k in range(len(parts), 0, -1):  # longest known prefix first
            prefix = ".".join(parts[:k])
            if prefix in CATEGORIES:
                target = prefix
                break
        if target is None:
            root = [c for c in CATEGORIES if c.split(".")[0] == parts[0]]
            target = next((c for c in root if c.endswith(".other")), root[0] if root else None)
        if target is not None:
            mapping[value] = target
    return values.replace_strict(mapping, default=None, return_dtype=CATEGORY)


def to_polars_transactions(transactions: pd.DataFrame | pl.DataFrame) -> pl.DataFrame:
    """The columns the features use, typed; categories inferred where missing."""
    return with_categories(typed_transactions(transactions))


def typed_transactions(transactions: pd.DataFrame | pl.DataFrame) -> pl.DataFrame:
    """The columns the features use, as polars with their types (categories as given)."""
    tx = (
        transactions
        if isinstance(transactions, pl.DataFrame)
        else pl.from_pandas(
            _only(
                transactions,
                (
                    "account_id",
                    "booked_at",
                    "amount",
                    "balance_after",
                    "description",
                    "category",
                    "transaction_id",
                ),
            )
        )
    )
    for name, dtype in (
        ("balance_after", pl.Float64),
        ("description", pl.String),
        ("category", pl.String),
    ):
        if name not in tx.columns:
            tx = tx.with_columns(pl.lit(None, dtype=dtype).alias(name))
    tx = tx.with_columns(
        pl.col("account_id").cast(pl.String),
        pl.col("booked_at").cast(pl.Datetime("us")),
        pl.col("amount").cast(pl.Float64),
        pl.col("balance_after").cast(pl.Float64),
        pl.col("description").cast(pl.String),
        pl.col("category").cast(pl.String),
    )
    return tx


def with_categories(tx: pl.DataFrame) -> pl.DataFrame:
    """Missing categories inferred (``categorize``), all mapped onto the vocabulary enum."""
    if tx["category"].dtype == CATEGORY:
        return tx
    if tx["category"].null_count():
        from ._categorize import categorize

        tx = tx.with_columns(category=categorize(tx))
    return tx.with_columns(category=canonical_category(tx["category"]))


def _only(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    return frame[[c for c in columns if c in frame.columns]]


def prepare(
    transactions: pd.DataFrame | pl.DataFrame,
    debtors: pd.DataFrame,
    config: FeatureConfig,
    contacts: pd.DataFrame | None = None,
    payments: pd.DataFrame | None = None,
) -> Frames:
    """Build the point-in-time frames (see the module docstring)."""
    return prepare_frames(
        typed_transactions(transactions),
        snapshot_frame(debtors),
        config,
        contacts=contacts,
        payments=payments,
    )


def prepare_frames(
    tx: pl.DataFrame,
    snapshots: pl.DataFrame,
    config: FeatureConfig,
    contacts: pd.DataFrame | None = None,
    payments: pd.DataFrame | None = None,
) -> Frames:
    """``prepare`` on typed polars frames (``typed_transactions``, ``snapshot_frame``).

    ``snapshots`` may be any subset of the debtor rows (their ``sid`` is kept), with
    ``tx`` holding at least their accounts' transactions: accounts are independent, so
    the builder can work through a large portfolio in chunks of accounts.
    """
    # transactions in booking order per account; bookings at the same instant in
    # transaction_id order when there is one, else in their input order
    tx = with_categories(tx)
    order = ["account_id", "booked_at"]
    if "transaction_id" in tx.columns:
        order.append(pl.col("transaction_id").cast(pl.String))
    tx = (
        tx.lazy()
        .with_columns(
            day=pl.col("booked_at").dt.date(),
            desc=pl.col("description").cast(pl.Categorical),
        )
        .sort(order, maintain_order=True, nulls_last=True)
        .drop("description", "booked_at", "transaction_id", strict=False)
    )
    keys = snapshots.lazy().select(
        "sid",
        "account_id",
        "as_of",
        # balance the debtor needs to cover the installment (else the whole debt)
        buffer=pl.coalesce("installment", "outstanding"),
    )
    same_snapshot = pl.col("sid").shift(-1) == pl.col("sid")
    rows = (
        # snapshot by snapshot (sid order), each with its account's bookings in order:
        # no sort of the large paired frame is needed
        keys.join(tx, on="account_id", how="inner", maintain_order="left_right")
        .with_columns(db=(pl.col("as_of") - pl.col("day")).dt.total_days().cast(pl.Int32))
        .filter((pl.col("db") >= 0) & (pl.col("db") < config.lookback_days))
        .with_columns(
            # the next booking's days-before-as_of (-1 after the last): the end-of-day
            # balance of a row holds from its day until the next booking day
            next_db=pl.when(same_snapshot).then(pl.col("db").shift(-1)).otherwise(-1),
            next_day=pl.when(same_snapshot)
            .then(pl.col("day").shift(-1))
            .otherwise(pl.col("as_of") + pl.duration(days=1)),
        )
        .drop("account_id")
        .collect()
    )
    history = rows.group_by("sid").agg(history_days=pl.col("db").max() + 1)
    snapshots = snapshots.join(history, on="sid", how="left").with_columns(
        pl.col("history_days").fill_null(0)
    )
    promises = _promises(snapshots, contacts, payments, config) if contacts is not None else None
    return Frames(
        snapshots=snapshots, rows=rows, monthly=_monthly(rows, snapshots), promises=promises
    )


def snapshot_frame(debtors: pd.DataFrame) -> pl.DataFrame:
    """The debtor rows as polars, with ``sid`` = their position."""
    keep = [
        c
        for c in ("debtor_id", "account_id", "as_of", "outstanding", "days_past_due", "installment")
        if c in debtors
    ]
    snap = pl.from_pandas(debtors[keep].reset_index(drop=True))
    if "installment" not in snap.columns:
        snap = snap.with_columns(installment=pl.lit(None, dtype=pl.Float64))
    return snap.with_columns(
        sid=pl.int_range(pl.len(), dtype=pl.Int64),
        debtor_id=pl.col("debtor_id").cast(pl.String),
        account_id=pl.col("account_id").cast(pl.String),
        as_of=pl.col("as_of").cast(pl.Date),
        outstanding=pl.col("outstanding").cast(pl.Float64),
        days_past_due=pl.col("days_past_due").cast(pl.Float64),
        installment=pl.col("installment").cast(pl.Float64),
    )


#: 30-day buckets of the monthly frame (m = 0 is the 30 days up to as_of).
N_MONTHS = 6

INCOME = ("income.salary", "income.pension", "income.benefits", "income.other")
OBLIGATIONS = ("housing", "utilities", "insurance", "loan.repayment")


def _monthly(rows: pl.DataFrame, snapshots: pl.DataFrame) -> pl.DataFrame:
    """Income and spending per snapshot and 30-day bucket, over the history the account has."""
    per = (
        rows.filter(pl.col("db") < 30 * N_MONTHS)
        .with_columns(m=(pl.col("db") // 30).cast(pl.Int32))
        .group_by("sid", "m")
        .agg(
            income=pl.col("amount").filter(pl.col("category").is_in(INCOME)).sum(),
            inflow=pl.col("amount").filter(pl.col("amount") > 0).sum(),
            outflow=-pl.col("amount").filter(pl.col("amount") < 0).sum(),
            obligations=-pl.col("amount")
            .filter(pl.col("category").is_in(OBLIGATIONS) & (pl.col("amount") < 0))
            .sum(),
        )
    )
    grid = (
        snapshots.select("sid", "history_days")
        .join(pl.DataFrame({"m": np.arange(N_MONTHS, dtype=np.int32)}), how="cross")
        # a bucket counts only when the account's history covers all of it
        .filter(pl.col("history_days") >= (pl.col("m") + 1) * 30)
        .drop("history_days")
    )
    sums = ("income", "inflow", "outflow", "obligations")
    return (
        grid.join(per, on=["sid", "m"], how="left")
        .with_columns(pl.col(sums).fill_null(0.0))
        .sort("sid", "m")
    )


def _promises(
    snapshots: pl.DataFrame,
    contacts: pd.DataFrame,
    payments: pd.DataFrame | None,
    config: FeatureConfig,
) -> pl.DataFrame:
    """Promises to pay made on or before each snapshot, kept or broken as known at as_of.

    A promise is kept when the payments received from the contact day up to
    ``promise_date + promise_grace_days`` add up to the promised amount; it is
    broken when that day has passed by ``as_of`` without them; otherwise pending.
    """
    columns = {"promise_amount", "promise_date"}
    if not columns <= set(contacts.columns):
        return pl.DataFrame(schema={"sid": pl.Int64, "state": pl.String, "db": pl.Int32})
    promised = (
        pl.from_pandas(
            contacts.loc[
                contacts["promise_amount"].notna() & contacts["promise_date"].notna(),
                ["debtor_id", "sent_at", "promise_amount", "promise_date"],
            ]
        )
        .with_columns(
            pl.col("debtor_id").cast(pl.String),
            made=pl.col("sent_at").cast(pl.Datetime("us")).dt.replace_time_zone(None).dt.date(),
            due=pl.col("promise_date").cast(pl.Date) + pl.duration(days=config.promise_grace_days),
            promise_amount=pl.col("promise_amount").cast(pl.Float64),
        )
        .with_columns(pid=pl.int_range(pl.len()))
    )
    pairs = (
        snapshots.select("sid", "debtor_id", "as_of")
        .join(promised, on="debtor_id")
        .filter(pl.col("made") <= pl.col("as_of"))
    )
    if payments is not None and len(payments):
        pay = pl.from_pandas(payments[["debtor_id", "paid_at", "amount"]]).with_columns(
            pl.col("debtor_id").cast(pl.String),
            paid=pl.col("paid_at").cast(pl.Datetime("us")).dt.date(),
        )
        received = (
            pairs.join(pay.select("debtor_id", "paid", "amount"), on="debtor_id")
            .filter(
                (pl.col("paid") >= pl.col("made"))
                & (pl.col("paid") <= pl.col("due"))
                & (pl.col("paid") <= pl.col("as_of"))  # nothing after as_of
            )
            .group_by("sid", "pid")
            .agg(received=pl.col("amount").sum())
        )
        pairs = pairs.join(received, on=["sid", "pid"], how="left")
    else:
        pairs = pairs.with_columns(received=pl.lit(None, dtype=pl.Float64))
    return (
        pairs.with_columns(pl.col("received").fill_null(0.0))
        .with_columns(
            state=pl.when(pl.col("received") >= pl.col("promise_amount") - 1e-9)
            .then(pl.lit("kept"))
            .when(pl.col("due") < pl.col("as_of"))
            .then(pl.lit("broken"))
            .otherwise(pl.lit("pending")),
            db=(pl.col("as_of") - pl.col("made")).dt.total_days().cast(pl.Int32),
        )
        .select("sid", "state", "db", "promise_amount", "received")
    )
