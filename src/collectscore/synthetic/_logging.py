"""The generator's historical contact policy over an evaluation grid's actions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from collectscore.synthetic import _behaviour as bh

if TYPE_CHECKING:
    from collectscore.policy import ActionGrid


def logging_policy(grid: ActionGrid) -> np.ndarray:
    """Probability with which the generator's logging policy picks each action of ``grid``.

    Shape (contexts, channels, hours), like ``grid.support``: the consented channels
    weighted as the historical policy weights them, times its hour weights on a
    Monday-Friday or a Saturday. It is the policy that wrote the synthetic contact log,
    so ``collectscore.policy.interval_coverage`` can re-draw that log.
    """
    consent = grid.support.any(axis=2)
    saturday = pd.to_datetime(grid.meta["sent_at"]).dt.day_of_week.to_numpy() == 5
    return bh.logging_probabilities(grid.channels, grid.hours, consent, np.asarray(saturday))
