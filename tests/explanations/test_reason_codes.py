"""Reason codes: the strongest features lowering and raising p_pay, stable and readable."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from explaincases import Trained, logistic_labels

from collectscore._errors import ConfigError
from collectscore.explanations import (
    CODES,
    FAMILY_PREFIX,
    REASON_COLUMNS,
    RETIRED_CODES,
    explain,
    reason_code_catalogue,
    reason_codes,
    reason_columns,
)
from collectscore.features import catalog, registry
from collectscore.models import PropensityModel

N = 3000


@pytest.fixture(scope="module")
def income_model() -> PropensityModel:
    """Paying depends mostly on last month's income drop, a little on the balance."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        {
            "income_drop_last_month": rng.uniform(-0.3, 0.8, N),
            "balance_current": rng.normal(2000, 800, N),
            "days_past_due": rng.integers(0, 90, N).astype(float),
        }
    )
    logit = 1.0 - 5.0 * X["income_drop_last_month"] + 0.0004 * (X["balance_current"] - 2000)
    y = logistic_labels(logit.to_numpy(), seed=1)
    return PropensityModel(n_estimators=150, random_state=0).fit(X, y)


def _debtor(drop: float) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"income_drop_last_month": [drop], "balance_current": [2000.0], "days_past_due": [30.0]}
    )
    return frame.set_axis(pd.Index(["D1"], name="debtor_id"))


def test_an_income_drop_is_the_first_reason_lowering_p_pay_in_english_and_spanish(
    income_model: PropensityModel,
) -> None:
    explanation = explain(income_model, _debtor(0.45))
    en = reason_codes(explanation, k=2)
    first = en[en["direction"] == "lowers"].iloc[0]
    assert first["row"] == "D1" and first["rank"] == 1
    assert first["feature"] == "income_drop_last_month"
    assert first["code"] == CODES["income_drop_last_month"] == "CS-INC-17"
    assert first["value"] == pytest.approx(0.45) and first["unit"] == "share"
    assert first["contribution"] < 0
    assert first["text"] == "Income fell 45% last month compared with the previous 3 months"
    es = reason_codes(explanation, k=2, language="es")
    assert es.iloc[0]["text"] == (
        "Los ingresos cayeron un 45 % el último mes frente a los 3 meses anteriores"
    )
    assert list(en.columns) == list(REASON_COLUMNS)


def test_a_rise_in_income_reads_as_a_rise_and_raises_p_pay(income_model: PropensityModel) -> None:
    table = reason_codes(explain(income_model, _debtor(-0.2)), k=1)
    raising = table[table["direction"] == "raises"].iloc[0]
    assert raising["feature"] == "income_drop_last_month" and raising["contribution"] > 0
    assert raising["text"] == "Income rose 20% last month compared with the previous 3 months"


def test_the_same_debtor_and_model_always_give_the_same_codes(sample_model: Trained) -> None:
    rows = sample_model.X.iloc[:40]
    first = reason_codes(explain(sample_model.model, rows), k=4)
    again = reason_codes(explain(sample_model.model, rows.copy()), k=4)
    pd.testing.assert_frame_equal(first, again)
    one = reason_codes(explain(sample_model.model, rows.iloc[[7]]), k=4)
    label = rows.index[7]
    same = first[first["row"] == label].reset_index(drop=True)
    pd.testing.assert_frame_equal(one, same)


def test_reasons_are_the_strongest_contributions_in_order_without_zeros(
    sample_model: Trained,
) -> None:
    explanation = explain(sample_model.model, sample_model.X.iloc[:30])
    table = reason_codes(explanation, k=3)
    for (label, direction), group in table.groupby(["row", "direction"], sort=False):
        contrib = explanation.contributions.loc[label]
        expected = (
            contrib[contrib < 0].nsmallest(3)
            if direction == "lowers"
            else (contrib[contrib > 0].nlargest(3))
        )
        assert list(group["feature"]) == list(expected.index)
        assert list(group["rank"]) == list(range(1, len(group) + 1))
        np.testing.assert_allclose(group["contribution"], expected.to_numpy())
        np.testing.assert_allclose(
            group["value"], explanation.values.loc[label, list(group["feature"])].to_numpy()
        )
    assert (table["contribution"] != 0).all()
    assert set(table["direction"]) == {"lowers", "raises"}


def test_tied_contributions_are_ordered_by_feature_name() -> None:
    from collectscore.explanations import Explanation

    contrib = pd.DataFrame([[-0.5, -0.5, 0.0, 0.2]], columns=["zeta", "alpha", "mid", "beta"])
    values = pd.DataFrame([[1.0, 2.0, 3.0, 4.0]], columns=contrib.columns)
    explanation = Explanation(contrib, 0.0, np.array([-0.8]), np.array([0.3]), values)
    table = reason_codes(explanation, k=4)
    assert list(table["feature"]) == ["alpha", "zeta", "beta"]  # "mid" (0) is no reason
    assert list(table["code"]) == ["X-alpha", "X-zeta", "X-beta"]


