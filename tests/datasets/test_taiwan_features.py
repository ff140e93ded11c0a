"""Model features of the UCI Taiwan set: no protected attributes, hand-checked arrears features."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from collectscore._errors import ContractError
from collectscore.datasets import taiwan
from collectscore.datasets.taiwan_features import (
    ARREARS_FEATURES,
    BASE_FEATURES,
    FEATURES,
    model_frame,
)

BASE = [name for name, _ in BASE_FEATURES]
ARREARS = [name for name, _ in ARREARS_FEATURES]


def _rows() -> pd.DataFrame:
    """Two clients as taiwan.load() returns them; months listed September first."""
    status = {  # sep, aug, jul, jun, may, apr
        "a": [1, 0, 2, 1, 0, -1],
        "b": [6, 5, 4, 3, 2, 1],
    }
    bill = {"a": [500, 1000, 0, -50, 200, 400], "b": [900, 800, 700, 600, 500, 400]}
    paid = {"a": [250, 300, 10, 500, 100, 0], "b": [0, 0, 0, 0, 0, 0]}
    data: dict[str, object] = {
        "client_id": [1, 2],
        "credit_limit": [1000.0, 2000.0],
        "sex": pd.Categorical(["male", "female"]),
        "education": pd.Categorical(["university", "unknown"]),
        "marital_status": pd.Categorical(["single", "married"]),
        "age": [30, 40],
    }
    for i, m in enumerate(taiwan.MONTHS):
        data[f"repayment_status_{m}"] = [status["a"][i], status["b"][i]]
    for i, m in enumerate(taiwan.MONTHS):
        data[f"bill_amount_{m}"] = [float(bill["a"][i]), float(bill["b"][i])]
    for i, m in enumerate(taiwan.MONTHS):
        data[f"paid_amount_{m}"] = [float(paid["a"][i]), float(paid["b"][i])]
    data[taiwan.TARGET] = [1, 0]
    return pd.DataFrame(data)


def test_the_real_set_gives_30000_rows_without_protected_or_id_columns(taiwan_dir: Path) -> None:
    X, y = model_frame(taiwan.load(taiwan_dir))
    assert X.shape == (taiwan.N_CLIENTS, len(FEATURES))
    assert list(X.columns) == [name for name, _ in FEATURES]
    assert not set(X.columns) & {*taiwan.PROTECTED, "client_id", taiwan.TARGET}
    assert all(pd.api.types.is_float_dtype(X[c]) for c in X.columns)
    assert np.isfinite(X.to_numpy()).all()
    assert y.name == taiwan.TARGET
    assert round(float(y.mean()), 4) == 0.7788


def test_without_arrears_only_the_base_columns_are_returned() -> None:
    X, y = model_frame(_rows(), arrears=False)
    assert list(X.columns) == BASE
    assert X["education_university"].tolist() == [1.0, 0.0]
    assert X["education_unknown"].tolist() == [0.0, 1.0]
    assert X["repayment_status_jul"].tolist() == [2.0, 4.0]
    assert y.tolist() == [1, 0]


def test_pay_ratio_is_paid_over_the_previous_bill_capped_at_one_and_one_when_nothing_owed() -> None:
    X, _ = model_frame(_rows())
    a = X.iloc[0]
    assert a["pay_ratio_sep"] == pytest.approx(250 / 1000)  # paid in Sep / bill of Aug
    assert a["pay_ratio_aug"] == 1.0  # bill of Jul is 0
    assert a["pay_ratio_jul"] == 1.0  # bill of Jun is negative (credit balance)
    assert a["pay_ratio_jun"] == 1.0  # 500 paid on a bill of 200: capped
    assert a["pay_ratio_may"] == pytest.approx(100 / 400)
    assert a["pay_ratio_mean"] == pytest.approx((0.25 + 1 + 1 + 1 + 0.25) / 5)
    assert X.iloc[1][[f"pay_ratio_{m}" for m in taiwan.MONTHS[:-1]]].tolist() == [0.0] * 5


def test_utilisation_is_the_bill_over_the_credit_limit() -> None:
    X, _ = model_frame(_rows())
    assert X["utilisation_latest"].tolist() == pytest.approx([0.5, 0.45])
    assert X["utilisation_mean"].tolist() == pytest.approx([2050 / 6 / 1000, 3900 / 6 / 2000])


def test_streaks_counts_and_trend_match_hand_computed_values() -> None:
    X, _ = model_frame(_rows())
    # client a, April..September: -1, 0, 1, 2, 0, 1 -> months delayed 0, 0, 1, 2, 0, 1
    a = X.iloc[0]
    assert a["delay_streak_current"] == 1
    assert a["delay_streak_longest"] == 2
    assert a["months_delayed"] == 3
    assert a["months_paid_duly"] == 1
    assert a["max_delay"] == 2
    assert a["delay_trend"] == pytest.approx(3 / 17.5)  # sum((t - 2.5) * delay) / sum((t - 2.5)^2)
    # client b: delayed 1, 2, ..., 6 months, a straight line of slope 1
    b = X.iloc[1]
    assert b[["delay_streak_current", "delay_streak_longest", "months_delayed"]].tolist() == [6] * 3
    assert b["months_paid_duly"] == 0
    assert b["max_delay"] == 6
    assert b["delay_trend"] == pytest.approx(1.0)


def test_every_column_is_documented_once() -> None:
    names = [name for name, _ in FEATURES]
    assert len(names) == len(set(names))
    assert all(text for _, text in FEATURES)
    assert list(model_frame(_rows())[0].columns[len(BASE) :]) == ARREARS


def test_a_frame_without_the_loaded_columns_is_rejected_naming_the_column() -> None:
    frame = _rows().drop(columns="bill_amount_may")
    with pytest.raises(ContractError, match="bill_amount_may"):
        model_frame(frame)


def test_an_unknown_education_level_is_rejected_naming_the_column() -> None:
    frame = _rows()
    frame["education"] = ["university", "phd"]
    with pytest.raises(ContractError, match="education") as info:
        model_frame(frame)
    assert "'phd'" in str(info.value)
