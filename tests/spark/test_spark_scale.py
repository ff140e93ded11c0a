"""At a larger scale (left out of ``make test``: run with ``pytest -m heavy tests/spark``)."""

from __future__ import annotations

from typing import Any

import pytest
from sparkhelpers import assert_same_features, features_frame, to_spark

import collectscore as cs
from collectscore.features.spark import build_features
from collectscore.synthetic import SampleConfig, generate


@pytest.mark.heavy
def test_two_hundred_thousand_transactions_in_sixteen_groups_give_the_pandas_features(
    spark: Any,
) -> None:
    data = generate(SampleConfig(debtors=800, seed=7))
    assert len(data.transactions) > 200_000
    expected = cs.build_features(
        data.transactions, data.debtors, contacts=data.contacts, payments=data.payments
    )
    result = build_features(
        to_spark(spark, data.transactions),
        to_spark(spark, data.debtors),
        contacts=to_spark(spark, data.contacts),
        payments=to_spark(spark, data.payments),
        partitions=16,
    )
    assert_same_features(features_frame(result), expected)