def test_the_catalogue_has_one_unique_code_for_every_catalogue_feature() -> None:
    cat = reason_code_catalogue()
    assert list(cat.columns) == [
        "code",
        "feature",
        "family",
        "direction_of_risk",
        "text_en",
        "text_es",
    ]
    assert list(cat["feature"]) == list(catalog()["name"])
    assert cat["code"].is_unique and not set(cat["code"]) & RETIRED_CODES
    assert set(CODES) == set(registry()), "every feature needs a committed code (append only)"
    for row in cat.itertuples():
        assert row.code.startswith(f"CS-{FAMILY_PREFIX[row.family]}-")
        assert "{value}" in row.text_en or registry()[row.feature].unit == "flag"
    assert cat.loc[cat["feature"] == "days_past_due", "text_es"].item() == (
        "La deuda tiene {value} de atraso"
    )


@pytest.mark.parametrize(
    ("feature", "value", "en", "es"),
    [
        ("balance_current", 1234.5, "Balance at the end of the observation day: 1,234.50",
         "Saldo al final del día de observación: 1.234,50"),
        ("days_past_due", 1.0, "The debt is 1 day past due", "La deuda tiene 1 día de atraso"),
        ("gambling_share_90d", 0.125, "12% of spending went to gambling in the last 90 days",
         "El 12 % del gasto se fue en juegos de azar en los últimos 90 días"),
        ("balance_slope_90d", -12.5, "The balance fell by 12.50 per day over the last 90 days",
         "El saldo cayó 12,50 por día en los últimos 90 días"),
        ("days_below_installment_30d", 12.0,
         "The balance was below the installment due on 12 days of the last 30",
         "El saldo estuvo por debajo de la cuota 12 días de los últimos 30"),
        ("main_income_missed", 1.0, "The main recurring income is overdue",
         "El ingreso recurrente principal está atrasado"),
        ("capacity_covers_installment", 0.0,
         "This month's payment capacity does not cover the installment due",
         "La capacidad de pago de este mes no cubre la cuota"),
        ("months_with_income_180d", 4.0, "Months with some income among the last 6: 4 months",
         "Meses con algún ingreso entre los últimos 6: 4 meses"),
        ("income_monthly_mean_30d", np.nan, "Average monthly income over the last 30 days: no data",
         "Ingreso mensual promedio de los últimos 30 días: sin datos"),
    ],
)  # fmt: skip
def test_values_are_written_with_their_unit_in_both_languages(
    feature: str, value: float, en: str, es: str
) -> None:
    from collectscore.explanations import Explanation

    contrib = pd.DataFrame([[-0.3]], columns=[feature])
    values = pd.DataFrame([[value]], columns=[feature])
    explanation = Explanation(contrib, 0.0, np.array([-0.3]), np.array([0.4]), values)
    assert reason_codes(explanation, k=1)["text"].item() == en
    assert reason_codes(explanation, k=1, language="es")["text"].item() == es


def test_a_model_on_a_bring_your_own_table_gets_generic_reason_codes() -> None:
    rng = np.random.default_rng(3)
    X = pd.DataFrame({"utilisation": rng.uniform(0, 1.2, 2000), "noise": rng.normal(size=2000)})
    y = logistic_labels(1.5 - 3.0 * X["utilisation"].to_numpy(), seed=4)
    model = PropensityModel(n_estimators=60, random_state=0).fit(X, y)
    debtor = pd.DataFrame({"utilisation": [1.1], "noise": [0.0]}, index=["C7"])
    table = reason_codes(explain(model, debtor), k=2)
    first = table.iloc[0]
    assert first["code"] == "X-utilisation" and first["direction"] == "lowers"
    assert first["unit"] == ""
    assert first["text"] == "utilisation is 1.1, which lowers the chance of paying"
    es = reason_codes(explain(model, debtor), k=2, language="es").iloc[0]["text"]
    assert es == "utilisation es 1,1, lo que reduce la probabilidad de pago"


def test_score_columns_hold_json_lists_and_the_top_reason(income_model: PropensityModel) -> None:
    frame = pd.concat([_debtor(0.45), _debtor(-0.2).set_axis(["D2"])])
    columns = reason_columns(explain(income_model, frame), k=2)
    assert list(columns.columns) == ["reasons_lowering", "reasons_raising", "top_reason"]
    lowering = json.loads(columns.loc[0, "reasons_lowering"])
    assert lowering[0]["code"] == "CS-INC-17"
    assert set(lowering[0]) == {"code", "feature", "value", "unit", "contribution", "text"}
    assert columns.loc[0, "top_reason"] == lowering[0]["text"]
    raising = json.loads(columns.loc[1, "reasons_raising"])
    assert raising[0]["feature"] == "income_drop_last_month"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 0}, "k \\(reasons per direction\\) must be a whole number >= 1"),
        ({"language": "fr"}, "language must be one of 'en', 'es'"),
        ({"language": "ES"}, "did you mean 'es'"),
    ],
)
def test_bad_reason_options_are_refused_with_the_accepted_values(
    income_model: PropensityModel, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        reason_codes(explain(income_model, _debtor(0.1)), **kwargs)  # type: ignore[arg-type]


def test_reason_codes_need_an_explanation() -> None:
    with pytest.raises(ConfigError, match="needs an Explanation"):
        reason_codes(pd.DataFrame({"a": [1.0]}))  # type: ignore[arg-type]
