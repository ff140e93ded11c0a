"""The output tables of one simulated block, as Arrow tables with fixed schemas."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from collectscore._contract import CATEGORIES, CHANNELS, consent_column
from collectscore.synthetic import _behaviour as bh
from collectscore.synthetic._vocab import COUNTRIES, COUNTRY_CODES, VOCAB

if TYPE_CHECKING:
    from collectscore.synthetic._calendar import Calendar
    from collectscore.synthetic._config import SampleConfig
    from collectscore.synthetic._simulate import Snapshot, Traits

TX_SCHEMA = pa.schema(
    [
        ("account_id", pa.string()),
        ("transaction_id", pa.string()),
        ("booked_at", pa.timestamp("us")),
        ("amount", pa.float64()),
        ("balance_after", pa.float64()),
        ("description", pa.string()),
        ("currency", pa.string()),
    ]
)
TX_SCHEMA_WITH_CATEGORY = TX_SCHEMA.append(pa.field("category", pa.string()))
DEBTORS_SCHEMA = pa.schema(
    [
        ("debtor_id", pa.string()),
        ("account_id", pa.string()),
        ("as_of", pa.date32()),
        ("outstanding", pa.float64()),
        ("days_past_due", pa.int64()),
        ("installment", pa.float64()),
        ("country", pa.string()),
        ("timezone", pa.string()),
        *[(consent_column(c), pa.bool_()) for c in CHANNELS],
    ]
)
PAYMENTS_SCHEMA = pa.schema(
    [("debtor_id", pa.string()), ("paid_at", pa.timestamp("us")), ("amount", pa.float64())]
)
CONTACTS_SCHEMA = pa.schema(
    [
        ("debtor_id", pa.string()),
        ("channel", pa.string()),
        ("sent_at", pa.timestamp("us")),
        ("success", pa.bool_()),
        ("promise_amount", pa.float64()),
        ("promise_date", pa.date32()),
        ("propensity", pa.float64()),
    ]
)
TRUTH_DEBTORS_SCHEMA = pa.schema(
    [
        ("debtor_id", pa.string()),
        ("as_of", pa.date32()),
        ("p_pay", pa.float64()),
        ("p_pay_no_contact", pa.float64()),
        ("p_pay_if_reached", pa.float64()),
        ("p_pay_best_contact", pa.float64()),
        ("best_channel", pa.string()),
        ("best_hour", pa.int64()),
        ("p_reach_logged", pa.float64()),
        ("reached", pa.bool_()),
        ("paid", pa.bool_()),
        ("balance_as_of", pa.float64()),
        ("monthly_income", pa.float64()),
        ("income_type", pa.string()),
        ("income_level", pa.float64()),
        ("age_band", pa.string()),
        ("spending_style", pa.string()),
        ("overdraft_prone", pa.bool_()),
        ("existing_loans", pa.int64()),
        ("payday_loan_user", pa.bool_()),
        ("gambler", pa.bool_()),
        ("renter", pa.bool_()),
        ("shock", pa.string()),
        ("shock_date", pa.date32()),
        ("willingness", pa.float64()),
    ]
)
TRUTH_CONTACT_SCHEMA = pa.schema(
    [
        ("debtor_id", pa.string()),
        ("channel", pa.string()),
        ("hour", pa.int64()),
        ("p_success", pa.float64()),
        ("p_success_saturday", pa.float64()),
        ("p_success_after_payday", pa.float64()),
    ]
)
TRUTH_TX_SCHEMA = pa.schema([("transaction_id", pa.string()), ("category", pa.string())])


@cache
def _vocab() -> pa.Array:
    return pa.array(VOCAB, pa.string())


@cache
def _categories() -> pa.Array:
    return pa.array(CATEGORIES, pa.string())


@cache
def _channels() -> pa.Array:
    return pa.array(CHANNELS, pa.string())


def _strings(values: list[str]) -> pa.Array:
    return pa.array(values, pa.string())


def _timestamps(start: np.datetime64, day: np.ndarray, seconds: np.ndarray) -> pa.Array:
    us = start.astype("datetime64[us]") + (day * 86_400 + seconds).astype("timedelta64[s]")
    return pa.array(us.astype("datetime64[us]"), pa.timestamp("us"))


def _dates(start: np.datetime64, day: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    dates = (start.astype("datetime64[D]") + day.astype("timedelta64[D]")).astype("datetime64[D]")
    mask = None if valid is None else ~valid
    return pa.array(dates, pa.date32(), mask=mask)


def build_tables(
    cfg: SampleConfig,
    cal: Calendar,
    tr: Traits,
    first: int,
    booked: dict[str, np.ndarray],
    snapshots: list[Snapshot],
) -> dict[str, pa.Table]:
    n = len(tr.country)
    numbers = range(first + 1, first + n + 1)
    debtor_ids = _strings([f"D{i:08d}" for i in numbers])
    account_ids = _strings([f"A{i:08d}" for i in numbers])
    tx_prefix = _strings([f"T{i:08d}-" for i in numbers])
    currency = _strings([COUNTRIES[COUNTRY_CODES[c]].currency for c in tr.country.tolist()])
    country = _strings([COUNTRY_CODES[c] for c in tr.country.tolist()])
    start = np.datetime64(cal.start)

    # transactions: booking order per account, balance from the opening one
    key = ((booked["acct"] * cal.n_days + booked["day"]) * 8 + booked["phase"]) * 86_400 + booked[
        "tod"
    ]
    order = np.argsort(key, kind="stable")
    b = {k: v[order] for k, v in booked.items()}
    acct = b["acct"]
    csum = np.cumsum(b["amount"])
    counts = np.bincount(acct, minlength=n)
    ends = np.cumsum(counts)
    before = np.concatenate([[0], csum])[ends - counts]
    balance = tr.opening.astype(np.int64)[acct] + csum - before[acct]
    seq = np.arange(len(acct)) - (ends - counts)[acct] + 1
    scale = tr.scale[acct]
    tx_id = pc.binary_join_element_wise(
        tx_prefix.take(acct),
        pc.utf8_lpad(pc.cast(pa.array(seq), pa.string()), width=5, padding="0"),
        "",
    )
    columns = {
        "account_id": account_ids.take(acct),
        "transaction_id": tx_id,
        "booked_at": _timestamps(start, b["day"], b["tod"]),
        "amount": pa.array(b["amount"] / scale),
        "balance_after": pa.array(balance / scale),
        "description": _vocab().take(b["desc"]),
        "currency": currency.take(acct),
    }
    category = _categories().take(b["cat"])
    schema = TX_SCHEMA
    if cfg.with_categories:
        columns["category"] = category
        schema = TX_SCHEMA_WITH_CATEGORY
    out = {"transactions": pa.table(columns, schema=schema)}
    out["truth/transactions"] = pa.table(
        {"transaction_id": tx_id, "category": category}, schema=TRUTH_TX_SCHEMA
    )

    # debtors and their truth, one row per (debtor, as_of) while the debt is open
    snap_idx = np.concatenate([np.full(len(s.rows["idx"]), i) for i, s in enumerate(snapshots)])
    idx = np.concatenate([s.rows["idx"] for s in snapshots])
    order = np.argsort(idx * 64 + snap_idx, kind="stable")
    idx, snap_idx = idx[order], snap_idx[order]
    as_of = _dates(start, cal.snapshot_days[snap_idx])
    sc = tr.scale[idx]
    cols = {
        "debtor_id": debtor_ids.take(idx),
        "account_id": account_ids.take(idx),
        "as_of": as_of,
        "outstanding": pa.array(
            np.concatenate([s.rows["outstanding"] for s in snapshots])[order] / sc
        ),
        "days_past_due": pa.array(np.concatenate([s.rows["dpd"] for s in snapshots])[order]),
        "installment": pa.array(tr.installment[idx] / sc),
        "country": country.take(idx),
        "timezone": _strings(tr.timezone).take(idx),
    }
    for c, ch in enumerate(CHANNELS):
        cols[consent_column(ch)] = pa.array(tr.consent[idx, c])
    out["debtors"] = pa.table(cols, schema=DEBTORS_SCHEMA)

    def truth(key: str) -> np.ndarray:
        return np.concatenate([s.truth[key] for s in snapshots])[order]

    best_channel = truth("best_channel")
    out["truth/debtors"] = pa.table(
        {
            "debtor_id": debtor_ids.take(idx),
            "as_of": as_of,
            "p_pay": pa.array(truth("p_pay")),
            "p_pay_no_contact": pa.array(truth("p_pay_no_contact")),
            "p_pay_if_reached": pa.array(truth("p_pay_if_reached")),
            "p_pay_best_contact": pa.array(truth("p_pay_best_contact")),
            "best_channel": _channels().take(
                pa.array(np.maximum(best_channel, 0), mask=best_channel < 0)
            ),
            "best_hour": pa.array(truth("best_hour"), mask=best_channel < 0),
            "p_reach_logged": pa.array(truth("p_reach_logged")),
            "reached": pa.array(truth("reached")),
            "paid": pa.array(truth("paid")),
            "balance_as_of": pa.array(truth("balance") / sc),
            "monthly_income": pa.array(truth("monthly_income") / sc),
            "income_type": _strings(list(bh.INCOME_TYPES)).take(tr.income_type[idx]),
            "income_level": pa.array(tr.income_level[idx]),
            "age_band": _strings(list(bh.AGE_BANDS)).take(tr.age[idx]),
            "spending_style": _strings(list(bh.SPENDING_STYLES)).take(tr.style[idx]),
            "overdraft_prone": pa.array(tr.overdraft_prone[idx]),
            "existing_loans": pa.array(tr.loans[idx].astype(np.int64)),
            "payday_loan_user": pa.array(tr.payday_user[idx]),
            "gambler": pa.array(tr.gambler[idx]),
            "renter": pa.array(tr.renter[idx]),
            "shock": _strings(list(bh.SHOCK_TYPES)).take(tr.shock[idx]),
            "shock_date": _dates(
                start, np.minimum(tr.shock_day[idx], cal.n_days - 1), tr.shock[idx] > 0
            ),
            "willingness": pa.array(bh.sigmoid(1.7 * tr.willingness_z[idx])),
        },
        schema=TRUTH_DEBTORS_SCHEMA,
    )

    # payments and contacts
    p_acct = np.concatenate([s.payments["acct"] for s in snapshots])
    p_day = np.concatenate([s.payments["day"] for s in snapshots])
    p_tod = np.concatenate([s.payments["tod"] for s in snapshots])
    p_amt = np.concatenate([s.payments["amount"] for s in snapshots])
    order = np.argsort((p_acct * cal.n_days + p_day) * 86_400 + p_tod, kind="stable")
    p_acct, p_day, p_tod, p_amt = p_acct[order], p_day[order], p_tod[order], p_amt[order]
    out["payments"] = pa.table(
        {
            "debtor_id": debtor_ids.take(p_acct),
            "paid_at": _timestamps(start, p_day, p_tod),
            "amount": pa.array(p_amt / tr.scale[p_acct]),
        },
        schema=PAYMENTS_SCHEMA,
    )
    c = {k: np.concatenate([s.contacts[k] for s in snapshots]) for k in snapshots[0].contacts}
    seconds = c["hour"] * 3600 + c["minute"] * 60
    order = np.argsort((c["acct"] * cal.n_days + c["day"]) * 86_400 + seconds, kind="stable")
    c = {k: v[order] for k, v in c.items()}
    seconds = seconds[order]
    out["contacts"] = pa.table(
        {
            "debtor_id": debtor_ids.take(c["acct"]),
            "channel": _channels().take(c["channel"]),
            "sent_at": _timestamps(start, c["day"], seconds),
            "success": pa.array(c["success"]),
            "promise_amount": pa.array(c["promise_amount"] / tr.scale[c["acct"]], from_pandas=True),
            "promise_date": _dates(start, np.maximum(c["promise_day"], 0), c["success"]),
            "propensity": pa.array(c["propensity"]),
        },
        schema=CONTACTS_SCHEMA,
    )
    out["truth/contact_success"] = _contact_truth(tr, debtor_ids)
    return out


def _contact_truth(tr: Traits, debtor_ids: pa.Array) -> pa.Table:
    """True success probability of every debtor x channel x hour (7-21)."""
    n, k, h = len(tr.country), len(CHANNELS), len(bh.TRUTH_HOURS)
    shape = (n, k, h)
    args = (
        tr.age[:, None, None],
        tr.income_type[:, None, None],
        tr.willingness_z[:, None, None],
        np.arange(k)[None, :, None],
        bh.TRUTH_HOURS[None, None, :],
    )
    weekday = bh.sigmoid(bh.success_logit(*args, False, np.zeros((1, 1, 1), bool)))
    saturday = bh.sigmoid(bh.success_logit(*args, True, np.zeros((1, 1, 1), bool)))
    payday = bh.sigmoid(bh.success_logit(*args, False, np.ones((1, 1, 1), bool)))
    acct = np.repeat(np.arange(n), k * h)
    return pa.table(
        {
            "debtor_id": debtor_ids.take(acct),
            "channel": _channels().take(np.tile(np.repeat(np.arange(k), h), n)),
            "hour": pa.array(np.tile(bh.TRUTH_HOURS, n * k).astype(np.int64)),
            "p_success": pa.array(np.broadcast_to(weekday, shape).ravel()),
            "p_success_saturday": pa.array(np.broadcast_to(saturday, shape).ravel()),
            "p_success_after_payday": pa.array(np.broadcast_to(payday, shape).ravel()),
        },
        schema=TRUTH_CONTACT_SCHEMA,
    )
