"""Contributions are exact: they add up to the margin and agree with shap.TreeExplainer."""

from __future__ import annotations

import numpy as np
import pytest
from explaincases import Trained

from collectscore.explanations import Explanation, explain


def _check_additive(explanation: Explanation, model: object, X: object) -> None:
    total = explanation.base_value + explanation.contributions.to_numpy().sum(axis=1)
    np.testing.assert_allclose(total, model.decision_function(X), rtol=0, atol=1e-6)
    np.testing.assert_allclose(explanation.margin, model.decision_function(X), rtol=0, atol=0)
    np.testing.assert_allclose(explanation.p_pay, model.predict_proba(X)[:, 1], rtol=0, atol=0)


@pytest.mark.parametrize("trained", ["sample_model", "taiwan_model"])
def test_base_plus_contributions_is_the_raw_margin_of_every_row(
    trained: str, request: pytest.FixtureRequest
) -> None:
    t: Trained = request.getfixturevalue(trained)
    explanation = explain(t.model, t.X)
    _check_additive(explanation, t.model, t.X)
    names = list(t.model.feature_names_in_)
    assert list(explanation.contributions.columns) == names == list(explanation.values.columns)
    assert explanation.contributions.index.equals(t.X.index)
    assert explanation.values.index.equals(t.X.index)
    assert (explanation.contributions.abs().to_numpy().sum(axis=0) > 0).any()


@pytest.mark.parametrize("trained", ["sample_model", "taiwan_model"])
def test_native_treeshap_agrees_with_shap_tree_explainer(
    trained: str, request: pytest.FixtureRequest
) -> None:
    t: Trained = request.getfixturevalue(trained)
    rows = t.X.iloc[:800]
    native = explain(t.model, rows)
    reference = explain(t.model, rows, method="shap")
    np.testing.assert_allclose(
        native.contributions.to_numpy(), reference.contributions.to_numpy(), rtol=0, atol=1e-6
    )
    assert native.base_value == pytest.approx(reference.base_value, abs=1e-6)
    _check_additive(reference, t.model, rows)


def test_columns_may_come_in_any_order_and_rows_keep_their_labels(sample_model: Trained) -> None:
    X = sample_model.X.iloc[:50]
    shuffled = X[list(reversed(X.columns))]
    a, b = explain(sample_model.model, X), explain(sample_model.model, shuffled)
    assert a.contributions.equals(b.contributions)
    assert a.values.equals(b.values)


def test_one_thread_gives_the_same_contributions_and_scores_as_every_core(
    sample_model: Trained,
) -> None:
    one = explain(sample_model.model, sample_model.X, threads=1)
    every = explain(sample_model.model, sample_model.X)
    np.testing.assert_allclose(
        one.contributions.to_numpy(), every.contributions.to_numpy(), rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(one.margin, every.margin, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(one.p_pay, every.p_pay)


@pytest.mark.parametrize("threads", [0, -1, 1.5, True])
def test_a_thread_count_that_is_not_a_positive_whole_number_is_refused(
    sample_model: Trained, threads: object
) -> None:
    from collectscore import ConfigError

    with pytest.raises(ConfigError, match="threads must be a whole number >= 1"):
        explain(sample_model.model, sample_model.X.iloc[:5], threads=threads)  # type: ignore[arg-type]
