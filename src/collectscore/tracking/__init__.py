"""MLflow tracking and the model registry: log runs, register versions, promote a champion."""

from __future__ import annotations

from ._config import TrackingConfig, use_tracking
from ._registry import (
    CHALLENGER,
    CHAMPION,
    PROMOTION_METRICS,
    ModelVersionInfo,
    PromotionDecision,
    PropensityPyfunc,
    data_fingerprint,
    load_champion,
    log_model_run,
    promote,
    registered_version,
)

__all__ = [
    "CHALLENGER",
    "CHAMPION",
    "PROMOTION_METRICS",
    "ModelVersionInfo",
    "PromotionDecision",
    "PropensityPyfunc",
    "TrackingConfig",
    "data_fingerprint",
    "load_champion",
    "log_model_run",
    "promote",
    "registered_version",
    "use_tracking",
]
