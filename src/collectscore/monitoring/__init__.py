"""Monitoring a champion after go-live: drift against its training data and the review alert.

``drift_report(reference_X, current_X, ...)`` compares a scoring batch with the champion's
training data (PSI bands in :data:`PSI_BANDS`, KS test, missing and out-of-range rates,
ranked by SHAP importance); ``review(AlertRule(...), drift=..., auc_reference=...,
auc_current=...)`` says whether the champion needs review, and why.
"""

from __future__ import annotations

from ._alerts import AlertRule, ReviewStatus, review
from ._drift import (
    DRIFT_COLUMNS,
    PSI_BANDS,
    REFERENCE_DIR,
    REFERENCE_FILE,
    SCORE_COLUMN,
    DriftConfig,
    DriftReport,
    drift_report,
    feature_drift,
    load_reference,
    psi,
    psi_band,
    psi_legend,
    reference_sample,
    score_drift,
    shap_importance,
    split_reference,
    write_reference,
)

__all__ = [
    "DRIFT_COLUMNS",
    "PSI_BANDS",
    "REFERENCE_DIR",
    "REFERENCE_FILE",
    "SCORE_COLUMN",
    "AlertRule",
    "DriftConfig",
    "DriftReport",
    "ReviewStatus",
    "drift_report",
    "feature_drift",
    "load_reference",
    "psi",
    "psi_band",
    "psi_legend",
    "reference_sample",
    "review",
    "score_drift",
    "shap_importance",
    "split_reference",
    "write_reference",
]
