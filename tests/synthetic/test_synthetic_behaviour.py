"""Payments, labels, debtor snapshots and contacts follow the documented model."""

from __future__ import annotations

import holidays
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from collectscore._contract import CHANNELS, consent_column
from collectscore.synthetic import _behaviour as bh


def _labels(sample, horizon: int) -> pd.DataFrame:
    """The contract's default propensity label, computed from the payments table."""
    d = sample.debtors.copy()
    pay = sample.payments.merge(d[["debtor_id", "as_of"]], on="debtor_id")
    in_window = (
        pay["paid_at"] > pay["as_of"] + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
    ) & (pay["paid_at"] < pay["as_of"] + pd.Timedelta(days=horizon + 1))
    paid = pay[in_window].groupby(["debtor_id", "as_of"])["amount"].sum().rename("paid_amount")
    d = d.merge(paid, on=["debtor_id", "as_of"], how="left").fillna({"paid_amount": 0.0})
    threshold = np.minimum(d["installment"], d["outstanding"])
    d["label"] = d["paid_amount"] >= threshold - 1e-9
    return d.merge(sample.truth["debtors"], on=["debtor_id", "as_of"], validate="1:1")


def test_snapshots_are_month_ends_with_observable_labels(sample, sample_config) -> None:
    as_of = sorted(set(sample.debtors["as_of"]))
    assert as_of == [pd.Timestamp(d) for d in sample_config.snapshot_dates()]
    assert all((d + pd.Timedelta(days=1)).day == 1 for d in as_of)
    end = pd.Timestamp(sample_config.end_date)
    assert as_of[-1] + pd.Timedelta(days=sample_config.horizon_days) <= end
    per_debtor = sample.debtors.groupby("debtor_id").size()
    assert per_debtor.max() == sample_config.snapshots
    assert per_debtor.mean() > sample_config.snapshots - 0.3


def test_every_payment_falls_in_the_horizon_after_an_as_of(sample, sample_config) -> None:
    pay = sample.payments
    assert (pay["amount"] > 0).all()
    ends = pd.to_datetime(pd.Series(sample_config.snapshot_dates()))
    after = pay["paid_at"].map(lambda t: ((t - ends) / pd.Timedelta(days=1)).where(t > ends).min())
    # as_of is a date: a payment on the horizon's last day counts, whatever its time
    assert (after < sample_config.horizon_days + 1).all()


def test_the_contract_label_equals_the_truths_paid_flag(sample, sample_config) -> None:
    d = _labels(sample, sample_config.horizon_days)
    assert (d["label"] == d["paid"]).all()
    # and partial payments exist: paying something is not the same as the label
    assert ((d["paid_amount"] > 0) & ~d["label"]).sum() > 50


def test_the_realised_payment_rate_tracks_the_true_probability(sample, sample_config) -> None:
    d = _labels(sample, sample_config.horizon_days)
    assert abs(d["label"].mean() - d["p_pay"].mean()) < 0.03
    d["bin"] = pd.qcut(d["p_pay"], 5, labels=False)
    by_bin = d.groupby("bin").agg(rate=("label", "mean"), p=("p_pay", "mean"))
    assert (abs(by_bin["rate"] - by_bin["p"]) < 0.08).all()
    assert by_bin["rate"].is_monotonic_increasing


def test_capacity_and_willingness_raise_the_true_probability(sample) -> None:
    t = sample.truth["debtors"].merge(sample.debtors, on=["debtor_id", "as_of"])
    room = (t["balance_as_of"].clip(lower=0) + t["monthly_income"]) / np.minimum(
        t["installment"], t["outstanding"]
    )
    able = room > room.median()
    willing = t["willingness"] > 0.5
    high = t.loc[able & willing, "p_pay_no_contact"].mean()
    low = t.loc[~able & ~willing, "p_pay_no_contact"].mean()
    assert high - low > 0.3
    assert t["p_pay_no_contact"].corr(t["willingness"]) > 0.4
    assert t["p_pay_no_contact"].corr(np.log(room.clip(lower=1e-3))) > 0.1
    # shocks and gambling hurt
    assert (
        t.loc[t["gambler"], "p_pay_no_contact"].mean()
        < t.loc[~t["gambler"], "p_pay_no_contact"].mean()
    )


