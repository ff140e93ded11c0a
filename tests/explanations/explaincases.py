"""Shared cases of the explanation tests: the sample's features and labels, trained models."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

import collectscore as cs
from collectscore.models import PropensityModel

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


@dataclass(frozen=True)
class Trained:
    model: PropensityModel
    X: pd.DataFrame
    y: pd.Series


def sample_features() -> tuple[pd.DataFrame, pd.Series]:
    """The committed sample's point-in-time features and the contract label, aligned."""
    data = cs.datasets.load_sample(SAMPLE)
    X = cs.build_features(data.transactions, data.debtors, contacts=data.contacts)
    label = cs.paid_within_horizon(data.debtors, data.payments)
    label.index = pd.MultiIndex.from_frame(data.debtors[["debtor_id", "as_of"]])
    return X, label.reindex(X.index)


def logistic_labels(logit: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.random(len(logit)) < 1.0 / (1.0 + np.exp(-logit))).astype(int)
