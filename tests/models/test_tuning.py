"""tune_propensity: a seeded, reproducible Optuna search over PropensityModel's tree parameters."""

from __future__ import annotations

import logging

import numpy as np
import optuna
import pandas as pd
import pytest

from collectscore import ConfigError
from collectscore.models._propensity import PropensityModel
from collectscore.models._tuning import PRUNE_STARTUP_TRIALS, TuningResult, tune_propensity

FAST = {"n_estimators": 40, "early_stopping_rounds": 10}
SEARCHED = {
    "learning_rate",
    "num_leaves",
    "max_depth",
    "min_child_samples",
    "subsample",
    "colsample_bytree",
    "reg_lambda",
}


def _frame(rows: int, seed: int) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(rows, 5)), columns=[f"x{i}" for i in range(5)])
    logit = 1.5 * X["x0"] - X["x1"] + 0.5 * X["x2"] * X["x3"]
    y = pd.Series((rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int), name="paid")
    return X, y


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.Series, pd.DataFrame, pd.Series]:
    X_train, y_train = _frame(450, seed=1)
    X_valid, y_valid = _frame(150, seed=2)
    return X_train, y_train, X_valid, y_valid


@pytest.fixture(scope="module")
def result(data: tuple) -> TuningResult:
    return tune_propensity(*data, trials=4, seed=3, base_params=FAST)


def test_same_data_seed_and_trials_give_the_same_best(data: tuple, result: TuningResult) -> None:
    again = tune_propensity(*data, trials=4, seed=3, base_params=FAST)
    assert again.best_params == result.best_params
    assert again.best_score == result.best_score
    pd.testing.assert_frame_equal(
        again.history.drop(columns="duration_s"), result.history.drop(columns="duration_s")
    )


def test_the_best_is_the_best_trial_of_the_history(result: TuningResult) -> None:
    history = result.history
    assert result.trials == 4 == len(history)
    assert list(history.columns[:3]) == ["number", "state", "value"]
    assert history.columns[-1] == "duration_s"
    assert set(history.columns[3:-1]) == SEARCHED
    assert (history["state"] == "COMPLETE").all()
    assert result.best_score == history["value"].max()
    best_row = history.loc[history["value"].idxmax()]
    assert {k: best_row[k] for k in SEARCHED} == {k: result.best_params[k] for k in SEARCHED}
    assert 0.5 < result.best_score <= 1.0  # the signal is learnable
    assert result.pruned == (result.history["state"] == "PRUNED").sum()
    assert result.seconds >= history["duration_s"].sum() * 0.5


def test_search_space_bounds_hold_in_every_trial(result: TuningResult) -> None:
    h = result.history
    assert h["learning_rate"].between(0.01, 0.2).all()
    assert h["num_leaves"].between(7, 63).all()
    assert h["max_depth"].between(3, 8).all()
    assert h["min_child_samples"].between(10, 300).all()
    assert h["subsample"].between(0.5, 1.0).all()
    assert h["colsample_bytree"].between(0.4, 1.0).all()
    assert h["reg_lambda"].between(1e-3, 10.0).all()


def test_best_params_build_a_model_that_fits(data: tuple, result: TuningResult) -> None:
    X_train, y_train, X_valid, _ = data
    assert SEARCHED | set(FAST) == set(result.best_params)
    model = PropensityModel(**result.best_params).fit(X_train, y_train)
    p = model.predict_proba(X_valid)[:, 1]
    assert p.shape == (len(X_valid),)
    assert ((p >= 0) & (p <= 1)).all()


def test_summary_is_flat_and_names_the_metric(result: TuningResult) -> None:
    summary = result.summary()
    assert summary["tuning_metric"] == "auc"
    assert summary["tuning_best_auc"] == result.best_score
    assert summary["tuning_trials"] == 4
    assert summary["learning_rate"] == result.best_params["learning_rate"]
    assert all(isinstance(v, str | int | float | bool) for v in summary.values())


