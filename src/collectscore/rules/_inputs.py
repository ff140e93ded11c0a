"""Checking the frames and consent the rule engine is given."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from .._contract import CHANNELS, CONSENT_PREFIX, TABLES
from .._errors import ConfigError, ContractError, Problem, did_you_mean

#: How many example rows an error lists.
_ROWS = 5

_CHANNEL = TABLES["contacts"].column("channel")


def _positions(mask: np.ndarray) -> tuple[tuple[int, ...], int]:
    where = np.flatnonzero(mask)
    return tuple(int(i) for i in where[:_ROWS]), int(where.size)


def check_frame(
    frame: object, table: str, columns: Sequence[str], time_column: str, fix_time: str
) -> pd.DataFrame:
    """The frame's required columns, checked: known channels and naive, non-missing times."""
    if not isinstance(frame, pd.DataFrame):
        raise ContractError(
            [
                Problem(
                    table,
                    None,
                    "a pandas DataFrame with columns " + ", ".join(columns),
                    type(frame).__name__,
                    "pass a DataFrame",
                )
            ]
        )
    problems: list[Problem] = []
    missing = [c for c in columns if c not in frame.columns]
    for name in missing:
        problems.append(
            Problem(
                table,
                name,
                "a column named " + repr(name),
                "no such column" + did_you_mean(name, [str(c) for c in frame.columns]),
                f"add the column {name!r} (columns needed: {', '.join(columns)})",
            )
        )
    if problems:
        raise ContractError(problems)
    if "channel" in columns:
        channel = frame["channel"]
        bad = ~channel.isin(CHANNELS).to_numpy()
        if bad.any():
            rows, n = _positions(bad)
            shown = sorted({str(v) for v in channel[bad].head(_ROWS)})
            problems.append(
                Problem(
                    table,
                    "channel",
                    _CHANNEL.rule(),
                    ", ".join(repr(v) for v in shown)
                    + did_you_mean(shown[0], CHANNELS).replace(";", ""),
                    _CHANNEL.hint,
                    rows,
                    n,
                )
            )
    times = frame[time_column]
    if not pd.api.types.is_datetime64_any_dtype(times):
        try:
            times = pd.to_datetime(times)
        except (TypeError, ValueError) as exc:
            problems.append(
                Problem(
                    table,
                    time_column,
                    "naive debtor-local date-times",
                    f"values that are not date-times ({exc})",
                    fix_time,
                )
            )
            raise ContractError(problems) from None
    if isinstance(times.dtype, pd.DatetimeTZDtype):
        problems.append(
            Problem(
                table,
                time_column,
                "naive debtor-local date-times",
                f"time-zone aware values ({times.dtype})",
                fix_time,
            )
        )
    else:
        missing_time = times.isna().to_numpy()
        if missing_time.any():
            rows, n = _positions(missing_time)
            problems.append(
                Problem(
                    table,
                    time_column,
                    "a date-time in every row",
                    "missing values",
                    "drop or complete the rows without a time",
                    rows,
                    n,
                )
            )
    if problems:
        raise ContractError(problems)
    out = pd.DataFrame(
        {c: frame[c].to_numpy() for c in columns if c != time_column}, index=frame.index
    )
    out[time_column] = times.astype("datetime64[ns]").to_numpy()
    return out


def check_success(history: pd.DataFrame, table: str) -> np.ndarray:
    """``success`` as a bool array; missing or non-boolean outcomes are an error."""
    success = history["success"]
    if pd.api.types.is_bool_dtype(success.dtype) and not success.isna().any():
        return success.to_numpy(dtype=bool)
    # 1/0 and 1.0/0.0 hash like True/False; anything else (text, NaN) maps to missing
    mapped = success.map({True: True, False: False})
    bad = mapped.isna().to_numpy()
    if bad.any():
        rows, n = _positions(bad)
        raise ContractError(
            [
                Problem(
                    table,
                    "success",
                    "true/false in every row",
                    ", ".join(repr(v) for v in success[bad].head(_ROWS)),
                    "record the outcome of every past contact as true or false",
                    rows,
                    n,
                )
            ]
        )
    return mapped.to_numpy(dtype=bool)


def check_consent(consent: Mapping[str, object] | None) -> dict[str, bool | None]:
    """Consent per channel: ``True``, ``False`` or ``None`` (not stated)."""
    if consent is None:
        return dict.fromkeys(CHANNELS)
    if not isinstance(consent, Mapping):
        raise ConfigError(
            "consent must be a mapping of channel to true/false/None, e.g. "
            "{'sms': True, 'call': False}; got " + type(consent).__name__
        )
    out: dict[str, bool | None] = dict.fromkeys(CHANNELS)
    for key, value in consent.items():
        name = str(key)
        channel = name[len(CONSENT_PREFIX) :] if name.startswith(CONSENT_PREFIX) else name
        if channel not in CHANNELS:
            raise ConfigError(
                f"consent names an unknown channel {name!r}{did_you_mean(channel, CHANNELS)} "
                f"Channels: {', '.join(CHANNELS)}"
            )
        out[channel] = _consent_value(value, name)
    return out


def _consent_value(value: object, name: str) -> bool | None:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating):
        if np.isnan(value):
            return None
        if value in (0, 1):
            return bool(value)
    raise ConfigError(f"consent for {name!r} is {value!r}; use true, false or None (not stated)")


def zone(name: str, table: str = "debtors") -> ZoneInfo:
    """The IANA time zone ``name``, or a clear error."""
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        column = TABLES["debtors"].column("timezone")
        raise ContractError(
            [Problem(table, "timezone", "an IANA time-zone name", repr(name), column.hint)]
        ) from None
