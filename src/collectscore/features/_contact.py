"""Contact features: what the debtor's contact history and a candidate action look like.

All times are naive debtor-local wall-clock times (convert tz-aware ``sent_at`` first with
``collectscore.rules.local_times``). History features use only contacts strictly before
the moment they describe; payday features use only income known at a snapshot's ``as_of``
(dates booked on or before it, and dates projected from its recurring income).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import polars as pl

from .._contract import CHANNELS, CONTACTS
from .._errors import EXAMPLE_ROWS, ConfigError, ContractError, Problem, closest, did_you_mean
from .._validation import missing_column_problems
from ._build import _checked, _flows
from ._frame import FeatureConfig, prepare, to_polars_transactions

__all__ = [
    "ACTION_FEATURES",
    "HISTORY_FEATURES",
    "HISTORY_WINDOWS",
    "PAYDAY_CATEGORIES",
    "action_features",
    "contact_history_features",
    "payday_calendar",
]

#: Windows (days before the moment described) of the attempt and success counts.
HISTORY_WINDOWS: tuple[int, ...] = (7, 30, 90)
#: Income whose arrival makes a payday (gig and other irregular income does not).
PAYDAY_CATEGORIES: tuple[str, ...] = ("income.salary", "income.pension", "income.benefits")
#: Days of booked paydays before ``as_of`` the calendar lists.
PAYDAY_LOOKBACK_DAYS = 92
#: Days after ``as_of`` up to which recurring income is projected.
PAYDAY_HORIZON_DAYS = 62

_GROUPS = (*CHANNELS, "all")

#: The columns ``contact_history_features`` returns, in order.
HISTORY_FEATURES: tuple[str, ...] = (
    *(f"attempts_{g}_{w}d" for g in _GROUPS for w in HISTORY_WINDOWS),
    *(f"successes_{g}_{w}d" for g in _GROUPS for w in HISTORY_WINDOWS),
    f"success_rate_all_{max(HISTORY_WINDOWS)}d",
    *(f"last_success_channel_{c}" for c in CHANNELS),
    "last_success_hour",
    "days_since_last_success",
    "days_since_last_contact",
)

#: The columns ``action_features`` returns, in order.
ACTION_FEATURES: tuple[str, ...] = (
    *(f"channel_{c}" for c in CHANNELS),
    "hour",
    "weekday",
    "is_saturday",
    "days_since_payday",
    "days_until_payday",
    # the hour seen through each channel (NaN on the others): lets the trees learn that
    # evenings suit WhatsApp and mornings suit calls without first splitting on the channel
    *(f"hour_{c}" for c in CHANNELS),
)

_DAY = np.timedelta64(1, "D")


# ------------------------------------------------------------------ input checks
def _missing_columns(frame: object, table: str, required: Sequence[str], purpose: str) -> None:
    """A clear error when ``frame`` is not a DataFrame or lacks ``required`` columns."""
    if not isinstance(frame, pd.DataFrame):
        raise ContractError(
            [
                Problem(
                    table,
                    None,
                    f"a pandas DataFrame with columns {', '.join(required)}",
                    f"a {type(frame).__name__}",
                    f"pass a DataFrame ({purpose})",
                )
            ]
        )
    present = [str(c) for c in frame.columns]
    if table == CONTACTS.name:
        problems = missing_column_problems(table, present, index_names=frame.index.names)
        problems = [p for p in problems if p.column in required]
    else:
        problems = [
            Problem(
                table,
                name,
                f"a column '{name}' ({purpose})",
                f"no column '{name}' (columns: {', '.join(present) or 'none'})",
                _column_fix(name, present, frame.index.names),
            )
            for name in required
            if name not in present
        ]
    if problems:
        raise ContractError(problems)


def _column_fix(name: str, present: list[str], index_names: Sequence[object]) -> str:
    if name in index_names:
        return f"'{name}' is the DataFrame index: call .reset_index() first"
    match = closest(name, present)
    if match is not None:
        return f"rename column '{match}' to '{name}'"
    return f"add a column '{name}'"


def _rows_problem(
    table: str, column: str, expected: str, received: str, fix: str, bad: np.ndarray
) -> Problem:
    rows = np.flatnonzero(bad)
    return Problem(
        table,
        column,
        expected,
        received,
        fix,
        rows=tuple(int(r) for r in rows[:EXAMPLE_ROWS]),
        n_rows=len(rows),
    )


def _local_times(frame: pd.DataFrame, table: str, column: str) -> tuple[pd.Series, list[Problem]]:
    """``frame[column]`` as naive ``datetime64[us]`` (debtor-local), or the problems found."""
    values = frame[column]
    fix_local = (
        "give naive debtor-local wall-clock times; convert tz-aware ones with "
        "collectscore.rules.local_times(contacts, debtors)"
    )
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        problem = _rows_problem(
            table,
            column,
            "naive debtor-local date-times",
            f"tz-aware date-times ({values.dtype})",
            fix_local,
            values.notna().to_numpy(),
        )
        return values, [problem]
    if pd.api.types.is_datetime64_dtype(values.dtype):
        parsed = values.astype("datetime64[us]")
        bad = parsed.isna().to_numpy()
    else:
        try:
            parsed = pd.to_datetime(values, errors="coerce", format="ISO8601")
        except (TypeError, ValueError):  # mixed naive and aware values
            parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
        if isinstance(parsed.dtype, pd.DatetimeTZDtype):
            problem = _rows_problem(
                table,
                column,
                "naive debtor-local date-times",
                "tz-aware date-times",
                fix_local,
                values.notna().to_numpy(),
            )
            return values, [problem]
        parsed = parsed.astype("datetime64[us]")
        bad = parsed.isna().to_numpy()
    if bad.any():
        return parsed, [
            _rows_problem(
                table,
                column,
                "a date-time on every row",
                "missing or unreadable values",
                "fill them in ISO 8601 (e.g. 2026-03-31T18:30:00) or drop those rows",
                bad,
            )
        ]
    return parsed, []


def _ids(frame: pd.DataFrame, table: str) -> tuple[pd.Series, list[Problem]]:
    ids = frame["debtor_id"]
    bad = ids.isna().to_numpy()
    if bad.any():
        return ids, [
            _rows_problem(
                table,
                "debtor_id",
                "a debtor id on every row",
                "missing ids",
                "fill in the debtor id or drop those rows",
                bad,
            )
        ]
    return ids.astype("str"), []


def _str_ids(ids: pd.Series) -> pd.Series:
    """Debtor ids as a position-indexed ``str`` Series (one key type for every merge)."""
    return pd.Series(ids.to_numpy(), dtype="str")


def _channel_codes(frame: pd.DataFrame, table: str) -> tuple[np.ndarray, list[Problem]]:
    """Position of each row's channel in ``CHANNELS`` (a problem for any other value)."""
    spec = CONTACTS.column("channel")
    values = frame["channel"].astype("str")
    codes = pd.Index(CHANNELS).get_indexer(values).astype(np.int64)
    bad = codes < 0
    if not bad.any():
        return codes, []
    first = str(frame["channel"].to_numpy()[np.flatnonzero(bad)[0]])
    return codes, [
        _rows_problem(
            table,
            "channel",
            spec.rule(),
            f"{first!r}{did_you_mean(first, CHANNELS)}",
            spec.hint,
            bad,
        )
    ]


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise ContractError(problems)


