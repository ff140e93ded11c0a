"""Recurring income and obligations: what counts as a recurring flow, and when it is missed."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectscore._contract import CATEGORIES, is_known_category
from collectscore._errors import ConfigError, ContractError
from collectscore.features._recurring import (
    INCOME_CATEGORIES,
    OBLIGATION_CATEGORIES,
    PERIODS,
    UNKNOWN_KEY,
    detect_recurring,
    flow_key,
    recurring_flows,
)

D = dt.date


def _rows(*flows: tuple, as_of: D, sid: int = 1) -> pl.DataFrame:
    """A rows frame of one snapshot from (days, amount(s), description, category) flows."""
    records = []
    for days, amounts, description, category in flows:
        amounts = amounts if isinstance(amounts, list) else [amounts] * len(days)
        for day, amount in zip(days, amounts, strict=True):
            records.append((sid, as_of, day, float(amount), description, category))
    return _frame(records)


def _frame(records: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        records,
        schema={
            "sid": pl.Int64,
            "as_of": pl.Date,
            "day": pl.Date,
            "amount": pl.Float64,
            "description": pl.String,
            "category": pl.String,
        },
        orient="row",
    ).with_columns(db=(pl.col("as_of") - pl.col("day")).dt.total_days().cast(pl.Int32))


def _monthly(day_of_month: int, first: D, months: int) -> list[D]:
    out = []
    for k in range(months):
        y, m = divmod(first.month - 1 + k, 12)
        out.append(D(first.year + y, m + 1, day_of_month))
    return out


def _every(step: int, first: D, count: int) -> list[D]:
    return [first + dt.timedelta(days=step * k) for k in range(count)]


def _one(flows: pl.DataFrame, key: str) -> dict:
    hit = flows.filter(pl.col("flow_key") == key)
    assert hit.height == 1, f"expected one flow {key!r}; got {flows['flow_key'].to_list()}"
    return hit.row(0, named=True)


# --- periods ------------------------------------------------------------------------------


def test_a_monthly_salary_on_the_25th_is_found_with_its_amount_and_next_due_day():
    rows = _rows(
        (_monthly(25, D(2025, 9, 25), 6), 2500.0, "NOMINA ACME SA", "income.salary"),
        as_of=D(2026, 3, 3),
    )
    flow = _one(detect_recurring(rows), "NOMINA ACME SA")
    assert flow["direction"] == "income"
    assert flow["category"] == "income.salary"
    assert (flow["period"], flow["period_days"], flow["n"]) == ("monthly", 30, 6)
    assert flow["typical_amount"] == 2500.0
    assert (flow["first_day"], flow["last_day"]) == (D(2025, 9, 25), D(2026, 2, 25))
    assert flow["next_due"] == D(2026, 3, 25)
    assert flow["days_until_next"] == 22
    assert not flow["missed"] and flow["days_overdue"] == 0


def test_a_salary_moved_to_the_friday_before_a_weekend_stays_monthly_on_the_25th():
    # the 25th of October 2025 is a Saturday and of January 2026 a Sunday
    days = [D(2025, 9, 25), D(2025, 10, 24), D(2025, 11, 25), D(2025, 12, 25), D(2026, 1, 23)]
    rows = _rows((days, 2500.0, "NOMINA ACME", "income.salary"), as_of=D(2026, 2, 3))
    flow = _one(detect_recurring(rows), "NOMINA ACME")
    assert flow["period"] == "monthly"
    assert flow["next_due"] == D(2026, 2, 25)


def test_a_biweekly_pay_is_found_as_biweekly_due_two_weeks_after_the_last():
    rows = _rows(
        (_every(14, D(2026, 1, 2), 6), 1200.0, "PAYROLL ACME INC", "income.salary"),
        as_of=D(2026, 3, 20),
    )
    flow = _one(detect_recurring(rows), "PAYROLL ACME INC")
    assert (flow["period"], flow["period_days"]) == ("biweekly", 14)
    assert flow["next_due"] == D(2026, 3, 27)


def test_a_pay_on_the_15th_and_the_last_day_of_each_month_is_biweekly():
    days = sorted(
        [*_monthly(15, D(2026, 1, 15), 4), D(2026, 1, 30), D(2026, 2, 27), D(2026, 3, 31)]
    )
    rows = _rows((days, 900_000.0, "PAGO NOMINA TERPEL", "income.salary"), as_of=D(2026, 4, 20))
    assert _one(detect_recurring(rows), "PAGO NOMINA TERPEL")["period"] == "biweekly"


def test_a_weekly_benefit_is_found_as_weekly():
    rows = _rows(
        (_every(7, D(2026, 1, 5), 8), 150.0, "UNEMPLOYMENT BENEFIT", "income.benefits"),
        as_of=D(2026, 3, 1),
    )
    flow = _one(detect_recurring(rows), "UNEMPLOYMENT BENEFIT")
    assert (flow["period"], flow["period_days"]) == ("weekly", 7)
    assert flow["next_due"] == D(2026, 3, 2)


def test_months_of_different_length_keep_a_month_end_salary_monthly_and_due_at_month_end():
    days = [D(2025, 10, 31), D(2025, 11, 30), D(2025, 12, 31), D(2026, 1, 31), D(2026, 2, 28)]
    rows = _rows((days, 3000.0, "SUELDO CODELCO", "income.salary"), as_of=D(2026, 3, 5))
    flow = _one(detect_recurring(rows), "SUELDO CODELCO")
    assert flow["period"] == "monthly"
    assert flow["next_due"] == D(2026, 3, 31)  # the month's end, not the 28th


def test_a_payment_on_the_31st_is_due_on_the_last_day_of_a_short_month():
    days = [D(2025, 10, 31), D(2025, 11, 30), D(2025, 12, 31), D(2026, 1, 31)]
    rows = _rows((days, -400.0, "CUOTA CREDITO AUTO", "loan.repayment"), as_of=D(2026, 2, 10))
    assert _one(detect_recurring(rows), "CUOTA CREDITO AUTO")["next_due"] == D(2026, 2, 28)


# --- what is and is not recurring ------------------------------------------------------------


def test_a_rent_that_varies_by_three_percent_is_still_recurring():
    amounts = [-1000.0, -1030.0, -970.0, -1010.0, -990.0, -1025.0]
    rows = _rows(
        (_monthly(1, D(2025, 10, 1), 6), amounts, "ARRIENDO APTO", "housing"), as_of=D(2026, 3, 10)
    )
    flow = _one(detect_recurring(rows), "ARRIENDO APTO")
    assert (flow["direction"], flow["period"]) == ("obligation", "monthly")
    assert flow["typical_amount"] == pytest.approx(1005.0)  # absolute amount
    assert 0 < flow["amount_cv"] < 0.05


def test_a_pay_cut_midway_keeps_the_salary_recurring():
    amounts = [2000.0] * 4 + [1200.0] * 4
    rows = _rows(
        (_monthly(25, D(2025, 6, 25), 8), amounts, "NOMINA ACME", "income.salary"),
        as_of=D(2026, 2, 28),
    )
    assert _one(detect_recurring(rows), "NOMINA ACME")["period"] == "monthly"


def test_random_card_spend_at_a_supermarket_is_not_recurring():
    rng = np.random.default_rng(7)
    days = sorted({D(2026, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 90, 25)})
    amounts = [-float(a) for a in rng.uniform(5, 120, len(days)).round(2)]
    for category in ("groceries", None):  # neither as card spend nor uncategorised
        rows = _rows((days, amounts, "COMPRA EXITO CALLE 80", category), as_of=D(2026, 4, 1))
        assert detect_recurring(rows).is_empty()


def test_a_regular_card_subscription_does_not_count_but_an_uncategorised_one_does():
    days = _monthly(3, D(2025, 11, 3), 5)
    as_card = _rows((days, -15.99, "NETFLIX.COM", "spending.other"), as_of=D(2026, 4, 1))
    assert detect_recurring(as_card).is_empty()
    unknown = _rows((days, -15.99, "NETFLIX.COM", None), as_of=D(2026, 4, 1))
    flow = _one(detect_recurring(unknown), "NETFLIXCOM")
    assert (flow["direction"], flow["category"]) == ("obligation", None)


def test_two_income_streams_are_two_flows():
    rows = _rows(
        (_monthly(25, D(2025, 10, 25), 5), 2500.0, "NOMINA ACME", "income.salary"),
        (_monthly(5, D(2025, 10, 5), 6), 400.0, "PENSION COLPENSIONES", "income.pension"),
        as_of=D(2026, 3, 10),
    )
    flows = detect_recurring(rows)
    assert flows["flow_key"].to_list() == ["NOMINA ACME", "PENSION COLPENSIONES"]
    assert flows["category"].to_list() == ["income.salary", "income.pension"]
    assert flows["direction"].to_list() == ["income", "income"]


def test_an_inflow_and_an_outflow_with_the_same_description_are_separate_flows():
    rows = _rows(
        (_monthly(2, D(2025, 10, 2), 5), 300.0, "TRANSFERENCIA", None),
        (_monthly(20, D(2025, 10, 20), 5), -300.0, "TRANSFERENCIA", None),
        as_of=D(2026, 3, 1),
    )
    flows = detect_recurring(rows)
    assert flows["direction"].to_list() == ["income", "obligation"]


def test_only_two_occurrences_are_not_recurring():
    rows = _rows(
        ([D(2026, 1, 25), D(2026, 2, 25)], 2500.0, "NOMINA ACME", "income.salary"),
        as_of=D(2026, 3, 1),
    )
    assert detect_recurring(rows).is_empty()


def test_payments_with_irregular_gaps_are_not_recurring():
    days = [D(2026, 1, 1), D(2026, 1, 9), D(2026, 2, 20), D(2026, 2, 24), D(2026, 4, 2)]
    rows = _rows((days, 500.0, "PAGO HONORARIOS", "income.other"), as_of=D(2026, 4, 10))
    assert detect_recurring(rows).is_empty()


def test_reference_numbers_and_dates_in_descriptions_do_not_split_a_flow():
    days = _monthly(10, D(2025, 11, 10), 4)
    descriptions = [
        f"PAGO FACTURA EPM REF {n} {d:%d/%m/%Y}"
        for n, d in zip((8812, 9930, 10411, 11020), days, strict=True)
    ]
    rows = pl.concat(
        [
            _rows(([d], -80.0, text, "utilities"), as_of=D(2026, 3, 1))
            for d, text in zip(days, descriptions, strict=True)
        ]
    )
    flow = _one(detect_recurring(rows), "PAGO FACTURA EPM")
    assert flow["n"] == 4


def test_two_bookings_on_one_day_are_one_occurrence():
    days = _monthly(25, D(2025, 11, 25), 4)
    rows = _rows(
        (days, 1000.0, "NOMINA ACME", "income.salary"),
        (days[:1], 1000.0, "NOMINA ACME", "income.salary"),  # the first pay split in two
        as_of=D(2026, 3, 1),
    )
    flow = _one(detect_recurring(rows), "NOMINA ACME")
    assert flow["n"] == 4
    assert flow["first_day"] == days[0]


def test_the_category_of_a_flow_is_its_most_frequent_one():
    days = _monthly(5, D(2025, 10, 5), 5)
    rows = _rows(
        (days[:3], 700.0, "PAGO IPS", "income.benefits"),
        (days[3:], 700.0, "PAGO IPS", "income.pension"),
        as_of=D(2026, 3, 1),
    )
    assert _one(detect_recurring(rows), "PAGO IPS")["category"] == "income.benefits"


# --- missed payments, judged at as_of only ---------------------------------------------------


def test_a_salary_that_stops_is_reported_missed_with_the_days_overdue():
    rows = _rows(
        (_monthly(25, D(2025, 8, 25), 5), 2500.0, "NOMINA ACME", "income.salary"),
        as_of=D(2026, 2, 10),  # last pay 2025-12-25, due 2026-01-25
    )
    flow = _one(detect_recurring(rows), "NOMINA ACME")
    assert flow["next_due"] == D(2026, 1, 25)
    assert flow["missed"]
    assert flow["days_overdue"] == 16
    assert flow["days_until_next"] == -16


def test_a_monthly_loan_repayment_that_did_not_come_this_month_is_missed():
    rows = _rows(
        (_monthly(5, D(2025, 9, 5), 6), -350.0, "CUOTA PRESTAMO BANCO", "loan.repayment"),
        as_of=D(2026, 3, 31),  # nothing on 2026-03-05
    )
    flow = _one(detect_recurring(rows), "CUOTA PRESTAMO BANCO")
    assert (flow["direction"], flow["missed"], flow["days_overdue"]) == ("obligation", True, 26)


def test_a_payment_within_the_grace_days_is_late_but_not_missed():
    rows = _rows(
        (_monthly(25, D(2025, 10, 25), 4), 2500.0, "NOMINA ACME", "income.salary"),
        as_of=D(2026, 2, 28),  # due 2026-02-25: 3 days late
    )
    flow = _one(detect_recurring(rows), "NOMINA ACME")
    assert (flow["missed"], flow["days_overdue"], flow["days_until_next"]) == (False, 0, -3)
    assert _one(detect_recurring(rows, grace_days=2), "NOMINA ACME")["missed"]


def test_snapshots_of_one_account_are_judged_each_at_its_own_as_of():
    days = _monthly(25, D(2025, 9, 25), 5)  # the last pay is 2026-01-25; February's never comes
    early = _rows((days, 2500.0, "NOMINA ACME", "income.salary"), as_of=D(2026, 2, 3), sid=1)
    late = _rows((days, 2500.0, "NOMINA ACME", "income.salary"), as_of=D(2026, 3, 10), sid=2)
    flows = detect_recurring(pl.concat([late, early]))
    assert flows["sid"].to_list() == [1, 2]
    assert flows["missed"].to_list() == [False, True]
    assert flows["days_until_next"].to_list() == [22, -13]


def test_a_snapshot_sees_only_its_own_rows():
    # sid 1 has three salaries by its as_of; sid 2 (earlier) only two: no flow yet
    days = _monthly(25, D(2025, 11, 25), 3)
    rows = pl.concat(
        [
            _rows((days, 2500.0, "NOMINA ACME", "income.salary"), as_of=D(2026, 2, 1), sid=1),
            _rows((days[:2], 2500.0, "NOMINA ACME", "income.salary"), as_of=D(2026, 1, 1), sid=2),
        ]
    )
    assert detect_recurring(rows)["sid"].to_list() == [1]


# --- the engine's frame and bad input --------------------------------------------------------


def test_the_engine_form_with_categorical_descriptions_and_enum_categories_gives_the_same_flows():
    rows = _rows(
        (_monthly(25, D(2025, 9, 25), 6), 2500.0, "Nómina Acme S.A.", "income.salary"),
        (_monthly(2, D(2025, 9, 2), 6), -900.0, None, "housing"),
        (_every(7, D(2025, 12, 1), 12), -20.0, "COMPRA TIENDA", "groceries"),
        as_of=D(2026, 3, 3),
    )
    engine = rows.rename({"description": "desc"}).with_columns(
        pl.col("desc").cast(pl.Categorical), pl.col("category").cast(pl.Enum(list(CATEGORIES)))
    )
    plain = detect_recurring(rows)
    assert plain["flow_key"].to_list() == ["NOMINA ACME SA", "housing"]
    assert detect_recurring(engine).equals(plain)


def test_no_rows_give_an_empty_frame_with_every_column():
    empty = _rows(as_of=D(2026, 1, 1))
    out = detect_recurring(empty)
    assert out.is_empty()
    assert out.columns[:4] == ["sid", "flow_key", "direction", "category"]
    assert out.schema["next_due"] == pl.Date and out.schema["missed"] == pl.Boolean


def test_a_rows_frame_without_a_needed_column_is_rejected_naming_it():
    rows = _rows((_monthly(25, D(2025, 9, 25), 3), 1.0, "X", None), as_of=D(2026, 1, 1))
    with pytest.raises(ConfigError, match=r"lacks column 'amount'"):
        detect_recurring(rows.drop("amount"))


def test_rows_booked_after_as_of_are_rejected_not_silently_used():
    rows = _rows(([D(2026, 1, 5), D(2026, 2, 5)], 1.0, "X", None), as_of=D(2026, 1, 31), sid=9)
    with pytest.raises(ConfigError, match=r"after their snapshot's as_of \(sid 9\)"):
        detect_recurring(rows)


def test_a_date_column_of_the_wrong_type_is_rejected():
    rows = _rows(([D(2026, 1, 5)], 1.0, "X", None), as_of=D(2026, 1, 31))
    with pytest.raises(ConfigError, match=r"'day' is Datetime.*expected Date"):
        detect_recurring(rows.with_columns(pl.col("day").cast(pl.Datetime)))


@pytest.mark.parametrize("grace", [-1, 2.5, True])
def test_grace_days_must_be_a_whole_number_of_days(grace):
    rows = _rows(([D(2026, 1, 5)], 1.0, "X", None), as_of=D(2026, 1, 31))
    with pytest.raises(ConfigError, match="grace_days"):
        detect_recurring(rows, grace_days=grace)


# --- the counterparty key --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "category", "key"),
    [
        ("Pagó Nómina ACME S.A.", "income.salary", "PAGO NOMINA ACME SA"),
        ("NOMINA ACME SA - MARZO 2026", None, "NOMINA ACME SA"),
        ("PAGO FACTURA EPM REF:884512 25/03/2026", None, "PAGO FACTURA EPM"),
        ("TRANSFERENCIA   NO. 77812  de  Juan", None, "TRANSFERENCIA DE JUAN"),
        ("CFE 2026-03-25 *SUMINISTRO*", None, "CFE SUMINISTRO"),
        ("", "housing", "housing"),
        ("REF 12345", "utilities", "utilities"),
        (None, None, UNKNOWN_KEY),
    ],
)
def test_flow_key_normalises_the_counterparty(description, category, key):
    frame = pl.DataFrame(
        {"d": [description], "c": [category]}, schema={"d": pl.String, "c": pl.String}
    )
    assert frame.select(flow_key(pl.col("d"), pl.col("c")))["flow_key"].item() == key


def test_detection_and_flow_key_agree_on_the_key():
    text = "Abono Nómina Rappi S.A.S. ref 0093"
    rows = _rows((_monthly(20, D(2025, 11, 20), 4), 1.0, text, None), as_of=D(2026, 3, 1))
    expected = pl.select(flow_key(pl.lit(text), pl.lit(None, dtype=pl.String))).item()
    assert detect_recurring(rows)["flow_key"].to_list() == [expected]


# Days 27 and 28 are left out: moved two days later in February they fall in March (a 28th
# paid on 2 March, then 26 March), which the detector reads as off its day. Known limit.
@settings(max_examples=40, deadline=None)
@given(
    day_of_month=st.integers(1, 26),
    months=st.integers(3, 12),
    jitter=st.lists(st.integers(-2, 2), min_size=12, max_size=12),
    amount=st.floats(1, 1e7),
)
def test_any_monthly_flow_within_two_days_of_its_day_is_monthly(
    day_of_month, months, jitter, amount
):
    days = [
        d + dt.timedelta(days=j)
        for d, j in zip(
            _monthly(day_of_month, D(2025, 1, day_of_month), months), jitter, strict=False
        )
    ]
    as_of = max(days) + dt.timedelta(days=3)
    rows = _rows((days, -amount, "SEGURO VIDA", "insurance"), as_of=as_of)
    flow = _one(detect_recurring(rows), "SEGURO VIDA")
    assert flow["period"] == "monthly"
    assert not flow["missed"]
    assert 15 <= (flow["next_due"] - flow["last_day"]).days <= 45


# --- the pandas convenience ------------------------------------------------------------------


def _transactions() -> pd.DataFrame:
    salary = [f"2026-{m:02d}-25T08:00:00" for m in range(1, 6)]
    rent = [f"2026-{m:02d}-02" for m in range(1, 6)]
    return pd.DataFrame(
        {
            "account_id": ["A1"] * 10 + ["A2"] * 3,
            "booked_at": salary + rent + ["2026-03-01", "2026-03-15", "2026-03-29"],
            "amount": [2000.0] * 5 + [-700.0] * 5 + [-50.0, -50.0, -50.0],
            "description": ["NOMINA ACME"] * 5 + ["ARRIENDO"] * 5 + ["SEGURO AUTO"] * 3,
            "category": ["income.salary"] * 5 + ["housing"] * 5 + [None] * 3,
        }
    )


def test_recurring_flows_reports_each_account_at_its_last_booking_day():
    out = recurring_flows(_transactions())
    assert isinstance(out, pd.DataFrame)
    assert out[["account_id", "flow_key", "period"]].values.tolist() == [
        ["A1", "NOMINA ACME", "monthly"],
        ["A1", "ARRIENDO", "monthly"],
        ["A2", "SEGURO AUTO", "biweekly"],  # category inferred: insurance
    ]
    assert "sid" not in out.columns
    assert out["next_due"].dtype == "datetime64[us]"
    assert pd.to_datetime(out["as_of"]).dt.date.tolist() == [D(2026, 5, 25)] * 2 + [D(2026, 3, 29)]


def test_recurring_flows_at_a_given_as_of_ignores_later_bookings():
    out = recurring_flows(_transactions(), as_of="2026-03-10")
    a1 = out[out["account_id"] == "A1"].set_index("flow_key")
    # by 2026-03-10 only three rents and two salaries were booked
    assert a1.index.tolist() == ["ARRIENDO"]
    assert a1.loc["ARRIENDO", "n"] == 3
    assert not a1.loc["ARRIENDO", "missed"]
    assert "A2" not in set(out["account_id"])  # one booking by then


def test_recurring_flows_marks_a_stopped_salary_missed():
    out = recurring_flows(_transactions(), as_of=D(2026, 7, 10))
    salary = out[out["flow_key"] == "NOMINA ACME"].iloc[0]
    assert bool(salary["missed"]) and salary["days_overdue"] == 15


def test_recurring_flows_rejects_a_table_without_amounts_naming_table_and_column():
    with pytest.raises(ContractError) as info:
        recurring_flows(_transactions().drop(columns="amount"))
    assert ("transactions", "amount") in info.value.columns()


def test_recurring_flows_rejects_an_unreadable_as_of():
    with pytest.raises(ConfigError, match="as_of must be a date"):
        recurring_flows(_transactions(), as_of="last tuesday")


def test_recurring_flows_infers_categories_like_the_feature_engine():
    # no descriptions, no categories: the regular inflow is inferred as a salary and
    # found; outflows nobody can name are card spending, never an obligation
    tx = _transactions()[["account_id", "booked_at", "amount"]]
    out = recurring_flows(tx)
    assert out[["account_id", "direction", "category", "period"]].values.tolist() == [
        ["A1", "income", "income.salary", "monthly"]
    ]
    assert UNKNOWN_KEY not in set(out["flow_key"])


# --- on realistic synthetic data -------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    synthetic = pytest.importorskip("collectscore.synthetic")
    return synthetic.generate(synthetic.SampleConfig(debtors=200, seed=1))


def test_the_salaries_of_salaried_synthetic_debtors_are_found(sample):
    truth = sample.truth
    tx = sample.transactions.merge(truth["transactions"], on="transaction_id")
    debtors = truth["debtors"].merge(sample.debtors[["debtor_id", "as_of", "account_id"]])
    as_of = max(debtors["as_of"])
    flows = recurring_flows(tx, as_of=as_of)
    income = flows[flows["direction"] == "income"]
    salaried = debtors.loc[
        (debtors["as_of"] == as_of) & debtors["income_type"].str.startswith("salary"), "account_id"
    ]
    found = set(income.loc[income["category"] == "income.salary", "account_id"])
    recall = len(found & set(salaried)) / len(set(salaried))
    assert recall >= 0.95
    # every recurring income found is a true income flow, with the period it is paid at
    assert set(income["category"]) <= {c for c in CATEGORIES if c.startswith("income.")}
    periods = income.merge(debtors[debtors["as_of"] == as_of], on="account_id")
    biweekly = periods.loc[periods["income_type"] == "salary_biweekly", "period"]
    assert (biweekly == "biweekly").all()


def test_periods_are_declared_once_with_their_nominal_days():
    assert {p: d for p, (d, _, _) in PERIODS.items()} == {
        "weekly": 7,
        "biweekly": 14,
        "monthly": 30,
    }


def test_the_income_and_obligation_categories_come_from_the_contract_vocabulary():
    assert all(is_known_category(c) for c in INCOME_CATEGORIES + OBLIGATION_CATEGORIES)
    assert set(INCOME_CATEGORIES) == {c for c in CATEGORIES if c.startswith("income.")}


def test_an_extension_of_an_obligation_category_still_counts():
    rows = _rows(
        (_monthly(3, D(2025, 11, 3), 4), -600.0, "ARRIENDO", "housing.rent"), as_of=D(2026, 3, 5)
    )
    assert _one(detect_recurring(rows), "ARRIENDO")["category"] == "housing.rent"
