"""Bad input and bad thresholds get clear errors naming the column, rows and fix."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from collectscore import ConfigError, ContractError
from collectscore.strategy import INPUT_TABLE, INPUTS, StrategyConfig, assign_segments


def frame(**columns: Any) -> pd.DataFrame:
    base: dict[str, Any] = {
        "debtor_id": ["D1", "D2", "D3"],
        "as_of": pd.to_datetime(["2026-05-31"] * 3),
        "p_pay": [0.2, 0.5, 0.9],
        "days_past_due": [0, 30, 90],
        "outstanding": [100.0, 200.0, 300.0],
        "installment": [10.0, 20.0, 30.0],
        "free_cash_flow_monthly_90d": [50.0, 0.0, 10.0],
        "funds_available_now": [0.0, 5.0, 100.0],
        "next_income_date": pd.to_datetime(["2026-06-01", None, "2026-06-15"]),
    }
    base.update(columns)
    return pd.DataFrame(base)


@pytest.mark.parametrize("name", [n for n, spec in INPUTS.items() if spec.required])
def test_each_required_input_missing_is_named_with_the_table_and_the_fix(name):
    data = frame().drop(columns=name)
    with pytest.raises(ContractError) as info:
        assign_segments(data)
    assert info.value.columns() == {(INPUT_TABLE, name)}
    assert f"'{name}'" in str(info.value)
    assert "segment_dataset builds every input" in str(info.value)


def test_a_misspelt_column_gets_a_did_you_mean():
    data = frame().rename(columns={"p_pay": "P_Pay", "days_past_due": "days_pastdue"})
    with pytest.raises(ContractError) as info:
        assign_segments(data)
    text = str(info.value)
    assert "did you mean 'P_Pay'?" in text
    assert "did you mean 'days_pastdue'?" in text
    assert "2 problems" in text


def test_a_p_pay_outside_zero_one_is_rejected_naming_the_rows():
    with pytest.raises(ContractError) as info:
        assign_segments(frame(p_pay=[0.2, 1.5, -0.1]))
    (problem,) = info.value.problems
    assert (problem.column, problem.rows, problem.n_rows) == ("p_pay", (1, 2), 2)
    assert "a number in [0, 1]" in str(info.value)
    assert "1.5" in problem.received


def test_missing_values_where_none_are_allowed_are_rejected():
    with pytest.raises(ContractError) as info:
        assign_segments(frame(p_pay=[0.2, np.nan, 0.5], days_past_due=[1, 2, None]))
    assert {p.column for p in info.value.problems} == {"p_pay", "days_past_due"}
    assert all("missing values" in p.received for p in info.value.problems)


def test_negative_days_past_due_and_text_amounts_are_rejected_together():
    data = frame(days_past_due=[-1, 0, 5], funds_available_now=["10", "lots", 3.0])
    with pytest.raises(ContractError) as info:
        assign_segments(data)
    by_column = {p.column: p for p in info.value.problems}
    assert by_column["days_past_due"].rows == (0,)
    assert by_column["funds_available_now"].rows == (1,)
    assert "'lots'" in by_column["funds_available_now"].received


def test_a_bad_date_is_rejected_naming_the_row():
    with pytest.raises(ContractError) as info:
        assign_segments(frame(next_income_date=["2026-06-01", "soon", None]))
    (problem,) = info.value.problems
    assert (problem.column, problem.rows) == ("next_income_date", (1,))


def test_not_a_dataframe_is_a_config_error():
    with pytest.raises(ConfigError, match="pandas DataFrame"):
        assign_segments(frame().to_dict())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("willing_p_pay", 1.5),
        ("self_cure_max_days_past_due", 2.5),
        ("plan_max_months", 0),
        ("plan_share_of_free_cash_flow", float("nan")),
        ("reminder_wait_days", True),
    ],
)
def test_a_threshold_out_of_range_is_a_config_error_naming_it(field, value):
    with pytest.raises(ConfigError, match=f"StrategyConfig.{field} .* must be"):
        StrategyConfig(**{field: value})


def test_thresholds_load_from_a_mapping_and_an_unknown_key_gets_a_did_you_mean():
    config = StrategyConfig.from_mapping({"willing_p_pay": 0.6, "plan_max_months": 24})
    assert (config.willing_p_pay, config.plan_max_months) == (0.6, 24)
    with pytest.raises(ConfigError, match="'wiling_p_pay'; did you mean 'willing_p_pay'"):
        StrategyConfig.from_mapping({"wiling_p_pay": 0.6})
