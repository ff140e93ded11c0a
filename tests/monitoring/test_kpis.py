"""Portfolio KPIs and roll rates, checked against numbers worked out by hand.

The hand-built portfolio: four debtors, monthly snapshots at 2024-01-31, 2024-02-29 and
2024-03-31 (debtor d3 leaves after February), a few payments, contacts and promises.
Horizon: the contract default of 30 days (payments 1..30 days after as_of count).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from collectscore._contract import CHANNELS
from collectscore._data import Dataset
from collectscore._errors import ConfigError, ContractError
from collectscore.monitoring import (
    DPD_BUCKETS,
    KPI_COLUMNS,
    dpd_bucket,
    portfolio_kpis,
    roll_rates,
)

JAN, FEB, MAR = "2024-01-31", "2024-02-29", "2024-03-31"
COSTS = {"sms": 0.5, "call": 2.0, "email": 0.1}  # whatsapp unlisted: costs 0


def _debtors() -> pd.DataFrame:
    rows = [
        # debtor, as_of, outstanding, days_past_due, installment, country
        ("d1", JAN, 100.0, 0, 50.0, "CO"),
        ("d1", FEB, 60.0, 0, 50.0, "CO"),
        ("d1", MAR, 60.0, 10, 50.0, "CO"),
        ("d2", JAN, 200.0, 20, 100.0, "CO"),
        ("d2", FEB, 200.0, 50, 100.0, "CO"),
        ("d2", MAR, 200.0, 80, 100.0, "CO"),
        ("d3", JAN, 300.0, 45, np.nan, "US"),
        ("d3", FEB, 300.0, 75, np.nan, "US"),
        ("d4", JAN, 400.0, 95, np.nan, "US"),
        ("d4", FEB, 100.0, 0, np.nan, "US"),
        ("d4", MAR, 100.0, 0, np.nan, "US"),
    ]
    frame = pd.DataFrame(
        rows,
        columns=["debtor_id", "as_of", "outstanding", "days_past_due", "installment", "country"],
    )
    frame["as_of"] = pd.to_datetime(frame["as_of"])
    frame.insert(1, "account_id", frame["debtor_id"] + "-acc")
    return frame


def _payments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "debtor_id": ["d1", "d2", "d4", "d1", "d4", "d3"],
            "paid_at": pd.to_datetime(
                ["2024-02-10", "2024-02-15", "2024-02-05", "2024-03-10", "2024-04-05", JAN]
            ),
            "amount": [50.0, 40.0, 300.0, 60.0, 100.0, 10.0],
        }
    )


def _contacts() -> pd.DataFrame:
    rows = [
        # debtor, sent_at, channel, success, promise_amount, promise_date
        ("d1", "2024-02-01 10:00", "sms", True, 50.0, "2024-02-10"),  # c1 -> d1 Jan
        ("d2", "2024-02-02 11:00", "call", False, np.nan, None),  # c2 -> d2 Jan
        ("d2", "2024-02-03 09:00", "call", True, 100.0, "2024-02-20"),  # c3 -> d2 Jan
        ("d3", "2024-02-05 12:00", "sms", False, np.nan, None),  # c4 -> d3 Jan
        ("d3", "2024-03-05 12:00", "email", True, np.nan, None),  # c5 -> d3 Feb
        ("d4", "2024-04-02 12:00", "whatsapp", True, 100.0, "2024-04-20"),  # c6 -> d4 Mar
        ("d1", "2024-04-03 12:00", "sms", False, 60.0, "2024-04-30"),  # c7 -> d1 Mar
    ]
    frame = pd.DataFrame(
        rows,
        columns=["debtor_id", "sent_at", "channel", "success", "promise_amount", "promise_date"],
    )
    frame["sent_at"] = pd.to_datetime(frame["sent_at"])
    frame["promise_date"] = pd.to_datetime(frame["promise_date"])
    return frame


def _data(**changes: pd.DataFrame | None) -> Dataset:
    tables = {"debtors": _debtors(), "payments": _payments(), "contacts": _contacts()}
    tables.update(changes)
    return Dataset(transactions=pd.DataFrame(), **tables)


def _row(kpis: pd.DataFrame, period: str, country: str) -> pd.Series:
    hit = kpis[(kpis["period"] == pd.Period(period, "M")) & (kpis["country"] == country)]
    assert len(hit) == 1, f"expected one row for {period} {country}, got {len(hit)}"
    return hit.iloc[0]


@pytest.fixture(scope="module")
def kpis() -> pd.DataFrame:
    return portfolio_kpis(_data(), costs=COSTS)


# ---------------------------------------------------------------------- buckets
def test_days_past_due_buckets_have_inclusive_edges() -> None:
    assert [b[0] for b in DPD_BUCKETS] == ["current", "1-30", "31-60", "61-90", "90+"]
    got = dpd_bucket([0, 1, 30, 31, 60, 61, 90, 91, 4000])
    assert got.tolist() == [
        "current",
        "1-30",
        "1-30",
        "31-60",
        "31-60",
        "61-90",
        "61-90",
        "90+",
        "90+",
    ]


def test_a_negative_days_past_due_is_rejected_with_its_position() -> None:
    with pytest.raises(ConfigError, match="positions 1"):
        dpd_bucket([3, -1])


# ---------------------------------------------------------------------- roll rates
def test_roll_rate_matrix_matches_the_hand_count_cell_by_cell() -> None:
    # Transitions (from -> to at the debtor's next snapshot); March is the last as_of,
    # so March snapshots are not counted:
    #   d1: Jan current -> Feb current; Feb current -> Mar 1-30
    #   d2: Jan 1-30 -> Feb 31-60;      Feb 31-60 -> Mar 61-90
    #   d3: Jan 31-60 -> Feb 61-90;     Feb 61-90 -> (no March snapshot) exited
    #   d4: Jan 90+ -> Feb current;     Feb current -> Mar current
    rates = roll_rates(_debtors())
    expected = pd.DataFrame(
        [
            # current, 1-30, 31-60, 61-90, 90+, exited, n
            [2 / 3, 1 / 3, 0, 0, 0, 0, 3],
            [0, 0, 1, 0, 0, 0, 1],
            [0, 0, 0, 1, 0, 0, 2],
            [0, 0, 0, 0, 0, 1, 1],
            [1, 0, 0, 0, 0, 0, 1],
        ],
        index=pd.Index(["current", "1-30", "31-60", "61-90", "90+"], name="from"),
        columns=pd.Index(["current", "1-30", "31-60", "61-90", "90+", "exited", "n"], name="to"),
    )
    pd.testing.assert_frame_equal(rates, expected, check_dtype=False)
    assert rates["n"].dtype == np.int64
    np.testing.assert_allclose(rates.drop(columns="n").sum(axis=1), 1.0)


def test_roll_counts_by_period_and_country() -> None:
    counts = roll_rates(_debtors(), by=["country"], freq="M", normalize=False)
    # February, US: d3 61-90 -> exited, d4 current -> current
    feb_us = counts.loc[("US", pd.Period("2024-02", "M"))]
    assert feb_us.loc["61-90", "exited"] == 1
    assert feb_us.loc["current", "current"] == 1
    assert feb_us["n"].sum() == 2
    # January, CO: d1 current -> current, d2 1-30 -> 31-60
    jan_co = counts.loc[("CO", pd.Period("2024-01", "M"))]
    assert jan_co.loc["current", "current"] == 1
    assert jan_co.loc["1-30", "31-60"] == 1
    assert jan_co["n"].sum() == 2
    # every group and period lists all five "from" buckets; March (last as_of) has none
    assert len(counts) == 2 * 2 * len(DPD_BUCKETS)
    assert counts.drop(columns="n").to_numpy().sum() == 8


def test_a_from_bucket_without_snapshots_has_nan_shares_and_n_zero() -> None:
    rates = roll_rates(_debtors()[lambda d: d["debtor_id"] == "d1"])
    assert rates.loc["90+", "n"] == 0
    assert rates.loc["90+"].drop("n").isna().all()


def test_roll_rates_name_the_missing_column() -> None:
    with pytest.raises(ContractError) as err:
        roll_rates(_debtors().drop(columns="days_past_due"))
    assert err.value.columns() == {("debtors", "days_past_due")}
    assert "days_past_due" in str(err.value) and "debtors" in str(err.value)


def test_repeated_snapshots_are_rejected() -> None:
    debtors = pd.concat([_debtors(), _debtors().iloc[[0]]], ignore_index=True)
    with pytest.raises(ContractError, match="one row per"):
        roll_rates(debtors)


# ---------------------------------------------------------------------- KPIs
def test_kpi_columns_are_declared_once_with_description_and_unit(kpis: pd.DataFrame) -> None:
    names = [c.name for c in KPI_COLUMNS]
    assert list(kpis.columns) == ["period", "country", *names]
    assert all(c.description and c.unit for c in KPI_COLUMNS)
    assert {f"success_rate_{c}" for c in CHANNELS} <= set(names)
    assert len(kpis) == 6  # 3 months x 2 countries


def test_recovery_and_payment_rates_of_january(kpis: pd.DataFrame) -> None:
    co = _row(kpis, "2024-01", "CO")
    # d1 pays 50 on Feb 10 (day 10), d2 pays 40 on Feb 15: 90 of 100 + 200 outstanding
    assert co["snapshots"] == 2 and co["debtors"] == 2
    assert co["outstanding"] == 300.0
    assert co["amount_paid"] == 90.0
    assert co["recovery_rate"] == pytest.approx(0.3)
    assert co["payment_rate"] == 1.0
    # contract label: d1 owes min(50, 100) = 50 and paid 50 -> 1; d2 owes 100, paid 40 -> 0
    assert co["label_rate"] == 0.5
    us = _row(kpis, "2024-01", "US")
    # d4 pays 300 on Feb 5; d3's payment on Jan 31 is on as_of itself (day 0): not counted
    assert us["amount_paid"] == 300.0
    assert us["recovery_rate"] == pytest.approx(300 / 700)
    assert us["payment_rate"] == 0.5
    # no installment: the label needs the whole outstanding (d4: 300 < 400)
    assert us["label_rate"] == 0.0


def test_recovery_of_february_and_march(kpis: pd.DataFrame) -> None:
    co = _row(kpis, "2024-02", "CO")
    # d1 pays 60 on Mar 10 (day 10 after Feb 29); d2 nothing
    assert co["recovery_rate"] == pytest.approx(60 / 260)
    assert co["payment_rate"] == 0.5
    assert co["label_rate"] == 0.5  # d1 owes min(50, 60) = 50, paid 60
    assert _row(kpis, "2024-02", "US")["recovery_rate"] == 0.0
    us_mar = _row(kpis, "2024-03", "US")
    assert us_mar["recovery_rate"] == 1.0  # d4 pays its 100 on Apr 5
    assert us_mar["label_rate"] == 1.0


def test_contacts_success_and_cost_per_channel(kpis: pd.DataFrame) -> None:
    co = _row(kpis, "2024-01", "CO")
    # c1 sms ok (d1), c2 call failed and c3 call ok (d2): both debtors contacted
    assert co["contacts"] == 3
    assert co["contact_rate"] == 1.0
    assert co["success_rate"] == pytest.approx(2 / 3)
    assert co["success_rate_sms"] == 1.0
    assert co["success_rate_call"] == 0.5
    assert math.isnan(co["success_rate_email"])
    assert co["cost"] == pytest.approx(0.5 + 2.0 + 2.0)
    assert co["cost_per_amount_recovered"] == pytest.approx(4.5 / 90)
    us = _row(kpis, "2024-01", "US")
    # c4 sms failed (d3); d4 not contacted
    assert (us["contacts"], us["contact_rate"], us["success_rate_sms"]) == (1, 0.5, 0.0)
    assert us["cost_per_amount_recovered"] == pytest.approx(0.5 / 300)
    co_feb = _row(kpis, "2024-02", "CO")
    assert (co_feb["contacts"], co_feb["contact_rate"], co_feb["cost"]) == (0, 0.0, 0.0)
    assert math.isnan(co_feb["success_rate"])
    us_feb = _row(kpis, "2024-02", "US")
    # c5 email ok (d3, Feb); nothing recovered, so no cost per amount recovered
    assert us_feb["success_rate_email"] == 1.0 and us_feb["cost"] == pytest.approx(0.1)
    assert math.isnan(us_feb["cost_per_amount_recovered"])
    us_mar = _row(kpis, "2024-03", "US")
    # c6 whatsapp: no cost configured -> 0
    assert (us_mar["cost"], us_mar["cost_per_amount_recovered"]) == (0.0, 0.0)


def test_promises_kept_and_pending(kpis: pd.DataFrame) -> None:
    co = _row(kpis, "2024-01", "CO")
    # c1: 50 by Feb 10, d1 paid 50 on Feb 10 -> kept; c3: 100 by Feb 20, d2 paid 40 -> broken
    assert (co["promises"], co["promises_kept"], co["promises_pending"]) == (2, 1, 0)
    assert co["promises_kept_rate"] == 0.5
    co_mar = _row(kpis, "2024-03", "CO")
    # c7: 60 by Apr 30, unpaid, and outcomes known only to Apr 5 (last payment) -> pending
    assert (co_mar["promises"], co_mar["promises_kept"], co_mar["promises_pending"]) == (1, 0, 1)
    assert math.isnan(co_mar["promises_kept_rate"])
    us_mar = _row(kpis, "2024-03", "US")
    # c6: 100 by Apr 20, paid Apr 5: kept before its date
    assert (us_mar["promises_kept"], us_mar["promises_kept_rate"]) == (1, 1.0)


def test_rows_whose_horizon_has_not_elapsed_are_flagged_incomplete(kpis: pd.DataFrame) -> None:
    # last payment Apr 5: Feb 29 + 30 days = Mar 30 has elapsed, Mar 31 + 30 has not
    done = kpis.set_index(["period", "country"])["complete"]
    assert done[done.index.get_level_values("period") < pd.Period("2024-03", "M")].all()
    assert not done[done.index.get_level_values("period") == pd.Period("2024-03", "M")].any()
    later = portfolio_kpis(_data(), observed_until="2024-04-30")
    assert later["complete"].all()


def test_without_costs_the_cost_columns_are_nan(kpis: pd.DataFrame) -> None:
    plain = portfolio_kpis(_data())
    assert plain["cost"].isna().all() and plain["cost_per_amount_recovered"].isna().all()
    same = [c.name for c in KPI_COLUMNS if not c.name.startswith("cost")]
    pd.testing.assert_frame_equal(plain[same], kpis[same])


def test_a_contact_outside_every_window_is_left_out_with_a_warning() -> None:
    early = pd.DataFrame(
        {
            "debtor_id": ["d2"],
            "sent_at": pd.to_datetime(["2024-01-15 09:00"]),  # before d2's first as_of
            "channel": ["call"],
            "success": [True],
        }
    )
    contacts = pd.concat([_contacts(), early], ignore_index=True)
    with pytest.warns(UserWarning, match=r"1 contact\(s\) \(rows 7\)"):
        out = portfolio_kpis(_data(contacts=contacts), by=())
    assert out["contacts"].sum() == 7


def test_by_segment_from_a_series_keyed_by_debtor_and_as_of() -> None:
    debtors = _debtors()
    keys = pd.MultiIndex.from_frame(debtors[["debtor_id", "as_of"]])
    segments = pd.Series(
        np.where(debtors["debtor_id"].isin(["d1", "d4"]), "self_cure", "unwilling"), index=keys
    )
    out = portfolio_kpis(_data(), by=(), segments=segments)
    assert list(out.columns[:2]) == ["period", "segment"]
    jan = out[out["period"] == pd.Period("2024-01", "M")].set_index("segment")
    # self_cure in January: d1 (paid 50 of 100) and d4 (paid 300 of 400)
    assert jan.loc["self_cure", "recovery_rate"] == pytest.approx(350 / 500)
    assert jan.loc["unwilling", "recovery_rate"] == pytest.approx(40 / 500)


def test_segments_missing_a_snapshot_are_rejected() -> None:
    debtors = _debtors().iloc[:-1]
    segments = pd.Series("x", index=pd.MultiIndex.from_frame(debtors[["debtor_id", "as_of"]]))
    with pytest.raises(ContractError, match="segment for every snapshot"):
        portfolio_kpis(_data(), by=(), segments=segments)


def test_without_payments_or_contacts_their_kpis_are_nan() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = portfolio_kpis(_data(payments=None, contacts=None), by=())
    assert (out["outstanding"] > 0).all()
    assert out[["amount_paid", "recovery_rate", "contacts", "success_rate"]].isna().all().all()


def test_a_missing_debtors_column_is_named() -> None:
    with pytest.raises(ContractError) as err:
        portfolio_kpis(_data(debtors=_debtors().drop(columns="outstanding")))
    assert err.value.columns() == {("debtors", "outstanding")}
    assert "amount owed" in str(err.value)


def test_a_missing_group_column_is_named_with_a_suggestion() -> None:
    with pytest.raises(ContractError) as err:
        portfolio_kpis(_data(), by=("contry",))
    assert err.value.columns() == {("debtors", "contry")}
    assert "did you mean 'country'" in str(err.value)


def test_a_missing_contacts_column_is_named() -> None:
    with pytest.raises(ContractError) as err:
        portfolio_kpis(_data(contacts=_contacts().drop(columns="success")))
    assert err.value.columns() == {("contacts", "success")}


def test_an_unknown_cost_channel_is_rejected_with_a_suggestion() -> None:
    with pytest.raises(ConfigError, match="did you mean 'sms'"):
        portfolio_kpis(_data(), costs={"SMS": 0.5})
    with pytest.raises(ConfigError, match="costs\\['call'\\]"):
        portfolio_kpis(_data(), costs={"call": -1})


@pytest.mark.parametrize("bad", [{"freq": "fortnight"}, {"horizon_days": 0}])
def test_bad_parameters_are_config_errors(bad: dict) -> None:
    with pytest.raises(ConfigError):
        portfolio_kpis(_data(), **bad)
