"""Baselines: a binned logistic scorecard and the days-past-due rule, as calibrated classifiers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from modeldata import synthetic_features
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from collectscore import ConfigError, ContractError
from collectscore._contract import DEBTORS
from collectscore.models._baselines import TIE_BREAK, DaysPastDueRule, ScorecardBaseline


def _features_and_labels(seed: int) -> tuple[pd.DataFrame, pd.Series]:
    return synthetic_features(300, seed)


@pytest.fixture(scope="module")
def train() -> tuple[pd.DataFrame, pd.Series]:
    return _features_and_labels(seed=1)


@pytest.fixture(scope="module")
def test_data() -> tuple[pd.DataFrame, pd.Series]:
    return _features_and_labels(seed=2)


def _tiny(n: int = 200, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Paying follows balance_current up and days_past_due down; balance has gaps."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "balance_current": rng.normal(500, 300, n),
            "days_past_due": rng.integers(0, 120, n).astype(float),
            "noise": rng.normal(size=n),
        }
    )
    score = X["balance_current"] / 300 - X["days_past_due"] / 40
    y = (score + rng.normal(0, 0.5, n) > score.median()).astype(int).to_numpy()
    X.loc[X.index[::7], "balance_current"] = np.nan
    return X, y


# ---------------------------------------------------------------- days-past-due rule


def test_the_rule_ranks_exactly_by_days_past_due(
    train: tuple[pd.DataFrame, pd.Series], test_data: tuple[pd.DataFrame, pd.Series]
) -> None:
    rule = DaysPastDueRule().fit(*train)
    X, y = test_data
    p = rule.predict_proba(X)[:, 1]
    assert roc_auc_score(y, p) == pytest.approx(roc_auc_score(y, -X["days_past_due"]), abs=1e-12)
    # same order as -days_past_due, ties exactly where days past due tie
    dpd = X["days_past_due"].to_numpy()
    order = np.argsort(dpd, kind="stable")
    assert (np.diff(p[order]) <= 0).all()
    assert ((np.diff(p[order]) == 0) == (np.diff(dpd[order]) == 0)).all()


def test_rule_probabilities_never_rise_with_days_past_due_even_outside_the_training_range() -> None:
    X, y = _tiny()
    rule = DaysPastDueRule().fit(X, y)
    grid = pd.DataFrame({"days_past_due": np.arange(0.0, 1000.0, 1.0)})
    p = rule.predict_proba(grid)
    assert p.shape == (1000, 2)
    assert np.allclose(p.sum(axis=1), 1.0)
    assert ((p >= 0) & (p <= 1)).all()
    assert (np.diff(p[:, 1]) < 0).all()


def test_rule_probabilities_are_calibrated_on_the_training_data() -> None:
    X, y = _tiny()
    p = DaysPastDueRule().fit(X, y).predict_proba(X)[:, 1]
    # isotonic regression reproduces the pay rate; the tie-break moves p by at most TIE_BREAK
    assert p.mean() == pytest.approx(y.mean(), abs=2 * TIE_BREAK)


def test_the_rule_reads_only_its_column_and_can_be_pointed_at_another() -> None:
    X, y = _tiny()
    renamed = X.rename(columns={"days_past_due": "dpd"})
    a = DaysPastDueRule().fit(X, y).predict_proba(X[["days_past_due"]])
    b = DaysPastDueRule(column="dpd").fit(renamed, y).predict_proba(renamed.assign(noise=0.0))
    np.testing.assert_array_equal(a, b)
    assert DaysPastDueRule().fit(X, y).predict(X).tolist() == (a[:, 1] >= 0.5).astype(int).tolist()


def test_a_missing_days_past_due_column_is_explained_with_a_spelling_hint() -> None:
    X, y = _tiny()
    with pytest.raises(ContractError) as err:
        DaysPastDueRule().fit(X.rename(columns={"days_past_due": "days_pastdue"}), y)
    text = str(err.value)
    assert "'days_past_due'" in text and "did you mean 'days_pastdue'" in text
    assert "column=" in text


def test_missing_or_negative_days_past_due_are_rejected_naming_rows_and_the_fix() -> None:
    X, y = _tiny()
    bad = X.copy()
    bad.loc[[3, 8], "days_past_due"] = [np.nan, -5.0]
    with pytest.raises(ContractError) as err:
        DaysPastDueRule().fit(bad, y)
    assert err.value.columns() == {("features", "days_past_due")}
    text = str(err.value)
    assert "rows 3" in text and "rows 8" in text
    assert DEBTORS.column("days_past_due").hint in text
    rule = DaysPastDueRule().fit(X, y)
    with pytest.raises(ContractError, match="missing values"):
        rule.predict_proba(bad.iloc[[3]])


def test_the_rule_is_not_usable_before_fit_and_refuses_a_bad_column_name() -> None:
    X, y = _tiny()
    with pytest.raises(NotFittedError):
        DaysPastDueRule().predict_proba(X)
    with pytest.raises(ConfigError, match="column must be"):
        DaysPastDueRule(column=3).fit(X, y)  # type: ignore[arg-type]


# ---------------------------------------------------------------- scorecard


def test_a_regularised_scorecard_beats_the_rule_out_of_sample(
    train: tuple[pd.DataFrame, pd.Series], test_data: tuple[pd.DataFrame, pd.Series]
) -> None:
    X, y = test_data
    card = ScorecardBaseline(C=0.1).fit(*train).predict_proba(X)[:, 1]
    rule = DaysPastDueRule().fit(*train).predict_proba(X)[:, 1]
    assert roc_auc_score(y, card) > roc_auc_score(y, rule) + 0.02
    default = ScorecardBaseline().fit(*train).predict_proba(X)[:, 1]
    assert roc_auc_score(y, default) > roc_auc_score(y, rule)


def test_scorecard_handles_missing_values_with_their_own_bin() -> None:
    X, y = _tiny()
    card = ScorecardBaseline().fit(X, y)
    table = card.scorecard_
    missing = table[(table["feature"] == "balance_current") & (table["bin"] == "missing")]
    assert len(missing) == 1 and missing["woe"].iloc[0] != 0
    # a feature with no missing values at fit time: its missing bin is neutral
    neutral = table[(table["feature"] == "noise") & (table["bin"] == "missing")]
    assert neutral["points"].iloc[0] == 0
    p = card.predict_proba(X.assign(noise=np.nan))
    assert np.isfinite(p).all() and np.allclose(p.sum(axis=1), 1.0)


def test_scorecard_bins_are_training_quantiles_and_points_favour_low_days_past_due() -> None:
    X, y = _tiny()
    card = ScorecardBaseline(n_bins=4).fit(X, y)
    assert set(card.bin_edges_) == {"balance_current", "days_past_due", "noise"}
    np.testing.assert_allclose(card.bin_edges_["noise"], np.quantile(X["noise"], [0.25, 0.5, 0.75]))
    dpd = card.scorecard_[card.scorecard_["feature"] == "days_past_due"]
    values = dpd[dpd["bin"] != "missing"]["points"].to_numpy()
    assert values[0] > values[-1]


def test_scorecard_is_deterministic_and_clones_cleanly() -> None:
    X, y = _tiny()
    model = ScorecardBaseline(n_bins=6, C=0.5, random_state=3)
    a = model.fit(X, y).predict_proba(X)
    b = clone(model).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    assert clone(model).get_params() == {
        "n_bins": 6,
        "C": 0.5,
        "features": None,
        "random_state": 3,
    }


def test_scorecard_and_rule_work_inside_a_pipeline() -> None:
    X, y = _tiny()
    keep = FunctionTransformer(lambda f: f.copy(), feature_names_out="one-to-one")
    for step in (ScorecardBaseline(), DaysPastDueRule()):
        pipe = Pipeline([("copy", keep), ("model", step)]).fit(X, y)
        direct = clone(step).fit(X, y)
        np.testing.assert_array_equal(pipe.predict_proba(X), direct.predict_proba(X))
        assert pipe.predict(X).shape == (len(X),)


def test_scorecard_uses_only_the_named_features() -> None:
    X, y = _tiny()
    card = ScorecardBaseline(features=["days_past_due"]).fit(X, y)
    assert card.features_ == ["days_past_due"]
    p = card.predict_proba(X.assign(noise=0.0, balance_current=np.nan))
    np.testing.assert_array_equal(p, card.predict_proba(X))
    assert card.feature_names_in_.tolist() == list(X.columns)


def test_scorecard_rejects_unknown_features_and_columns_that_differ_from_fit() -> None:
    X, y = _tiny()
    with pytest.raises(ContractError, match="did you mean 'days_past_due'"):
        ScorecardBaseline(features=["days_pastdue"]).fit(X, y)
    card = ScorecardBaseline().fit(X, y)
    with pytest.raises(ContractError, match="missing 'noise'"):
        card.predict_proba(X.drop(columns="noise"))
    with pytest.raises(ContractError, match="unexpected 'extra'"):
        card.predict_proba(X.assign(extra=1.0))
    np.testing.assert_array_equal(card.predict_proba(X[X.columns[::-1]]), card.predict_proba(X))


def test_scorecard_rejects_text_and_infinite_values_naming_column_and_rows() -> None:
    X, y = _tiny()
    bad = X.assign(noise=X["noise"].astype(str))
    with pytest.raises(ContractError) as err:
        ScorecardBaseline().fit(bad, y)
    assert ("features", "noise") in err.value.columns()
    inf = X.copy()
    inf.loc[4, "days_past_due"] = np.inf
    with pytest.raises(ContractError, match=r"infinite values in 1 row \(rows 4\)"):
        ScorecardBaseline().fit(inf, y)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"n_bins": 1}, "n_bins must be a whole number >= 2"),
        ({"n_bins": 2.5}, "n_bins must be"),
        ({"C": 0}, "C must be a number > 0"),
        ({"C": "strong"}, "C must be"),
        ({"features": "days_past_due"}, "list of column names"),
        ({"features": []}, "list of column names"),
        ({"features": ["noise", "noise"]}, "more than once"),
        ({"random_state": -1}, "random_state must be"),
    ],
)
def test_bad_scorecard_parameters_are_explained(params: dict, message: str) -> None:
    X, y = _tiny()
    with pytest.raises(ConfigError, match=message):
        ScorecardBaseline(**params).fit(X, y)


def test_bad_inputs_to_either_baseline_are_explained() -> None:
    X, y = _tiny()
    for model in (ScorecardBaseline(), DaysPastDueRule()):
        with pytest.raises(ConfigError, match="X must be a pandas DataFrame"):
            model.fit(X.to_numpy(), y)
        with pytest.raises(ConfigError, match="exactly two classes"):
            model.fit(X, np.ones(len(X)))
        with pytest.raises(ConfigError, match="one label per row"):
            model.fit(X, y[:-1])
        with pytest.raises(NotFittedError):
            clone(model).predict(X)
