"""Contract validation: coerce what is safely coercible, reject the rest with clear messages.

Everything is derived from the declarations of ``_contract.TABLES``: each table gets a
pandera schema built from its :class:`~collectscore._contract.Column` declarations, and
every failure becomes a :class:`~collectscore._errors.Problem` naming table, column,
rows and the fix. All problems of all tables are raised together as one
:class:`~collectscore._errors.ContractError`.

Time zones: ``transactions.booked_at``, ``payments.paid_at`` and the ``date`` columns keep
the wall-clock time written in the value (a UTC offset is dropped, the result is naive).
``contacts.sent_at`` stays naive (debtor-local) when written without an offset; when every
value carries an offset it is converted to UTC and kept tz-aware (``datetime64[us, UTC]``);
a mix of both is rejected. Date-times are returned at microsecond resolution.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow

from collectscore._contract import (
    CHANNELS,
    SCORING_TABLES,
    TABLES,
    Column,
    in_vocabulary,
)
from collectscore._data import Dataset
from collectscore._errors import ConfigError, ContractError, Problem, closest, did_you_mean
from collectscore._io import (
    ATTR_ABSENT,
    ATTR_LINE_OFFSET,
    ATTR_NOTES,
    ATTR_SOURCE,
    read_dir,
    read_table,
)
from collectscore._pandera import pa

__all__ = [
    "ContractWarning",
    "TableReport",
    "ValidationReport",
    "validate",
    "validate_dataset",
    "validate_table",
]


class ContractWarning(UserWarning):
    """Input that is accepted but probably not what was meant (duplicates, unmatched ids...)."""


_BOOL_WORDS = {
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "1.0": True,
    "0.0": False,
    "yes": True,
    "no": False,
}
_STR_DTYPE = pd.StringDtype(na_value=np.nan)
_PANDERA_DTYPE: dict[str, Any] = {
    "string": _STR_DTYPE,
    "float": "float64",
    "int": "Int64",
    "bool": "boolean",
    "date": "datetime64[us]",
    "datetime": "datetime64[us]",
}
_FINAL_DTYPE = {"int": "int64", "bool": "bool"}  # required columns, once free of nulls
# A UTC offset at the end of an ISO date-time: "...10:00:00-05:00", "...10:00Z".
_OFFSET_RE = re.compile(r":\d{2}(?:\.\d+)?\s*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$")
_FRACTION_OFFSET_RE = re.compile(r"(\.\d+)?\s*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$")
_N_EXAMPLES = 3


@dataclass
class TableReport:
    """What validation did to one table."""

    table: str
    source: str | None = None
    rows_in: int = 0
    rows_out: int = 0
    #: Contract columns present (including ``consent_<channel>`` columns).
    columns_used: tuple[str, ...] = ()
    #: Columns outside the contract: kept as they are, not used.
    extra_columns: tuple[str, ...] = ()
    #: Optional contract columns absent from the input.
    missing_optional: tuple[str, ...] = ()
    #: Column -> what was converted (e.g. ``"text -> number"``).
    coerced: dict[str, str] = field(default_factory=dict)
    duplicates_dropped: int = 0
    #: How the input was read (CSV separator, decimal comma...).
    notes: list[str] = field(default_factory=list)


@dataclass
class ValidationReport:
    """Per-table reports and the warnings of one validation."""

    tables: dict[str, TableReport] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def summary_rows(self) -> list[dict[str, Any]]:
        """One row per table (for a table in the CLI)."""
        return [
            {
                "table": r.table,
                "source": r.source or "",
                "rows_in": r.rows_in,
                "rows_out": r.rows_out,
                "duplicates_dropped": r.duplicates_dropped,
                "columns_used": ", ".join(r.columns_used),
                "extra_columns": ", ".join(r.extra_columns),
                "coerced": "; ".join(f"{k}: {v}" for k, v in r.coerced.items()),
                "notes": "; ".join(r.notes),
            }
            for r in self.tables.values()
        ]


# --------------------------------------------------------------------------- helpers


def _describe_value(v: object) -> str:
    if isinstance(v, str):
        return f"{v!r} (text)"
    if isinstance(v, bool | np.bool_):
        return f"{v} (true/false)"
    if isinstance(v, int | float | np.integer | np.floating):
        return f"{v} (number)"
    if isinstance(v, dt.date | np.datetime64):
        return f"{v} (date-time)"
    return f"{v!r} ({type(v).__name__})"


def _examples(values: pd.Series, suggest: Callable[[str], str] | None = None) -> str:
    seen: list[Any] = []
    for v in values.iloc[:200].tolist():
        try:
            if v not in seen:
                seen.append(v)
        except TypeError:  # unhashable or odd comparisons: show it anyway
            seen.append(v)
        if len(seen) > _N_EXAMPLES:
            break
    parts = []
    for v in seen[:_N_EXAMPLES]:
        text = _describe_value(v)
        if suggest is not None and isinstance(v, str) and (hint := suggest(v)):
            text = text[:-1] + hint + ")"
        parts.append(text)
    return ", ".join(parts) + (", ..." if len(seen) > _N_EXAMPLES else "")


def _suggest(value: str, candidates: tuple[str, ...]) -> str:
    """``"; did you mean 'sms'?"`` (case-insensitive match first), else ``""``."""
    return did_you_mean(value, candidates)


def _closest(name: str, candidates: list[str]) -> str | None:
    """The candidate column a user probably meant by ``name``."""
    return closest(name, candidates)


def _positions(mask: pd.Series) -> np.ndarray:
    return np.flatnonzero(mask.to_numpy(dtype=bool, na_value=False))


def _quote_list(values: list[Any], limit: int = _N_EXAMPLES) -> str:
    shown = ", ".join(repr(v) if isinstance(v, str) else str(v) for v in values[:limit])
    return shown + (f", +{len(values) - limit} more" if len(values) > limit else "")


def _as_text(s: pd.Series) -> pd.Series:
    """Text values stripped of surrounding spaces; blanks become missing."""
    t = s.astype(_STR_DTYPE).str.strip()
    return t.mask(t == "")


def _numbers_as_text(num: pd.Series) -> pd.Series:
    """Numbers as text without '.0' artefacts (3.0 -> '3', 2.5 -> '2.5')."""
    num = num.astype("float64")
    whole = num.notna() & np.isfinite(num) & (num % 1 == 0) & (num.abs() < 2**53)
    out = num.astype(_STR_DTYPE)
    if whole.any():
        out = out.mask(whole, num[whole].astype("int64").astype(_STR_DTYPE))
    return out


# --------------------------------------------------------------------------- coercion


@dataclass
class _Coerced:
    values: pd.Series
    bad: pd.Series  # values that could not be coerced (reported once, as such)
    note: str | None = None
    problem: Problem | None = None  # the column as a whole is unusable


def _none_bad(s: pd.Series) -> pd.Series:
    return pd.Series(False, index=s.index)


def _coerce_string(s: pd.Series, col: Column) -> _Coerced:
    note = None
    if pd.api.types.is_bool_dtype(s) or not (pd.api.types.is_numeric_dtype(s) or s.dtype == object):
        text = _as_text(s)
    elif pd.api.types.is_numeric_dtype(s):
        text = _numbers_as_text(s)
        note = "numbers -> text"
    else:  # object: numbers mixed with text
        is_num = (
            s.map(
                lambda v: (
                    isinstance(v, int | float | np.integer | np.floating)
                    and not isinstance(v, bool)
                ),
                na_action="ignore",
            )
            .astype("boolean")
            .fillna(False)
            .astype(bool)
        )
        text = _as_text(s)
        if is_num.any():
            text = text.mask(is_num, _numbers_as_text(s.where(is_num).astype("float64")))
            note = "numbers -> text"
    if col.pattern is not None and "A-Z" in col.pattern and "a-z" not in col.pattern:
        upper = text.str.upper()
        if not upper.equals(text):
            text = upper
            note = (note + "; " if note else "") + "upper-cased"
    return _Coerced(text, _none_bad(s), note)


def _coerce_number(s: pd.Series, col: Column) -> _Coerced:
    note = None
    if pd.api.types.is_bool_dtype(s) or not (
        pd.api.types.is_numeric_dtype(s) or pd.api.types.is_string_dtype(s) or s.dtype == object
    ):
        num = pd.Series(np.nan, index=s.index)
        bad = s.notna()
    else:
        if pd.api.types.is_numeric_dtype(s):
            num = s.astype("float64")
            present = num.notna()
        else:
            text = _as_text(s)
            num = pd.to_numeric(text, errors="coerce").astype("float64")
            present = text.notna()
            if present.any():
                note = "text -> number"
        bad = present & ~np.isfinite(num.fillna(0.0))
        bad |= present & num.isna()
        if col.kind == "int":
            bad |= num.notna() & ~bad & (num % 1 != 0)
    num = num.mask(bad)
    if col.kind == "int":
        return _Coerced(num.astype("Int64"), bad, note)
    return _Coerced(num, bad, note)


def _coerce_bool(s: pd.Series, col: Column) -> _Coerced:
    if pd.api.types.is_bool_dtype(s):
        return _Coerced(s.astype("boolean"), _none_bad(s))
    if pd.api.types.is_numeric_dtype(s):
        num = s.astype("float64")
        bad = num.notna() & ~num.isin([0.0, 1.0])
        return _Coerced(
            (num.mask(bad) == 1.0).astype("boolean").mask(num.isna() | bad),
            bad,
            "0/1 -> true/false",
        )
    text = _as_text(s).str.lower()
    mapped = text.map(_BOOL_WORDS)
    bad = text.notna() & mapped.isna()
    return _Coerced(
        mapped.astype("boolean"), bad, "text -> true/false" if text.notna().any() else None
    )


def _coerce_datetime(s: pd.Series, col: Column, table: str) -> _Coerced:
    to_utc = col.utc_when_aware
    note = None
    if isinstance(s.dtype, pd.ArrowDtype):  # Arrow-backed timestamps/dates -> numpy-backed
        arrow = s.dtype.pyarrow_dtype
        if pyarrow.types.is_timestamp(arrow) and arrow.tz is not None:
            s = s.astype(pd.DatetimeTZDtype("us", arrow.tz))
        elif pyarrow.types.is_timestamp(arrow) or pyarrow.types.is_date(arrow):
            s = s.astype("datetime64[us]")
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        if to_utc:
            values = s.dt.tz_convert("UTC").astype("datetime64[us, UTC]")
            note = "converted to UTC"
        else:
            values = s.dt.tz_localize(None).astype("datetime64[us]")
            note = "UTC offset dropped, wall-clock time kept"
        bad = _none_bad(s)
    elif pd.api.types.is_datetime64_dtype(s):
        values, bad = s.astype("datetime64[us]"), _none_bad(s)
    elif pd.api.types.is_string_dtype(s) or s.dtype == object:
        if s.dtype == object:  # date/datetime objects -> ISO text, anything else stays
            s = s.map(lambda v: v.isoformat() if isinstance(v, dt.date) else v, na_action="ignore")
        is_text = s.map(lambda v: isinstance(v, str), na_action="ignore")
        is_text = is_text.astype("boolean").fillna(False).astype(bool)
        not_text = s.notna() & ~is_text
        text = _as_text(s.where(is_text))
        aware = text.str.contains(_OFFSET_RE, na=False)
        present = text.notna()
        if to_utc and aware.any() and (present & ~aware).any():
            naive = present & ~aware
            rows = _positions(naive if naive.sum() <= aware.sum() else aware)
            problem = Problem(
                table,
                col.name,
                "date-times all with a UTC offset or all without (debtor-local)",
                f"{int(aware.sum())} values with an offset and {int(naive.sum())} without; "
                "e.g. " + _examples(text[naive | aware]),
                "write every value with its offset (e.g. 2026-03-31T18:30:00-05:00) or every "
                "value in debtor-local time without one",
                rows=tuple(int(r) for r in rows[:5]),
                n_rows=len(rows),
            )
            return _Coerced(pd.Series(pd.NaT, index=s.index), not_text, problem=problem)
        if to_utc and aware.any():
            values = pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce")
            values = values.astype("datetime64[us, UTC]")
            note = "text -> date-time, converted to UTC"
        else:
            if aware.any():
                stripped = text.str.replace(
                    _FRACTION_OFFSET_RE, lambda m: m.group(1) or "", regex=True
                )
                text = text.where(~aware, stripped)
                note = "text -> date-time, UTC offsets dropped (wall-clock time kept)"
            elif present.any():
                note = "text -> date-time"
            values = pd.to_datetime(text, format="ISO8601", errors="coerce")
            values = values.astype("datetime64[us]")
        bad = not_text | (present & values.isna())
    else:  # numbers, booleans: not a date we can read without guessing
        values = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
        bad = s.notna()
    values = values.mask(bad)
    if col.kind == "date":
        day = values.dt.normalize()
        if (values.notna() & (values != day)).any():
            note = (note + "; " if note else "") + "times dropped (dates kept)"
        values = day
    return _Coerced(values, bad, note)


def _coerce(s: pd.Series, col: Column, table: str) -> _Coerced:
    if col.kind == "string":
        return _coerce_string(s, col)
    if col.kind in ("float", "int"):
        return _coerce_number(s, col)
    if col.kind == "bool":
        return _coerce_bool(s, col)
    return _coerce_datetime(s, col, table)


# --------------------------------------------------------------------------- schema


def _in_range(col: Column) -> Callable[[pd.Series], pd.Series]:
    def check(s: pd.Series) -> pd.Series:
        ok = pd.Series(True, index=s.index)
        if col.min is not None:
            ok &= (s > col.min) if col.min_exclusive else (s >= col.min)
        if col.max is not None:
            ok &= (s < col.max) if col.max_exclusive else (s <= col.max)
        return ok

    return check


def _in_vocabulary(vocabulary: tuple[str, ...]) -> Callable[[pd.Series], pd.Series]:
    def check(s: pd.Series) -> pd.Series:
        good = [v for v in s.dropna().unique() if in_vocabulary(v, vocabulary)]
        return s.isin(good)

    return check


def _schema(table: str, columns: list[Column], frame: pd.DataFrame) -> pa.DataFrameSchema:
    """A pandera schema built from the Column declarations (values already coerced)."""
    spec: dict[str, pa.Column] = {}
    for col in columns:
        checks = []
        if col.min is not None or col.max is not None:
            checks.append(pa.Check(_in_range(col), name="range"))
        if col.allowed is not None:
            checks.append(pa.Check(lambda s, a=col.allowed: s.isin(a), name="allowed"))
        if col.pattern is not None:
            checks.append(pa.Check(lambda s, p=col.pattern: s.str.fullmatch(p), name="pattern"))
        if col.vocabulary is not None:
            checks.append(pa.Check(_in_vocabulary(col.vocabulary), name="vocabulary"))
        dtype = _PANDERA_DTYPE[col.kind]
        if col.utc_when_aware:
            dtype = frame[col.name].dtype  # naive or UTC, both accepted
        spec[col.name] = pa.Column(dtype, checks=checks, nullable=not col.required)
    return pa.DataFrameSchema(spec, strict=False, coerce=False, name=table)


def _failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return exc.failure_cases
    return pd.DataFrame(columns=["column", "check", "failure_case", "index"])


# --------------------------------------------------------------------------- one table


@dataclass
class _Checked:
    frame: pd.DataFrame
    report: TableReport
    warnings: list[str]
    problems: list[Problem]


def _table_columns(table: str, present: list[str]) -> list[Column]:
    """The contract columns of ``table``, plus ``consent_<channel>`` columns for debtors."""
    columns = list(TABLES[table].columns)
    prefix = TABLES[table].dynamic_prefix
    if prefix is not None:
        for channel in CHANNELS:
            name = prefix + channel
            if name in present:
                columns.append(Column(name, "bool", False, f"consent to contact by {channel}"))
    return columns


def _check_table(
    df: pd.DataFrame, table: str, source: str | None, line_offset: int | None
) -> _Checked:
    if table not in TABLES:
        raise ConfigError(
            f"unknown table {table!r}{did_you_mean(table, TABLES)}; "
            f"expected one of {', '.join(TABLES)}"
        )
    if not isinstance(df, pd.DataFrame):
        raise ConfigError(f"table {table!r}: expected a pandas DataFrame; got {type(df).__name__}")
    source = source if source is not None else df.attrs.get(ATTR_SOURCE)
    if line_offset is None:
        line_offset = df.attrs.get(ATTR_LINE_OFFSET)
    report = TableReport(table, source=source, rows_in=len(df))
    report.notes = list(df.attrs.get(ATTR_NOTES, []))
    warns: list[str] = []
    problems: list[Problem] = []

    def problem(column: str | None, expected: str, received: str, fix: str, rows=()) -> None:
        rows = np.asarray(rows, dtype=int)
        problems.append(
            Problem(
                table,
                column,
                expected,
                received,
                fix,
                rows=tuple(int(r) for r in rows[:10]),
                n_rows=len(rows),
                source=source,
                line_offset=line_offset,
            )
        )

    work = df.reset_index(drop=True)
    work.columns = [str(c) for c in work.columns]
    # Surrounding spaces in a header are a formatting slip, not a different column.
    stripped = {c: c.strip() for c in work.columns if c != c.strip()}
    stripped = {c: s for c, s in stripped.items() if s not in work.columns}
    if stripped:
        work = work.rename(columns=stripped)
        report.notes.append("stripped spaces around column names " + _quote_list(list(stripped)))
    names = list(work.columns)
    repeated = sorted({c for c in names if names.count(c) > 1})
    for name in repeated:
        problem(
            name,
            "each column once",
            f"column '{name}' appears {names.count(name)} times",
            "drop or rename the repeated columns",
        )
    work = work.loc[:, ~work.columns.duplicated()]

    columns = _table_columns(table, names)
    declared = {c.name for c in columns}
    extras = [c for c in work.columns if c not in declared]
    report.columns_used = tuple(c.name for c in columns if c.name in work.columns)
    report.extra_columns = tuple(extras)
    report.missing_optional = tuple(
        c.name for c in columns if not c.required and c.name not in work.columns
    )
    prefix = TABLES[table].dynamic_prefix
    if prefix is not None:
        valid_consent = [prefix + ch for ch in CHANNELS]
        for name in extras:
            if name.startswith(prefix):
                warns.append(
                    f"{table}: column '{name}' is not a consent column (channels: "
                    f"{', '.join(CHANNELS)}); it is ignored{_suggest(name, tuple(valid_consent))}"
                )

    if len(work) == 0:
        problem(
            None,
            "at least one row",
            f"table '{table}' has no rows",
            f"check the export or filter that produced the {table} table",
        )

    if len(work.columns) == 0:
        problem(
            None,
            "a header row naming the columns " + ", ".join(TABLES[table].required),
            "no columns at all",
            f"export the {table} table with its header row",
        )
    if len(work.columns):
        index_names = [str(n) for n in df.index.names if n is not None]
        problems.extend(
            missing_column_problems(
                table, names, index_names=index_names, source=source, line_offset=line_offset
            )
        )

    # Coerce each present contract column, then check the declared rules with pandera.
    present = [c for c in columns if c.name in work.columns and c.name not in repeated]
    clean: dict[str, pd.Series] = {}
    bad_rows: dict[str, pd.Series] = {}
    checkable: list[Column] = []
    for col in present:
        raw = work[col.name]
        got = _coerce(raw, col, table)
        clean[col.name] = got.values
        bad_rows[col.name] = got.bad
        if got.note and raw.notna().any():
            report.coerced[col.name] = got.note
        if got.problem is not None:
            problems.append(replace(got.problem, source=source, line_offset=line_offset))
            continue
        checkable.append(col)
        if got.bad.any():
            rows = _positions(got.bad)
            problem(
                col.name,
                col.rule(),
                _examples(raw.iloc[rows]),
                col.hint or f"write {col.rule()} in every row",
                rows,
            )

    frame = pd.DataFrame(clean, index=work.index)
    if checkable and len(work):
        failures = _failures(_schema(table, checkable, frame), frame[[c.name for c in checkable]])
        for (name, check), cases in failures.groupby(["column", "check"], sort=False):
            col = next(c for c in checkable if c.name == name)
            index = pd.to_numeric(cases["index"], errors="coerce").dropna().astype(int)
            if check == "not_nullable":
                rows = np.setdiff1d(index.to_numpy(), _positions(bad_rows[name]))
                if len(rows):
                    problem(
                        name,
                        f"{col.rule()} in every row ('{name}' is required)",
                        "an empty value",
                        f"fill in '{name}' in every row, or remove those rows",
                        np.sort(rows),
                    )
                continue
            rows = np.sort(index.unique())
            candidates = col.allowed or col.vocabulary
            suggest = (lambda v, c=candidates: _suggest(v, c)) if candidates else None
            received = (
                _examples(frame[name].iloc[rows], suggest)
                if len(rows)
                else str(cases["failure_case"].iloc[0])
            )
            problem(
                name,
                col.rule() if check != "vocabulary" else "a category of the vocabulary",
                received,
                col.hint or f"make every '{name}' value {col.rule()}",
                rows,
            )

    # Rules across rows.
    ok = {c.name for c in checkable if not bad_rows[c.name].any()}
    spec = TABLES[table]
    if spec.unique and set(spec.unique) <= ok and len(frame):
        keys = frame[list(spec.unique)]
        dup = keys.notna().all(axis=1) & keys.duplicated(keep=False)
        if dup.any():
            rows = _positions(dup)
            key_name = ", ".join(spec.unique)
            first = keys.iloc[rows[0]]
            example = tuple(
                v.date().isoformat() if isinstance(v, pd.Timestamp) else v for v in first
            )
            n_keys = len(keys[dup].drop_duplicates())
            problem(
                key_name,
                f"one row per ({key_name})",
                f"{n_keys} repeated ({key_name}) value{'s' if n_keys != 1 else ''}, e.g. {example}",
                f"keep one row per ({key_name}): remove or merge the repeated rows",
                rows,
            )

    drop = pd.Series(False, index=frame.index)
    id_col = TABLES[table].dedupe_on
    if id_col in ok and len(frame):
        ids = frame[id_col]
        candidates_mask = ids.notna() & ids.duplicated(keep=False)
        if candidates_mask.any():
            sub = frame.loc[candidates_mask, list(clean)]
            exact = sub.duplicated(keep="first")
            drop.loc[exact.index[exact.to_numpy()]] = True
            rest = sub.loc[~exact.to_numpy()]
            conflict = rest[id_col].duplicated(keep=False)
            if conflict.any():
                clash = rest.loc[conflict.to_numpy()]
                first_id = clash[id_col].iloc[0]
                same = clash[clash[id_col] == first_id]
                differ = [c for c in same.columns if same[c].nunique(dropna=False) > 1]
                ids_bad = list(dict.fromkeys(clash[id_col].tolist()))
                problem(
                    id_col,
                    f"rows sharing a {id_col} to be identical",
                    f"{len(ids_bad)} {id_col} value{'s' if len(ids_bad) != 1 else ''} on rows "
                    f"that differ ({_quote_list(ids_bad)}); e.g. '{first_id}' differs in "
                    + ", ".join(differ),
                    f"give each distinct transaction its own {id_col}, or remove the wrong copy",
                    np.sort(clash.index.to_numpy()),
                )
            if drop.any():
                dropped_ids = list(dict.fromkeys(ids[drop].tolist()))
                n = int(drop.sum())
                warns.append(
                    f"{table}: dropped {n} exact duplicate row{'s' if n != 1 else ''} "
                    f"(same {id_col} and content; {id_col} {_quote_list(dropped_ids)})"
                )
                report.duplicates_dropped = n

    group_value = TABLES[table].one_value_per
    if group_value and set(group_value) <= ok and len(frame):
        group, value = group_value
        pairs = frame[[group, value]].dropna().drop_duplicates()
        counts = pairs[group].value_counts()
        mixed = counts[counts > 1].index
        if len(mixed):
            shown = pairs[pairs[group].isin(mixed[:_N_EXAMPLES])].sort_values([group, value])
            described = "; ".join(
                f"{group} '{g}' uses {', '.join(v[value].tolist())}"
                for g, v in shown.groupby(group, sort=False)
            )
            more = f" (+{len(mixed) - _N_EXAMPLES} more)" if len(mixed) > _N_EXAMPLES else ""
            problem(
                value,
                f"one {value} per {group}",
                described + more,
                f"give each {value} its own {group} (e.g. '{mixed[0]}-{pairs[value].iloc[0]}'), "
                f"or convert the amounts to one {value}",
                _positions(frame[group].isin(mixed) & frame[value].notna()),
            )

    # The cleaned table: contract columns in declared order, then extras as given.
    out = frame[[c.name for c in present]]
    if problems:
        return _Checked(out, report, warns, problems)
    for col in present:
        final = _FINAL_DTYPE.get(col.kind)
        if final and col.required:
            out[col.name] = out[col.name].astype(final)
    out = pd.concat([out, work[extras]], axis=1) if extras else out
    out = out.loc[~drop.to_numpy()].reset_index(drop=True)
    out.attrs = {}
    report.rows_out = len(out)
    return _Checked(out, report, warns, problems)


def _empty_table(table: str) -> pd.DataFrame:
    """A table with no rows, the contract columns and their dtypes."""
    dtypes = {
        c.name: _FINAL_DTYPE.get(c.kind, _PANDERA_DTYPE[c.kind])
        if c.required
        else _PANDERA_DTYPE[c.kind]
        for c in TABLES[table].columns
    }
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in dtypes.items()})


def _sorted(problems: list[Problem]) -> list[Problem]:
    order = {name: i for i, name in enumerate(TABLES)}
    return sorted(problems, key=lambda p: (order.get(p.table, len(order)), p.table, p.column or ""))


def missing_column_problems(
    table: str,
    present: Sequence[object],
    *,
    index_names: Sequence[str] = (),
    source: str | None = None,
    line_offset: int | None = None,
) -> list[Problem]:
    """One problem per required column of ``table`` absent from ``present``.

    Each names the column, suggests the present non-contract column it was probably
    meant to be ("did you mean"), or says it is the DataFrame index, or what it holds.
    """
    names = [str(c) for c in present]
    declared = {c.name for c in _table_columns(table, names)}
    extras = [n for n in names if n not in declared]
    found = []
    for col in TABLES[table].columns:
        if not col.required or col.name in names:
            continue
        match = _closest(col.name, extras)
        if match is not None:
            received = f"no column '{col.name}' (found '{match}': did you mean '{col.name}'?)"
            fix = f"rename column '{match}' to '{col.name}'"
        else:
            received = f"no column '{col.name}' (columns: {_quote_list(names, 12) or 'none'})"
            if col.name in index_names:
                fix = f"'{col.name}' is the DataFrame index: call .reset_index() first"
            else:
                fix = f"add a column '{col.name}': {col.description}"
        found.append(
            Problem(
                table,
                col.name,
                f"a column '{col.name}' holding {col.rule()}",
                received,
                fix,
                source=source,
                line_offset=line_offset,
            )
        )
    return found


def validate_table(
    df: pd.DataFrame,
    table: str,
    *,
    source: str | None = None,
    line_offset: int | None = None,
) -> tuple[pd.DataFrame, TableReport, list[str]]:
    """Validate and coerce one contract table.

    Returns the cleaned table (contract dtypes, contract columns first, extra columns
    kept as given), its report and warnings. Raises :class:`ContractError` listing every
    problem; ``source``/``line_offset`` (file name, CSV line of row 0) go into messages.
    """
    checked = _check_table(df, table, source, line_offset)
    if checked.problems:
        raise ContractError(_sorted(checked.problems))
    return checked.frame, checked.report, checked.warnings


def _unmatched_warnings(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    warns: list[str] = []
    debtors = tables.get("debtors")
    transactions = tables.get("transactions")
    if debtors is None or not len(debtors):
        return warns
    if transactions is not None and len(transactions):
        lonely = ~debtors["account_id"].isin(transactions["account_id"])
        if lonely.any():
            ids = debtors.loc[lonely, "debtor_id"].drop_duplicates().tolist()
            warns.append(
                f"debtors: {len(ids)} debtor{'s have' if len(ids) != 1 else ' has'} no "
                f"transactions for their account_id (debtor_id {_quote_list(ids)}); their "
                "transaction features will be empty"
            )
    for name in ("payments", "contacts"):
        other = tables.get(name)
        if other is None or "debtor_id" not in other:
            continue
        unknown = ~other["debtor_id"].isin(debtors["debtor_id"])
        if unknown.any():
            ids = other.loc[unknown, "debtor_id"].drop_duplicates().tolist()
            n = int(unknown.sum())
            warns.append(
                f"{name}: {n} row{'s' if n != 1 else ''} name a debtor_id that is not in "
                f"debtors ({_quote_list(ids)}); they match no debtor"
            )
    return warns


def validate_dataset(
    data: Dataset, *, sources: Mapping[str, str] | None = None
) -> tuple[Dataset, ValidationReport]:
    """Validate every table of ``data``; one :class:`ContractError` lists all problems.

    Returns the cleaned :class:`Dataset` and a :class:`ValidationReport`. Cross-table
    mismatches (debtors without transactions, payments or contacts of unknown debtors)
    are warnings in the report.
    """
    if not isinstance(data, Dataset):
        raise ConfigError(f"expected a Dataset; got {type(data).__name__}")
    sources = dict(sources or {})
    report = ValidationReport()
    problems: list[Problem] = []
    cleaned: dict[str, pd.DataFrame] = {}
    for name, df in data.tables().items():
        if df.attrs.get(ATTR_ABSENT) and df.empty:
            cleaned[name] = _empty_table(name)
            report.tables[name] = TableReport(name, notes=["absent (not required)"])
            continue
        checked = _check_table(df, name, sources.get(name), None)
        problems.extend(checked.problems)
        report.tables[name] = checked.report
        report.warnings.extend(checked.warnings)
        cleaned[name] = checked.frame
    if problems:
        raise ContractError(_sorted(problems))
    report.warnings.extend(_unmatched_warnings(cleaned))
    out = Dataset(
        transactions=cleaned["transactions"],
        debtors=cleaned["debtors"],
        payments=cleaned.get("payments"),
        contacts=cleaned.get("contacts"),
        truth=dict(data.truth),
    )
    return out, report


def _from_mapping(tables: Mapping[str, Any]) -> Dataset:
    unknown = [k for k in tables if k not in TABLES]
    if unknown:
        raise ConfigError(
            "unknown table name"
            + ("s " if len(unknown) > 1 else " ")
            + ", ".join(f"{k!r}{did_you_mean(str(k), TABLES)}" for k in unknown)
            + f"; expected {', '.join(TABLES)}"
        )
    missing = [name for name in SCORING_TABLES if tables.get(name) is None]
    if missing:
        raise ContractError(
            [
                Problem(
                    name,
                    None,
                    "a DataFrame or a file path",
                    f"no '{name}' entry (given: {', '.join(tables) or 'nothing'})",
                    f"pass the {name} table under the key '{name}'",
                )
                for name in missing
            ]
        )
    frames = {k: read_table(v, k) for k, v in tables.items() if v is not None}
    return Dataset(
        transactions=frames["transactions"],
        debtors=frames["debtors"],
        payments=frames.get("payments"),
        contacts=frames.get("contacts"),
    )


def validate(data: Dataset | Mapping[str, pd.DataFrame] | str | os.PathLike) -> Dataset:
    """Validate a Dataset, a dict of tables (DataFrames or file paths) or a data folder.

    Returns the validated :class:`Dataset`; warnings are issued as :class:`ContractWarning`.
    Raises :class:`ContractError` listing every problem of every table.
    """
    if isinstance(data, Dataset):
        dataset = data
    elif isinstance(data, Mapping):
        dataset = _from_mapping(data)
    elif isinstance(data, str | os.PathLike):
        dataset = read_dir(data)
    else:
        raise ConfigError(
            "validate expects a Dataset, a dict of tables or a data folder; "
            f"got {type(data).__name__}"
        )
    cleaned, report = validate_dataset(dataset)
    for message in report.warnings:
        warnings.warn(message, ContractWarning, stacklevel=2)
    return cleaned
