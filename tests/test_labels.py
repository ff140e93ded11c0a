"""The propensity label follows the contract's definition."""

from __future__ import annotations

import pandas as pd
import pytest

from collectscore import ConfigError, paid_within_horizon


def _debtors(**overrides: object) -> pd.DataFrame:
    base = {
        "debtor_id": ["d1"],
        "account_id": ["a1"],
        "as_of": [pd.Timestamp("2026-03-31")],
        "outstanding": [1000.0],
        "days_past_due": [40],
        "installment": [200.0],
    }
    base.update({k: [v] for k, v in overrides.items()})
    return pd.DataFrame(base)


def _payments(*rows: tuple[str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["debtor_id", "paid_at", "amount"]).assign(
        paid_at=lambda f: pd.to_datetime(f["paid_at"], format="ISO8601")
    )


def test_paying_the_installment_within_the_horizon_counts_as_paid() -> None:
    label = paid_within_horizon(_debtors(), _payments(("d1", "2026-04-15", 200.0)))
    assert label.tolist() == [1]


def test_several_small_payments_add_up_to_the_installment() -> None:
    payments = _payments(("d1", "2026-04-02", 120.0), ("d1", "2026-04-29 18:00", 80.0))
    assert paid_within_horizon(_debtors(), payments).tolist() == [1]


def test_paying_less_than_the_installment_is_not_paid() -> None:
    assert paid_within_horizon(_debtors(), _payments(("d1", "2026-04-10", 199.0))).tolist() == [0]


def test_payments_on_or_before_as_of_or_after_the_horizon_do_not_count() -> None:
    payments = _payments(
        ("d1", "2026-03-31 23:00", 500.0),  # on the observation day itself
        ("d1", "2026-05-01", 500.0),  # day 31
    )
    assert paid_within_horizon(_debtors(), payments).tolist() == [0]
    assert paid_within_horizon(_debtors(), payments, horizon_days=31).tolist() == [1]


def test_without_installment_the_whole_outstanding_is_due() -> None:
    debtors = _debtors().drop(columns="installment")
    assert paid_within_horizon(debtors, _payments(("d1", "2026-04-10", 999.0))).tolist() == [0]
    assert paid_within_horizon(debtors, _payments(("d1", "2026-04-10", 1000.0))).tolist() == [1]


def test_installment_above_outstanding_only_needs_the_outstanding() -> None:
    debtors = _debtors(outstanding=150.0, installment=200.0)
    assert paid_within_horizon(debtors, _payments(("d1", "2026-04-10", 150.0))).tolist() == [1]


def test_each_snapshot_gets_its_own_window_and_the_index_is_kept() -> None:
    debtors = pd.concat(
        [_debtors(), _debtors(as_of=pd.Timestamp("2026-04-30"))], ignore_index=True
    ).set_axis(["x", "y"])
    label = paid_within_horizon(debtors, _payments(("d1", "2026-04-20", 200.0)))
    assert label.to_dict() == {"x": 1, "y": 0}


def test_a_horizon_below_one_day_is_refused() -> None:
    with pytest.raises(ConfigError, match="horizon_days"):
        paid_within_horizon(_debtors(), _payments(), horizon_days=0)
