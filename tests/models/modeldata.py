"""Shared data for the model tests: synthetic features and labels, built once per size."""

from __future__ import annotations

from functools import cache

import pandas as pd

from collectscore import build_features, paid_within_horizon
from collectscore.synthetic import SampleConfig, generate


@cache
def synthetic_features(debtors: int, seed: int) -> tuple[pd.DataFrame, pd.Series]:
    """Point-in-time features and the propensity label of a synthetic portfolio."""
    ds = generate(SampleConfig(debtors=debtors, seed=seed))
    X = build_features(ds.transactions, ds.debtors, contacts=ds.contacts, payments=ds.payments)
    return X, paid_within_horizon(ds.debtors, ds.payments)
