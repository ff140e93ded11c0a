"""Univariate AUC ranks features by what they say on their own, oriented by the catalogue."""

from __future__ import annotations

import pandas as pd
import pytest

from collectscore.features import univariate_auc


def test_features_are_ranked_by_strength_and_oriented_by_their_declared_direction() -> None:
    paid = pd.Series([0, 0, 0, 1, 1, 1])
    features = pd.DataFrame(
        {
            "nsf_fees_90d": [5, 4, 3, 0, 0, 1],  # direction -1: fewer returned payments, pays
            "balance_current": [10, 20, 15, 30, None, 25],  # direction +1
            "transactions_30d": [1, 2, 3, 3, 2, 1],  # direction 0, says nothing
            "history_days": [100] * 6,  # constant: left out
        }
    )
    table = univariate_auc(features, paid).set_index("feature")
    assert list(table.index) == ["nsf_fees_90d", "balance_current", "transactions_30d"]
    assert table.loc["nsf_fees_90d", "auc"] == pytest.approx(1.0)
    # the missing value becomes the median, 20, and ties with a non-payer: (8 + 0.5) / 9 pairs
    assert table.loc["balance_current", "auc"] == pytest.approx(8.5 / 9)
    assert table.loc["transactions_30d", "strength"] == pytest.approx(0.5)
    assert table.loc["balance_current", "missing"] == pytest.approx(1 / 6)
