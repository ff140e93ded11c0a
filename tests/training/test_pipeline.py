"""The propensity training pipeline on a contract data folder, tracked in a real MLflow store."""

from __future__ import annotations

import shutil
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest

from collectscore import read_dir, validate_dataset
from collectscore._errors import ConfigError, ContractError
from collectscore.models import METRICS
from collectscore.scoring import score_dataset
from collectscore.tracking import CHALLENGER, CHAMPION, TrackingConfig, registered_version
from collectscore.training import (
    ContractData,
    PromoteConfig,
    TrainConfig,
    TrainingRun,
    TuningConfig,
    load_training_data,
    promote_model,
    train_propensity,
)

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
TRIALS = 4


def _config(root: Path, seed: int = 0, **kwargs: object) -> TrainConfig:
    return TrainConfig(
        source=ContractData(SAMPLE),
        tuning=TuningConfig(trials=TRIALS, seed=seed),
        tracking=TrackingConfig(root=root),
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> tuple[TrainingRun, TrainConfig]:
    root = tmp_path_factory.mktemp("store-a")
    config = _config(root, out=root / "report")
    return train_propensity(config), config


@pytest.fixture(scope="module")
def second(tmp_path_factory: pytest.TempPathFactory) -> TrainingRun:
    return train_propensity(_config(tmp_path_factory.mktemp("store-b")))


def test_same_data_and_seed_give_identical_metrics_and_scores(
    first: tuple[TrainingRun, TrainConfig], second: TrainingRun
) -> None:
    run, _ = first
    pd.testing.assert_frame_equal(run.evaluation, second.evaluation, check_exact=True)
    pd.testing.assert_frame_equal(run.test_scores, second.test_scores, check_exact=True)
    assert run.tuning.best_params == second.tuning.best_params
    assert run.psi == second.psi


def test_a_different_seed_gives_a_different_search(tmp_path: Path) -> None:
    data = load_training_data(ContractData(SAMPLE))
    from collectscore.models import out_of_time_split, tune_propensity

    split = out_of_time_split(data.as_of, data.y)
    X, y = data.X, data.y
    runs = [
        tune_propensity(
            X.iloc[split.train],
            y[split.train],
            X.iloc[split.validation],
            y[split.validation],
            trials=2,
            seed=seed,
        ).best_params
        for seed in (0, 1)
    ]
    assert runs[0] != runs[1]


def test_the_split_is_out_of_time(first: tuple[TrainingRun, TrainConfig]) -> None:
    run, _ = first
    as_of = load_training_data(ContractData(SAMPLE)).as_of
    assert run.split.method == "out_of_time"
    assert as_of.iloc[run.split.test].min() > as_of.iloc[run.split.train].max()
    assert as_of.iloc[run.split.test].min() > as_of.iloc[run.split.validation].max()
    assert as_of.iloc[run.split.validation].min() > as_of.iloc[run.split.train].max()


def test_the_evaluation_puts_the_model_beside_both_baselines(
    first: tuple[TrainingRun, TrainConfig],
) -> None:
    run, _ = first
    table = run.evaluation
    assert list(table.columns) == [
        "propensity (LightGBM)",
        "scorecard baseline",
        "days-past-due rule",
    ]
    assert list(table.index) == list(METRICS)
    assert (table.loc["n"] == len(run.split.test)).all()
    assert ((table.loc["auc"] > 0.5) & (table.loc["auc"] < 1)).all()
    assert set(run.lift.columns) >= {"decile", "lift", "cumulative_capture"}
    assert run.lift["count"].sum() == len(run.split.test)
    assert run.reliability["count"].sum() == len(run.split.test)
    assert 0 <= run.psi < 1


def test_a_run_logs_everything_a_reviewer_needs(first: tuple[TrainingRun, TrainConfig]) -> None:
    run, config = first
    uri = config.tracking.resolved_uri()
    client = mlflow.MlflowClient(uri, uri)
    logged = client.get_run(run.run_id).data
    for metric in ("auc", "gini", "ks", "brier", "log_loss", "ece"):
        for prefix in ("", "scorecard_", "rule_"):
            assert f"{prefix}test_{metric}" in logged.metrics
    assert logged.metrics["test_auc"] == pytest.approx(run.evaluation.iloc[:, 0]["auc"])
    assert logged.metrics["tuning_trials"] == TRIALS
    assert {"psi_train_test", "tuning_best_auc", "tuning_pruned"} <= set(logged.metrics)
    assert logged.params["split_method"] == "out_of_time"
    assert logged.params["tuning_seed"] == "0"
    assert any(p.startswith("tuned.") for p in logged.params)
    for tag in (
        "collectscore.training_data_sha256",
        "collectscore.git_commit",
        "collectscore.feature_set_version",
        "collectscore.split",
    ):
        assert logged.tags[tag] and logged.tags[tag] != "unknown"
    files = {
        f.path
        for folder in ("report", "plots", "holdout")
        for f in client.list_artifacts(run.run_id, folder)
    }
    assert {
        "report/model_card.md",
        "report/optuna_trials.csv",
        "report/features.csv",
        "report/evaluation.csv",
        "report/lift.csv",
        "report/reliability.csv",
        "plots/roc.png",
        "plots/calibration.png",
        "plots/lift.png",
        "plots/shap_summary.png",
        "holdout/features.parquet",
        "holdout/labels.parquet",
    } <= files
    info = mlflow.models.get_model_info(f"models:/{config.registered_name}/{run.version.version}")
    assert info.signature is not None and info.saved_input_example_info is not None


def test_the_optuna_summary_and_catalogue_are_in_the_report(
    first: tuple[TrainingRun, TrainConfig],
) -> None:
    run, config = first
    assert config.out is not None
    trials = pd.read_csv(config.out / "optuna_trials.csv")
    assert len(trials) == TRIALS and {"number", "state", "value", "learning_rate"} <= set(trials)
    features = pd.read_csv(config.out / "features.csv")
    assert list(features["name"]) == list(run.model.feature_names_in_)
    assert {"family", "direction", "description_en"} <= set(features.columns)
    card = (config.out / "model_card.md").read_text()
    for section in ("## Purpose", "## Data", "## Performance on the test set", "## Limits"):
        assert section in card
    assert f"{run.evaluation.iloc[:, 0]['auc']:.4f}" in card


def test_training_registers_a_challenger_and_promotion_makes_the_first_champion(
    tmp_path: Path,
) -> None:
    config = _config(tmp_path)
    run = train_propensity(config)
    assert run.version.aliases == (CHALLENGER,)
    decision = promote_model(PromoteConfig(tracking=config.tracking))
    assert decision.promoted and decision.champion_version == run.version.version
    champion = registered_version("propensity", CHAMPION, config=config.tracking)
    assert champion is not None and champion.run_id == run.run_id

    # the same data and seed again: an identical challenger does not displace the champion
    again = train_propensity(config)
    refused = promote_model(PromoteConfig(tracking=config.tracking))
    assert again.version.version == "2"
    assert not refused.promoted and refused.champion_version == "1"

    # the champion scores every snapshot of a data folder, exactly as the fitted estimator does
    data, _ = validate_dataset(read_dir(SAMPLE))
    scores = score_dataset(data, config=config.tracking)
    features = load_training_data(ContractData(SAMPLE))
    keyed = scores.set_index(["debtor_id", "as_of"])["p_pay"]
    expected = run.model.predict_proba(features.X)[:, 1]
    got = keyed.loc[list(features.keys.itertuples(index=False, name=None))].to_numpy()
    np.testing.assert_array_equal(got, expected)
    assert set(scores["risk_band"]) <= set("ABCDE")
    assert (scores["model_version"] == "1").all() and (scores["model_alias"] == CHAMPION).all()


def test_snapshots_whose_horizon_is_not_over_are_left_out_and_counted(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(SAMPLE, folder)
    debtors = pd.read_parquet(folder / "debtors.parquet")
    last = pd.to_datetime(debtors["as_of"]).max()
    for name, column in (("payments", "paid_at"), ("transactions", "booked_at")):
        table = pd.read_parquet(folder / f"{name}.parquet")
        when = pd.to_datetime(table[column])
        if when.dt.tz is not None:
            when = when.dt.tz_localize(None)
        table[when <= last + pd.Timedelta(days=10)].to_parquet(folder / f"{name}.parquet")
    data = load_training_data(ContractData(folder))
    n_last = int((pd.to_datetime(debtors["as_of"]) == last).sum())
    assert len(data.X) == len(debtors) - n_last
    assert any(f"left out {n_last:,} of {len(debtors):,}" in note for note in data.notes)


def test_a_folder_without_payments_is_refused_with_the_table_named(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(SAMPLE, folder)
    (folder / "payments.parquet").unlink()
    with pytest.raises(ContractError) as err:
        train_propensity(_bad_source(folder, tmp_path))
    assert "payments" in str(err.value)


def _bad_source(folder: Path, root: Path) -> TrainConfig:
    return TrainConfig(
        source=ContractData(folder),
        tuning=TuningConfig(trials=1),
        tracking=TrackingConfig(root=root),
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"calibration": "isotonik"}, "did you mean 'isotonic'"),
        ({"n_estimators": 0}, "n_estimators must be a whole number >= 1"),
        ({"cv_folds": 1}, "cv_folds must be a whole number >= 2"),
        ({"fraction": 0.6}, "fraction must be between 0 and 0.5"),
    ],
)
def test_bad_settings_fail_before_any_data_is_read(kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        TrainConfig(source=ContractData(Path("no-such-folder")), **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"trials": 0}, "trials must be a whole number >= 1"),
        ({"timeout": -5}, "timeout must be a number of seconds > 0"),
        ({"metric": "acu"}, "did you mean 'auc'"),
    ],
)
def test_bad_tuning_settings_are_explained(kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        TuningConfig(**kwargs)
