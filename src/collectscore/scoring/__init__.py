"""Scoring with the registered models: p_pay, risk band and the decision per debtor snapshot."""

from __future__ import annotations

from ._bands import RISK_BANDS, RiskBand, risk_band
from ._decide import (
    DECISION_COLUMNS,
    NOT_EVALUATED,
    DecisionModels,
    decide,
    decide_snapshots,
    expected_recovery,
    latest_snapshots,
    load_decision_models,
)
from ._score import load_registered, score_dataset, score_features

__all__ = [
    "DECISION_COLUMNS",
    "NOT_EVALUATED",
    "RISK_BANDS",
    "DecisionModels",
    "RiskBand",
    "decide",
    "decide_snapshots",
    "expected_recovery",
    "latest_snapshots",
    "load_decision_models",
    "load_registered",
    "risk_band",
    "score_dataset",
    "score_features",
]
