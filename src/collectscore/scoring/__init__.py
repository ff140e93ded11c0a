"""Scoring with a registered model: p_pay and risk band per debtor snapshot."""

from __future__ import annotations

from ._bands import RISK_BANDS, RiskBand, risk_band
from ._decide import DECISION_COLUMNS, decide, latest_snapshots
from ._score import load_registered, score_dataset, score_features

__all__ = [
    "DECISION_COLUMNS",
    "RISK_BANDS",
    "RiskBand",
    "decide",
    "latest_snapshots",
    "load_registered",
    "risk_band",
    "score_dataset",
    "score_features",
]
