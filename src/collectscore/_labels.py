"""Outcome labels derived from the contract tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._contract import DEFAULT_HORIZON_DAYS
from ._errors import ConfigError


def paid_within_horizon(
    debtors: pd.DataFrame,
    payments: pd.DataFrame,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> pd.Series:
    """The contract's propensity label, one value per ``debtors`` row (same index).

    A debtor snapshot is labelled 1 when the payments received in the
    ``horizon_days`` calendar days after ``as_of`` (from the day after ``as_of``
    up to and including ``as_of + horizon_days``) add up to at least
    ``min(installment, outstanding)``, or ``outstanding`` where no installment is
    known. A snapshot that owes nothing is labelled 1 (there is nothing to pay).
    """
    if horizon_days < 1:
        raise ConfigError(f"horizon_days must be a whole number >= 1; got {horizon_days!r}")
    as_of = pd.to_datetime(debtors["as_of"]).dt.normalize()
    key = pd.DataFrame(
        {"debtor_id": debtors["debtor_id"].to_numpy(), "as_of": as_of.to_numpy()},
    )
    key["row"] = np.arange(len(key))
    paid = payments[["debtor_id", "paid_at", "amount"]].copy()
    paid["paid_day"] = pd.to_datetime(paid["paid_at"]).dt.normalize()
    joined = key.merge(paid, on="debtor_id", how="inner")
    days = (joined["paid_day"] - joined["as_of"]).dt.days
    inside = joined[(days >= 1) & (days <= horizon_days)]
    received = inside.groupby("row")["amount"].sum().reindex(key["row"], fill_value=0.0)

    outstanding = debtors["outstanding"].to_numpy(dtype=float)
    if "installment" in debtors:
        installment = pd.to_numeric(debtors["installment"]).to_numpy(dtype=float)
        due = np.where(np.isnan(installment), outstanding, np.minimum(installment, outstanding))
    else:
        due = outstanding
    label = received.to_numpy() >= due - 1e-9
    return pd.Series(label.astype("int8"), index=debtors.index, name="paid_within_horizon")