# ------------------------------------------------------------------ history features
def contact_history_features(history: pd.DataFrame, at: pd.DataFrame) -> pd.DataFrame:
    """Contact-history features of each ``at`` row, from contacts strictly before its ``time``.

    ``history``: debtor_id, channel, sent_at (naive local), success. ``at``: debtor_id, time
    (naive local). Returns ``HISTORY_FEATURES`` (floats) indexed like ``at``: attempts and
    successes per channel and overall in the last 7/30/90 days (a contact exactly 7 days
    before counts in the 7-day window), the 90-day success rate (NaN without attempts), the
    last successful channel (one-hot, all 0 when none), its hour and age in days, and the
    days since the last contact (NaN when none).
    """
    _missing_columns(history, CONTACTS.name, ("debtor_id", "channel", "sent_at", "success"), "")
    _missing_columns(at, "at", ("debtor_id", "time"), "the debtor and the moment to describe")
    hist_ids, p1 = _ids(history, CONTACTS.name)
    codes, p2 = _channel_codes(history, CONTACTS.name)
    sent, p3 = _local_times(history, CONTACTS.name, "sent_at")
    success = history["success"]
    p4 = []
    if success.isna().any():
        p4 = [
            _rows_problem(
                CONTACTS.name,
                "success",
                "true/false on every contact",
                "missing outcomes",
                "record the outcome of each contact, or leave those contacts out",
                success.isna().to_numpy(),
            )
        ]
    at_ids, p5 = _ids(at, "at")
    times, p6 = _local_times(at, "at", "time")
    _raise([*p1, *p2, *p3, *p4, *p5, *p6])

    n_groups = len(_GROUPS)
    hits = np.zeros((len(history), n_groups), dtype=np.float64)
    hits[np.arange(len(history)), codes] = 1.0
    hits[:, -1] = 1.0
    won = hits * success.astype(bool).to_numpy()[:, None]
    att_cols = [f"_a{i}" for i in range(n_groups)]
    suc_cols = [f"_s{i}" for i in range(n_groups)]
    events = pd.DataFrame(
        np.hstack([hits, won]), columns=[*att_cols, *suc_cols], index=pd.RangeIndex(len(history))
    )
    events.insert(0, "debtor_id", _str_ids(hist_ids))
    events.insert(1, "sent_at", sent.to_numpy())
    events["code"] = codes
    events["success"] = success.astype(bool).to_numpy()
    events = events.sort_values(["sent_at"], kind="stable").reset_index(drop=True)
    cum = events.groupby("debtor_id", sort=False)[[*att_cols, *suc_cols]].cumsum()
    counts = pd.concat([events[["debtor_id", "sent_at"]], cum], axis=1)

    left = pd.DataFrame({"debtor_id": _str_ids(at_ids), "time": times.to_numpy()})
    left["_row"] = np.arange(len(left))

    def before(offset_days: int, right: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
        """Per ``at`` row, ``columns`` of the last ``right`` row strictly before time - offset."""
        key = left[["debtor_id", "_row"]].assign(_t=left["time"] - pd.Timedelta(days=offset_days))
        key = key.sort_values("_t", kind="stable")
        merged = pd.merge_asof(
            key,
            right[["debtor_id", "sent_at", *columns]].rename(columns={"sent_at": "_at"}),
            left_on="_t",
            right_on="_at",
            by="debtor_id",
            direction="backward",
            allow_exact_matches=False,
        )
        return merged.sort_values("_row")[["_at", *columns]].reset_index(drop=True)

    both = [*att_cols, *suc_cols]
    now = before(0, counts, both)
    now_counts = now[both].fillna(0.0).to_numpy()
    out: dict[str, np.ndarray] = {}
    for w in HISTORY_WINDOWS:
        diff = now_counts - before(w, counts, both)[both].fillna(0.0).to_numpy()
        for i, g in enumerate(_GROUPS):
            out[f"attempts_{g}_{w}d"] = diff[:, i]
            out[f"successes_{g}_{w}d"] = diff[:, n_groups + i]
    w_max = max(HISTORY_WINDOWS)
    tried = out[f"attempts_all_{w_max}d"]
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(tried > 0, out[f"successes_all_{w_max}d"] / tried, np.nan)
    out[f"success_rate_all_{w_max}d"] = rate

    wins = events.loc[events["success"], ["debtor_id", "sent_at", "code"]]
    last_win = before(0, wins, ["code"])
    win_code = last_win["code"].to_numpy(dtype=float)
    for i, c in enumerate(CHANNELS):
        out[f"last_success_channel_{c}"] = (win_code == i).astype(float)
    win_at = last_win["_at"]
    out["last_success_hour"] = win_at.dt.hour.to_numpy(dtype=float, na_value=np.nan)
    time_values = left["time"].to_numpy()
    out["days_since_last_success"] = _days(time_values, win_at.to_numpy())
    out["days_since_last_contact"] = _days(time_values, now["_at"].to_numpy())
    return pd.DataFrame({name: out[name] for name in HISTORY_FEATURES}, index=at.index)


def _days(later: np.ndarray, earlier: np.ndarray) -> np.ndarray:
    """(later - earlier) in fractional days, NaN where ``earlier`` is missing."""
    delta = later.astype("datetime64[us]") - earlier.astype("datetime64[us]")
    return delta / _DAY


# ------------------------------------------------------------------ paydays
def payday_calendar(
    transactions: pd.DataFrame,
    debtors: pd.DataFrame,
    *,
    lookback_days: int = PAYDAY_LOOKBACK_DAYS,
    horizon_days: int = PAYDAY_HORIZON_DAYS,
) -> pd.DataFrame:
    """Paydays known at each debtor snapshot: booked income and projected recurring income.

    One row per (debtor_id, as_of, payday): ``kind`` "observed" for salary, pension or
    benefit inflows (``PAYDAY_CATEGORIES``, inferred when uncategorised) booked in the
    ``lookback_days`` up to ``as_of``; "expected" for the due dates of the recurring ones
    (see ``recurring_flows``) after ``as_of`` and within ``horizon_days``, monthly flows kept
    on their day of the month (month ends as month ends). Flows judged missed are not
    projected. Columns: debtor_id, as_of, payday, kind, category, amount; sorted.
    """
    for name, value in (("lookback_days", lookback_days), ("horizon_days", horizon_days)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ConfigError(f"{name} must be a whole number of days >= 1; got {value!r}")
    transactions = _checked(transactions, "transactions")
    debtors = _checked(debtors, "debtors", always=True)
    tx = to_polars_transactions(transactions).filter(
        (pl.col("amount") > 0) & pl.col("category").cast(pl.String).is_in(PAYDAY_CATEGORIES)
    )
    config = FeatureConfig()
    frames = prepare(tx, debtors, config)
    snaps = frames.snapshots.select("sid", "debtor_id", "as_of")
    observed = (
        frames.rows.filter(pl.col("db") < lookback_days)
        .group_by("sid", "day")
        .agg(
            category=pl.col("category").sort_by("amount").last().cast(pl.String),
            amount=pl.col("amount").sum(),
        )
        .select("sid", "category", "amount", payday=pl.col("day"), kind=pl.lit("observed"))
        .select("sid", "payday", "kind", "category", "amount")
    )
    flows = _flows(frames, config).filter(
        (pl.col("direction") == "income") & ~pl.col("missed") & pl.col("next_due").is_not_null()
    )
    expected = _projected(flows, frames.snapshots, horizon_days)
    out = (
        pl.concat([observed, expected], how="vertical_relaxed")
        .join(snaps, on="sid", how="inner")
        .sort("sid", "payday", "kind", "amount", descending=[False, False, False, True])
        .unique(["sid", "payday"], keep="first", maintain_order=True)
        .select("debtor_id", "as_of", "payday", "kind", "category", "amount")
        .to_pandas()
    )
    out["as_of"] = out["as_of"].astype("datetime64[us]")
    out["payday"] = out["payday"].astype("datetime64[us]")
    return out


def _projected(flows: pl.DataFrame, snapshots: pl.DataFrame, horizon_days: int) -> pl.DataFrame:
    """Due dates of recurring income after ``as_of`` up to ``horizon_days`` after it."""
    schema = {
        "sid": pl.Int64,
        "payday": pl.Date,
        "kind": pl.String,
        "category": pl.String,
        "amount": pl.Float64,
    }
    if flows.height == 0:
        return pl.DataFrame(schema=schema)
    base = flows.join(snapshots.select("sid", "as_of"), on="sid", how="inner").select(
        "sid",
        "as_of",
        "next_due",
        "period",
        "period_days",
        category=pl.col("category").cast(pl.String),
        amount=pl.col("typical_amount"),
    )
    # the most occurrences a flow can have in the horizon (weekly flows, plus overdue ones)
    steps = horizon_days // 5 + 2
    due = pl.col("next_due")
    month_end = due.dt.month_end() == due
    parts = []
    for k in range(steps):
        monthly = (
            pl.when(month_end)
            .then(due.dt.offset_by(f"{k}mo").dt.month_end())
            .otherwise(due.dt.offset_by(f"{k}mo"))
        )
        step = (
            pl.when(pl.col("period") == "monthly")
            .then(monthly)
            .otherwise(due + pl.duration(days=pl.col("period_days") * k))
        )
        parts.append(base.with_columns(payday=step))
    horizon = pl.col("as_of") + pl.duration(days=horizon_days)
    return (
        pl.concat(parts)
        .filter((pl.col("payday") > pl.col("as_of")) & (pl.col("payday") <= horizon))
        .select("sid", "payday", kind=pl.lit("expected"), category="category", amount="amount")
        .cast(schema)  # type: ignore[arg-type]
    )


# ------------------------------------------------------------------ action features
def action_features(candidates: pd.DataFrame, paydays: pd.DataFrame | None) -> pd.DataFrame:
    """Numeric description of each candidate action (channel, send_at), indexed like it.

    ``candidates``: debtor_id, channel, send_at (naive debtor-local). Returns
    ``ACTION_FEATURES``: the channel one-hot, hour, weekday (0 = Monday), is_saturday, the hour per channel (``hour_<channel>``, NaN on the other channels), and
    the whole days since the last payday on or before the send date and until the next one
    after it (NaN when unknown or ``paydays`` is None). ``paydays`` is a
    ``payday_calendar``; a candidate reads the calendar of its ``as_of`` column when it has
    one, else of its debtor's latest ``as_of`` on or before the send date.
    """
    _missing_columns(
        candidates, "candidates", ("debtor_id", "channel", "send_at"), "one row per action"
    )
    ids, p1 = _ids(candidates, "candidates")
    codes, p2 = _channel_codes(candidates, "candidates")
    send_at, p3 = _local_times(candidates, "candidates", "send_at")
    _raise([*p1, *p2, *p3])
    out: dict[str, np.ndarray] = {}
    for i, c in enumerate(CHANNELS):
        out[f"channel_{c}"] = (codes == i).astype(float)
    out["hour"] = send_at.dt.hour.to_numpy(dtype=float)
    weekday = send_at.dt.day_of_week.to_numpy(dtype=float)
    out["weekday"] = weekday
    out["is_saturday"] = (weekday == 5).astype(float)
    since = np.full(len(candidates), np.nan)
    until = np.full(len(candidates), np.nan)
    if paydays is not None and len(candidates):
        since, until = _payday_distances(candidates, ids, send_at, paydays)
    out["days_since_payday"] = since
    out["days_until_payday"] = until
    for i, c in enumerate(CHANNELS):
        out[f"hour_{c}"] = np.where(codes == i, out["hour"], np.nan)
    return pd.DataFrame({name: out[name] for name in ACTION_FEATURES}, index=candidates.index)


def _payday_distances(
    candidates: pd.DataFrame, ids: pd.Series, send_at: pd.Series, paydays: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    _missing_columns(paydays, "paydays", ("debtor_id", "as_of", "payday"), "a payday_calendar")
    cal_ids, p1 = _ids(paydays, "paydays")
    cal_as_of, p2 = _local_times(paydays, "paydays", "as_of")
    payday, p3 = _local_times(paydays, "paydays", "payday")
    _raise([*p1, *p2, *p3])
    calendar = pd.DataFrame(
        {
            "debtor_id": _str_ids(cal_ids),
            "_as_of": cal_as_of.dt.normalize().to_numpy(),
            "_pay": payday.dt.normalize().to_numpy(),
        }
    )
    left = pd.DataFrame(
        {
            "debtor_id": _str_ids(ids),
            "_day": send_at.dt.normalize().to_numpy(),
            "_row": np.arange(len(candidates)),
        }
    )
    if "as_of" in candidates.columns:
        as_of, p4 = _local_times(candidates, "candidates", "as_of")
        _raise(p4)
        left["_as_of"] = as_of.dt.normalize().to_numpy()
    else:
        snaps = calendar[["debtor_id", "_as_of"]].drop_duplicates().sort_values("_as_of")
        left = pd.merge_asof(
            left.sort_values("_day", kind="stable"),
            snaps.assign(_key=snaps["_as_of"]),
            left_on="_day",
            right_on="_key",
            by="debtor_id",
            direction="backward",
        ).drop(columns="_key")
    left = left.sort_values("_day", kind="stable")
    calendar = calendar.sort_values("_pay", kind="stable")
    right = calendar.assign(_key=calendar["_pay"])
    by = ["debtor_id", "_as_of"]
    last = pd.merge_asof(
        left, right, left_on="_day", right_on="_key", by=by, direction="backward"
    ).sort_values("_row")
    nxt = pd.merge_asof(
        left,
        right,
        left_on="_day",
        right_on="_key",
        by=by,
        direction="forward",
        allow_exact_matches=False,
    ).sort_values("_row")
    since = _days(last["_day"].to_numpy(), last["_pay"].to_numpy())
    until = _days(nxt["_pay"].to_numpy(), nxt["_day"].to_numpy())
    return since, until
