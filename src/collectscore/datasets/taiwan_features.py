"""Model features for the UCI Taiwan set: the bring-your-own columns plus derived arrears features.

:func:`model_frame` turns :func:`collectscore.datasets.taiwan.load`'s frame into a
numeric feature matrix and the target. The protected attributes
(:data:`~collectscore.datasets.taiwan.PROTECTED`) and the client number are never
features. :data:`BASE_FEATURES` and :data:`ARREARS_FEATURES` describe every column.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from .._errors import ContractError, Problem
from . import taiwan
from .taiwan import MONTHS, TARGET

__all__ = ["ARREARS_FEATURES", "BASE_FEATURES", "FEATURES", "model_frame"]

_CHRONOLOGICAL = tuple(reversed(MONTHS))  # April first, September last
_EDUCATION_LEVELS: tuple[str, ...] = tuple(dict.fromkeys(taiwan._EDUCATION.values()))
_STATUS = [f"repayment_status_{m}" for m in MONTHS]
_BILL = [f"bill_amount_{m}" for m in MONTHS]
_PAID = [f"paid_amount_{m}" for m in MONTHS]
#: A payment ratio is capped here: paying the whole bill (or more) counts as 1.
_RATIO_CAP = 1.0

#: The columns taken as they are (amounts in NT$, status codes) plus education one-hot.
BASE_FEATURES: tuple[tuple[str, str], ...] = (
    ("credit_limit", "credit granted (NT$)"),
    *((f"education_{lvl}", f"1 when education is {lvl}, else 0") for lvl in _EDUCATION_LEVELS),
    *((c, f"status code as loaded ({c.rsplit('_', 1)[1]})") for c in _STATUS),
    *((c, f"bill statement amount as loaded ({c.rsplit('_', 1)[1]}, NT$)") for c in _BILL),
    *((c, f"amount paid as loaded ({c.rsplit('_', 1)[1]}, NT$)") for c in _PAID),
)

#: The derived arrears features (``arrears=True``); "delayed" means a status code >= 1.
ARREARS_FEATURES: tuple[tuple[str, str], ...] = (
    *(
        (
            f"pay_ratio_{m}",
            f"amount paid in {m} / bill of {prev} (the statement it settles), capped at 1; "
            "1 when that bill is zero or negative (nothing owed)",
        )
        for m, prev in itertools.pairwise(MONTHS)
    ),
    ("pay_ratio_mean", "mean of the five monthly pay ratios"),
    ("utilisation_latest", "bill of September / credit limit"),
    ("utilisation_mean", "mean of the six bills / credit limit"),
    (
        "delay_trend",
        "least-squares slope of months delayed (status clipped at 0) over April..September, "
        "per month (> 0: getting worse)",
    ),
    ("delay_streak_current", "consecutive delayed months ending in September"),
    ("delay_streak_longest", "longest run of consecutive delayed months"),
    ("months_delayed", "number of delayed months out of six"),
    ("months_paid_duly", "number of months with status -1 (paid duly)"),
    ("max_delay", "largest delay in months (status clipped at 0)"),
)

#: Every column :func:`model_frame` can return, in order.
FEATURES: tuple[tuple[str, str], ...] = BASE_FEATURES + ARREARS_FEATURES

_FIX = (
    "pass the frame returned by collectscore.datasets.taiwan.load() "
    "(rows may be filtered; the columns must stay as loaded)"
)


def model_frame(frame: pd.DataFrame, *, arrears: bool = True) -> tuple[pd.DataFrame, pd.Series]:
    """Features ``X`` (float, no protected attributes, no id) and target ``y`` of a loaded frame.

    ``X`` has the columns of :data:`BASE_FEATURES`, followed by those of
    :data:`ARREARS_FEATURES` when ``arrears``; ``y`` is ``paid_next_month``. Both keep
    the frame's index. A frame without the loaded columns raises ``ContractError``.
    """
    _check(frame)
    education = _education(frame)
    base = pd.DataFrame(
        {"credit_limit": frame["credit_limit"].to_numpy(dtype="float64")}, index=frame.index
    )
    for level in _EDUCATION_LEVELS:
        base[f"education_{level}"] = (education == level).astype("float64")
    for col in (*_STATUS, *_BILL, *_PAID):
        base[col] = frame[col].to_numpy(dtype="float64")
    parts = [base]
    if arrears:
        parts.append(_arrears(frame))
    X = pd.concat(parts, axis=1)
    y = pd.Series(frame[TARGET].to_numpy(dtype="int64"), index=frame.index, name=TARGET)
    return X, y


def _arrears(frame: pd.DataFrame) -> pd.DataFrame:
    """The derived arrears features, vectorised over clients (loops run over months only)."""
    limit = frame["credit_limit"].to_numpy(dtype="float64")
    bill = frame[_BILL].to_numpy(dtype="float64")  # September first
    paid = frame[_PAID].to_numpy(dtype="float64")
    # paid in month i settles the bill of month i + 1 (one month earlier)
    owed = bill[:, 1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(owed > 0, paid[:, :-1] / owed, _RATIO_CAP)
    ratio = np.clip(ratio, 0.0, _RATIO_CAP)

    status = frame[[f"repayment_status_{m}" for m in _CHRONOLOGICAL]].to_numpy(dtype="int64")
    delay = np.clip(status, 0, None).astype("float64")
    delayed = status >= 1
    t = np.arange(len(_CHRONOLOGICAL), dtype="float64")
    t -= t.mean()
    trend = (delay - delay.mean(axis=1, keepdims=True)) @ t / float(t @ t)
    current = np.cumprod(delayed[:, ::-1], axis=1).sum(axis=1)
    run = np.zeros(len(frame), dtype="int64")
    longest = np.zeros(len(frame), dtype="int64")
    for j in range(delayed.shape[1]):
        run = (run + 1) * delayed[:, j]
        longest = np.maximum(longest, run)

    columns: dict[str, np.ndarray] = {
        f"pay_ratio_{m}": ratio[:, i] for i, m in enumerate(MONTHS[:-1])
    }
    columns["pay_ratio_mean"] = ratio.mean(axis=1)
    columns["utilisation_latest"] = bill[:, 0] / limit
    columns["utilisation_mean"] = bill.mean(axis=1) / limit
    columns["delay_trend"] = trend
    columns["delay_streak_current"] = current
    columns["delay_streak_longest"] = longest
    columns["months_delayed"] = delayed.sum(axis=1)
    columns["months_paid_duly"] = (status == -1).sum(axis=1)
    columns["max_delay"] = delay.max(axis=1)
    out = pd.DataFrame(columns, index=frame.index).astype("float64")
    return out[[name for name, _ in ARREARS_FEATURES]]


def _check(frame: pd.DataFrame) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ContractError(
            [
                Problem(
                    table=taiwan._TABLE,
                    column=None,
                    expected="a pandas DataFrame from taiwan.load()",
                    received=f"a {type(frame).__name__}",
                    fix=_FIX,
                )
            ]
        )
    if "education" not in frame.columns:
        raise ContractError(
            [
                Problem(
                    table=taiwan._TABLE,
                    column="education",
                    expected="the columns of taiwan.load()",
                    received="a frame without 'education'",
                    fix=_FIX,
                )
            ]
        )
    # numeric columns: presence and values checked by the loader's own rules
    taiwan._check_frame(frame, ["credit_limit", *_STATUS, *_BILL, *_PAID, TARGET])


def _education(frame: pd.DataFrame) -> np.ndarray:
    values = frame["education"].astype("object").to_numpy()
    bad = ~pd.Series(values).isin(_EDUCATION_LEVELS).to_numpy()
    if bad.any():
        rows = np.flatnonzero(bad)
        examples = ", ".join(dict.fromkeys(repr(v) for v in values[rows[:50]]))
        raise ContractError(
            [
                Problem(
                    table=taiwan._TABLE,
                    column="education",
                    expected="one of " + ", ".join(_EDUCATION_LEVELS),
                    received=f"values such as {examples}",
                    fix=_FIX,
                    rows=tuple(int(r) for r in rows[:5]),
                    n_rows=len(rows),
                )
            ]
        )
    return values
