"""The real service in a subprocess, with champions trained cheaply into a temporary store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pandas as pd
import pytest
from serving_helpers import SAMPLE, Server, debtor_payload, start_server

from collectscore import Dataset, read_dir, validate_dataset


@pytest.fixture(scope="session")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both champions, trained cheaply on the committed sample."""
    from collectscore.tracking import TrackingConfig
    from collectscore.training import TuningConfig, train_champions

    root = tmp_path_factory.mktemp("serving-store")
    train_champions(SAMPLE, TrackingConfig(root=root), tuning=TuningConfig(trials=2))
    return root


@pytest.fixture(scope="session")
def server(store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(store, tmp_path_factory.mktemp("server"))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def sample() -> Dataset:
    data, _ = validate_dataset(read_dir(SAMPLE))
    return data


@pytest.fixture(scope="session")
def snapshots(sample: Dataset) -> pd.DataFrame:
    """Six debtors' latest snapshots (several countries)."""
    latest = sample.debtors.sort_values("as_of").groupby("debtor_id").tail(1)
    picked = latest.groupby("country").head(2).head(6)
    return picked.reset_index(drop=True)


@pytest.fixture(scope="session")
def now(snapshots: pd.DataFrame) -> str:
    return (pd.Timestamp(snapshots["as_of"].max()) + pd.Timedelta(days=2, hours=9)).isoformat()


@pytest.fixture(scope="session")
def raw_request(sample: Dataset, snapshots: pd.DataFrame, now: str) -> dict:
    debtors = [debtor_payload(sample, row) for _, row in snapshots.iterrows()]
    return {"debtors": debtors, "now": now}


@pytest.fixture(scope="session")
def scored(server: Server, raw_request: dict) -> httpx.Response:
    response = server.post("/score", raw_request)
    assert response.status_code == 200, response.text
    return response
