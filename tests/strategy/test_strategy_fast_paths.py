"""The shortcuts of the strategy give exactly what the general paths give.

``segment_dataset`` takes p_pay as it is when it sits on the features' own keys (the scoring
service's case) and matches normalised keys otherwise; ``assign_segments`` reads plain numpy
columns without coercing them and coerces every other column.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from collectscore import build_features
from collectscore._data import Dataset
from collectscore.datasets import load_sample
from collectscore.strategy import assign_segments, segment_dataset


@pytest.fixture(scope="module")
def sample(repo_root: Path) -> Dataset:
    return load_sample(repo_root / "data" / "sample")


@pytest.fixture(scope="module")
def features(sample: Dataset) -> pd.DataFrame:
    return build_features(sample.transactions, sample.debtors)


@pytest.fixture(scope="module")
def p_pay(sample: Dataset, features: pd.DataFrame) -> pd.Series:
    truth = sample.truth["debtors"].set_index(["debtor_id", "as_of"])["p_pay"]
    return truth.reindex(features.index)


def test_p_pay_on_the_features_keys_gives_the_segments_of_p_pay_in_any_order(
    sample: Dataset, features: pd.DataFrame, p_pay: pd.Series
):
    aligned = segment_dataset(sample, p_pay, features=features)
    shuffled = p_pay.sample(frac=1.0, random_state=3)
    as_frame = p_pay.rename("p_pay").reset_index()
    pd.testing.assert_frame_equal(aligned, segment_dataset(sample, shuffled, features=features))
    pd.testing.assert_frame_equal(aligned, segment_dataset(sample, as_frame, features=features))


def test_one_snapshot_on_its_own_keys_gets_the_segment_it_gets_in_the_batch(
    sample: Dataset, features: pd.DataFrame, p_pay: pd.Series
):
    whole = segment_dataset(sample, p_pay, features=features)
    one = segment_dataset(sample, p_pay.iloc[[5]], features=features.iloc[[5]])
    pd.testing.assert_frame_equal(one, whole.iloc[[5]])


def test_repeated_keys_on_the_features_keys_are_still_refused(
    sample: Dataset, features: pd.DataFrame, p_pay: pd.Series
):
    twice = pd.concat([features.iloc[:3], features.iloc[:1]])
    scores = pd.Series(np.full(4, 0.5), index=twice.index)
    with pytest.raises(Exception, match="one p_pay per"):
        segment_dataset(sample, scores, features=twice)


def test_numpy_columns_and_nullable_or_text_columns_give_the_same_segments(
    features: pd.DataFrame, p_pay: pd.Series
):
    plain = features.assign(p_pay=p_pay.to_numpy()).reset_index()
    other = plain.assign(
        days_past_due=plain["days_past_due"].astype("Int64"),
        outstanding=plain["outstanding"].astype("Float64"),
        p_pay=plain["p_pay"].astype(object),
        as_of=plain["as_of"].dt.strftime("%Y-%m-%d"),
    )
    # as_of is handed back as given; every computed column is the same
    pd.testing.assert_frame_equal(
        assign_segments(plain).drop(columns="as_of"), assign_segments(other).drop(columns="as_of")
    )
