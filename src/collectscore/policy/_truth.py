"""True contact success on synthetic data (``Dataset.truth``), for policy benchmarks.

``truth["contact_success"]`` holds, per (debtor_id, channel, hour 7-21), the true
success probability on a Monday-Friday that is not just after payday
(``p_success``), on a Saturday (``p_success_saturday``) and on a weekday just after
payday (``p_success_after_payday``). The generator adds these effects on the logit
scale, so a Saturday just after payday is
``logit p = logit p_success + (logit p_saturday - logit p_success) + (logit p_after - logit p_success)``.

"After payday" is a property of the day: the day is within 3 days after a booked
income inflow (category ``income.salary``, ``income.pension`` or ``income.benefits``,
amount > 0) of the debtor's account, the payday itself included (0-3 days after).
Categories come from the transactions, else from ``truth["transactions"]``. The
payday effect of debtors without a regular income (gig workers) is already zero in
the truth table, so the flag can be set for everyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._contract import CHANNELS
from .._data import Dataset
from .._errors import ConfigError

#: Income categories whose booking day is a payday.
PAYDAY_CATEGORIES: tuple[str, ...] = ("income.salary", "income.pension", "income.benefits")
#: A day counts as "after payday" up to this many days after the income booking.
AFTER_PAYDAY_DAYS = 3


@dataclass(frozen=True)
class _Truth:
    debtor_index: pd.Index
    hours: np.ndarray  # the truth table's hours, ascending and contiguous
    weekday: np.ndarray  # logit, shape (debtors, channels, hours)
    saturday: np.ndarray
    after_payday: np.ndarray
    income: pd.DataFrame  # debtor_id, day (datetime64 day) of each payday booking


def true_success(data: Dataset, actions: pd.DataFrame) -> pd.Series:
    """True P(success) of each (debtor_id, channel, sent_at) row of ``actions``.

    ``sent_at`` is debtor-local (naive). Hours outside the truth table (7-21) and
    unknown debtors give NaN.
    """
    truth = _load_truth(data)
    for col in ("debtor_id", "channel", "sent_at"):
        if col not in actions.columns:
            raise ConfigError(f"actions needs a column {col!r} (debtor_id, channel, sent_at)")
    sent = pd.to_datetime(actions["sent_at"])
    day = sent.dt.normalize()
    ch = pd.Index(CHANNELS).get_indexer(actions["channel"].astype(str))
    grid = _grid(truth, actions["debtor_id"], day, [CHANNELS[c] for c in range(len(CHANNELS))])
    hour = sent.dt.hour.to_numpy()
    hpos = hour - truth.hours[0]
    ok = (ch >= 0) & (hpos >= 0) & (hpos < len(truth.hours))
    rows = np.arange(len(actions))
    value = np.full(len(actions), np.nan)
    value[ok] = grid[rows[ok], ch[ok], hpos[ok]]
    return pd.Series(value, index=actions.index, name="true_success")


def _truth_grid(
    data: Dataset,
    debtor_ids: pd.Series,
    sent_at: pd.Series,
    channels: Sequence[str],
    hours: Sequence[int],
) -> np.ndarray:
    """True P(success) for every context (row) x channel x hour, shape (n, C, H)."""
    truth = _load_truth(data)
    day = pd.to_datetime(sent_at).dt.normalize()
    grid = _grid(truth, debtor_ids, day, channels)
    hpos = np.asarray(hours) - truth.hours[0]
    if (hpos < 0).any() or (hpos >= len(truth.hours)).any():
        raise ConfigError(
            f"hours must lie within the truth table's hours "
            f"{truth.hours[0]}-{truth.hours[-1]}; got {list(hours)}"
        )
    return grid[:, :, hpos]


def _grid(
    truth: _Truth, debtor_ids: pd.Series, day: pd.Series, channels: Sequence[str]
) -> np.ndarray:
    """(n, C, all truth hours) true probabilities for contexts (debtor, day)."""
    d = truth.debtor_index.get_indexer(pd.Index(debtor_ids.astype(str)))
    ch = pd.Index(CHANNELS).get_indexer(list(channels))
    sat = (day.dt.day_of_week == 5).to_numpy()
    after = _after_payday(truth.income, debtor_ids, day)
    known = d >= 0
    safe = np.where(known, d, 0)
    base = truth.weekday[safe][:, ch, :]
    logit = (
        base
        + sat[:, None, None] * (truth.saturday[safe][:, ch, :] - base)
        + after[:, None, None] * (truth.after_payday[safe][:, ch, :] - base)
    )
    p = 1.0 / (1.0 + np.exp(-logit))
    p[~known] = np.nan
    return p


def _after_payday(income: pd.DataFrame, debtor_ids: pd.Series, day: pd.Series) -> np.ndarray:
    """True where ``day`` is 0-3 days after a payday booking of the debtor's account."""
    ctx = pd.DataFrame(
        {
            "debtor_id": debtor_ids.astype(str).to_numpy(),
            "day": day.to_numpy().astype("datetime64[us]"),
            "pos": np.arange(len(day)),
        }
    ).sort_values("day", kind="stable")
    merged = pd.merge_asof(
        ctx,
        income.rename(columns={"day": "payday"}).assign(day=lambda f: f["payday"]),
        on="day",
        by="debtor_id",
        direction="backward",
    )
    gap = (merged["day"] - merged["payday"]).dt.days
    flag = np.zeros(len(day), dtype=bool)
    flag[merged["pos"].to_numpy()] = (gap <= AFTER_PAYDAY_DAYS).fillna(False).to_numpy(bool)
    return flag


