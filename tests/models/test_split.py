"""The split never lets a model be judged on a period it learnt from."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from collectscore import ConfigError
from collectscore.models._split import out_of_time_split


def snapshots(months: int, per_month: int = 50, seed: int = 0) -> tuple[pd.Series, np.ndarray]:
    rng = np.random.default_rng(seed)
    ends = pd.date_range("2026-01-31", periods=months, freq="ME")
    as_of = (
        pd.Series(np.repeat(ends, per_month))
        .sample(frac=1, random_state=seed)
        .reset_index(drop=True)
    )
    return as_of, rng.integers(0, 2, size=len(as_of))


def test_test_dates_all_come_after_every_training_and_validation_date() -> None:
    as_of, y = snapshots(6)
    split = out_of_time_split(as_of, y)
    assert split.method == "out_of_time"
    assert as_of.iloc[split.test].min() > as_of.iloc[split.validation].max()
    assert as_of.iloc[split.validation].min() > as_of.iloc[split.train].max()
    assert as_of.iloc[split.test].nunique() == 1 and as_of.iloc[split.validation].nunique() == 1
    every = np.sort(np.concatenate([split.train, split.validation, split.test]))
    assert (every == np.arange(len(as_of))).all()


def test_several_test_periods_can_be_held_out() -> None:
    as_of, y = snapshots(6)
    split = out_of_time_split(as_of, y, test_periods=2)
    assert as_of.iloc[split.test].nunique() == 2
    assert as_of.iloc[split.test].min() > as_of.iloc[split.train].max()


def test_with_two_dates_the_test_is_still_out_of_time_and_the_log_says_how_validation_was_drawn() -> (
    None
):
    as_of, y = snapshots(2)
    split = out_of_time_split(as_of, y)
    assert as_of.iloc[split.test].min() > as_of.iloc[split.train].max()
    assert as_of.iloc[split.validation].max() < as_of.iloc[split.test].min()
    assert "stratified random part" in split.note


def test_a_single_observation_date_falls_back_to_a_stratified_split_and_says_so() -> None:
    as_of, y = snapshots(1, per_month=500)
    split = out_of_time_split(as_of, y)
    assert split.method == "stratified"
    assert "not out of time" in split.note
    rates = [y[part].mean() for part in (split.train, split.validation, split.test)]
    assert max(rates) - min(rates) < 0.02
    assert split.sizes() == {"train": 300, "validation": 100, "test": 100}


def test_the_same_seed_gives_the_same_split() -> None:
    as_of, y = snapshots(1, per_month=300)
    a, b = out_of_time_split(as_of, y, random_state=5), out_of_time_split(as_of, y, random_state=5)
    assert (a.train == b.train).all() and (a.test == b.test).all()


def test_bad_arguments_are_explained() -> None:
    as_of, y = snapshots(3)
    with pytest.raises(ConfigError, match="as_of has 150 values but y has 149"):
        out_of_time_split(as_of, y[:-1])
    with pytest.raises(ConfigError, match="test_periods"):
        out_of_time_split(as_of, y, test_periods=0)