def test_a_parameter_fixed_in_base_params_is_not_searched(data: tuple) -> None:
    fixed = {**FAST, "num_leaves": 9, "learning_rate": 0.1}
    res = tune_propensity(*data, trials=2, base_params=fixed)
    assert "num_leaves" not in res.history.columns
    assert res.best_params["num_leaves"] == 9
    assert res.best_params["learning_rate"] == 0.1


@pytest.mark.parametrize("metric", ["log_loss", "brier"])
def test_loss_metrics_are_minimised(data: tuple, metric: str) -> None:
    res = tune_propensity(*data, trials=3, metric=metric, base_params=FAST)
    assert res.best_score == res.history["value"].min()
    assert res.summary()[f"tuning_best_{metric}"] == res.best_score


def test_timeout_stops_the_search_roughly_on_time(data: tuple) -> None:
    res = tune_propensity(*data, trials=10_000, timeout=1.0, base_params=FAST)
    assert 1 <= res.trials < 10_000
    # the trial running at the deadline finishes; the bound is loose on purpose (a busy
    # machine is slow): this checks that the search stops, speed lives in the benchmarks
    assert res.seconds < 1.0 + 30.0


def test_optuna_logging_is_restored(data: tuple) -> None:
    optuna.logging.set_verbosity(logging.DEBUG)
    try:
        tune_propensity(*data, trials=1, base_params=FAST)
        assert optuna.logging.get_verbosity() == logging.DEBUG
    finally:
        optuna.logging.set_verbosity(logging.INFO)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"trials": 0}, ["trials", ">= 1", "0"]),
        ({"trials": 2.5}, ["trials", "whole number"]),
        ({"timeout": 0}, ["timeout", "> 0"]),
        ({"timeout": -5.0}, ["timeout", "seconds"]),
        ({"seed": -1}, ["seed", ">= 0"]),
        ({"metric": "AUC"}, ["metric", "did you mean 'auc'"]),
        ({"metric": "logloss"}, ["metric", "did you mean 'log_loss'"]),
        ({"base_params": {"n_estimator": 10}}, ["n_estimator", "did you mean 'n_estimators'"]),
        ({"base_params": {"random_state": 1}}, ["random_state", "seed="]),
        ({"base_params": {"calibration": "isotonic"}}, ["calibration", "every trial"]),
        ({"base_params": {"learning_rate": 2.0}}, ["learning_rate", "(0, 1]"]),
    ],
)
def test_bad_arguments_are_explained_before_any_trial_runs(
    data: tuple, kwargs: dict, words: list[str]
) -> None:
    with pytest.raises(ConfigError) as err:
        tune_propensity(*data, **kwargs)
    for word in words:
        assert word in str(err.value)


def test_bad_data_surfaces_the_model_error(data: tuple) -> None:
    X_train, y_train, X_valid, y_valid = data
    with pytest.raises(ConfigError, match="eval_set"):
        tune_propensity(
            X_train,
            y_train,
            X_valid.rename(columns={"x0": "z"}),
            y_valid,
            trials=1,
            base_params=FAST,
        )


def test_another_seed_samples_other_parameters(data: tuple, result: TuningResult) -> None:
    other = tune_propensity(*data, trials=4, seed=4, base_params=FAST)
    assert not other.history["learning_rate"].equals(result.history["learning_rate"])


def test_trials_whose_learning_curve_lags_are_pruned_before_they_finish(data: tuple) -> None:
    X_tr, y_tr, X_va, y_va = data
    slow = {"n_estimators": 400, "early_stopping_rounds": 400}
    first = tune_propensity(X_tr, y_tr, X_va, y_va, trials=24, seed=3, base_params=slow)
    again = tune_propensity(X_tr, y_tr, X_va, y_va, trials=24, seed=3, base_params=slow)
    states = first.history["state"]
    assert first.pruned == (states == "PRUNED").sum() >= 1
    # the first trials only set the median
    assert (states.iloc[:PRUNE_STARTUP_TRIALS] == "COMPLETE").all()
    pd.testing.assert_frame_equal(
        first.history.drop(columns="duration_s"), again.history.drop(columns="duration_s")
    )