def _load_truth(data: Dataset) -> _Truth:
    table = data.truth.get("contact_success") if isinstance(data, Dataset) else None
    if table is None:
        raise ConfigError(
            "the true success rates need synthetic data: pass the Dataset returned by "
            "collectscore.synthetic.generate (its truth['contact_success'] table)"
        )
    ids = pd.Index(pd.unique(table["debtor_id"].astype(str)))
    hours = np.sort(pd.unique(table["hour"].astype(int)))
    d = ids.get_indexer(table["debtor_id"].astype(str))
    c = pd.Index(CHANNELS).get_indexer(table["channel"].astype(str))
    h = table["hour"].astype(int).to_numpy() - hours[0]
    shape = (len(ids), len(CHANNELS), int(hours[-1] - hours[0] + 1))

    def cube(col: str) -> np.ndarray:
        out = np.full(shape, np.nan)
        p = np.clip(table[col].to_numpy(float), 1e-9, 1 - 1e-9)
        out[d, c, h] = np.log(p / (1 - p))
        return out

    return _Truth(
        debtor_index=ids,
        hours=np.arange(hours[0], hours[-1] + 1),
        weekday=cube("p_success"),
        saturday=cube("p_success_saturday"),
        after_payday=cube("p_success_after_payday"),
        income=_paydays(data),
    )


def _paydays(data: Dataset) -> pd.DataFrame:
    """Booking days of payday income per debtor (sorted by day, for ``merge_asof``)."""
    tx = data.transactions
    if "category" in tx.columns:
        category = tx["category"].astype("string")
    elif "transactions" in data.truth and "transaction_id" in tx.columns:
        cats = data.truth["transactions"].set_index("transaction_id")["category"]
        category = tx["transaction_id"].map(cats).astype("string")
    else:
        raise ConfigError(
            "the payday of each debtor needs transaction categories: the transactions have no "
            "'category' column and the truth has no 'transactions' table"
        )
    keep = category.isin(PAYDAY_CATEGORIES).fillna(False).to_numpy(bool) & (
        tx["amount"].to_numpy(float) > 0
    )
    inc = pd.DataFrame(
        {
            "account_id": tx["account_id"].astype(str).to_numpy()[keep],
            "day": pd.to_datetime(tx["booked_at"]).dt.normalize().to_numpy()[keep],
        }
    )
    accounts = data.debtors[["debtor_id", "account_id"]].astype(str).drop_duplicates()
    out = inc.merge(accounts, on="account_id")[["debtor_id", "day"]].drop_duplicates()
    out["day"] = out["day"].astype("datetime64[us]")
    return out.sort_values("day", kind="stable").reset_index(drop=True)
