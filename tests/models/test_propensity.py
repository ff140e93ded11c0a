"""PropensityModel: a monotone, calibrated, deterministic propensity-to-pay classifier."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from modeldata import synthetic_features
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline

from collectscore import ConfigError, ContractError
from collectscore.features import registry
from collectscore.models._propensity import CALIBRATIONS, PropensityModel

FAST = {"n_estimators": 150, "early_stopping_rounds": 30}


def _features_and_labels(seed: int) -> tuple[pd.DataFrame, pd.Series]:
    return synthetic_features(400, seed)


@pytest.fixture(scope="module")
def train() -> tuple[pd.DataFrame, pd.Series]:
    return _features_and_labels(seed=1)


@pytest.fixture(scope="module")
def test_data() -> tuple[pd.DataFrame, pd.Series]:
    return _features_and_labels(seed=2)


@pytest.fixture(scope="module")
def fitted(train: tuple[pd.DataFrame, pd.Series]) -> PropensityModel:
    X, y = train
    return PropensityModel(**FAST).fit(X, y)


def _tiny(n: int = 60, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """A small hand-built frame: paying follows balance_current up and days_past_due down."""
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
    return X, y


# ---------------------------------------------------------------- quality


def test_ranks_payers_well_above_chance_and_above_days_past_due_alone(
    fitted: PropensityModel, test_data: tuple[pd.DataFrame, pd.Series]
) -> None:
    X, y = test_data
    auc = roc_auc_score(y, fitted.predict_proba(X)[:, 1])
    baseline = roc_auc_score(y, -X["days_past_due"])
    assert auc > 0.7
    assert auc > baseline


def test_fit_records_the_sklearn_attributes(
    fitted: PropensityModel, train: tuple[pd.DataFrame, pd.Series]
) -> None:
    X, _ = train
    assert fitted.classes_.tolist() == [0, 1]
    assert fitted.feature_names_in_.tolist() == list(X.columns)
    assert fitted.n_features_in_ == X.shape[1]
    assert 1 <= fitted.best_iteration_ <= FAST["n_estimators"]
    assert fitted.booster_.booster_.num_trees() >= fitted.best_iteration_


def test_predict_proba_rows_sum_to_one_and_predict_thresholds_at_a_half(
    fitted: PropensityModel, test_data: tuple[pd.DataFrame, pd.Series]
) -> None:
    X, _ = test_data
    proba = fitted.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(fitted.predict(X), (proba[:, 1] >= 0.5).astype(int))


def test_decision_function_is_the_raw_margin_the_tree_contributions_add_up_to(
    fitted: PropensityModel, test_data: tuple[pd.DataFrame, pd.Series]
) -> None:
    X, _ = test_data
    margin = fitted.decision_function(X)
    contrib = fitted.booster_.booster_.predict(
        X.to_numpy(), pred_contrib=True, num_iteration=fitted.best_iteration_
    )
    np.testing.assert_allclose(contrib.sum(axis=1), margin, atol=1e-9)
    # calibration keeps the ranking of the margin (isotonic: never reverses it)
    p = fitted.predict_proba(X)[:, 1]
    order = np.argsort(margin, kind="stable")
    assert (np.diff(p[order]) >= -1e-12).all()


# ---------------------------------------------------------------- determinism


def test_same_seed_gives_identical_probabilities_and_another_seed_differs(
    train: tuple[pd.DataFrame, pd.Series], test_data: tuple[pd.DataFrame, pd.Series]
) -> None:
    X, y = train
    Xt, _ = test_data
    first = PropensityModel(**FAST, random_state=7).fit(X, y).predict_proba(Xt)
    again = PropensityModel(**FAST, random_state=7).fit(X, y).predict_proba(Xt)
    other = PropensityModel(**FAST, random_state=8).fit(X, y).predict_proba(Xt)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


# ---------------------------------------------------------------- monotone constraints


@pytest.mark.parametrize(
    "feature", ["balance_current", "funds_available_now", "days_past_due", "nsf_fees_90d"]
)
def test_moving_a_monotone_feature_never_moves_p_pay_against_its_direction(
    fitted: PropensityModel, test_data: tuple[pd.DataFrame, pd.Series], feature: str
) -> None:
    direction = registry()[feature].direction
    assert direction != 0
    assert fitted.monotone_constraints_[feature] == direction
    X, _ = test_data
    rows = X.iloc[:25]
    grid = np.unique(np.nanquantile(X[feature], np.linspace(0, 1, 15)))
    grid = np.concatenate([[grid[0] - 1.0], grid, [grid[-1] + 1.0]])
    # one block per row, the feature swept over the grid with the others held fixed
    sweep = rows.loc[rows.index.repeat(len(grid))].copy()
    sweep[feature] = np.tile(grid, len(rows))
    for values in (
        fitted.predict_proba(sweep)[:, 1],
        fitted.decision_function(sweep),
    ):
        steps = np.diff(values.reshape(len(rows), len(grid)), axis=1) * direction
        assert (steps >= -1e-12).all()


def test_monotone_constraints_come_from_the_catalogue_and_unknown_columns_are_free() -> None:
    X, y = _tiny()
    model = PropensityModel(n_estimators=20, min_child_samples=5).fit(X, y)
    specs = registry()
    assert model.monotone_constraints_ == {
        "balance_current": specs["balance_current"].direction,
        "days_past_due": specs["days_past_due"].direction,
        "noise": 0,
    }
    free = PropensityModel(n_estimators=20, min_child_samples=5, monotone=False).fit(X, y)
    assert set(free.monotone_constraints_.values()) == {0}


# ---------------------------------------------------------------- calibration


@pytest.mark.parametrize("calibration", CALIBRATIONS)
def test_mean_predicted_p_is_close_to_the_observed_pay_rate_on_unseen_data(
    train: tuple[pd.DataFrame, pd.Series],
    test_data: tuple[pd.DataFrame, pd.Series],
    calibration: str,
) -> None:
    X, y = train
    Xt, yt = test_data
    p = PropensityModel(**FAST, calibration=calibration).fit(X, y).predict_proba(Xt)[:, 1]
    assert abs(p.mean() - yt.mean()) < 0.06
    assert ((p >= 0) & (p <= 1)).all()


@pytest.mark.parametrize("calibration", CALIBRATIONS)
def test_calibration_undoes_heavy_class_weights(
    train: tuple[pd.DataFrame, pd.Series],
    test_data: tuple[pd.DataFrame, pd.Series],
    calibration: str,
) -> None:
    X, y = train
    Xt, yt = test_data
    model = PropensityModel(**FAST, calibration=calibration, class_weight={0: 1.0, 1: 8.0})
    model.fit(X, y)
    raw = 1 / (1 + np.exp(-model.decision_function(Xt)))
    assert raw.mean() > yt.mean() + 0.2  # the weighted trees alone overstate paying
    p = model.predict_proba(Xt)[:, 1]
    assert abs(p.mean() - yt.mean()) < 0.06


def test_isotonic_output_stays_in_zero_one_even_far_outside_the_training_range(
    fitted: PropensityModel, test_data: tuple[pd.DataFrame, pd.Series]
) -> None:
    X, _ = test_data
    extreme = pd.concat([X.iloc[:5] * 1e6, X.iloc[:5] * -1e6])
    p = fitted.predict_proba(extreme)
    assert ((p >= 0) & (p <= 1)).all()


def test_an_eval_set_is_used_for_early_stopping_and_calibration(
    train: tuple[pd.DataFrame, pd.Series], test_data: tuple[pd.DataFrame, pd.Series]
) -> None:
    X, y = train
    Xt, yt = test_data
    model = PropensityModel(**FAST).fit(X, y, eval_set=(Xt, yt))
    # the isotonic calibrator fitted on the eval rows reproduces their pay rate exactly
    assert model.predict_proba(Xt)[:, 1].mean() == pytest.approx(yt.mean())


# ---------------------------------------------------------------- sklearn contract


def test_clone_get_params_and_set_params_follow_the_sklearn_contract() -> None:
    model = PropensityModel(learning_rate=0.1, calibration="sigmoid")
    params = model.get_params()
    assert params["learning_rate"] == 0.1
    assert params["calibration"] == "sigmoid"
    copy = clone(model)
    assert copy is not model
    assert copy.get_params() == params
    assert model.set_params(num_leaves=7) is model
    assert model.num_leaves == 7
    with pytest.raises(NotFittedError):
        copy.predict_proba(pd.DataFrame({"a": [1.0]}))


def test_works_inside_a_pipeline_and_cross_validation() -> None:
    X, y = _tiny(n=120)
    select = ColumnTransformer(
        [("keep", "passthrough", ["balance_current", "days_past_due"])],
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    pipe = Pipeline(
        [("select", select), ("model", PropensityModel(n_estimators=30, min_child_samples=5))]
    )
    pipe.fit(X, y)
    assert pipe.predict_proba(X).shape == (120, 2)
    assert pipe.named_steps["model"].feature_names_in_.tolist() == [
        "balance_current",
        "days_past_due",
    ]
    scores = cross_val_score(pipe, X, y, cv=3, scoring="roc_auc")
    assert scores.mean() > 0.7


def test_string_labels_come_back_as_given_with_the_larger_one_as_paying() -> None:
    X, y = _tiny()
    labels = np.where(y == 1, "paid", "not_paid")
    model = PropensityModel(n_estimators=20, min_child_samples=5).fit(X, labels)
    assert model.classes_.tolist() == ["not_paid", "paid"]
    assert set(model.predict(X)) <= {"not_paid", "paid"}


def test_column_order_at_predict_does_not_matter(
    fitted: PropensityModel, test_data: tuple[pd.DataFrame, pd.Series]
) -> None:
    X, _ = test_data
    shuffled = X[list(reversed(X.columns))]
    np.testing.assert_array_equal(fitted.predict_proba(shuffled), fitted.predict_proba(X))


def test_missing_values_are_accepted() -> None:
    X, y = _tiny()
    X.loc[::4, "balance_current"] = np.nan
    p = PropensityModel(n_estimators=20, min_child_samples=5).fit(X, y).predict_proba(X)
    assert np.isfinite(p).all()


# ---------------------------------------------------------------- clear errors


def test_a_numpy_array_is_rejected_with_a_hint_to_pass_a_dataframe() -> None:
    X, y = _tiny()
    with pytest.raises(ConfigError, match=r"pandas DataFrame.*numpy.ndarray"):
        PropensityModel().fit(X.to_numpy(), y)
    model = PropensityModel(n_estimators=10, min_child_samples=5).fit(X, y)
    with pytest.raises(ConfigError, match="pandas DataFrame"):
        model.predict_proba(X.to_numpy())


def test_y_with_one_class_is_rejected() -> None:
    X, _ = _tiny()
    with pytest.raises(ConfigError, match="two classes"):
        PropensityModel().fit(X, np.ones(len(X), dtype=int))


def test_y_of_the_wrong_length_or_with_missing_labels_is_rejected() -> None:
    X, y = _tiny()
    with pytest.raises(ConfigError, match="one label per row of X"):
        PropensityModel().fit(X, y[:-1])
    holes = pd.Series(y, dtype="float64", name="paid_within_horizon")
    holes.iloc[[3, 9]] = np.nan
    with pytest.raises(ContractError) as err:
        PropensityModel().fit(X, holes)
    assert ("labels", "paid_within_horizon") in err.value.columns()
    assert "rows 3, 9" in str(err.value)


def test_mismatched_columns_at_predict_name_the_missing_and_unexpected_ones() -> None:
    X, y = _tiny()
    model = PropensityModel(n_estimators=10, min_child_samples=5).fit(X, y)
    wrong = X.drop(columns="noise").rename(columns={"days_past_due": "days_past_due_x"})
    with pytest.raises(ContractError) as err:
        model.predict_proba(wrong)
    message = str(err.value)
    assert "missing 'days_past_due', 'noise'" in message
    assert "unexpected 'days_past_due_x'" in message
    assert "did you mean 'days_past_due_x'" in message


def test_a_non_numeric_column_is_rejected_naming_column_and_rows() -> None:
    X, y = _tiny()
    X["balance_current"] = X["balance_current"].astype(str)
    X.loc[[2, 5], "balance_current"] = "n/a"
    with pytest.raises(ContractError) as err:
        PropensityModel().fit(X, y)
    assert err.value.columns() == {("features", "balance_current")}
    assert "rows 2, 5" in str(err.value)


def test_infinite_values_are_rejected_naming_column_and_rows() -> None:
    X, y = _tiny()
    X.loc[[1, 4], "noise"] = np.inf
    with pytest.raises(ContractError) as err:
        PropensityModel().fit(X, y)
    assert err.value.columns() == {("features", "noise")}
    assert "rows 1, 4" in str(err.value)


def test_an_unknown_calibration_is_rejected_with_a_suggestion() -> None:
    X, y = _tiny()
    with pytest.raises(ConfigError, match=r"calibration must be one of.*did you mean 'isotonic'"):
        PropensityModel(calibration="isotonc").fit(X, y)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("n_estimators", 0),
        ("learning_rate", 0.0),
        ("subsample", 1.5),
        ("validation_fraction", 1.0),
        ("class_weight", "even"),
        ("random_state", None),
        ("monotone", "yes"),
    ],
)
def test_bad_parameters_are_rejected_at_fit_naming_the_parameter(param: str, value: object) -> None:
    X, y = _tiny()
    model = PropensityModel().set_params(**{param: value})  # stored as given
    with pytest.raises(ConfigError, match=param):
        model.fit(X, y)


def test_calibration_without_held_out_rows_is_rejected_but_none_works() -> None:
    X, y = _tiny()
    with pytest.raises(ConfigError, match="validation_fraction=0"):
        PropensityModel(validation_fraction=0.0).fit(X, y)
    model = PropensityModel(
        validation_fraction=0.0, calibration="none", n_estimators=15, min_child_samples=5
    ).fit(X, y)
    assert model.best_iteration_ == 15


def test_too_few_rows_of_a_class_for_the_holdout_is_a_clear_error() -> None:
    X, _ = _tiny(n=20)
    y = np.zeros(20, dtype=int)
    y[:2] = 1
    with pytest.raises(ConfigError, match=r"class sizes \[18, 2\]"):
        PropensityModel(validation_fraction=0.2).fit(X, y)
