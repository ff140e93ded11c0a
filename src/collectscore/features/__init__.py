"""The feature library: point-in-time signals from open-banking transactions.

``build_features(transactions, debtors)`` returns one row per debtor snapshot,
computed only from transactions booked on or before its ``as_of``;
``catalog()`` describes every feature (family, window, unit, descriptions in
English and Spanish, and the direction of risk).
"""

from __future__ import annotations

from ._build import build_features
from ._categorize import RULES, KeywordRule, categorization_report, categorize
from ._contact import action_features, contact_history_features, payday_calendar
from ._frame import FeatureConfig
from ._quality import univariate_auc
from ._recurring import detect_recurring, flow_key, recurring_flows
from ._registry import FAMILIES, WINDOWS, FeatureSpec, catalog, registry
from ._signals import EVENTS, SignalConfig, capacity_signals, monitoring_events
from ._transformer import FeatureBuilder

__all__ = [
    "EVENTS",
    "FAMILIES",
    "RULES",
    "WINDOWS",
    "FeatureBuilder",
    "FeatureConfig",
    "FeatureSpec",
    "KeywordRule",
    "SignalConfig",
    "action_features",
    "build_features",
    "capacity_signals",
    "catalog",
    "categorization_report",
    "categorize",
    "contact_history_features",
    "detect_recurring",
    "flow_key",
    "monitoring_events",
    "payday_calendar",
    "recurring_flows",
    "registry",
    "univariate_auc",
]
