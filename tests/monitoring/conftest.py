"""A champion trained once per session on the generator, and the monitoring checks of the
batches of ``monitordata`` (same distribution, income shock, no outcomes yet)."""

from __future__ import annotations

from pathlib import Path

import pytest
from monitordata import RULE, SAME, SHOCK, TRAIN, Store, write_batch

from collectscore.monitoring import MonitorConfig, MonitorResult, run_monitoring
from collectscore.synthetic import write_sample
from collectscore.tracking import TrackingConfig


@pytest.fixture(scope="session")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    from collectscore.training import (
        ContractData,
        PromoteConfig,
        TrainConfig,
        TuningConfig,
        promote_model,
        train_propensity,
    )

    root = tmp_path_factory.mktemp("monitor-store")
    tracking = TrackingConfig(root=root)
    write_sample(TRAIN, root / "train")
    train_propensity(
        TrainConfig(
            source=ContractData(root / "train"), tuning=TuningConfig(trials=2), tracking=tracking
        )
    )
    promote_model(PromoteConfig(tracking=tracking))
    return Store(root, tracking)


@pytest.fixture(scope="session")
def batches(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("monitor-batches")
    return {
        "same": write_batch(SAME, root / "same"),
        "shock": write_batch(SHOCK, root / "shock"),
        "no_payments": write_batch(SAME, root / "no_payments", payments=False),
    }


@pytest.fixture(scope="session")
def same(
    store: Store, batches: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> MonitorResult:
    out = tmp_path_factory.mktemp("monitor-same") / "same.html"
    config = MonitorConfig(
        data=batches["same"], tracking=store.tracking, rule=RULE, out=out, log_to_mlflow=False
    )
    return run_monitoring(config)


@pytest.fixture(scope="session")
def shocked(
    store: Store, batches: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> MonitorResult:
    out = tmp_path_factory.mktemp("monitor-shock") / "shock.html"
    config = MonitorConfig(data=batches["shock"], tracking=store.tracking, rule=RULE, out=out)
    return run_monitoring(config)
