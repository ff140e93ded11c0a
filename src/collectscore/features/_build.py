"""``build_features``: one row of point-in-time features per debtor snapshot."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import polars as pl

from .._contract import TABLES
from .._errors import ContractError, did_you_mean
from .._validation import missing_column_problems, validate_table
from ._frame import FeatureConfig, Frames, prepare_frames, snapshot_frame, typed_transactions
from ._registry import FeatureSpec, registry

INDEX = ("debtor_id", "as_of")


def build_features(
    transactions: pd.DataFrame | pl.DataFrame,
    debtors: pd.DataFrame,
    *,
    contacts: pd.DataFrame | None = None,
    payments: pd.DataFrame | None = None,
    config: FeatureConfig | None = None,
    features: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Point-in-time features, one row per ``debtors`` row, in the same order.

    Only transactions booked on or before each row's ``as_of`` (and within
    ``config.lookback_days``) are used; ``contacts`` and ``payments`` (optional)
    add the promise-to-pay features, again as known at ``as_of``. The result is
    indexed by (``debtor_id``, ``as_of``); its columns follow ``catalog()``.
    Missing categories are inferred (see ``categorize``).
    """
    config = config or FeatureConfig()
    transactions = _checked(transactions, "transactions")
    debtors = _checked(debtors, "debtors", always=True)
    # optional history: an empty table just means none happened yet
    contacts = _checked(contacts, "contacts", always=True, empty_ok=True)
    payments = _checked(payments, "payments", always=True, empty_ok=True)
    specs = _select(features)
    tx = typed_transactions(transactions)
    snapshots = snapshot_frame(debtors)
    parts = []
    for tx_part, snap_part in _chunks(tx, snapshots, config.chunk_rows):
        frames = prepare_frames(tx_part, snap_part, config, contacts=contacts, payments=payments)
        parts.append(_compute(frames, specs, config).select("sid", *INDEX, *specs))
        del frames
    table = pl.concat(parts).sort("sid") if len(parts) > 1 else parts[0]
    out = table.drop("sid").to_pandas()
    out = out.set_index(list(INDEX))
    return out.astype("float64")


def _chunks(
    tx: pl.DataFrame, snapshots: pl.DataFrame, chunk_rows: int
) -> list[tuple[pl.DataFrame, pl.DataFrame]]:
    """Split into groups of whole accounts of about ``chunk_rows`` transactions each.

    Accounts are independent, so the result does not depend on the split; it bounds
    the memory the point-in-time pairing of transactions and snapshots takes.
    """
    n = max(1, -(-tx.height // chunk_rows))
    if n == 1:
        return [(tx, snapshots)]

    def part(frame: pl.DataFrame) -> pl.Series:
        return (frame["account_id"].hash(seed=0) % n).alias("part")

    tx_part, snap_part = part(tx), part(snapshots)
    return [
        (tx.filter(tx_part == i), snapshots.filter(snap_part == i))
        for i in range(n)
        if (snap_part == i).any()
    ]


def _select(features: Sequence[str] | None) -> dict[str, FeatureSpec]:
    every = registry()
    if features is None:
        return every
    unknown = [f for f in features if f not in every]
    if unknown:
        hints = "; ".join(f"'{f}'{did_you_mean(f, every)}" for f in unknown)
        raise ValueError(f"unknown feature(s): {hints}; see collectscore.features.catalog()")
    # snapshot features may need others: compute all, return the selection
    return {name: every[name] for name in features}


def _compute(frames: Frames, wanted: dict[str, FeatureSpec], config: FeatureConfig) -> pl.DataFrame:
    specs = registry()  # all are computed: derived features read the others
    by_source: dict[str, list[FeatureSpec]] = {}
    for spec in specs.values():
        by_source.setdefault(spec.source, []).append(spec)
    table = frames.snapshots
    sources = {
        "rows": frames.rows,
        "monthly": frames.monthly,
        "flows": _flows(frames, config) if "flows" in by_source else None,
        "promises": frames.promises,
    }
    for source, frame in sources.items():
        group = by_source.get(source, [])
        if not group:
            continue
        if frame is None or frame.height == 0:
            agg = pl.DataFrame({"sid": pl.Series([], dtype=pl.Int64)}).with_columns(
                *(pl.lit(None, dtype=pl.Float64).alias(s.name) for s in group)
            )
        else:
            agg = frame.lazy().group_by("sid").agg(s.expr().cast(pl.Float64) for s in group)
            agg = agg.collect()
        table = table.join(agg, on="sid", how="left")
        fills = [pl.col(s.name).fill_null(s.fill) for s in group if s.fill is not None]
        if fills:
            table = table.with_columns(fills)
    for spec in by_source.get("snapshot", []):
        table = table.with_columns(spec.expr().cast(pl.Float64))
    # NaN (0/0 and the like) means "not defined here": report it as missing
    return table.with_columns(pl.col(n).fill_nan(None) for n in specs).sort("sid")


def _flows(frames: Frames, config: FeatureConfig) -> pl.DataFrame:
    from ._recurring import detect_recurring

    rows = frames.rows.select("sid", "as_of", "day", "db", "amount", "desc", "category")
    return detect_recurring(rows, grace_days=config.grace_days)


#: pandas dtype families a validated column of each kind has (the fast path's check).
_KIND_OK = {
    "string": lambda d: pd.api.types.is_string_dtype(d) or pd.api.types.is_object_dtype(d),
    "float": pd.api.types.is_numeric_dtype,
    "int": pd.api.types.is_numeric_dtype,
    "bool": pd.api.types.is_bool_dtype,
    "date": pd.api.types.is_datetime64_any_dtype,
    "datetime": pd.api.types.is_datetime64_any_dtype,
}


def _checked(frame: Any, table: str, *, always: bool = False, empty_ok: bool = False) -> Any:
    """The table as the contract wants it, or a ContractError naming what is wrong.

    Small tables (``always``) go through the full contract validation. The large
    transactions table takes a fast path when its columns already have contract types
    and its required columns no nulls; otherwise it is validated (and coerced) in full.
    """
    if frame is None or isinstance(frame, pl.DataFrame):
        if isinstance(frame, pl.DataFrame):
            _require(frame, table)
        return frame
    _require(frame, table)
    if empty_ok and len(frame) == 0:
        return frame
    if not always:
        spec = TABLES[table]
        typed = all(
            _KIND_OK[c.kind](frame[c.name].dtype) for c in spec.columns if c.name in frame.columns
        )
        complete = not any(frame[name].isna().any() for name in spec.required)
        if typed and complete:
            return frame
    clean, _, _ = validate_table(frame, table)
    return clean


def _require(frame: object, table: str) -> None:
    """Required contract columns present (full checks: ``collectscore.validate``)."""
    problems = missing_column_problems(table, list(getattr(frame, "columns", [])))
    if problems:
        raise ContractError(problems)
