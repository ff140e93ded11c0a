"""Capacity signals and monitoring events: "does the debtor have money now, and what changed"."""

from __future__ import annotations

import pandas as pd
import pytest
from builders import account, debtor, monthly

from collectscore import ConfigError
from collectscore.features import EVENTS, SignalConfig, capacity_signals, monitoring_events

AS_OF = "2026-10-05"


def salaried(last_salary_month: str, *extra: tuple[str, float, str, str]) -> pd.DataFrame:
    return account(
        monthly(25, "2026-01", last_salary_month, 2000.0, "NOMINA ACME SA", "income.salary")
        + monthly(1, "2026-01", "2026-10", -700.0, "ALQUILER PISO", "housing")
        + list(extra),
        opening=300.0,
    )


def signals(tx: pd.DataFrame, **kw: object) -> pd.Series:
    return capacity_signals(tx, pd.DataFrame([debtor(AS_OF, **kw)])).iloc[0]


def test_funds_above_installment_plus_buffer_are_flagged_with_the_next_payday() -> None:
    s = signals(salaried("2026-09"))
    # 300 + 9 salaries - 10 rents = 11,300; threshold = 200 + 10% of 2,000
    assert s["funds_available"] == pytest.approx(11_300.0)
    assert s["threshold"] == pytest.approx(400.0)
    assert bool(s["has_funds"])
    assert s["next_income_date"] == pd.Timestamp("2026-10-25")
    assert s["days_until_next_income"] == 20
    assert not s["income_drop_alert"]


def test_a_debtor_whose_balance_is_below_the_threshold_has_no_funds() -> None:
    s = signals(salaried("2026-09"), installment=20_000.0)
    assert not s["has_funds"]


def test_a_salary_that_stops_raises_the_income_drop_alert() -> None:
    s = signals(salaried("2026-08"))
    assert s["income_drop"] == 1.0
    assert bool(s["income_drop_alert"])


def test_the_alert_threshold_is_configurable() -> None:
    tx = account(
        [
            *monthly(25, "2026-01", "2026-08", 2000.0, "NOMINA ACME SA", "income.salary"),
            ("2026-09-25", 1500.0, "NOMINA ACME SA", "income.salary"),
        ]
    )
    rows = pd.DataFrame([debtor(AS_OF)])
    assert capacity_signals(tx, rows)["income_drop"].iloc[0] == pytest.approx(0.25)
    assert not capacity_signals(tx, rows)["income_drop_alert"].iloc[0]
    lenient = SignalConfig(income_drop_alert=0.2)
    assert capacity_signals(tx, rows, config=lenient)["income_drop_alert"].iloc[0]


def events(tx: pd.DataFrame) -> pd.DataFrame:
    return monitoring_events(tx, pd.DataFrame([debtor(AS_OF)]))


def test_every_event_kind_is_detected_when_it_happens() -> None:
    tx = salaried(
        "2026-08",  # the September salary never came: expected income missed
        ("2026-09-20", -15.0, "DEVOLUCION RECIBO", "fee.nsf"),
        ("2026-09-28", 5000.0, "Transferencia recibida", "transfer.in"),
        # a new monthly loan since July
        *monthly(3, "2026-07", "2026-10", -250.0, "CUOTA PRESTAMO RAPIDO", "loan.repayment"),
        # a new pension since July
        *monthly(2, "2026-07", "2026-10", 900.0, "PENSION COLPENSIONES", "income.pension"),
        ("2026-10-04", -25_000.0, "Transferencia enviada", "transfer.out"),  # the balance goes low
    )
    found = events(tx)
    assert set(found["event"]) == set(EVENTS)
    by = found.set_index("event")
    assert by.loc["returned_payment", "date"] == pd.Timestamp("2026-09-20")
    assert by.loc["large_deposit", "amount"] == 5000.0
    assert by.loc["expected_income_missed", "date"] == pd.Timestamp("2026-09-25")
    assert by.loc["new_loan_repayment", "amount"] == -250.0
    assert by.loc["new_income_stream", "amount"] == 900.0


def test_a_quiet_account_raises_no_event() -> None:
    assert events(salaried("2026-09")).empty


def test_events_before_the_reporting_period_are_not_repeated() -> None:
    tx = salaried("2026-09", ("2026-08-20", -15.0, "DEVOLUCION RECIBO", "fee.nsf"))
    assert "returned_payment" not in set(events(tx)["event"])


def test_bad_thresholds_are_refused_with_their_name() -> None:
    with pytest.raises(ConfigError, match="since_days"):
        SignalConfig(since_days=0)
