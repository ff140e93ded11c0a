"""Portfolio KPIs and roll rates between days-past-due buckets.

Every KPI of a row is computed from the debtor snapshots (rows of ``debtors``) whose
``as_of`` falls in the row's period and that belong to the row's group, and from what
happened in the ``horizon_days`` calendar days after each snapshot (the window of the
contract's propensity label, :func:`collectscore._labels.paid_within_horizon`).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._contract import CHANNELS, DEFAULT_HORIZON_DAYS, TABLES
from .._data import Dataset
from .._errors import EXAMPLE_ROWS, ConfigError, ContractError, Problem, did_you_mean
from .._labels import paid_within_horizon

#: Days-past-due buckets: (label, lowest day, highest day; ``None`` = no upper bound).
DPD_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("current", 0, 0),
    ("1-30", 1, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("90+", 91, None),
)

#: The column of :func:`roll_rates` for snapshots whose debtor left the portfolio.
EXITED = "exited"


@dataclass(frozen=True)
class KPIColumn:
    """One column of :func:`portfolio_kpis`: its name, meaning and unit."""

    name: str
    description: str
    unit: str


def _success_columns() -> tuple[KPIColumn, ...]:
    return tuple(
        KPIColumn(
            f"success_rate_{c}",
            f"share of the {c} contacts that succeeded (NaN without {c} contacts)",
            "share",
        )
        for c in CHANNELS
    )


#: The KPI columns of :func:`portfolio_kpis`, in order (after ``period`` and the groups).
KPI_COLUMNS: tuple[KPIColumn, ...] = (
    KPIColumn("snapshots", "debtor snapshots (debtors rows) with as_of in the period", "count"),
    KPIColumn("debtors", "distinct debtors among those snapshots", "count"),
    KPIColumn("outstanding", "sum of the snapshots' outstanding amounts", "amount"),
    KPIColumn(
        "amount_paid",
        "payments received in the horizon after each snapshot's as_of, summed",
        "amount",
    ),
    KPIColumn("recovery_rate", "amount_paid / outstanding", "ratio"),
    KPIColumn(
        "payment_rate", "share of snapshots with any payment in the horizon after as_of", "share"
    ),
    KPIColumn(
        "label_rate",
        "share of snapshots labelled paid by the contract label (paid_within_horizon: "
        "at least min(installment, outstanding) paid in the horizon)",
        "share",
    ),
    KPIColumn("promises", "promises to pay taken on the snapshots' contacts", "count"),
    KPIColumn(
        "promises_kept",
        "promises whose amount the debtor paid from the contact's day to promise_date",
        "count",
    ),
    KPIColumn(
        "promises_pending",
        "promises not kept yet whose promise_date is after observed_until (or missing)",
        "count",
    ),
    KPIColumn("promises_kept_rate", "promises_kept / (promises - promises_pending)", "share"),
    KPIColumn("contacts", "contact attempts attributed to the snapshots", "count"),
    KPIColumn("contact_rate", "share of snapshots with at least one contact", "share"),
    KPIColumn("success_rate", "share of the contacts that succeeded", "share"),
    *_success_columns(),
    KPIColumn(
        "cost", "sum of the channel costs of the contacts (NaN when no costs are given)", "amount"
    ),
    KPIColumn("cost_per_amount_recovered", "cost / amount_paid", "ratio"),
    KPIColumn(
        "complete",
        "True when the horizon of every snapshot of the row has elapsed by observed_until "
        "(otherwise payment KPIs are still growing)",
        "flag",
    ),
)


# ---------------------------------------------------------------------- buckets
def dpd_bucket(days: Any) -> np.ndarray:
    """The :data:`DPD_BUCKETS` label of each days-past-due value (an array of str).

    Raises ``ConfigError`` for missing or negative values.
    """
    values = np.asarray(pd.to_numeric(pd.Series(np.asarray(days).reshape(-1)), errors="coerce"))
    bad = ~np.isfinite(values.astype(float)) | (values < 0)
    if bad.any():
        where = np.flatnonzero(bad)[:EXAMPLE_ROWS]
        raise ConfigError(
            f"days past due must be whole numbers >= 0; {int(bad.sum())} value(s) are not "
            f"(positions {', '.join(str(int(i)) for i in where)}); fill or fix them first"
        )
    labels = np.array([b[0] for b in DPD_BUCKETS], dtype=object)
    return labels[_bucket_codes(values)]


def _bucket_codes(values: np.ndarray) -> np.ndarray:
    lows = np.array([b[1] for b in DPD_BUCKETS], dtype=float)
    return np.searchsorted(lows, np.floor(values.astype(float)), side="right") - 1


def roll_rates(
    debtors: pd.DataFrame,
    *,
    by: Sequence[str] = (),
    freq: str | None = None,
    normalize: bool = True,
) -> pd.DataFrame:
    """Share of debtor snapshots moving from each DPD bucket to each bucket at the next snapshot.

    Each snapshot (row of ``debtors``) is paired with the next snapshot of the same
    debtor (the next later ``as_of``); its "from" bucket is its own
    ``days_past_due`` bucket (:data:`DPD_BUCKETS`), its "to" bucket that of the next
    snapshot. A snapshot without a later one of its debtor is counted in the
    ``exited`` column when the portfolio has later snapshots (the debtor left: paid
    off, sold, written off) and is not counted when it is at the last ``as_of`` of
    the portfolio (nothing observed yet).

    Rows: the "from" buckets (all of them, per group and period when ``by`` columns of
    ``debtors`` or a ``freq`` of the from-snapshot's ``as_of`` are given); columns: the
    "to" buckets, ``exited`` and ``n`` (snapshots counted from that bucket). Shares sum
    to 1 over a row (NaN when ``n`` is 0); ``normalize=False`` gives counts instead.
    """
    by = _by_list(by)
    frame = _require(debtors, "debtors", ("debtor_id", "as_of", "days_past_due", *by))
    as_of = _dates(frame["as_of"], "debtors", "as_of")
    dpd = pd.to_numeric(frame["days_past_due"], errors="coerce").to_numpy(float)
    _check_values(frame, "debtors", "days_past_due", ~(np.isfinite(dpd) & (dpd >= 0)))
    _check_unique(frame, as_of)
    labels = [b[0] for b in DPD_BUCKETS]
    work = pd.DataFrame(
        {
            "debtor_id": frame["debtor_id"].to_numpy(),
            "as_of": as_of.to_numpy(),
            "from": _bucket_codes(dpd),
            **{name: frame[name].to_numpy() for name in by},
        }
    )
    keys = list(by)
    if freq is not None:
        work["period"] = _periods(work["as_of"], freq)
        keys.append("period")
    work = work.sort_values(["debtor_id", "as_of"], kind="stable")
    nxt = work.groupby("debtor_id", sort=False)["from"].shift(-1)
    exited = nxt.isna() & (work["as_of"] < work["as_of"].max())
    counted = nxt.notna() | exited
    work["to"] = np.where(exited, len(labels), nxt.fillna(-1).to_numpy()).astype(int)
    work = work[counted.to_numpy()]

    to_names = [*labels, EXITED]
    counts = (
        work.groupby([*keys, "from", "to"], dropna=False, sort=True)
        .size()
        .unstack("to", fill_value=0)
        .reindex(columns=range(len(to_names)), fill_value=0)
    )
    counts.columns = pd.Index(to_names, name="to")
    if keys:
        groups = work[keys].drop_duplicates().sort_values(keys)
        index = pd.MultiIndex.from_tuples(
            [(*g, f) for g in groups.itertuples(index=False) for f in range(len(labels))],
            names=[*keys, "from"],
        )
    else:
        index = pd.Index(range(len(labels)), name="from")
    counts = counts.reindex(index, fill_value=0)
    n = counts.sum(axis=1)
    out = counts.div(n.where(n > 0), axis=0) if normalize else counts.astype("int64")
    out["n"] = n.astype("int64")
    names = np.array(labels, dtype=object)
    if keys:
        out.index = out.index.set_levels(names[out.index.levels[-1]], level="from")
    else:
        out.index = pd.Index(names[out.index.to_numpy()], name="from")
    return out


# ---------------------------------------------------------------------- KPIs
def portfolio_kpis(
    data: Dataset,
    *,
    by: Sequence[str] = ("country",),
    freq: str = "M",
    costs: Mapping[str, float] | None = None,
    segments: pd.Series | None = None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    observed_until: Any = None,
) -> pd.DataFrame:
    """Portfolio KPIs (:data:`KPI_COLUMNS`) per period of ``as_of`` and group.

    One row per ``period`` (``freq`` periods of the snapshots' ``as_of``) and value of
    the ``by`` columns of ``data.debtors`` (missing values form their own group).
    Payments count for a snapshot when received 1 to ``horizon_days`` days after its
    ``as_of`` (as in the contract label). A contact belongs to the debtor's latest
    snapshot dated before the contact's (debtor-local) day, when sent within
    ``horizon_days`` of it; contacts outside every such window are left out with a
    warning. A promise (``promise_amount`` > 0) is kept when the debtor's payments from
    the contact's day to ``promise_date`` add up to the amount.

    ``segments``: one segment name per snapshot, as a Series on ``data.debtors``' index
    or indexed by (``debtor_id``, ``as_of``) such as ``segment_dataset(...)["segment"]``;
    adds a ``segment`` group. ``costs``: cost per contact by channel (unlisted channels
    cost 0), e.g. ``collectscore.policy.DEFAULT_COSTS``. ``observed_until``: the last day
    outcomes are known (default: the last payment day, else the last ``as_of``). Sums of
    amounts mix currencies unless grouped by ``country``.
    """
    if not isinstance(data, Dataset):
        raise ConfigError(
            f"data must be a Dataset (e.g. collectscore.validate(DIR)); got {type(data).__name__}"
        )
    horizon = _horizon(horizon_days)
    price = _costs(costs)
    by = _by_list(by)
    debtors = data.debtors
    own = [b for b in by if b != "segment" or segments is None]
    debtors = _require(debtors, "debtors", ("debtor_id", "as_of", "outstanding", *own))
    as_of = _dates(debtors["as_of"], "debtors", "as_of")
    outstanding = pd.to_numeric(debtors["outstanding"], errors="coerce").to_numpy(float)
    _check_values(
        debtors, "debtors", "outstanding", ~(np.isfinite(outstanding) & (outstanding >= 0))
    )
    _check_unique(debtors, as_of)

    snap = pd.DataFrame(
        {
            "debtor_id": debtors["debtor_id"].astype(str).to_numpy(),
            "as_of": as_of.to_numpy(),
            "outstanding": outstanding,
            **{name: debtors[name].to_numpy() for name in own},
        }
    )
    if segments is not None:
        snap["segment"] = _segments(segments, debtors, as_of)
        if "segment" not in by:
            by.append("segment")
    snap["period"] = _periods(snap["as_of"], freq)

    payments = _payments(data.payments)
    until = _observed_until(observed_until, payments, snap["as_of"])
    snap["complete"] = (snap["as_of"] + pd.Timedelta(days=horizon)) <= until
    if payments is None:
        snap["amount_paid"] = np.nan
        snap["paid_any"] = np.nan
        snap["label"] = np.nan
    else:
        paid, any_paid = _paid_in_horizon(snap, payments, horizon)
        snap["amount_paid"] = paid
        snap["paid_any"] = any_paid.astype(float)
        frame = debtors.assign(
            debtor_id=snap["debtor_id"].to_numpy(), as_of=as_of.to_numpy(), outstanding=outstanding
        )
        snap["label"] = paid_within_horizon(frame, payments, horizon).to_numpy(float)

    per_snapshot = _contact_stats(data.contacts, debtors, snap, payments, horizon, until, price)
    snap = snap.join(per_snapshot)

    keys = ["period", *by]
    grouped = snap.groupby(keys, dropna=False, sort=True)
    sums = grouped[list(per_snapshot.columns)].sum(min_count=1)
    out = pd.DataFrame(
        {
            "snapshots": grouped.size(),
            "debtors": grouped["debtor_id"].nunique(),
            "outstanding": grouped["outstanding"].sum(),
            "amount_paid": grouped["amount_paid"].sum(min_count=1),
            "payment_rate": grouped["paid_any"].mean(),
            "label_rate": grouped["label"].mean(),
            "contact_rate": grouped["contacted"].mean(),
            "complete": grouped["complete"].all(),
        }
    )
    if payments is not None:
        out["amount_paid"] = out["amount_paid"].fillna(0.0)
    out["recovery_rate"] = out["amount_paid"] / out["outstanding"].where(out["outstanding"] > 0)
    out["promises"] = sums["promises"]
    out["promises_kept"] = sums["promises_kept"]
    out["promises_pending"] = sums["promises_pending"]
    resolved = sums["promises"] - sums["promises_pending"]
    out["promises_kept_rate"] = sums["promises_kept"] / resolved.where(resolved > 0)
    out["contacts"] = sums["contacts"]
    out["success_rate"] = sums["successes"] / sums["contacts"].where(sums["contacts"] > 0)
    for c in CHANNELS:
        sent = sums[f"contacts_{c}"]
        out[f"success_rate_{c}"] = sums[f"successes_{c}"] / sent.where(sent > 0)
    out["cost"] = sums["cost"] if price is not None else np.nan
    out["cost_per_amount_recovered"] = out["cost"] / out["amount_paid"].where(
        out["amount_paid"] > 0
    )
    for name in ("promises", "promises_kept", "promises_pending", "contacts", "snapshots"):
        if out[name].notna().all():  # NaN without a contacts table
            out[name] = out[name].astype("int64")
    out = out[[c.name for c in KPI_COLUMNS]].reset_index()
    return out


# ---------------------------------------------------------------------- pieces
def _paid_in_horizon(
    snap: pd.DataFrame, payments: pd.DataFrame, horizon: int
) -> tuple[np.ndarray, np.ndarray]:
    """Amount received 1..horizon days after each snapshot's as_of, and whether any was."""
    key = pd.DataFrame({"debtor_id": snap["debtor_id"].to_numpy(), "as_of": snap["as_of"]})
    key["row"] = np.arange(len(key))
    joined = key.merge(payments, on="debtor_id", how="inner")
    days = (joined["paid_day"] - joined["as_of"]).dt.days
    inside = joined[(days >= 1) & (days <= horizon)]
    amount = inside.groupby("row")["amount"].sum().reindex(key["row"], fill_value=0.0)
    count = inside.groupby("row").size().reindex(key["row"], fill_value=0)
    return amount.to_numpy(float), count.to_numpy() > 0


def _contact_stats(
    contacts: pd.DataFrame | None,
    debtors: pd.DataFrame,
    snap: pd.DataFrame,
    payments: pd.DataFrame | None,
    horizon: int,
    until: pd.Timestamp,
    price: Mapping[str, float] | None,
) -> pd.DataFrame:
    """Per snapshot row: contact counts and successes (overall and per channel), promises, cost."""
    names = ["contacts", "successes", "contacted", "promises", "promises_kept", "promises_pending"]
    names += [f"{k}_{c}" for c in CHANNELS for k in ("contacts", "successes")] + ["cost"]
    empty = pd.DataFrame(0.0, index=snap.index, columns=names)
    if contacts is None:
        empty[["contacts", "contacted", "promises", "promises_kept", "promises_pending"]] = np.nan
        return empty
    from ..rules import local_times

    contacts = _require(contacts, "contacts", ("debtor_id", "channel", "sent_at", "success"))
    channel = contacts["channel"].astype("str").to_numpy()
    _check_values(contacts, "contacts", "channel", ~np.isin(channel, CHANNELS))
    success = contacts["success"].astype("boolean")
    _check_values(contacts, "contacts", "success", success.isna().to_numpy())
    frame = debtors.assign(as_of=snap["as_of"].to_numpy())
    day = pd.to_datetime(local_times(contacts, frame)).dt.normalize()
    _check_values(contacts, "contacts", "sent_at", day.isna().to_numpy())
    log = pd.DataFrame(
        {
            "debtor_id": contacts["debtor_id"].astype(str).to_numpy(),
            "day": day.to_numpy().astype("datetime64[ns]"),
            "channel": channel,
            "success": success.to_numpy(bool).astype(float),
            "position": np.arange(len(contacts)),
        }
    )
    if "promise_amount" in contacts.columns:
        log["promise_amount"] = pd.to_numeric(contacts["promise_amount"], errors="coerce").to_numpy(
            float
        )
    else:
        log["promise_amount"] = np.nan
    if "promise_date" in contacts.columns:
        log["promise_date"] = _dates(contacts["promise_date"], "contacts", "promise_date", na=True)
    else:
        log["promise_date"] = pd.NaT
    right = pd.DataFrame(
        {
            "debtor_id": snap["debtor_id"].to_numpy(),
            "as_of": snap["as_of"].to_numpy().astype("datetime64[ns]"),
            "row": np.arange(len(snap)),
        }
    ).sort_values("as_of", kind="stable")
    attributed = pd.merge_asof(
        log.sort_values("day", kind="stable"),
        right,
        left_on="day",
        right_on="as_of",
        by="debtor_id",
        allow_exact_matches=False,
        direction="backward",
    )
    inside = attributed["row"].notna() & (
        (attributed["day"] - attributed["as_of"]).dt.days <= horizon
    )
    if not inside.all():
        left_out = attributed.loc[~inside, "position"].sort_values().to_numpy()
        shown = ", ".join(str(int(i)) for i in left_out[:EXAMPLE_ROWS])
        warnings.warn(
            f"{len(left_out)} contact(s) (rows {shown}) fall in no snapshot's {horizon}-day "
            "window (sent before the debtor's first as_of, on it, or more than horizon_days "
            "after the latest one) and are left out of the KPIs",
            UserWarning,
            stacklevel=3,
        )
    log = attributed[inside].copy()
    log["row"] = log["row"].astype(int)

    promise = log["promise_amount"].fillna(0.0) > 0
    kept = _promises_kept(log[promise], payments)
    log["promise"] = promise.astype(float)
    log["kept"] = 0.0
    log.loc[promise, "kept"] = kept.astype(float)
    pending = promise & (log["kept"] == 0) & ~(log["promise_date"] <= until)
    log["pending"] = pending.astype(float)
    log["cost"] = log["channel"].map(dict(price or {})).fillna(0.0)

    g = log.groupby("row")
    out = pd.DataFrame(
        {
            "contacts": g.size(),
            "successes": g["success"].sum(),
            "promises": g["promise"].sum(),
            "promises_kept": g["kept"].sum(),
            "promises_pending": g["pending"].sum(),
            "cost": g["cost"].sum(),
        }
    )
    by_channel = log.groupby(["row", "channel"])["success"].agg(["size", "sum"]).unstack("channel")
    for c in CHANNELS:
        out[f"contacts_{c}"] = by_channel["size"].get(c, 0.0)
        out[f"successes_{c}"] = by_channel["sum"].get(c, 0.0)
    out = out.reindex(np.arange(len(snap))).fillna(0.0)
    out["contacted"] = (out["contacts"] > 0).astype(float)
    out.index = snap.index
    return out[names]


def _promises_kept(promises: pd.DataFrame, payments: pd.DataFrame | None) -> np.ndarray:
    """Whether each promise's amount was paid from its contact's day to its promise_date."""
    if payments is None or promises.empty:
        return np.zeros(len(promises), dtype=bool)
    key = pd.DataFrame(
        {
            "debtor_id": promises["debtor_id"].to_numpy(),
            "day": promises["day"].to_numpy(),
            "promise_date": promises["promise_date"].to_numpy(),
            "p": np.arange(len(promises)),
        }
    )
    joined = key.merge(payments, on="debtor_id", how="inner")
    inside = joined[
        (joined["paid_day"] >= joined["day"]) & (joined["paid_day"] <= joined["promise_date"])
    ]
    paid = inside.groupby("p")["amount"].sum().reindex(key["p"], fill_value=0.0).to_numpy()
    return paid >= promises["promise_amount"].to_numpy(float) - 1e-9


def _payments(payments: pd.DataFrame | None) -> pd.DataFrame | None:
    if payments is None:
        return None
    payments = _require(payments, "payments", ("debtor_id", "paid_at", "amount"))
    amount = pd.to_numeric(payments["amount"], errors="coerce").to_numpy(float)
    _check_values(payments, "payments", "amount", ~(np.isfinite(amount) & (amount > 0)))
    paid_at = _dates(payments["paid_at"], "payments", "paid_at", keep_time=True)
    return pd.DataFrame(
        {
            "debtor_id": payments["debtor_id"].astype(str).to_numpy(),
            "paid_at": paid_at.to_numpy(),
            "paid_day": paid_at.dt.normalize().to_numpy(),
            "amount": amount,
        }
    )


def _segments(segments: pd.Series, debtors: pd.DataFrame, as_of: pd.Series) -> np.ndarray:
    if not isinstance(segments, pd.Series):
        raise ConfigError(
            "segments must be a pandas Series with one segment per snapshot, e.g. "
            f"segment_dataset(data, p_pay)['segment']; got {type(segments).__name__}"
        )
    names = list(segments.index.names)
    if isinstance(segments.index, pd.MultiIndex) and {"debtor_id", "as_of"} <= set(names):
        keyed = segments.copy()
        keyed.index = pd.MultiIndex.from_arrays(
            [
                segments.index.get_level_values("debtor_id").astype(str),
                pd.to_datetime(segments.index.get_level_values("as_of")).normalize(),
            ]
        )
        keyed = keyed[~keyed.index.duplicated(keep="last")]
        wanted = pd.MultiIndex.from_arrays(
            [debtors["debtor_id"].astype(str).to_numpy(), as_of.to_numpy()]
        )
        found = wanted.isin(keyed.index)
        values = keyed.reindex(wanted).to_numpy()
    elif segments.index.equals(debtors.index):
        found = np.ones(len(debtors), dtype=bool)
        values = segments.to_numpy()
    else:
        raise ConfigError(
            "segments must be indexed like data.debtors or by (debtor_id, as_of) as "
            "segment_dataset returns; its index matches neither"
        )
    _check_values(
        debtors,
        "debtors",
        "debtor_id",
        ~found,
        expected="a segment for every snapshot (debtor_id, as_of)",
        fix="pass segments covering every snapshot of data.debtors",
    )
    return values


def _costs(costs: Mapping[str, float] | None) -> dict[str, float] | None:
    if costs is None:
        return None
    if not isinstance(costs, Mapping):
        raise ConfigError(
            f"costs must map channel -> cost per contact, e.g. {{'call': 1.5}}; got {costs!r}"
        )
    unknown = [c for c in costs if c not in CHANNELS]
    if unknown:
        raise ConfigError(
            f"costs names an unknown channel {unknown[0]!r}{did_you_mean(str(unknown[0]), CHANNELS)}."
            f" Channels: {', '.join(CHANNELS)}"
        )
    out: dict[str, float] = {}
    for c, v in costs.items():
        if isinstance(v, bool) or not isinstance(v, int | float | np.number) or not v >= 0:
            raise ConfigError(f"costs[{c!r}] must be a number >= 0 (cost per contact); got {v!r}")
        out[c] = float(v)
    return out


def _horizon(horizon_days: Any) -> int:
    if (
        isinstance(horizon_days, bool)
        or not isinstance(horizon_days, int | np.integer)
        or horizon_days < 1
    ):
        raise ConfigError(f"horizon_days must be a whole number >= 1; got {horizon_days!r}")
    return int(horizon_days)


def _by_list(by: Sequence[str] | str | None) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return [str(b) for b in by]


def _periods(as_of: pd.Series, freq: str) -> pd.Series:
    try:
        return pd.Series(pd.to_datetime(as_of)).dt.to_period(freq)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"freq must be a pandas period frequency such as 'M' (month), 'W' or 'Q'; "
            f"got {freq!r} ({exc})"
        ) from None


def _observed_until(
    observed_until: Any, payments: pd.DataFrame | None, as_of: pd.Series
) -> pd.Timestamp:
    if observed_until is not None:
        try:
            value = pd.Timestamp(observed_until)
        except (TypeError, ValueError):
            value = pd.NaT
        if pd.isna(value):
            raise ConfigError(
                f"observed_until must be a date, e.g. '2026-03-31'; got {observed_until!r}"
            )
        return value.tz_localize(None).normalize() if value.tzinfo else value.normalize()
    if payments is not None and len(payments):
        return pd.Timestamp(payments["paid_day"].max())
    return pd.Timestamp(as_of.max())


# ---------------------------------------------------------------------- checks
def _require(frame: Any, table: str, columns: Sequence[str]) -> pd.DataFrame:
    """``frame`` when it is a DataFrame holding ``columns``; else a ContractError naming them."""
    if not isinstance(frame, pd.DataFrame):
        raise ContractError(
            [
                Problem(
                    table,
                    None,
                    "a pandas DataFrame",
                    type(frame).__name__,
                    f"pass the {table} table as a DataFrame",
                )
            ]
        )
    present = [str(c) for c in frame.columns]
    problems = []
    for name in dict.fromkeys(columns):
        if name in present:
            continue
        spec = TABLES[table].column(name) if table in TABLES and name in TABLES[table] else None
        expected = f"a column '{name}'" + (f" holding {spec.rule()}" if spec else "")
        hint = did_you_mean(name, [c for c in present if c not in columns])
        index = (
            f"; '{name}' is the DataFrame index: call .reset_index() first"
            if (name in [str(n) for n in frame.index.names])
            else ""
        )
        problems.append(
            Problem(
                table,
                name,
                expected,
                f"no column '{name}' (columns: {', '.join(present[:12]) or 'none'}){hint}",
                (f"add a column '{name}'" + (f": {spec.description}" if spec else "")) + index,
            )
        )
    if problems:
        raise ContractError(problems)
    return frame


def _check_values(
    frame: pd.DataFrame,
    table: str,
    column: str,
    bad: np.ndarray,
    *,
    expected: str | None = None,
    fix: str | None = None,
) -> None:
    bad = np.asarray(bad, dtype=bool)
    if not bad.any():
        return
    where = np.flatnonzero(bad)
    spec = TABLES[table].column(column) if table in TABLES and column in TABLES[table] else None
    shown = ", ".join(repr(v) for v in frame[column].iloc[where[:EXAMPLE_ROWS]].tolist())
    raise ContractError(
        [
            Problem(
                table,
                column,
                expected or (spec.rule() if spec else "a valid value"),
                shown,
                fix or (spec.hint if spec and spec.hint else f"fix or drop these {table} rows"),
                tuple(int(i) for i in where[:EXAMPLE_ROWS]),
                int(where.size),
            )
        ]
    )


def _dates(
    values: pd.Series, table: str, column: str, *, keep_time: bool = False, na: bool = False
) -> pd.Series:
    """``values`` as naive datetimes (normalised to days unless ``keep_time``)."""
    try:
        out = pd.to_datetime(values, errors="coerce")
    except (TypeError, ValueError):
        out = pd.to_datetime(pd.Series(values, dtype=object).astype(str), errors="coerce")
    if isinstance(out.dtype, pd.DatetimeTZDtype):
        out = out.dt.tz_localize(None)
    out = pd.Series(out.to_numpy().astype("datetime64[ns]"), index=values.index)
    if not na:
        frame = values.to_frame(column)
        _check_values(frame, table, column, out.isna().to_numpy())
    return out if keep_time else out.dt.normalize()


def _check_unique(debtors: pd.DataFrame, as_of: pd.Series) -> None:
    dup = pd.DataFrame({"d": debtors["debtor_id"].to_numpy(), "a": as_of.to_numpy()}).duplicated(
        keep=False
    )
    _check_values(
        debtors,
        "debtors",
        "debtor_id",
        dup.to_numpy(),
        expected="one row per (debtor_id, as_of)",
        fix="drop the repeated snapshots (keep one row per debtor and as_of)",
    )