def test_transaction_signals_are_predictive_but_far_from_perfect(sample, sample_config) -> None:
    d = _labels(sample, sample_config.horizon_days)
    tx = sample.transactions.assign(debtor_id=lambda t: t["account_id"].str.replace("A", "D", n=1))
    rows = []
    for as_of, group in d.groupby("as_of"):
        seen = tx[tx["booked_at"] < pd.Timestamp(as_of) + pd.Timedelta(days=1)]
        balance = seen.groupby("debtor_id")["balance_after"].last()
        rows.append(group.assign(balance=group["debtor_id"].map(balance)))
    d = pd.concat(rows)
    signal = d["balance"] / np.minimum(d["installment"], d["outstanding"])
    auc = roc_auc_score(d["label"], signal)
    assert 0.55 < auc < 0.85
    assert roc_auc_score(d["label"], d["p_pay"]) > auc


def test_debt_state_evolves_with_what_was_paid(sample, sample_config) -> None:
    d = _labels(sample, sample_config.horizon_days).sort_values(["debtor_id", "as_of"])
    nxt = d.groupby("debtor_id")[["as_of", "days_past_due", "outstanding"]].shift(-1)
    has = nxt["as_of"].notna()
    cur, nxt = d[has], nxt[has]
    gap = (nxt["as_of"] - cur["as_of"]).dt.days
    covered = np.floor(cur["paid_amount"] / cur["installment"] + 1e-9) * 30
    expected = np.maximum(cur["days_past_due"] + gap - covered, 0)
    assert (nxt["days_past_due"] == expected).all()
    growth = nxt["outstanding"] + cur["paid_amount"] - cur["outstanding"]
    assert (growth >= -1e-6).all()
    assert (growth <= 0.016 * cur["outstanding"] + 1).all()
    # a debtor leaves the portfolio only after paying the debt off
    last = d.groupby("debtor_id").tail(1)
    left = last[last["as_of"] < pd.Timestamp(max(sample_config.snapshot_dates()))]
    assert len(left) > 0
    assert np.allclose(left["paid_amount"], left["outstanding"])


def test_a_successful_contact_raises_the_chance_to_pay(sample) -> None:
    t = sample.truth["debtors"]
    assert (t["p_pay_if_reached"] > t["p_pay_no_contact"]).all()
    assert (t["p_pay_best_contact"] >= t["p_pay_no_contact"]).all()
    assert t["p_pay"].between(t["p_pay_no_contact"], t["p_pay_if_reached"]).all()
    # the historical policy is far from the best timing
    assert t["p_pay_best_contact"].mean() > t["p_pay"].mean() + 0.02
    assert t.loc[t["reached"], "paid"].mean() > t.loc[~t["reached"], "paid"].mean() + 0.1


def test_true_contact_success_depends_on_channel_hour_and_age(sample) -> None:
    truth = sample.truth["contact_success"]
    n_debtors = sample.debtors["debtor_id"].nunique()
    assert len(truth) == n_debtors * len(CHANNELS) * len(bh.TRUTH_HOURS)
    assert (
        truth[["p_success", "p_success_saturday", "p_success_after_payday"]]
        .stack()
        .between(0, 1)
        .all()
    )
    age = sample.truth["debtors"].drop_duplicates("debtor_id").set_index("debtor_id")["age_band"]
    t = truth.assign(age=truth["debtor_id"].map(age))

    def mean(age_band: str, channel: str, hours: range) -> float:
        sel = (t["age"] == age_band) & (t["channel"] == channel) & t["hour"].isin(hours)
        return t.loc[sel, "p_success"].mean()

    assert mean("young", "whatsapp", range(18, 22)) > 2 * mean("young", "whatsapp", range(8, 12))
    assert mean("senior", "call", range(8, 12)) > 2 * mean("senior", "call", range(18, 22))
    assert mean("middle", "call", range(17, 21)) > 1.5 * mean("middle", "call", range(9, 17))
    assert mean("senior", "call", range(8, 12)) > mean("senior", "whatsapp", range(8, 12))
    assert mean("young", "whatsapp", range(18, 22)) > mean("young", "call", range(18, 22))
    salaried = (
        sample.truth["debtors"]
        .drop_duplicates("debtor_id")
        .query("income_type == 'salary_monthly'")["debtor_id"]
    )
    s = truth[truth["debtor_id"].isin(salaried)]
    assert (s["p_success_after_payday"] > s["p_success"]).all()


