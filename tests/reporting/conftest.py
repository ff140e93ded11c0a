"""Real training runs in throwaway MLflow stores, and the reports written from them.

Trained once per test session through the real pipeline, with few Optuna trials: the sample
data folder (countries, days past due, income types) and a bring-your-own table with
protected columns and no country.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from reportdata import Reported

from collectscore.reporting import ReportConfig, write_model_report
from collectscore.tracking import CHALLENGER, TrackingConfig
from collectscore.training import (
    ContractData,
    FeatureTable,
    TrainConfig,
    TrainingRun,
    TuningConfig,
    train_propensity,
)

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
TRIALS = 2


def _report(run: TrainingRun, tracking: TrackingConfig, out: Path, **kwargs: object) -> Reported:
    config = ReportConfig(alias=CHALLENGER, tracking=tracking, out=out, **kwargs)  # type: ignore[arg-type]
    result = write_model_report(config)
    return Reported(run, tracking, result, result.path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Reported:
    root = tmp_path_factory.mktemp("report-sample")
    tracking = TrackingConfig(root=root)
    run = train_propensity(
        TrainConfig(
            source=ContractData(SAMPLE), tuning=TuningConfig(trials=TRIALS), tracking=tracking
        )
    )
    return _report(run, tracking, root / "out" / "report.html")


def byo_table(n: int = 1200, seed: int = 0) -> pd.DataFrame:
    """Cases whose default depends on two features; gender, marital status and age are
    protected (never features); there is no country."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "case": [f"C{i:05d}" for i in range(n)],
            "utilisation": rng.uniform(0, 1.2, n),
            "months_late": rng.integers(0, 6, n).astype(float),
            "gender": rng.choice(["f", "m"], n),
            "marital_status": rng.choice(["married", "single", "other"], n, p=[0.45, 0.45, 0.1]),
            "age": rng.integers(21, 75, n),
        }
    )
    logit = -1.0 + 2.0 * frame["utilisation"] + 0.6 * frame["months_late"]
    frame["defaulted"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    frame["days_past_due"] = 30.0 * frame["months_late"]
    return frame


@pytest.fixture(scope="session")
def byo(tmp_path_factory: pytest.TempPathFactory) -> Reported:
    root = tmp_path_factory.mktemp("report-byo")
    path = root / "cases.csv"
    byo_table().to_csv(path, index=False)
    tracking = TrackingConfig(root=root)
    source = FeatureTable(
        path,
        target="defaulted",
        target_means="default",
        protected=("gender", "marital_status", "age"),
        id="case",
    )
    run = train_propensity(
        TrainConfig(source=source, tuning=TuningConfig(trials=TRIALS), tracking=tracking)
    )
    return _report(run, tracking, root / "report.html")
