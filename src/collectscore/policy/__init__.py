"""Contact policy: recommendations within the rule packs, and offline policy evaluation."""

from __future__ import annotations

from ._coverage import Coverage, interval_coverage
from ._estimators import Estimate, doubly_robust, ips, snips
from ._evaluate import (
    ActionGrid,
    Policy,
    action_grid,
    best_fixed_ranking,
    evaluate_policies,
    fixed_policy,
    greedy_policy,
    oracle_policy,
)
from ._recommend import (
    DEFAULT_COSTS,
    NO_CONTACT,
    Recommendations,
    RecommendConfig,
    recommend,
    uplift,
)
from ._truth import true_success

__all__ = [
    "DEFAULT_COSTS",
    "NO_CONTACT",
    "ActionGrid",
    "Coverage",
    "Estimate",
    "Policy",
    "RecommendConfig",
    "Recommendations",
    "action_grid",
    "best_fixed_ranking",
    "doubly_robust",
    "evaluate_policies",
    "fixed_policy",
    "greedy_policy",
    "interval_coverage",
    "ips",
    "oracle_policy",
    "recommend",
    "snips",
    "true_success",
    "uplift",
]
