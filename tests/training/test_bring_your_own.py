"""Bring your own data: any table with a target column trains, is evaluated and is tracked."""

from __future__ import annotations

from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest

from collectscore._errors import ConfigError, ContractError
from collectscore.tracking import CHALLENGER, TrackingConfig
from collectscore.training import (
    FeatureTable,
    TrainConfig,
    TrainingRun,
    TuningConfig,
    load_training_data,
    train_propensity,
)

N = 1500


def _table(seed: int = 0) -> pd.DataFrame:
    """Cases whose default depends on two features; gender and customer are not features."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "customer": [f"C{i:05d}" for i in range(N)],
            "utilisation": rng.uniform(0, 1.2, N),
            "months_late": rng.integers(0, 6, N).astype(float),
            "noise": rng.normal(size=N),
            "gender": rng.choice(["f", "m"], N),
            "observed": pd.to_datetime("2026-01-31")
            + pd.to_timedelta(30 * rng.integers(0, 4, N), unit="D"),
        }
    )
    logit = -1.0 + 2.0 * frame["utilisation"] + 0.6 * frame["months_late"]
    frame["defaulted"] = (rng.random(N) < 1 / (1 + np.exp(-logit))).astype(int)
    frame["days_past_due"] = 30 * frame["months_late"]
    return frame


@pytest.fixture(scope="module")
def csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("byo") / "cases.csv"
    _table().drop(columns="observed").to_csv(path, index=False)
    return path


def _source(path: Path, **kwargs: object) -> FeatureTable:
    options: dict[str, object] = {
        "target": "defaulted",
        "target_means": "default",
        "protected": ("gender",),
        "id": "customer",
    }
    options.update(kwargs)
    return FeatureTable(path, **options)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def trained(csv: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[TrainingRun, TrainConfig]:
    root = tmp_path_factory.mktemp("store")
    config = TrainConfig(
        source=_source(csv),
        tuning=TuningConfig(trials=3),
        tracking=TrackingConfig(root=root),
    )
    return train_propensity(config), config


def test_a_csv_with_a_target_column_trains_and_logs_to_mlflow(
    trained: tuple[TrainingRun, TrainConfig],
) -> None:
    run, config = trained
    uri = config.tracking.resolved_uri()
    client = mlflow.MlflowClient(uri, uri)
    logged = client.get_run(run.run_id).data
    assert logged.params["source"] == "table"
    assert logged.params["target"] == "defaulted" and logged.params["target_means"] == "default"
    assert logged.metrics["test_auc"] == pytest.approx(run.evaluation.iloc[:, 0]["auc"])
    assert run.version.version == "1" and run.version.aliases == (CHALLENGER,)
    assert run.evaluation.iloc[:, 0]["auc"] > 0.7  # the signal is strong


def test_protected_and_id_columns_never_reach_the_model(
    trained: tuple[TrainingRun, TrainConfig],
) -> None:
    run, _ = trained
    assert set(run.model.feature_names_in_) == {
        "utilisation",
        "months_late",
        "noise",
        "days_past_due",
    }


def test_performance_is_reported_per_protected_group(
    trained: tuple[TrainingRun, TrainConfig],
) -> None:
    run, _ = trained
    groups = run.by_group
    assert list(groups["group"]) == ["f", "m"] and set(groups["attribute"]) == {"gender"}
    assert groups["n"].sum() == len(run.split.test)
    assert groups["auc"].between(0.5, 1).all()


def test_target_means_default_is_flipped_so_the_model_predicts_paying(
    trained: tuple[TrainingRun, TrainConfig], csv: Path
) -> None:
    run, _ = trained
    data = load_training_data(_source(csv))
    defaulted = pd.read_csv(csv)["defaulted"].to_numpy()
    np.testing.assert_array_equal(data.y, 1 - defaulted)
    assert run.test_scores["customer"].str.startswith("C").all()
    assert any("0 counts as paid" in note for note in data.notes)


def test_without_dates_the_split_is_stratified_and_says_so(
    trained: tuple[TrainingRun, TrainConfig],
) -> None:
    run, _ = trained
    assert run.split.method == "stratified"
    assert "not out of time" in run.split.note


def test_a_time_column_gives_an_out_of_time_split(tmp_path: Path) -> None:
    path = tmp_path / "cases.parquet"
    _table().to_parquet(path)
    data = load_training_data(_source(path, time="observed"))
    from collectscore.models import out_of_time_split

    split = out_of_time_split(data.as_of, data.y)
    assert data.as_of.iloc[split.test].min() > data.as_of.iloc[split.train].max()
    assert "observed" not in data.X.columns


def test_a_semicolon_decimal_comma_csv_reads_like_the_plain_one(tmp_path: Path, csv: Path) -> None:
    european = tmp_path / "cases_eu.csv"
    pd.read_csv(csv).to_csv(european, sep=";", decimal=",", index=False)
    plain, eu = load_training_data(_source(csv)), load_training_data(_source(european))
    pd.testing.assert_frame_equal(plain.X, eu.X)
    np.testing.assert_array_equal(plain.y, eu.y)


def test_a_misspelt_target_is_named_with_a_suggestion(csv: Path) -> None:
    with pytest.raises(ContractError) as err:
        load_training_data(_source(csv, target="defaultd"))
    text = str(err.value)
    assert "table 'features', column 'defaultd'" in text and "did you mean 'defaulted'" in text


def test_a_target_with_three_values_is_refused(tmp_path: Path) -> None:
    frame = _table()
    frame.loc[:2, "defaulted"] = 7
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(ContractError, match="exactly two outcome values"):
        load_training_data(_source(path))


def test_missing_targets_are_listed_by_row(tmp_path: Path) -> None:
    frame = _table().astype({"defaulted": "float64"})
    frame.loc[[3, 9], "defaulted"] = np.nan
    path = tmp_path / "t.parquet"
    frame.to_parquet(path)
    with pytest.raises(ContractError) as err:
        load_training_data(_source(path))
    assert "in 2 rows (rows 3, 9)" in str(err.value)


def test_a_text_feature_is_refused_with_the_fix(tmp_path: Path) -> None:
    frame = _table()
    frame["segment"] = "retail"
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(ContractError) as err:
        load_training_data(_source(path))
    text = str(err.value)
    assert "column 'segment'" in text and "--protected" in text and "'retail'" in text


def test_one_column_cannot_have_two_roles(csv: Path) -> None:
    with pytest.raises(ConfigError, match=r"both (id and protected|protected and id)"):
        _source(csv, protected=("customer",))


def test_a_missing_protected_column_is_named(csv: Path) -> None:
    with pytest.raises(ContractError, match=r"column 'gendr'.*did you mean 'gender'"):
        load_training_data(_source(csv, protected=("gendr",)))


def test_a_file_that_does_not_exist_is_named(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match="no such file"):
        load_training_data(_source(tmp_path / "nope.csv"))
