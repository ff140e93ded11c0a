"""How often the off-policy intervals contain the truth, by re-drawing the log.

The logged actions of a contact log are one draw from the logging policy. When that
policy is known over every action (on synthetic data it is), the whole experiment can
be repeated: draw each context's action again from the logging policy, its outcome
from the true success probability, and estimate the target policy's value each time.
The share of draws whose interval contains the true value is the interval's actual
coverage; a 95 % interval should cover in about 95 % of draws. One log's interval
missing the truth is then told apart from an estimator that is biased or too sure.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from .._errors import EXAMPLE_ROWS, ConfigError
from ._estimators import Estimate, doubly_robust, ips, snips
from ._evaluate import ActionGrid, Policy

#: Estimators whose intervals are checked.
ESTIMATORS: tuple[str, ...] = ("ips", "snips", "dr")


@dataclass(frozen=True)
class Coverage:
    """Repeated-log behaviour of one estimator for one target policy."""

    estimator: str
    true_value: float
    coverage: float  # share of draws whose interval contains true_value
    mean_estimate: float
    sd_estimate: float  # spread of the estimate across draws (its real standard error)
    mean_std_error: float  # the standard error the estimator reports, on average
    draws: int
    level: float

    def as_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (for tables)."""
        return asdict(self)


def interval_coverage(
    grid: ActionGrid,
    logging: Any,
    policy: Policy,
    *,
    draws: int = 300,
    seed: int = 0,
    level: float = 0.95,
) -> dict[str, Coverage]:
    """Coverage of the IPS, SNIPS and DR intervals of ``policy`` over re-drawn logs.

    ``logging`` has the grid's shape (contexts, channels, hours): the probability with
    which the logging policy picks each action, summing to one per context. ``grid``
    needs ``truth`` (synthetic data). Where ``policy`` keeps the logged action (all
    NaN), it behaves like the logging policy. The outcome model is ``grid.q``, as in
    ``evaluate_policies``. Returns one :class:`Coverage` per estimator.
    """
    if grid.truth is None:
        raise ConfigError("interval_coverage needs the synthetic truth (action_grid(truth=...))")
    if not (isinstance(draws, int) and draws >= 2):
        raise ConfigError(f"draws must be an integer >= 2; got {draws!r}")
    log = _check_logging(np.asarray(logging, dtype=float), grid)
    target = np.asarray(policy(grid), dtype=float)
    as_logged = np.isnan(target).all(axis=(1, 2))
    target = np.where(as_logged[:, None, None], log, np.nan_to_num(target))

    n = grid.n
    flat_log = log.reshape(n, -1)
    flat_target = target.reshape(n, -1)
    truth = np.nan_to_num(grid.truth).reshape(n, -1)
    q = np.nan_to_num(grid.q).reshape(n, -1)
    true_value = float((flat_target * truth).sum(axis=1).mean())
    q_target = (flat_target * q).sum(axis=1)

    rng = np.random.default_rng(seed)
    cum = flat_log.cumsum(axis=1)
    rows = np.arange(n)
    found: dict[str, list[Estimate]] = {name: [] for name in ESTIMATORS}
    for _ in range(draws):
        action = np.minimum((cum < rng.random(n)[:, None]).sum(axis=1), flat_log.shape[1] - 1)
        reward = (rng.random(n) < truth[rows, action]).astype(float)
        p, t, ql = flat_log[rows, action], flat_target[rows, action], q[rows, action]
        found["ips"].append(ips(reward, p, t, level=level))
        found["snips"].append(snips(reward, p, t, level=level))
        found["dr"].append(doubly_robust(reward, p, t, ql, q_target, level=level))
    out: dict[str, Coverage] = {}
    for name, estimates in found.items():
        values = np.array([e.estimate for e in estimates])
        out[name] = Coverage(
            estimator=name,
            true_value=true_value,
            coverage=float(np.mean([e.covers(true_value) for e in estimates])),
            mean_estimate=float(np.nanmean(values)),
            sd_estimate=float(np.nanstd(values, ddof=1)),
            mean_std_error=float(np.nanmean([e.std_error for e in estimates])),
            draws=draws,
            level=level,
        )
    return out


def _check_logging(log: np.ndarray, grid: ActionGrid) -> np.ndarray:
    if log.shape != grid.support.shape:
        raise ConfigError(
            f"logging has shape {log.shape}; expected the grid's {grid.support.shape} "
            "(contexts, channels, hours)"
        )
    bad = ~np.isfinite(log).all(axis=(1, 2)) | (log < 0).any(axis=(1, 2))
    bad |= ~np.isclose(np.nan_to_num(log).sum(axis=(1, 2)), 1.0, atol=1e-6)
    if bad.any():
        pos = np.flatnonzero(bad)
        raise ConfigError(
            "logging must give, per context, probabilities >= 0 summing to 1 over the "
            f"grid's actions; contexts {', '.join(str(int(i)) for i in pos[:EXAMPLE_ROWS])} do not"
        )
    ch, hi = grid.logged
    if (log[np.arange(grid.n), ch, hi] <= 0).any():
        raise ConfigError(
            "logging gives probability 0 to some logged actions; it must be the policy that "
            "chose them"
        )
    return log
