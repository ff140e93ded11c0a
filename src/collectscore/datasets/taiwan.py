"""The UCI "Default of Credit Card Clients" data set (Taiwan, 2005) as a clean frame.

30,000 real card holders of a Taiwanese bank, observed April to September 2005, and
whether they defaulted in October 2005. :func:`load` reads the file with documented
snake_case names and decoded categories; :func:`to_contract` maps the monthly history
to the contract tables ``debtors`` and ``payments`` where that mapping is honest.
The set has no open-banking transactions and no contact history. See
``docs/taiwan-data.md`` for the columns, provenance, licence and the mapping's limits.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import ContractError, Problem, did_you_mean

__all__ = [
    "COLUMNS",
    "DEFAULT_PATH",
    "MONTHS",
    "N_CLIENTS",
    "PROTECTED",
    "TARGET",
    "TaiwanColumn",
    "TaiwanHistory",
    "load",
    "to_contract",
]

#: Where the data set lives, relative to the repository root (the shared data folder).
DEFAULT_PATH = "../shared/data/taiwan_default"

#: The observed months, in the file's order: September 2005 back to April 2005.
MONTHS: tuple[str, ...] = ("sep", "aug", "jul", "jun", "may", "apr")

#: The target column: 1 when the client did not default in October 2005 (1 - UCI's flag).
TARGET = "paid_next_month"

#: Number of clients (data rows) in the file.
N_CLIENTS = 30_000

#: File names looked for inside a folder, in order.
_FILE_NAMES = (
    "default_of_credit_card_clients.csv.gz",
    "default_of_credit_card_clients.csv",
    "default of credit card clients.csv",
)

_MONTH_PERIOD = {m: pd.Period(f"2005-{9 - i:02d}", freq="M") for i, m in enumerate(MONTHS)}
_STATUS_SOURCE = ("PAY_0", "PAY_2", "PAY_3", "PAY_4", "PAY_5", "PAY_6")
_SOURCE_TARGET = "default payment next month"

# Codes of the categorical columns; 0, 5 and 6 (education) and 0 (marriage) occur
# in the file but are undocumented by UCI, hence "unknown".
_SEX = {1: "male", 2: "female"}
_EDUCATION = {
    1: "graduate_school",
    2: "university",
    3: "high_school",
    4: "other",
    0: "unknown",
    5: "unknown",
    6: "unknown",
}
_MARITAL = {1: "married", 2: "single", 3: "other", 0: "unknown"}
_STATUS_TEXT = (
    "-2 = no consumption, -1 = paid duly, 0 = revolving credit (minimum paid), "
    "1..9 = payment delayed that many months (9: nine or more); -2 and 0 are not "
    "documented by UCI"
)
#: Days past due per month of delay in :func:`to_contract`.
_DAYS_PER_MONTH_LATE = 30


@dataclass(frozen=True)
class TaiwanColumn:
    """One column of the frame :func:`load` returns (``pd.DataFrame(COLUMNS)`` tabulates them)."""

    name: str
    source: str
    meaning: str
    unit: str
    protected: bool = False


@dataclass(frozen=True)
class _Rule:
    """What a valid value of a source column looks like."""

    whole: bool = True
    allowed: tuple[int, ...] | None = None
    min: float | None = None
    min_exclusive: bool = False
    max: float | None = None
    unique: bool = False

    def text(self) -> str:
        parts = ["a whole number" if self.whole else "a number"]
        if self.allowed is not None:
            parts.append("one of " + ", ".join(str(v) for v in self.allowed))
        if self.min is not None:
            parts.append(f"{'>' if self.min_exclusive else '>='} {self.min:g}")
        if self.max is not None:
            parts.append(f"<= {self.max:g}")
        if self.unique:
            parts.append("unique")
        return ", ".join(parts)


def _codes(mapping: Mapping[int, str]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in sorted(mapping.items()))


def _month_text(month: str) -> str:
    return _MONTH_PERIOD[month].strftime("%B %Y")


def _declare() -> tuple[tuple[TaiwanColumn, ...], dict[str, _Rule], dict[str, Mapping[int, str]]]:
    cols = [
        TaiwanColumn("client_id", "ID", "client number", "id"),
        TaiwanColumn(
            "credit_limit",
            "LIMIT_BAL",
            "credit granted, covering the client and family (supplementary) cards",
            "NT$",
        ),
        TaiwanColumn("sex", "SEX", f"sex, decoded from {_codes(_SEX)}", "category", True),
        TaiwanColumn(
            "education",
            "EDUCATION",
            f"education, decoded from {_codes(_EDUCATION)} (0, 5, 6 undocumented)",
            "category",
        ),
        TaiwanColumn(
            "marital_status",
            "MARRIAGE",
            f"marital status, decoded from {_codes(_MARITAL)} (0 undocumented)",
            "category",
            True,
        ),
        TaiwanColumn("age", "AGE", "age", "years", True),
    ]
    rules: dict[str, _Rule] = {
        "ID": _Rule(min=0, min_exclusive=True, unique=True),
        "LIMIT_BAL": _Rule(whole=False, min=0, min_exclusive=True),
        "SEX": _Rule(allowed=tuple(sorted(_SEX))),
        "EDUCATION": _Rule(allowed=tuple(sorted(_EDUCATION))),
        "MARRIAGE": _Rule(allowed=tuple(sorted(_MARITAL))),
        "AGE": _Rule(min=18, max=120),
        _SOURCE_TARGET: _Rule(allowed=(0, 1)),
    }
    for month, source in zip(MONTHS, _STATUS_SOURCE, strict=True):
        cols.append(
            TaiwanColumn(
                f"repayment_status_{month}",
                source,
                f"repayment status in {_month_text(month)}: {_STATUS_TEXT}",
                "status code",
            )
        )
        rules[source] = _Rule(allowed=tuple(range(-2, 10)))
    for i, month in enumerate(MONTHS, start=1):
        cols.append(
            TaiwanColumn(
                f"bill_amount_{month}",
                f"BILL_AMT{i}",
                f"bill statement amount of {_month_text(month)} (negative: credit balance)",
                "NT$",
            )
        )
        rules[f"BILL_AMT{i}"] = _Rule(whole=False)
    for i, month in enumerate(MONTHS, start=1):
        cols.append(
            TaiwanColumn(
                f"paid_amount_{month}",
                f"PAY_AMT{i}",
                f"amount paid in {_month_text(month)}",
                "NT$",
            )
        )
        rules[f"PAY_AMT{i}"] = _Rule(whole=False, min=0)
    cols.append(
        TaiwanColumn(
            TARGET,
            _SOURCE_TARGET,
            "1 when the client did not default on the payment of October 2005 "
            "(1 - UCI's default flag)",
            "0/1",
        )
    )
    decode = {"SEX": _SEX, "EDUCATION": _EDUCATION, "MARRIAGE": _MARITAL}
    return tuple(cols), rules, decode


_DECLARED = _declare()

#: Every column of :func:`load`'s frame, in order: name, source column, meaning, unit.
COLUMNS: tuple[TaiwanColumn, ...] = _DECLARED[0]
_RULES: dict[str, _Rule] = _DECLARED[1]
_DECODE: dict[str, Mapping[int, str]] = _DECLARED[2]

#: Protected attributes: never use them as model features without a fairness review.
PROTECTED: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.protected)

_SOURCE_HEADER: tuple[str, ...] = tuple(c.source for c in COLUMNS)
_BY_NAME: dict[str, TaiwanColumn] = {c.name: c for c in COLUMNS}
_TABLE = "taiwan_default"
_WHERE = (
    f"the UCI set is expected at {DEFAULT_PATH}/ (relative to the repository root); "
    "pass its folder or file to taiwan.load(path) (see docs/taiwan-data.md)"
)
_RESTORE = (
    "restore an unmodified copy of the UCI file (compare its sha256 with README.md in "
    f"{DEFAULT_PATH}/)"
)


# --------------------------------------------------------------------------- load


def load(path: str | os.PathLike[str] = DEFAULT_PATH) -> pd.DataFrame:
    """Read the UCI file (its folder, or the ``.csv.gz``/``.csv`` itself), checked and decoded.

    One row per client, the columns of :data:`COLUMNS` in order; amounts in NT$ as
    floats, categories as pandas categoricals. ``attrs["protected"]`` holds
    :data:`PROTECTED` and ``attrs["target"]`` :data:`TARGET`. A missing, truncated
    or altered file raises :class:`~collectscore.ContractError` naming the problem.
    """
    file = _resolve(path)
    raw = _read(file)
    problems = _header_problems(raw, file)
    present = [s for s in _SOURCE_HEADER if s in raw.columns]
    problems += _empty_problems(raw[present], file)
    problems += _value_problems(
        raw,
        [(s, _RULES[s]) for s in present],
        source=str(file),
        line_offset=2,
        fix=_RESTORE,
        skip_empty=True,
    )
    if len(raw) != N_CLIENTS:
        problems.append(
            Problem(
                table=_TABLE,
                column=None,
                expected=f"{N_CLIENTS:,} data rows, one per client",
                received=f"{len(raw):,} rows",
                fix=f"the file is cut short or is another data set; {_RESTORE}",
                source=str(file),
            )
        )
    if problems:
        raise ContractError(problems)
    return _decode(raw, file)


def _resolve(path: str | os.PathLike[str]) -> Path:
    given = Path(path)
    tried = [given]
    if not given.is_absolute() and os.fspath(path) == DEFAULT_PATH:
        # In a source checkout the default also works from outside the repository root.
        tried.append(Path(__file__).resolve().parents[3] / given)
    for candidate in tried:
        if candidate.is_file():
            return candidate
        if candidate.is_dir():
            for name in _FILE_NAMES:
                if (candidate / name).is_file():
                    return candidate / name
            raise _missing(f"folder '{candidate}' holds none of " + ", ".join(_FILE_NAMES))
    raise _missing("no file or folder at " + " nor ".join(f"'{p}'" for p in tried))


def _missing(received: str) -> ContractError:
    return ContractError(
        [
            Problem(
                table=_TABLE,
                column=None,
                expected=f"the UCI file {_FILE_NAMES[0]} (or .csv), or its folder",
                received=received,
                fix=_WHERE,
            )
        ]
    )


def _read(file: Path) -> pd.DataFrame:
    try:
        raw = pd.read_csv(file, low_memory=False)
    except (OSError, EOFError, ValueError) as exc:  # bad gzip, truncated stream, parse errors
        raise ContractError(
            [
                Problem(
                    table=_TABLE,
                    column=None,
                    expected="a readable comma-separated file (optionally gzip-compressed)",
                    received="a file that could not be read "
                    f"({type(exc).__name__}: {str(exc).strip()})",
                    fix=_RESTORE,
                    source=str(file),
                )
            ]
        ) from exc
    raw.columns = [str(c).strip() for c in raw.columns]
    return raw


def _header_problems(raw: pd.DataFrame, file: Path) -> list[Problem]:
    expected = set(_SOURCE_HEADER)
    missing = [c for c in _SOURCE_HEADER if c not in raw.columns]
    extra = [c for c in raw.columns if c not in expected]
    problems = []
    if missing:
        problems.append(
            Problem(
                table=_TABLE,
                column=", ".join(missing),
                expected=f"the {len(_SOURCE_HEADER)} columns of the UCI header "
                f"({', '.join(_SOURCE_HEADER)})",
                received=f"a header without {', '.join(repr(c) for c in missing)}",
                fix=_RESTORE,
                source=str(file),
            )
        )
    for col in extra:
        problems.append(
            Problem(
                table=_TABLE,
                column=col,
                expected="only the columns of the UCI header",
                received=f"an unexpected column {col!r}{did_you_mean(col, missing)}",
                fix=_RESTORE,
                source=str(file),
            )
        )
    return problems


def _empty_problems(raw: pd.DataFrame, file: Path) -> list[Problem]:
    """One problem for all rows with empty fields (typically cut or short rows)."""
    empty = raw.isna()
    rows = np.flatnonzero(empty.any(axis=1).to_numpy())
    if not len(rows):
        return []
    columns = [c for c in raw.columns if empty[c].any()]
    return [
        Problem(
            table=_TABLE,
            column=", ".join(columns),
            expected="a value in every field",
            received="empty fields (a short or cut row)",
            fix=_RESTORE,
            rows=tuple(int(r) for r in rows[:5]),
            n_rows=len(rows),
            source=str(file),
            line_offset=2,
        )
    ]


def _value_problems(
    frame: pd.DataFrame,
    checks: Iterable[tuple[str, _Rule]],
    *,
    source: str | None,
    line_offset: int | None,
    fix: str,
    skip_empty: bool = False,
) -> list[Problem]:
    """One problem per column whose values break its rule (vectorised).

    Empty cells count as bad values unless ``skip_empty`` (reported elsewhere).
    """
    problems = []
    for column, rule in checks:
        values = frame[column]
        number = pd.to_numeric(values, errors="coerce").astype("float64")
        bad = number.isna() | ~np.isfinite(number)
        ok = ~bad
        if rule.whole:
            bad |= ok & (number != number.round())
        if rule.allowed is not None:
            bad |= ok & ~number.isin(rule.allowed)
        if rule.min is not None:
            bad |= ok & ((number <= rule.min) if rule.min_exclusive else (number < rule.min))
        if rule.max is not None:
            bad |= ok & (number > rule.max)
        repeated = (
            ok & number.duplicated(keep=False)
            if rule.unique
            else pd.Series(False, index=number.index)
        )
        if skip_empty:
            bad &= values.notna()
        if not (bad | repeated).any():
            continue
        rows = np.flatnonzero((bad | repeated).to_numpy())
        examples = list(dict.fromkeys(_show(v) for v in values.iloc[rows[:50]]))[:3]
        kind = "values" if bad.any() else "repeated values"
        received = f"{kind} such as " + ", ".join(examples)
        problems.append(
            Problem(
                table=_TABLE,
                column=column,
                expected=rule.text(),
                received=received,
                fix=fix,
                rows=tuple(int(r) for r in rows[:5]),
                n_rows=len(rows),
                source=source,
                line_offset=line_offset,
            )
        )
    return problems


def _show(value: object) -> str:
    return "(empty)" if pd.isna(value) else repr(value)


def _decode(raw: pd.DataFrame, file: Path) -> pd.DataFrame:
    columns: dict[str, pd.Series | pd.Categorical] = {}
    for col in COLUMNS:
        values = raw[col.source]
        if col.source in _DECODE:
            columns[col.name] = _categorical(values.to_numpy(dtype="int64"), _DECODE[col.source])
        elif col.name == TARGET:
            columns[col.name] = 1 - values.astype("int64")
        elif col.unit == "NT$":
            columns[col.name] = values.astype("float64")
        else:
            columns[col.name] = values.astype("int64")
    frame = pd.DataFrame(columns)
    frame.attrs["protected"] = PROTECTED
    frame.attrs["target"] = TARGET
    frame.attrs["source"] = str(file)
    return frame


def _categorical(codes: np.ndarray, mapping: Mapping[int, str]) -> pd.Categorical:
    categories = list(dict.fromkeys(mapping.values()))
    lookup = np.full(max(mapping) + 1, -1, dtype="int64")
    for code, label in mapping.items():
        lookup[code] = categories.index(label)
    return pd.Categorical.from_codes(lookup[codes], categories=categories)


# ---------------------------------------------------------------------- contract


@dataclass
class TaiwanHistory:
    """The monthly history in contract form.

    ``debtors``: one row per client per month-end snapshot (April to September 2005).
    ``payments``: the monthly paid amounts above 0, dated the first day of their month.
    ``labels``: the UCI outcome per client for the September 2005 snapshot
    (``debtor_id``, ``as_of``, ``paid_next_month``).
    """

    debtors: pd.DataFrame
    payments: pd.DataFrame
    labels: pd.DataFrame


def to_contract(frame: pd.DataFrame) -> TaiwanHistory:
    """Map :func:`load`'s frame (all rows or a subset) to contract ``debtors`` and ``payments``.

    ``debtor_id`` and ``account_id`` are the client number; ``as_of`` is each month
    end; ``outstanding`` is the bill amount floored at 0; ``days_past_due`` is 30 per
    month of delay (0 for statuses -2, -1, 0); ``installment`` is left out (unknown);
    ``country`` is ``TW`` and ``timezone`` ``Asia/Taipei``. A payment is dated the first
    day of the month it was reported for; the true day is unknown.
    """
    prefixes = ("repayment_status", "bill_amount", "paid_amount")
    _check_frame(frame, ["client_id", *(f"{p}_{m}" for p in prefixes for m in MONTHS)])

    chronological = list(reversed(MONTHS))  # April first
    n = len(frame)
    ids = frame["client_id"].astype("int64").astype(str).to_numpy()
    month_end = pd.DatetimeIndex(
        [_MONTH_PERIOD[m].to_timestamp(how="end").normalize() for m in chronological]
    )
    month_start = pd.DatetimeIndex([_MONTH_PERIOD[m].to_timestamp() for m in chronological])

    delay = frame[[f"repayment_status_{m}" for m in chronological]].to_numpy(dtype="int64")
    bill = frame[[f"bill_amount_{m}" for m in chronological]].to_numpy(dtype="float64")
    debtor_ids = np.repeat(ids, len(MONTHS))
    debtors = pd.DataFrame(
        {
            "debtor_id": pd.array(debtor_ids, dtype="str"),
            "account_id": pd.array(debtor_ids, dtype="str"),
            "as_of": np.tile(month_end.to_numpy(), n),
            "outstanding": np.clip(bill, 0.0, None).ravel(),
            "days_past_due": (np.clip(delay, 0, None) * _DAYS_PER_MONTH_LATE).ravel(),
            "country": pd.array(np.full(len(debtor_ids), "TW"), dtype="str"),
            "timezone": pd.array(np.full(len(debtor_ids), "Asia/Taipei"), dtype="str"),
        }
    )

    amount = frame[[f"paid_amount_{m}" for m in chronological]].to_numpy(dtype="float64").ravel()
    made = amount > 0
    payments = pd.DataFrame(
        {
            "debtor_id": pd.array(debtor_ids[made], dtype="str"),
            "paid_at": np.tile(month_start.to_numpy(), n)[made],
            "amount": amount[made],
        }
    )

    labels = pd.DataFrame(
        {
            "debtor_id": pd.array(ids, dtype="str"),
            "as_of": np.repeat(month_end[-1:].to_numpy(), n),
        }
    )
    if TARGET in frame:
        labels[TARGET] = frame[TARGET].to_numpy()
    return TaiwanHistory(debtors=debtors, payments=payments, labels=labels)


def _check_frame(frame: pd.DataFrame, needed: list[str]) -> None:
    fix = (
        "pass the frame returned by collectscore.datasets.taiwan.load() "
        "(rows may be filtered; the columns must stay as loaded)"
    )
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ContractError(
            [
                Problem(
                    table=_TABLE,
                    column=", ".join(missing),
                    expected="the columns of taiwan.load()",
                    received=f"a frame without {', '.join(repr(c) for c in missing)}"
                    + did_you_mean(missing[0], [c for c in frame.columns if c not in needed]),
                    fix=fix,
                )
            ]
        )
    checks = [(name, _RULES[_BY_NAME[name].source]) for name in needed]
    problems = _value_problems(frame, checks, source=None, line_offset=None, fix=fix)
    if problems:
        raise ContractError(problems)
