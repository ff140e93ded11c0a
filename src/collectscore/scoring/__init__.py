"""Scoring with a registered model: p_pay and risk band per debtor snapshot."""

from __future__ import annotations

from ._bands import RISK_BANDS, RiskBand, risk_band
from ._score import load_registered, score_dataset, score_features

__all__ = [
    "RISK_BANDS",
    "RiskBand",
    "load_registered",
    "risk_band",
    "score_dataset",
    "score_features",
]
