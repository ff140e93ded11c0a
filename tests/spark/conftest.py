"""One local Spark session for the Spark tests, the sample data and a registered champion."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sparkhelpers import Champion, features_frame, to_spark

import collectscore as cs
from collectscore._data import Dataset
from collectscore.tracking import TrackingConfig

pytest.importorskip("pyspark", reason="the Spark tests need pip install 'collectscore[scale]'")

#: pyspark warns that it does not fully support pandas >= 3 (its pandas-on-Spark API,
#: which collectscore does not use): silenced for these tests only.
#: pyspark's own pandas conversions also use APIs pandas 3 deprecates.
PYSPARK_WARNINGS = (
    "ignore:PySpark does not yet fully support pandas:FutureWarning",
    "ignore:The copy keyword is deprecated:pandas.errors.Pandas4Warning",
    "ignore:Series.values returning an ndarray:pandas.errors.Pandas4Warning",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            for spec in PYSPARK_WARNINGS:
                item.add_marker(pytest.mark.filterwarnings(spec))


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    """A local[2] session: workers run this interpreter, times are read in UTC."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=FutureWarning)
        from pyspark.sql import SparkSession

    saved = {k: os.environ.get(k) for k in ("PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON")}
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("collectscore-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.executorEnv.PYTHONWARNINGS", "ignore::FutureWarning")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def sample(repo_root: Path) -> Dataset:
    """The committed sample (validated)."""
    return cs.datasets.load_sample(repo_root / "data" / "sample")


@pytest.fixture(scope="session")
def sample_features(sample: Dataset) -> pd.DataFrame:
    """The pandas features of the sample: what the Spark path must reproduce."""
    return cs.build_features(sample.transactions, sample.debtors)


@pytest.fixture(scope="session")
def champion(
    tmp_path_factory: pytest.TempPathFactory, sample: Dataset, sample_features: pd.DataFrame
) -> Iterator[Champion]:
    """A small propensity model trained on the sample, registered and promoted to champion."""
    from collectscore.models import PropensityModel
    from collectscore.tracking import log_model_run, promote

    saved = os.environ.pop("MLFLOW_TRACKING_URI", None)
    tracking = TrackingConfig(root=tmp_path_factory.mktemp("registry"))
    assert sample.payments is not None
    y = cs.paid_within_horizon(sample.debtors, sample.payments).to_numpy()
    X = sample_features.reset_index(drop=True)
    model = PropensityModel(n_estimators=30, early_stopping_rounds=None, random_state=0)
    model.fit(X, y)
    logged = log_model_run(
        model, X, y, metrics={"auc": 0.5}, params={"purpose": "tests"}, config=tracking
    )
    promote("propensity", X, y, config=tracking)
    yield Champion(tracking, logged.version)
    if saved is not None:
        os.environ["MLFLOW_TRACKING_URI"] = saved


@pytest.fixture(scope="session")
def spark_features_frame(spark: object, sample: Dataset) -> object:
    """The sample's features built on Spark (a Spark DataFrame, default account groups)."""
    from collectscore.features.spark import build_features

    return build_features(to_spark(spark, sample.transactions), to_spark(spark, sample.debtors))


@pytest.fixture(scope="session")
def spark_features(spark_features_frame: object) -> pd.DataFrame:
    """``spark_features_frame`` collected, indexed and sorted like the pandas features."""
    return features_frame(spark_features_frame)
