"""Models: the propensity-to-pay estimator, out-of-time splits and evaluation metrics."""

from __future__ import annotations

from ._baselines import DaysPastDueRule, ScorecardBaseline
from ._contact import (
    ContactModel,
    candidate_frame,
    candidate_frames,
    contact_training_frame,
    tune_contact,
)
from ._evaluation import (
    METRICS,
    brier,
    comparison_table,
    evaluate,
    expected_calibration_error,
    gini,
    ks,
    lift_table,
    log_loss,
    psi,
    reliability_curve,
    roc_auc,
)
from ._propensity import CALIBRATIONS, PropensityModel
from ._split import Split, out_of_time_split, stratified_split
from ._tuning import TUNING_METRICS, TuningResult, tune_propensity

__all__ = [
    "CALIBRATIONS",
    "METRICS",
    "TUNING_METRICS",
    "ContactModel",
    "DaysPastDueRule",
    "PropensityModel",
    "ScorecardBaseline",
    "Split",
    "TuningResult",
    "brier",
    "candidate_frame",
    "candidate_frames",
    "comparison_table",
    "contact_training_frame",
    "evaluate",
    "expected_calibration_error",
    "gini",
    "ks",
    "lift_table",
    "log_loss",
    "out_of_time_split",
    "psi",
    "reliability_curve",
    "roc_auc",
    "stratified_split",
    "tune_contact",
    "tune_propensity",
]
