"""scikit-learn transformer around ``build_features``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from ._build import build_features
from ._frame import FeatureConfig
from ._registry import registry


class FeatureBuilder(TransformerMixin, BaseEstimator):
    """Debtor snapshots in, point-in-time features out (works inside a ``Pipeline``).

    ``X`` is the ``debtors`` table (one row per debtor snapshot); the account
    transactions come from ``transactions`` (given here) or from ``X`` itself when
    it is a :class:`collectscore.Dataset`. Rows come out in the order of ``X``.
    """

    def __init__(
        self,
        transactions: pd.DataFrame | None = None,
        *,
        contacts: pd.DataFrame | None = None,
        payments: pd.DataFrame | None = None,
        features: Sequence[str] | None = None,
        lookback_days: int = 365,
        grace_days: int = 5,
    ) -> None:
        self.transactions = transactions
        self.contacts = contacts
        self.payments = payments
        self.features = features
        self.lookback_days = lookback_days
        self.grace_days = grace_days

    def fit(self, X: Any, y: Any = None) -> FeatureBuilder:
        """Nothing is learnt: checks the settings and records the output columns."""
        FeatureConfig(lookback_days=self.lookback_days, grace_days=self.grace_days)
        names = list(self.features) if self.features is not None else list(registry())
        unknown = sorted(set(names) - set(registry()))
        if unknown:
            raise ValueError(f"unknown feature(s) {unknown}; see collectscore.features.catalog()")
        self.feature_names_out_ = np.asarray(names, dtype=object)
        self.n_features_out_ = len(names)
        return self

    def transform(self, X: Any) -> pd.DataFrame:
        if not hasattr(self, "feature_names_out_"):
            self.fit(X)
        debtors, transactions, contacts, payments = self._inputs(X)
        out = build_features(
            transactions,
            debtors,
            contacts=contacts,
            payments=payments,
            config=FeatureConfig(lookback_days=self.lookback_days, grace_days=self.grace_days),
            features=list(self.feature_names_out_),
        )
        return out.reset_index(drop=True).set_axis(debtors.index, axis=0)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(self.feature_names_out_, dtype=object)

    def _inputs(self, X: Any) -> tuple[pd.DataFrame, Any, Any, Any]:
        if hasattr(X, "transactions") and hasattr(X, "debtors"):
            return X.debtors, X.transactions, X.contacts, X.payments
        if self.transactions is None:
            raise ValueError(
                "FeatureBuilder needs the transactions: pass FeatureBuilder(transactions=...) "
                "or transform a collectscore.Dataset"
            )
        if not isinstance(X, pd.DataFrame):
            raise TypeError(
                f"FeatureBuilder.transform expects the debtors table as a pandas DataFrame; "
                f"got {type(X).__name__}"
            )
        return X, self.transactions, self.contacts, self.payments
