"""Models to explain, trained once per test session on small real data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from explaincases import Trained, sample_features

from collectscore.models import PropensityModel


@pytest.fixture(scope="session")
def sample_model() -> Trained:
    X, y = sample_features()
    model = PropensityModel(n_estimators=80, calibration="sigmoid", random_state=0).fit(X, y)
    return Trained(model, X, y)


@pytest.fixture(scope="session")
def taiwan_model(taiwan_dir: Path) -> Trained:
    """A small propensity model on 5,000 real clients of the UCI Taiwan set (read in place)."""
    from collectscore.datasets import taiwan, taiwan_features

    frame = taiwan.load(taiwan_dir).iloc[:5000]
    X, y = taiwan_features.model_frame(frame)
    model = PropensityModel(n_estimators=120, random_state=0).fit(X, y)
    return Trained(model, X, y)


@pytest.fixture
def no_tracking_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [k for k in os.environ if k.startswith("MLFLOW_")]:
        monkeypatch.delenv(name)
