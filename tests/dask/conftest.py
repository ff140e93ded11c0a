"""One Dask cluster for the whole folder, and the committed sample as pandas and as Dask frames.

The cluster has two worker processes of one thread each. Threads (``processes=False``) start
in about 0.05 s against about 0.9 s for processes, but LightGBM's distributed training keeps
its network state per process, so two workers in one process do not give reproducible
models: the folder pays the process start once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("distributed", reason="the Dask tests need the scale extra")

from distributed import Client, LocalCluster

import collectscore as cs
from collectscore._data import Dataset
from collectscore.tracking import TrackingConfig

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


@pytest.fixture(scope="session")
def client() -> Iterator[Client]:
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def sample() -> Dataset:
    return cs.datasets.load_sample(SAMPLE)


@pytest.fixture(scope="session")
def pandas_features(sample: Dataset) -> pd.DataFrame:
    """The reference: ``build_features`` on pandas, with contacts and payments."""
    return cs.build_features(
        sample.transactions, sample.debtors, contacts=sample.contacts, payments=sample.payments
    )


@pytest.fixture(scope="session")
def tracking(tmp_path_factory: pytest.TempPathFactory) -> TrackingConfig:
    """One MLflow SQLite store for the folder (each module registers its own model name)."""
    return TrackingConfig(root=tmp_path_factory.mktemp("mlflow"))
