"""How contributions relate to the calibrated p_pay, and which models can be explained."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from explaincases import Trained, logistic_labels

from collectscore._errors import ConfigError, ContractError
from collectscore.explanations import explain
from collectscore.models import ContactModel, PropensityModel

N = 2000


def _data(seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "funds_to_installment": rng.lognormal(0, 1, N),
            "days_past_due": rng.integers(0, 120, N).astype(float),
            "income_cv_180d": rng.uniform(0, 2, N),
        }
    )
    logit = 0.8 * np.log(X["funds_to_installment"]) - 0.02 * X["days_past_due"] + 0.5
    return X, logistic_labels(logit.to_numpy(), seed + 1)


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1 - p))


@pytest.mark.parametrize("calibration", ["sigmoid", "none"])
def test_calibrated_contributions_add_up_to_the_logit_of_p_pay(calibration: str) -> None:
    X, y = _data()
    model = PropensityModel(n_estimators=80, calibration=calibration, random_state=0).fit(X, y)
    explanation = explain(model, X)
    calibrated = explanation.calibrated()
    total = explanation.calibrated_base_value + calibrated.to_numpy().sum(axis=1)
    np.testing.assert_allclose(total, _logit(explanation.p_pay), rtol=0, atol=1e-9)
    # a positive slope: every feature keeps its sign, so the reasons read the same
    assert (np.sign(calibrated.to_numpy()) == np.sign(explanation.contributions.to_numpy())).all()


def test_isotonic_p_pay_never_falls_as_the_margin_rises_and_has_no_exact_split() -> None:
    X, y = _data(seed=5)
    model = PropensityModel(n_estimators=80, calibration="isotonic", random_state=0).fit(X, y)
    explanation = explain(model, X)
    order = np.argsort(explanation.margin, kind="stable")
    assert (np.diff(explanation.p_pay[order]) >= 0).all()
    grid = pd.DataFrame(
        {
            "funds_to_installment": np.geomspace(0.01, 50, 400),
            "days_past_due": 30.0,
            "income_cv_180d": 0.5,
        }
    )
    on_grid = explain(model, grid)
    assert (np.diff(on_grid.margin) >= -1e-12).all()  # monotone trees: more funds, more margin
    assert (np.diff(on_grid.p_pay) >= 0).all()
    with pytest.raises(ConfigError, match="non-decreasing step function"):
        explanation.calibrated()


def test_a_model_that_is_not_a_propensity_model_is_refused_with_the_fix() -> None:
    from sklearn.linear_model import LogisticRegression

    X, y = _data()
    with pytest.raises(ConfigError, match=r"needs a fitted collectscore\.models\.PropensityModel"):
        explain(LogisticRegression().fit(X, y), X)
    with pytest.raises(ConfigError, match="ContactModel"):
        explain(ContactModel(), X)
    with pytest.raises(ConfigError, match=r"not fitted yet.*Fix: call model\.fit"):
        explain(PropensityModel(), X)


def test_missing_feature_columns_are_named_with_the_fix(sample_model: Trained) -> None:
    X = sample_model.X.iloc[:5].drop(columns=["days_past_due", "outstanding"])
    with pytest.raises(ContractError) as caught:
        explain(sample_model.model, X)
    message = str(caught.value)
    assert "table 'features'" in message and "missing 'days_past_due', 'outstanding'" in message
    assert "Fix: build the features with the same feature list" in message


def test_an_unknown_method_is_refused() -> None:
    X, y = _data()
    model = PropensityModel(n_estimators=10, random_state=0).fit(X, y)
    with pytest.raises(ConfigError, match="did you mean 'shap'"):
        explain(model, X, method="shapp")  # type: ignore[arg-type]
