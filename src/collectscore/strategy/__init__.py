"""Treatment strategy: risk bands and segments from willingness, capacity and arrears.

``assign_segments`` puts every debtor snapshot in one of the declared ``SEGMENTS``
(likely self-cure, willing but unable, able but unwilling, neither) with its stage,
action, first contact date, payment-plan offer, whether a person must decide, and a
reason naming the numbers. Thresholds live in ``StrategyConfig``.
"""

from __future__ import annotations

from ._assign import INPUT_TABLE, OUTPUT_COLUMNS, assign_segments, segment_dataset
from ._declare import (
    ACTIONS,
    CRITERIA,
    INPUTS,
    SEGMENTS,
    STAGES,
    Action,
    Criterion,
    Segment,
    StrategyConfig,
    StrategyInput,
    segment,
    thresholds,
)
from ._docs import strategy_markdown

__all__ = [
    "ACTIONS",
    "CRITERIA",
    "INPUTS",
    "INPUT_TABLE",
    "OUTPUT_COLUMNS",
    "SEGMENTS",
    "STAGES",
    "Action",
    "Criterion",
    "Segment",
    "StrategyConfig",
    "StrategyInput",
    "assign_segments",
    "segment",
    "segment_dataset",
    "strategy_markdown",
    "thresholds",
]