def test_logged_success_is_drawn_from_the_true_probabilities(sample) -> None:
    c = sample.contacts.assign(hour=lambda x: x["sent_at"].dt.hour)
    c = c[c["sent_at"].dt.day_of_week < 5].merge(
        sample.truth["contact_success"], on=["debtor_id", "channel", "hour"]
    )
    se = np.sqrt(c["p_success"].mean() * (1 - c["p_success"].mean()) / len(c))
    assert (
        c["p_success"].mean() - 3 * se
        < c["success"].mean()
        < c["p_success_after_payday"].mean() + 3 * se
    )
    by_channel = c.groupby("channel")["success"].mean()
    assert by_channel["call"] > by_channel["email"]


def test_contacts_follow_a_non_uniform_compliant_logging_policy(sample) -> None:
    c = sample.contacts
    assert c["propensity"].gt(0).all() and c["propensity"].le(1).all()
    assert c["propensity"].nunique() > 20
    assert c["channel"].isin(["sms", "call"]).mean() > 0.6
    hours = c["sent_at"].dt.hour
    saturday = c["sent_at"].dt.day_of_week == 5
    assert hours[~saturday].between(8, 18).all() and hours[saturday].between(9, 13).all()
    assert (c["sent_at"].dt.day_of_week != 6).all()
    d = sample.debtors.drop_duplicates("debtor_id").set_index("debtor_id")
    co = c[c["debtor_id"].map(d["country"]) == "CO"]
    co_holidays = holidays.country_holidays("CO", years=[2025, 2026])
    assert not co["sent_at"].dt.date.map(lambda x: x in co_holidays).any()
    # only consented channels, and the logged propensity is the policy's probability
    consent = np.array([[d.loc[i, consent_column(ch)] for ch in CHANNELS] for i in c["debtor_id"]])
    chosen = c["channel"].map({ch: k for k, ch in enumerate(CHANNELS)}).to_numpy()
    assert consent[np.arange(len(c)), chosen].all()
    p_channel = bh.policy_channel_probs(consent)[np.arange(len(c)), chosen]
    p_hour = np.where(
        saturday, bh.policy_hour_probs(True)[hours], bh.policy_hour_probs(False)[hours]
    )
    assert np.allclose(c["propensity"], p_channel * p_hour)


def test_promises_are_taken_on_successful_contacts_only(sample) -> None:
    c = sample.contacts
    ok = c[c["success"]]
    assert ok["promise_amount"].gt(0).all() and ok["promise_date"].notna().all()
    assert (ok["promise_date"] >= ok["sent_at"].dt.normalize()).all()
    assert c.loc[~c["success"], "promise_amount"].isna().all()
    assert c.loc[~c["success"], "promise_date"].isna().all()


def test_latent_traits_cover_every_documented_value(sample) -> None:
    t = sample.truth["debtors"]
    assert set(t["income_type"]) == set(bh.INCOME_TYPES)
    assert set(t["age_band"]) == set(bh.AGE_BANDS)
    assert set(t["spending_style"]) == set(bh.SPENDING_STYLES)
    assert set(t["shock"]) == set(bh.SHOCK_TYPES)
    assert t.loc[t["shock"] == "none", "shock_date"].isna().all()
    assert t["willingness"].between(0, 1).all()
    assert (t["monthly_income"] >= 0).all()
