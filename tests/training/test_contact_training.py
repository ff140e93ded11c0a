"""The contact-success model from logged contacts to models:/contact@champion."""

from __future__ import annotations

from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest

from collectscore.tracking import CHALLENGER, TrackingConfig, use_tracking
from collectscore.training import (
    ContactTrainConfig,
    ContactTrainingRun,
    PromoteConfig,
    TuningConfig,
    promote_model,
    train_contact,
)
from collectscore.training._contact import load_contact_data

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


def _config(root: Path) -> ContactTrainConfig:
    return ContactTrainConfig(
        folder=SAMPLE,
        tuning=TuningConfig(trials=2, metric="log_loss"),
        tracking=TrackingConfig(root=root, experiment="collectscore-contact"),
    )


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[ContactTrainingRun, Path]:
    root = tmp_path_factory.mktemp("contact-store")
    return train_contact(_config(root)), root


def test_training_registers_a_contact_challenger_judged_out_of_time(
    trained: tuple[ContactTrainingRun, Path],
) -> None:
    run, _ = trained
    _, _, meta, _ = load_contact_data(SAMPLE)
    as_of = meta["as_of"]
    assert run.version.name == "contact" and run.version.aliases == (CHALLENGER,)
    assert as_of.iloc[run.split.test].min() > as_of.iloc[run.split.train].max()
    assert list(run.evaluation.columns) == ["contact model (LightGBM)", "channel x hour base rate"]
    assert (run.evaluation.loc["n"] == len(run.split.test)).all()


def test_the_champion_round_trips_through_mlflow(trained: tuple[ContactTrainingRun, Path]) -> None:
    run, root = trained
    tracking = TrackingConfig(root=root, experiment="collectscore-contact")
    decision = promote_model(PromoteConfig(registered_name="contact", tracking=tracking))
    assert decision.promoted
    use_tracking(tracking)
    champion = mlflow.pyfunc.load_model("models:/contact@champion")
    X, _, _, _ = load_contact_data(SAMPLE)
    rows = X.iloc[run.split.test[:50]]
    predicted = champion.predict(rows)
    assert list(predicted.columns) == ["p_success"]
    np.testing.assert_array_equal(
        predicted["p_success"].to_numpy(), run.model.predict_proba(rows)[:, 1]
    )


def test_same_data_and_seed_give_the_same_contact_model(
    trained: tuple[ContactTrainingRun, Path], tmp_path: Path
) -> None:
    run, _ = trained
    again = train_contact(_config(tmp_path))
    pd.testing.assert_frame_equal(run.evaluation, again.evaluation, check_exact=True)
