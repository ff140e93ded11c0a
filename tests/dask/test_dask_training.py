"""Distributed training: LightGBM's Dask interface, registered in MLflow like the local run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dask.dataframe as dd
import mlflow
import numpy as np
import pandas as pd
import pytest
from distributed import Client

from collectscore._errors import ConfigError, ContractError
from collectscore.features import registry
from collectscore.models import PropensityModel, evaluate, out_of_time_split
from collectscore.monitoring import REFERENCE_ROWS, load_reference
from collectscore.tracking import CHALLENGER, CHAMPION, TrackingConfig, load_champion
from collectscore.training import (
    ContractData,
    DaskTrainingRun,
    PromoteConfig,
    TrainingData,
    load_training_data,
    promote_model,
    train_propensity_dask,
)
from collectscore.training._dask import DEFAULT_PARAMS


@dataclass(frozen=True)
class Trained:
    data: TrainingData
    frame: dd.DataFrame
    run: DaskTrainingRun
    tracking: TrackingConfig


@pytest.fixture(scope="module")
def data(sample_dir: Path) -> TrainingData:
    return load_training_data(ContractData(sample_dir))


def _frame(data: TrainingData, npartitions: int = 4) -> dd.DataFrame:
    table = pd.concat([data.keys, data.X], axis=1).assign(paid=data.y)
    return dd.from_pandas(table, npartitions=npartitions, sort=False)


@pytest.fixture(scope="module")
def trained(client: Client, data: TrainingData, tracking: TrackingConfig) -> Trained:
    frame = _frame(data)
    run = train_propensity_dask(frame, target="paid", tracking=tracking, client=client)
    return Trained(data, frame, run, tracking)


def test_the_run_is_logged_with_params_metrics_and_a_challenger_version(
    trained: Trained,
) -> None:
    run = trained.run
    assert run.version.name == "propensity"
    assert CHALLENGER in run.version.aliases
    logged = mlflow.MlflowClient(trained.tracking.resolved_uri()).get_run(run.run_id).data
    assert logged.params["trainer"] == "lightgbm.DaskLGBMClassifier"
    assert logged.params["split_method"] == "out_of_time"
    assert int(logged.params["rows_train"]) == run.sizes["train"]
    assert logged.params["estimator.n_estimators"] == str(DEFAULT_PARAMS["n_estimators"])
    for name in ("test_auc", "test_brier", "test_log_loss", "psi_train_test"):
        assert logged.metrics[name] == pytest.approx(run.metrics[name])
    assert logged.tags["collectscore.training_rows"] == str(run.sizes["train"])


def test_the_run_logs_a_scored_sample_of_its_training_rows_for_monitoring(
    trained: Trained,
) -> None:
    X, scores = load_reference(alias=CHALLENGER, tracking=trained.tracking)
    names = list(trained.run.model.feature_names_in_)
    assert list(X.columns) == names
    assert len(X) == trained.run.sizes["train"]
    np.testing.assert_allclose(
        scores.to_numpy(), trained.run.model.predict_proba(X)[:, 1], rtol=0, atol=1e-12
    )
    # the training rows, and only those (the sample's training split is under the cap)
    split = out_of_time_split(trained.data.as_of, trained.data.y)
    train = trained.data.X.iloc[split.train][names]
    assert len(train) < REFERENCE_ROWS
    pd.testing.assert_frame_equal(
        X.sort_values(names).reset_index(drop=True),
        train.sort_values(names).reset_index(drop=True),
        check_dtype=False,
    )


def test_the_split_is_out_of_time_like_the_local_pipeline(trained: Trained) -> None:
    split = out_of_time_split(trained.data.as_of, trained.data.y)
    assert trained.run.sizes == split.sizes()
    assert trained.run.split.startswith("out of time")


def test_the_catalogue_monotone_constraints_are_applied_and_hold(trained: Trained) -> None:
    model = trained.run.model
    specs = registry()
    wanted = {n: int(specs[n].direction) for n in model.feature_names_in_}
    assert model.monotone_constraints_ == wanted
    grown = model.booster_.get_params()["monotone_constraints"]
    assert grown == [wanted[n] for n in model.feature_names_in_]
    X = trained.data.X
    for name in [n for n, d in wanted.items() if d != 0][:5]:
        low, high = X.copy(), X.copy()
        low[name] = X[name].min()
        high[name] = X[name].max()
        gap = (model.decision_function(high) - model.decision_function(low)) * wanted[name]
        assert (gap >= -1e-12).all(), name


def test_the_holdout_auc_is_close_to_the_local_model_on_the_same_rows(trained: Trained) -> None:
    data = trained.data
    split = out_of_time_split(data.as_of, data.y)
    X, y = data.X, data.y
    local = PropensityModel(**DEFAULT_PARAMS, calibration="sigmoid").fit(
        X.iloc[split.train],
        y[split.train],
        eval_set=(X.iloc[split.validation], y[split.validation]),
    )
    local_auc = evaluate(y[split.test], local.predict_proba(X.iloc[split.test])[:, 1])["auc"]
    assert trained.run.metrics["test_auc"] == pytest.approx(local_auc, abs=0.03)
    assert trained.run.metrics["test_auc"] > 0.6


def test_same_data_partitioning_and_seed_give_the_same_model(
    client: Client, trained: Trained
) -> None:
    again = train_propensity_dask(
        _frame(trained.data),
        target="paid",
        tracking=trained.tracking,
        registered_name="propensity-again",
        client=client,
    )
    X = trained.data.X
    np.testing.assert_array_equal(again.model.predict_proba(X), trained.run.model.predict_proba(X))
    assert again.metrics == trained.run.metrics


def test_after_promote_the_champion_loads_as_the_pyfunc_of_the_distributed_model(
    trained: Trained,
) -> None:
    decision = promote_model(PromoteConfig(tracking=trained.tracking))
    assert decision.promoted
    champion = load_champion(config=trained.tracking)
    X = trained.data.X.head(50)
    p = champion.predict(X)["p_pay"].to_numpy()
    np.testing.assert_allclose(p, trained.run.model.predict_proba(X)[:, 1], rtol=0, atol=1e-12)
    client = mlflow.MlflowClient(trained.tracking.resolved_uri())
    champion_version = client.get_model_version_by_alias("propensity", CHAMPION).version
    assert str(champion_version) == decision.champion_version


def test_a_misspelled_target_is_reported_with_the_hint_before_training(
    client: Client, trained: Trained
) -> None:
    with pytest.raises(ContractError, match="did you mean 'paid'"):
        train_propensity_dask(trained.frame, target="payd", client=client)


def test_unknown_hyperparameters_and_non_dask_input_are_refused(
    client: Client, trained: Trained
) -> None:
    with pytest.raises(ConfigError, match="learning_rate"):
        train_propensity_dask(trained.frame, params={"learning_rat": 0.1}, client=client)
    with pytest.raises(ConfigError, match="did you mean 'local_listen_port'"):
        train_propensity_dask(trained.frame, network={"local_port": 12400}, client=client)
    with pytest.raises(ConfigError, match="Dask DataFrame"):
        train_propensity_dask(trained.frame.compute(), client=client)


def test_a_model_around_trees_grown_elsewhere_predicts_like_the_same_fit(
    data: TrainingData,
) -> None:
    split = out_of_time_split(data.as_of, data.y)
    X, y = data.X, data.y
    params = {"n_estimators": 30, "calibration": "sigmoid", "early_stopping_rounds": None}
    X_val, y_val = X.iloc[split.validation], y[split.validation]
    fitted = PropensityModel(**params).fit(
        X.iloc[split.train], y[split.train], eval_set=(X_val, y_val)
    )
    counts = np.bincount(y[split.train], minlength=2)
    weights = counts.sum() / (2.0 * counts)
    rebuilt = PropensityModel.from_booster(
        fitted.booster_,
        class_weights=(weights[0], weights[1]),
        calibration_margin=fitted.decision_function(X_val),
        calibration_target=y_val,
        **params,
    )
    np.testing.assert_array_equal(rebuilt.predict_proba(X), fitted.predict_proba(X))
    assert rebuilt.monotone_constraints_ == fitted.monotone_constraints_
    with pytest.raises(ConfigError, match="calibration_margin"):
        PropensityModel.from_booster(fitted.booster_, class_weights=(1.0, 1.0), **params)
