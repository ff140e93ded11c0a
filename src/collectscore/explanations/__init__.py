"""Per-decision explanations: exact TreeSHAP contributions and reason codes.

``explain(model, X)`` gives every row's contributions in log-odds of paying (they add up
to the model's raw margin with the base value); ``reason_codes(explanation)`` turns them
into the top features lowering and raising ``p_pay``, each with a stable code and a
sentence in English or Spanish; ``reason_code_catalogue()`` lists every code.
"""

from __future__ import annotations

from ._codes import CODES, FAMILY_PREFIX, OTHER_PREFIX, RETIRED_CODES
from ._explain import METHODS, Explanation, explain
from ._reasons import (
    REASON_COLUMNS,
    SCORE_REASON_COLUMNS,
    reason_code_catalogue,
    reason_codes,
    reason_columns,
)
from ._sentences import LANGUAGES, SENTENCES, Sentence

__all__ = [
    "CODES",
    "FAMILY_PREFIX",
    "LANGUAGES",
    "METHODS",
    "OTHER_PREFIX",
    "REASON_COLUMNS",
    "RETIRED_CODES",
    "SCORE_REASON_COLUMNS",
    "SENTENCES",
    "Explanation",
    "Sentence",
    "explain",
    "reason_code_catalogue",
    "reason_codes",
    "reason_columns",
]
