"""Helpers of the Spark tests: pandas frames to Spark and Spark results back to pandas."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from collectscore.tracking import TrackingConfig


def to_spark(spark: Any, frame: pd.DataFrame | None) -> Any:
    """A pandas contract table as a Spark DataFrame (``None`` stays ``None``)."""
    return None if frame is None else spark.createDataFrame(frame)


def features_frame(result: Any) -> pd.DataFrame:
    """A Spark feature table as pandas, indexed and sorted like ``cs.build_features``' output."""
    out = result.toPandas()
    out["as_of"] = pd.to_datetime(out["as_of"])
    return out.set_index(["debtor_id", "as_of"]).sort_index()


def assert_same_features(spark_side: pd.DataFrame, pandas_side: pd.DataFrame) -> None:
    """Same rows, same columns in the same order, values to 1e-9, NaN in the same places."""
    expected = pandas_side.sort_index()
    assert list(spark_side.columns) == list(expected.columns)
    assert spark_side.index.get_level_values(0).tolist() == (
        expected.index.get_level_values(0).tolist()
    )
    assert (
        spark_side.index.get_level_values(1).date.tolist()
        == expected.index.get_level_values(1).date.tolist()
    )
    got, want = spark_side.to_numpy(dtype=float), expected.to_numpy(dtype=float)
    nan_got, nan_want = np.isnan(got), np.isnan(want)
    differ = np.flatnonzero((nan_got != nan_want).any(axis=0))
    assert not differ.size, f"NaN positions differ in {list(expected.columns[differ])}"
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9, equal_nan=True)


@dataclass
class Champion:
    """A registry holding a champion ``propensity`` model, and that version."""

    tracking: TrackingConfig
    version: str


@contextmanager
def no_spark_job(spark: Any) -> Iterator[None]:
    """Fails when a Spark job starts inside the block."""
    sc = spark.sparkContext
    sc.setJobGroup("collectscore-checks", "must not run")
    try:
        yield
    finally:
        jobs = sc.statusTracker().getJobIdsForGroup("collectscore-checks")
        sc.setLocalProperty("spark.jobGroup.id", None)
        assert jobs == [], f"{len(jobs)} Spark job(s) ran"
