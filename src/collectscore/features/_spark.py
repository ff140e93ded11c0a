"""``build_features`` on Spark: the same feature code, run per group of whole accounts.

Accounts are independent, so the portfolio is cut into groups by a hash of
``account_id``. Each group's transactions are cogrouped with the rest of its data
(its debtor rows and, when given, their contacts and payments, as one tagged frame)
and handed to the pandas ``build_features`` through ``applyInPandas``: the numbers
are those of the single-machine path, whatever the number of groups.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from .._contract import TABLES, Column
from .._errors import EXAMPLE_ROWS, ConfigError, ContractError, Problem
from .._validation import missing_column_problems
from ._build import INDEX, _select
from ._build import build_features as _build_features
from ._frame import FeatureConfig

try:
    with warnings.catch_warnings():
        # pyspark announces that it does not fully support pandas >= 3 (pandas-on-Spark,
        # which is not used here)
        warnings.filterwarnings("ignore", category=FutureWarning, module=r"pyspark(\.|$)")
        from pyspark.sql import Column as SparkColumn
        from pyspark.sql import DataFrame, SparkSession
        from pyspark.sql import functions as F
        from pyspark.sql import types as T
except ImportError as exc:  # pragma: no cover - exercised in a subprocess
    raise ImportError(
        "collectscore.features.spark needs pyspark, which is not installed. "
        "Fix: pip install 'collectscore[scale]'"
    ) from exc

#: The column holding each row's group (hash of account_id modulo the number of groups).
PART = "_cs_part"
#: The column tagging each row of the debtor-side frame with its table.
TAG = "_cs_table"
#: The debtor-side tables, in tag order; they travel as one frame next to the transactions.
SIDE_TABLES: tuple[str, ...] = ("debtors", "contacts", "payments")

_STRING_TYPES = (T.StringType, T.VarcharType, T.CharType)
_TIME_TYPES = (T.DateType, T.TimestampType, T.TimestampNTZType)
#: Spark types a column of each contract kind may have (ids written as numbers are fine).
_ACCEPTED: dict[str, tuple[type, ...]] = {
    "string": (*_STRING_TYPES, T.IntegralType),
    "float": (T.NumericType,),
    "int": (T.NumericType,),
    "bool": (T.BooleanType,),
    "date": _TIME_TYPES,
    "datetime": _TIME_TYPES,
}
#: How to cast a column of each kind to a Spark column to give it, per kind.
_TEXT_FIX: dict[str, str] = {
    "string": "cast it to text: F.col('{name}').cast('string')",
    "float": "cast it to a number: F.col('{name}').cast('double')",
    "int": "cast it to a whole number: F.col('{name}').cast('long')",
    "bool": "cast it to true/false: F.col('{name}').cast('boolean')",
    "date": "parse it as a date: F.to_date('{name}')",
    "datetime": "parse it as a date-time: F.to_timestamp('{name}')",
}
#: Columns that identify a row of each table in error messages (group positions mean nothing).
_ROW_KEYS: dict[str, tuple[str, ...]] = {
    "transactions": ("transaction_id", "account_id", "booked_at"),
    "debtors": ("debtor_id", "as_of"),
    "contacts": ("debtor_id", "sent_at"),
    "payments": ("debtor_id", "paid_at"),
}


def build_features(
    transactions: DataFrame,
    debtors: DataFrame,
    *,
    contacts: DataFrame | None = None,
    payments: DataFrame | None = None,
    config: FeatureConfig | None = None,
    features: Sequence[str] | None = None,
    partitions: int | None = None,
) -> DataFrame:
    """:func:`collectscore.build_features` on Spark DataFrames; returns a Spark DataFrame.

    One row per ``debtors`` row: ``debtor_id``, ``as_of`` (date), then one double column
    per feature in ``catalog()`` order (missing values are null). Spark keeps no row
    order: sort by (``debtor_id``, ``as_of``) when order matters. ``partitions`` is the
    number of account groups (default: about ``config.chunk_rows`` transactions per
    group, at least ``spark.default.parallelism``; leaving it out counts the
    transactions once). Column problems are raised here, before any job; value problems
    are found per group when the result is computed and raised as a ``ContractError``
    naming table, column, example rows and the fix (inside Spark's ``PythonException``).
    """
    config = config or FeatureConfig()
    if not isinstance(config, FeatureConfig):
        raise ConfigError(f"config must be a FeatureConfig; got {type(config).__name__}")
    given = {"transactions": transactions, "debtors": debtors}
    given |= {name: frame for name, frame in (("contacts", contacts), ("payments", payments))}
    _check_frames(given)
    names = list(_select(features))  # unknown feature names fail here, with a hint
    spark = transactions.sparkSession
    if partitions is None:
        rows = transactions.count()
        partitions = max(_default_parallelism(spark), math.ceil(rows / config.chunk_rows))
    elif isinstance(partitions, bool) or not isinstance(partitions, int) or partitions < 1:
        raise ConfigError(f"partitions must be a whole number >= 1; got {partitions!r}")

    def part(frame: DataFrame) -> SparkColumn:
        return F.pmod(F.xxhash64(frame["account_id"].cast("string")), F.lit(partitions))

    tx = _typed(transactions, "transactions")
    tx = tx.withColumn(PART, part(tx))
    side_tables = {"debtors": _typed(debtors, "debtors")}
    side_tables["debtors"] = side_tables["debtors"].withColumn(PART, part(side_tables["debtors"]))
    # a debtor's contacts and payments go to every group holding one of its rows
    debtor_parts = side_tables["debtors"].select("debtor_id", PART).distinct()
    for name in ("contacts", "payments"):
        frame = given.get(name)
        if frame is not None:
            side_tables[name] = _typed(frame, name).join(debtor_parts, on="debtor_id")
    side = None
    for name, frame in side_tables.items():
        tagged = frame.select(
            F.lit(SIDE_TABLES.index(name)).cast("byte").alias(TAG),
            PART,
            *(F.col(c).alias(_prefixed(name, c)) for c in frame.columns if c != PART),
        )
        side = tagged if side is None else side.unionByName(tagged, allowMissingColumns=True)
    assert side is not None

    schema = output_schema(names)
    run = _group_runner(
        names=names,
        config=config,
        with_contacts=contacts is not None,
        with_payments=payments is not None,
        columns=[f.name for f in schema.fields],
    )
    return tx.groupBy(PART).cogroup(side.groupBy(PART)).applyInPandas(run, schema)


def output_schema(features: Sequence[str] | None = None) -> T.StructType:
    """The Spark schema of the result: the index columns, then one double per feature."""
    names = list(_select(features))
    return T.StructType(
        [
            T.StructField(INDEX[0], T.StringType(), nullable=False),
            T.StructField(INDEX[1], T.DateType(), nullable=False),
            *(T.StructField(name, T.DoubleType(), nullable=True) for name in names),
        ]
    )


# ---------------------------------------------------------------- checks on the driver


def _check_frames(given: dict[str, Any]) -> None:
    """Required columns present and of a usable Spark type: a ContractError lists the rest."""
    problems: list[Problem] = []
    for name, frame in given.items():
        if frame is None:
            continue
        if not isinstance(frame, DataFrame):
            raise ConfigError(
                f"{name} must be a Spark DataFrame; got {type(frame).__name__}. Fix: "
                f"spark.createDataFrame(...) or spark.read.parquet(...), or use "
                "collectscore.build_features for pandas frames"
            )
        problems.extend(missing_column_problems(name, frame.columns))
        types = {f.name: f.dataType for f in frame.schema.fields}
        for col in _present(name, frame):
            if not isinstance(types[col.name], _ACCEPTED[col.kind]):
                problems.append(
                    Problem(
                        name,
                        col.name,
                        f"a Spark column holding {col.rule()}",
                        f"Spark type {types[col.name].simpleString()}",
                        _TEXT_FIX[col.kind].format(name=col.name),
                    )
                )
    if problems:
        raise ContractError(problems)


def _present(table: str, frame: DataFrame) -> list[Column]:
    """The contract columns of ``table`` that ``frame`` has (extra columns are ignored)."""
    return [c for c in TABLES[table].columns if c.name in frame.columns]


def _typed(frame: DataFrame, table: str) -> DataFrame:
    """Only the contract columns, with the Spark types the groups read them as.

    Dates and date-times travel as wall-clock timestamps without time zone, so the
    values the pandas code sees are the ones written (see the session time zone note
    in the docs); whole-number columns stay whole, other numbers become doubles.
    """
    out = []
    types = {f.name: f.dataType for f in frame.schema.fields}
    for col in _present(table, frame):
        c, dtype = F.col(col.name), types[col.name]
        if col.kind in ("date", "datetime"):
            c = c.cast(T.TimestampNTZType())
        elif col.kind == "string":
            c = c.cast(T.StringType())
        elif col.kind == "int" and isinstance(dtype, T.IntegralType):
            c = c.cast(T.LongType())
        elif col.kind in ("float", "int"):
            c = c.cast(T.DoubleType())
        out.append(c.alias(col.name))
    return frame.select(*out)


def _default_parallelism(spark: SparkSession) -> int:
    try:
        return max(1, int(spark.sparkContext.defaultParallelism))
    except Exception:  # Spark Connect has no SparkContext
        return max(1, int(spark.conf.get("spark.sql.shuffle.partitions") or 1))


def _prefixed(table: str, column: str) -> str:
    return f"{table}__{column}"


# ---------------------------------------------------------------- the work of one group


def _group_runner(
    *,
    names: list[str],
    config: FeatureConfig,
    with_contacts: bool,
    with_payments: bool,
    columns: list[str],
) -> Callable[[Any, pd.DataFrame, pd.DataFrame], pd.DataFrame]:
    """The function ``applyInPandas`` calls with one group's transactions and side rows."""

    def run(key: Any, tx: pd.DataFrame, side: pd.DataFrame) -> pd.DataFrame:
        tables = _split_side(side)
        debtors = tables["debtors"]
        if debtors.empty:
            return _empty(columns)
        frames = {
            "transactions": _restored(tx.drop(columns=PART), "transactions"),
            "debtors": debtors,
            "contacts": tables["contacts"] if with_contacts else None,
            "payments": tables["payments"] if with_payments else None,
        }
        try:
            built = _build_features(
                frames["transactions"],
                debtors,
                contacts=frames["contacts"],
                payments=frames["payments"],
                config=config,
                features=names,
            )
        except ContractError as exc:
            # rows named by their keys: positions inside a group mean nothing to the user
            located = [_locate(p, frames.get(p.table), int(key[0])) for p in exc.problems]
            raise ContractError(located) from None
        out = built.reset_index()
        out[INDEX[1]] = out[INDEX[1]].dt.date
        out[INDEX[0]] = out[INDEX[0]].astype(object)
        return out[columns]

    return run


def _split_side(side: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The debtor-side frame of a group back into its tables, with their own column names."""
    out = {}
    for i, table in enumerate(SIDE_TABLES):
        prefix = _prefixed(table, "")
        rows = side.loc[side[TAG] == i, [c for c in side.columns if c.startswith(prefix)]]
        rows = rows.rename(columns=lambda c, p=prefix: c.removeprefix(p)).reset_index(drop=True)
        out[table] = _restored(rows, table)
    return out


def _restored(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Contract dtypes back from Arrow's: date-times at microseconds, text as strings."""
    frame = frame.copy()
    for col in TABLES[table].columns:
        if col.name not in frame.columns:
            continue
        s = frame[col.name]
        if col.kind in ("date", "datetime"):
            frame[col.name] = pd.to_datetime(s).astype("datetime64[us]")
        elif col.kind == "string" and not pd.api.types.is_string_dtype(s):
            frame[col.name] = s.astype(pd.StringDtype(na_value=np.nan))
        elif col.kind == "bool" and s.dtype == object:
            frame[col.name] = s.astype("boolean")
    return frame


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=object if c in INDEX else float) for c in columns})


def _locate(problem: Problem, frame: pd.DataFrame | None, group: int) -> Problem:
    where = f"account group {group}"
    if not problem.rows or frame is None:
        return replace(problem, source=where)
    keys = [k for k in _ROW_KEYS.get(problem.table, ()) if k in frame.columns][:2]
    rows = [r for r in problem.rows[:EXAMPLE_ROWS] if 0 <= r < len(frame)]
    if not keys or not rows:
        return replace(problem, source=where)
    shown = "; ".join(", ".join(f"{k} {_text(frame[k].iloc[r])}" for k in keys) for r in rows)
    more = problem.n_rows - len(rows)
    n = problem.n_rows
    received = (
        f"{problem.received} in {n} row{'s' if n != 1 else ''} ({shown}"
        f"{f', +{more} more' if more > 0 else ''})"
    )
    return replace(problem, received=received, rows=(), n_rows=0, source=where, line_offset=None)


def _text(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return value.isoformat(sep=" ").removesuffix(" 00:00:00")
    return repr(value) if isinstance(value, str) else str(value)
