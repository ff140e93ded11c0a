"""Internals of the Dask feature build: co-partition by account, run the pandas builder per part.

Accounts are independent (see ``_build._chunks``), so transactions and debtor rows are moved
into the same partition by a hash of ``account_id``; contacts and payments (keyed by debtor)
follow their debtor's rows. Each partition then goes through the very same
:func:`collectscore.build_features` as a pandas frame.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._errors import ConfigError, ContractError, Problem
from .._validation import missing_column_problems

INSTALL = "pip install 'collectscore[scale]'"

try:
    import dask.dataframe as dd
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        f"collectscore's Dask support needs dask[dataframe] and distributed: {INSTALL}"
    ) from exc

#: Temporary column holding the partition a row belongs to.
PART = "_collectscore_part"
#: Temporary column holding the debtor id as text (the join key of contacts and payments).
DEBTOR = "_collectscore_debtor"
#: The key columns of a feature row (a Dask DataFrame has no MultiIndex: they are columns).
KEYS = ("debtor_id", "as_of")
_KEY_DTYPES = {"debtor_id": pd.StringDtype(na_value=np.nan), "as_of": "datetime64[ms]"}


def as_dask(frame: Any, table: str, npartitions: int | None = None) -> dd.DataFrame | None:
    """``frame`` as a Dask DataFrame (pandas frames are split into ``npartitions``)."""
    if frame is None or isinstance(frame, dd.DataFrame):
        return frame
    if isinstance(frame, pd.DataFrame):
        return dd.from_pandas(frame, npartitions=npartitions or 1, sort=False)
    raise ConfigError(
        f"{table} must be a Dask or pandas DataFrame; got {type(frame).__name__}. "
        "Fix: read it with dask.dataframe.read_parquet(...)."
    )


def check_columns(tables: dict[str, dd.DataFrame | None]) -> None:
    """Every missing required column of every table in one ContractError (no data is read)."""
    problems: list[Problem] = []
    for table, frame in tables.items():
        if frame is not None:
            problems += missing_column_problems(table, list(frame.columns))
    if problems:
        raise ContractError(problems)


def feature_meta(names: Sequence[str]) -> pd.DataFrame:
    """The empty frame of the result: the keys, then one float64 column per feature."""
    columns = {k: pd.Series([], dtype=_KEY_DTYPES[k]) for k in KEYS}
    columns.update({n: pd.Series([], dtype="float64") for n in names})
    return pd.DataFrame(columns)


def part_of(values: pd.Series, n: int) -> np.ndarray:
    """The partition (0..n-1) of each key: a stable hash of its text, the same on every machine."""
    text = values.astype(object).where(values.notna(), "").astype(str).to_numpy(dtype=object)
    return (pd.util.hash_array(text) % np.uint64(n)).astype(np.int64)


def _with_part(frame: pd.DataFrame, column: str, n: int) -> pd.DataFrame:
    return frame.assign(**{PART: part_of(frame[column], n)})


def _with_debtor(frame: pd.DataFrame) -> pd.DataFrame:
    key = frame["debtor_id"].astype(object).where(frame["debtor_id"].notna(), "").astype(str)
    return frame.assign(**{DEBTOR: key.astype(object)})


def co_partition(
    transactions: dd.DataFrame,
    debtors: dd.DataFrame,
    contacts: dd.DataFrame | None,
    payments: dd.DataFrame | None,
    n: int,
) -> list[dd.DataFrame | None]:
    """The four tables shuffled into ``n`` partitions each, partition ``i`` of every table
    holding the same accounts (and the contacts and payments of those accounts' debtors)."""
    tx = transactions.map_partitions(_with_part, "account_id", n)
    deb = debtors.map_partitions(_with_part, "account_id", n)
    out: list[dd.DataFrame | None] = [
        tx.shuffle(PART, npartitions=n),
        deb.shuffle(PART, npartitions=n),
    ]
    owners = deb.map_partitions(_with_debtor)[[DEBTOR, PART]].drop_duplicates()
    for frame in (contacts, payments):
        if frame is None:
            out.append(None)
            continue
        keyed = frame.map_partitions(_with_debtor)
        # a debtor whose rows sit in several partitions (several accounts) has its history
        # copied into each; history of debtors not in ``debtors`` cannot reach a feature
        placed = keyed.merge(owners, on=DEBTOR, how="inner").drop(columns=DEBTOR)
        out.append(placed.shuffle(PART, npartitions=n))
    return out


def partition_features(
    transactions: pd.DataFrame,
    debtors: pd.DataFrame,
    contacts: pd.DataFrame | None,
    payments: pd.DataFrame | None,
    *,
    config: Any,
    features: Sequence[str] | None,
    empty: pd.DataFrame,
    partition_info: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """``build_features`` on one partition, keys as columns, typed like ``empty``."""
    from ._build import build_features

    if len(debtors) == 0:
        return empty
    number = (partition_info or {}).get("number", 0)

    def plain(frame: pd.DataFrame | None) -> pd.DataFrame | None:
        return None if frame is None else frame.drop(columns=PART).reset_index(drop=True)

    try:
        out = build_features(
            plain(transactions),
            plain(debtors),  # type: ignore[arg-type]
            contacts=plain(contacts),
            payments=plain(payments),
            config=config,
            features=features,
        )
    except ContractError as exc:
        where = f"Dask partition {number}; rows are positions within it"
        raise ContractError(
            [dataclasses.replace(p, source=_joined(p.source, where)) for p in exc.problems]
        ) from None
    return out.reset_index().astype(empty.dtypes.to_dict())


def _joined(source: str | None, where: str) -> str:
    return f"{source}, {where}" if source else where


def features_graph(
    parts: list[dd.DataFrame | None],
    *,
    config: Any,
    features: Sequence[str] | None,
    meta: pd.DataFrame,
) -> dd.DataFrame:
    """One ``partition_features`` task per partition of the co-partitioned tables."""
    tx, deb, contacts, payments = parts
    return dd.map_partitions(
        partition_features,
        tx,
        deb,
        contacts,
        payments,
        config=config,
        features=features,
        empty=meta,
        meta=meta,
        align_dataframes=False,
        enforce_metadata=False,
    )
