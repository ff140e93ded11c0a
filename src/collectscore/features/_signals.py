"""Capacity signals and monitoring events: "does the debtor have money now, and what changed".

Both are computed point in time, from the same frames as the features.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import polars as pl

from .._errors import ConfigError
from ._build import INDEX, _checked, _flows, build_features
from ._frame import INCOME, FeatureConfig, prepare

#: Monitoring events, with what triggers each (the docs and the tests read this).
EVENTS: dict[str, str] = {
    "low_balance": "the end-of-day balance fell below the low-balance threshold",
    "large_deposit": "an inflow other than income of at least large_deposit_share of monthly income",
    "new_income_stream": "a recurring income stream that started within new_stream_days",
    "expected_income_missed": "a recurring income is overdue by more than the grace days",
    "returned_payment": "a payment was returned for insufficient funds (NSF fee)",
    "new_loan_repayment": "a recurring loan repayment that started within new_stream_days",
}


@dataclass(frozen=True)
class SignalConfig:
    """Thresholds of the capacity signals and monitoring events."""

    #: Funds count as available when they exceed installment + buffer_share x monthly income.
    buffer_share: float = 0.1
    #: Income drop (last 30 days against the median of the 3 months before) that raises the alert.
    income_drop_alert: float = 0.3
    #: Events are reported when they happened in the last ``since_days`` before ``as_of``.
    since_days: int = 30
    #: Low balance: below this share of monthly income (and always below zero).
    low_balance_share: float = 0.05
    #: Large deposit: a non-income inflow of at least this share of monthly income.
    large_deposit_share: float = 0.5
    #: A recurring flow is "new" when its first occurrence is within these days (a monthly
    #: flow needs three occurrences to be recurring, so at least about 60 days).
    new_stream_days: int = 100

    def __post_init__(self) -> None:
        for name in (
            "buffer_share",
            "income_drop_alert",
            "low_balance_share",
            "large_deposit_share",
        ):
            value = getattr(self, name)
            if not 0 <= value <= 10:
                raise ConfigError(f"{name} must be between 0 and 10; got {value}")
        for name in ("since_days", "new_stream_days"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be >= 1; got {getattr(self, name)}")


def capacity_signals(
    transactions: pd.DataFrame,
    debtors: pd.DataFrame,
    *,
    config: SignalConfig | None = None,
    features: FeatureConfig | None = None,
) -> pd.DataFrame:
    """Per debtor snapshot: funds now against the threshold, next income, income-drop alert.

    Columns: ``funds_available``, ``threshold`` (installment, or the outstanding when
    there is none, plus ``buffer_share`` of the monthly income), ``has_funds``,
    ``next_income_date``, ``days_until_next_income``, ``expected_income``,
    ``income_drop`` and ``income_drop_alert``.
    """
    config = config or SignalConfig()
    wanted = [
        "funds_available_now",
        "income_monthly_mean_90d",
        "income_drop_last_month",
        "days_until_next_income",
        "recurring_income_monthly",
        "installment",
        "outstanding",
    ]
    f = build_features(transactions, debtors, config=features, features=wanted)
    due = f["installment"].fillna(f["outstanding"])  # the installment, else the whole debt
    out = pd.DataFrame(index=f.index)
    out["funds_available"] = f["funds_available_now"]
    out["threshold"] = due + config.buffer_share * f["income_monthly_mean_90d"].fillna(0)
    out["has_funds"] = (out["funds_available"] > out["threshold"]).fillna(False).astype(bool)
    as_of = pd.to_datetime(f.index.get_level_values("as_of"))
    days = f["days_until_next_income"]
    out["next_income_date"] = (as_of + pd.to_timedelta(days.to_numpy(), unit="D")).to_numpy()
    out["days_until_next_income"] = days.astype("Int64")
    out["expected_income"] = f["recurring_income_monthly"]
    out["income_drop"] = f["income_drop_last_month"]
    out["income_drop_alert"] = (out["income_drop"] >= config.income_drop_alert).fillna(False)
    return out


def monitoring_events(
    transactions: pd.DataFrame,
    debtors: pd.DataFrame,
    *,
    config: SignalConfig | None = None,
    features: FeatureConfig | None = None,
) -> pd.DataFrame:
    """Events of the last ``since_days`` before each ``as_of``, one row per event.

    Columns: ``debtor_id``, ``as_of``, ``event`` (a key of ``EVENTS``), ``date``,
    ``amount`` and ``detail``; sorted by debtor, as_of, date and event.
    """
    config = config or SignalConfig()
    features = features or FeatureConfig()
    # the same checks as build_features: typed input passes, anything else is validated
    transactions = _checked(transactions, "transactions")
    debtors = _checked(debtors, "debtors", always=True)
    frames = prepare(transactions, debtors, features)
    snap = frames.snapshots.select("sid", *INDEX)
    income = frames.monthly.group_by("sid").agg(
        monthly_income=pl.col("income").filter(pl.col("m") < 3).mean()
    )
    rows = frames.rows.join(income, on="sid", how="left").with_columns(
        pl.col("monthly_income").fill_null(0.0)
    )
    recent = rows.filter(pl.col("db") < config.since_days)
    bal = pl.col("balance_after")
    low = (
        recent.filter(
            bal.is_not_null()
            & ((bal < 0) | (bal < config.low_balance_share * pl.col("monthly_income")))
        )
        .group_by("sid")
        .agg(date=pl.col("day").first(), amount=bal.min())
        .with_columns(event=pl.lit("low_balance"), detail=pl.lit("lowest balance in the period"))
    )
    deposit = recent.filter(
        (pl.col("amount") > 0)
        & ~pl.col("category").is_in(INCOME)
        & (pl.col("monthly_income") > 0)
        & (pl.col("amount") >= config.large_deposit_share * pl.col("monthly_income"))
    ).select(
        "sid",
        date=pl.col("day"),
        amount=pl.col("amount"),
        event=pl.lit("large_deposit"),
        detail=pl.col("category").cast(pl.String),
    )
    nsf = recent.filter(pl.col("category") == "fee.nsf").select(
        "sid",
        date=pl.col("day"),
        amount=pl.col("amount"),
        event=pl.lit("returned_payment"),
        detail=pl.col("desc").cast(pl.String),
    )
    flows = _flows(frames, features).join(
        frames.snapshots.select("sid", "as_of"), on="sid", how="left"
    )
    new_since = pl.col("as_of") - pl.duration(days=config.new_stream_days)
    new_income = flows.filter(
        (pl.col("direction") == "income") & (pl.col("first_day") >= new_since)
    )
    new_loan = flows.filter(
        (pl.col("category") == "loan.repayment") & (pl.col("first_day") >= new_since)
    )
    missed = flows.filter((pl.col("direction") == "income") & pl.col("missed"))
    from_flows = [
        frame.select(
            "sid",
            date=pl.col(date),
            amount=pl.col("typical_amount") * sign,
            event=pl.lit(event),
            detail=pl.col("flow_key").cast(pl.String),
        )
        for frame, event, date, sign in (
            (new_income, "new_income_stream", "first_day", 1.0),
            (new_loan, "new_loan_repayment", "first_day", -1.0),
            (missed, "expected_income_missed", "next_due", 1.0),
        )
    ]
    columns = ["sid", "date", "amount", "event", "detail"]
    events = pl.concat(
        [f.select(columns) for f in (low, deposit, nsf, *from_flows)], how="vertical_relaxed"
    )
    out = (
        events.join(snap, on="sid", how="inner")
        .sort("sid", "date", "event")
        .select(*INDEX, "event", "date", "amount", "detail")
        .to_pandas()
    )
    out["date"] = pd.to_datetime(out["date"])
    return out
