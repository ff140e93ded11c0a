"""Account flows: running balances, fees after negative balances, realistic descriptions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from collectscore._contract import DEFAULT_HORIZON_DAYS


def _tx(sample) -> pd.DataFrame:
    tx = sample.transactions.copy()
    tx["day"] = tx["booked_at"].dt.normalize()
    tx["before"] = tx["balance_after"] - tx["amount"]
    return tx


def test_balance_after_is_the_previous_balance_plus_the_amount_in_booking_order(sample) -> None:
    tx = sample.transactions
    assert tx.groupby("account_id")["booked_at"].apply(lambda s: s.is_monotonic_increasing).all()
    previous = tx.groupby("account_id")["balance_after"].shift()
    step = (tx["balance_after"] - previous - tx["amount"]).dropna()
    assert np.abs(step).max() < 0.005
    opening = tx.groupby("account_id").head(1)
    assert (opening["balance_after"] - opening["amount"] >= 0).all()


def test_history_length_is_within_the_configured_months(sample, sample_config) -> None:
    span = sample.transactions.groupby("account_id")["booked_at"].agg(["min", "max"])
    days = (span["max"] - span["min"]).dt.days
    lo, hi = sample_config.history_days_range()
    assert days.min() >= lo - 10
    assert days.max() <= hi
    assert span["max"].max() < pd.Timestamp(sample_config.end_date) + pd.Timedelta(days=1)
    assert days.max() - days.min() > 60  # lengths really vary between accounts


def test_an_overdraft_fee_follows_a_negative_balance(sample) -> None:
    tx = _tx(sample)
    fees = tx[tx["category"] == "fee.overdraft"]
    assert len(fees) > 50
    assert (fees["before"] < 0).all()
    assert fees["description"].str.contains("DESCUBIERTO|SOBREGIRO|OVERDRAFT").all()


def test_a_returned_debit_is_reversed_and_charged_an_nsf_fee(sample) -> None:
    tx = _tx(sample)
    nsf = tx[tx["category"] == "fee.nsf"]
    assert len(nsf) > 50
    same_day = tx.merge(
        nsf[["account_id", "day", "booked_at"]], on=["account_id", "day"], suffixes=("", "_fee")
    )
    earlier = same_day[same_day["booked_at"] < same_day["booked_at_fee"]]
    # the debit took the balance below zero, then it was returned (a positive reversal)
    lowest = earlier.groupby(["account_id", "booked_at_fee"])["balance_after"].min()
    assert (lowest < 0).all()
    returned = earlier[
        earlier["description"].str.contains("DEVOLUCION|RECHAZ|RETURNED|PAC RECHAZADO")
    ]
    assert (returned["amount"] > 0).all()
    assert returned.groupby(["account_id", "booked_at_fee"]).ngroups == len(nsf)
    assert set(returned["category"]) <= {
        "housing",
        "utilities",
        "insurance",
        "loan.repayment",
        "spending.other",
    }


def test_penalty_interest_is_charged_only_on_overdrawn_months(sample) -> None:
    tx = _tx(sample)
    tx["month"] = tx["booked_at"].dt.to_period("M")
    # the balance carried into a month counts too: it is the first row's balance before
    tx["low"] = np.minimum(tx["balance_after"], tx["before"])
    lowest = tx.groupby(["account_id", "month"])["low"].min()
    charged = tx[tx["category"] == "interest.penalty"].set_index(["account_id", "month"]).index
    assert len(charged) > 20
    assert (lowest.loc[charged] < 0).all()
    assert (tx.loc[tx["category"] == "interest.penalty", "amount"] < 0).all()
    assert (tx.loc[tx["category"] == "interest.credit", "amount"] > 0).all()


def test_collection_payments_in_the_account_match_the_payments_table(sample) -> None:
    tx = sample.transactions
    out = tx[tx["category"] == "collections.payment"]
    pay = sample.payments.assign(account_id=lambda p: p["debtor_id"].str.replace("D", "A", n=1))
    merged = pay.merge(
        out, left_on=["account_id", "paid_at"], right_on=["account_id", "booked_at"], validate="1:1"
    )
    assert len(merged) == len(pay) == len(out)
    assert np.allclose(merged["amount_x"], -merged["amount_y"])


def test_flows_respond_to_traits(sample) -> None:
    tx = sample.transactions
    truth = sample.truth["debtors"].drop_duplicates("debtor_id").set_index("debtor_id")
    truth.index = truth.index.str.replace("D", "A", n=1)
    cats = tx.groupby("account_id")["category"].agg(set)
    has = lambda c: cats.map(lambda s: c in s)  # noqa: E731
    assert has("income.pension")[truth["income_type"] == "pension"].all()
    assert not has("income.pension")[truth["income_type"].str.startswith("salary")].any()
    assert has("gambling")[truth["gambler"]].mean() > 0.95
    assert has("gambling")[~truth["gambler"]].sum() == 0
    assert has("loan.disbursement")[~truth["payday_loan_user"]].sum() == 0
    # spenders and overdraft-prone debtors pay more fees than frugal, careful ones
    fees = tx[tx["category"].isin(["fee.overdraft", "fee.nsf"])].groupby("account_id").size()
    fees = fees.reindex(truth.index, fill_value=0)
    assert (
        fees[truth["spending_style"] == "spender"].mean()
        > fees[truth["spending_style"] == "frugal"].mean()
    )


def test_salary_stops_after_a_job_loss(sample) -> None:
    tx = sample.transactions
    truth = sample.truth["debtors"].drop_duplicates("debtor_id")
    lost = truth[(truth["shock"] == "job_loss") & truth["income_type"].str.startswith("salary")]
    assert len(lost) > 5
    salary = tx[tx["category"] == "income.salary"].assign(
        debtor_id=lambda t: t["account_id"].str.replace("A", "D", n=1)
    )
    after = salary.merge(lost[["debtor_id", "shock_date"]], on="debtor_id")
    after = after[after["booked_at"].dt.normalize() >= after["shock_date"]]
    assert after.empty


def test_descriptions_are_realistic_spanish_and_english_bank_text(sample) -> None:
    text = set(sample.transactions["description"])
    for expected in ("ALQUILER PISO", "RETIRO CAJERO", "CUOTA PRESTAMO", "Transferencia recibida"):
        assert expected in text
    for prefix in (
        "NOMINA",
        "PAGO RECIBO LUZ",
        "CARD PURCHASE",
        "PENSION COLPENSIONES",
        "COMISION DESCUBIERTO",
    ):
        assert any(t.startswith(prefix) for t in text), prefix
    assert len(text) > 150


def test_transactions_run_past_the_last_snapshot_to_show_the_payments(
    sample, sample_config
) -> None:
    last = sample.debtors["as_of"].max()
    end = pd.Timestamp(sample_config.end_date)
    assert last + pd.Timedelta(days=DEFAULT_HORIZON_DAYS) <= end
    assert (sample.transactions["booked_at"].dt.normalize() > last).any()
