"""Off-policy estimators: IPS, self-normalised IPS and doubly robust, with a normal CI.

Each logged contact ``i`` was chosen by the logging policy with probability
``propensities[i]``; the policy under evaluation would have chosen the same action
with probability ``target_probs[i]`` (0 or 1 for a deterministic policy). With
``w = target_probs / propensities``:

- IPS: ``mean(w * r)``, unbiased when every action the target policy can take has a
  positive logging probability;
- SNIPS: ``sum(w * r) / sum(w)``, slightly biased, much smaller variance;
- DR: ``mean(q_target + w * (r - q_logged))`` where ``q_logged`` is the outcome model's
  prediction for the logged action and ``q_target`` its expected prediction under the
  target policy; unbiased when either the propensities or the model are right.

Standard errors are the sample standard deviation of the per-contact terms over
``sqrt(n)`` (delta method for SNIPS); the interval is ``estimate +- z * se``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from statistics import NormalDist
from typing import Any

import numpy as np

from .._errors import EXAMPLE_ROWS, ConfigError


@dataclass(frozen=True)
class Estimate:
    """A policy-value estimate with its standard error and confidence interval."""

    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    n: int
    level: float = 0.95

    def as_dict(self) -> dict[str, float]:
        """The fields as a plain dict (for tables and logging)."""
        return asdict(self)

    def covers(self, value: float) -> bool:
        """True when ``value`` lies inside the confidence interval."""
        return bool(self.ci_low <= value <= self.ci_high)


def ips(rewards: Any, propensities: Any, target_probs: Any, *, level: float = 0.95) -> Estimate:
    """Inverse propensity scoring: the mean of ``target / logging probability x reward``."""
    r, p, t = _inputs(rewards=rewards, propensities=propensities, target_probs=target_probs)
    terms = t / p * r
    return _mean_estimate(terms, level)


def snips(rewards: Any, propensities: Any, target_probs: Any, *, level: float = 0.95) -> Estimate:
    """Self-normalised IPS: the importance-weighted mean reward (weights sum to one)."""
    r, p, t = _inputs(rewards=rewards, propensities=propensities, target_probs=target_probs)
    w = t / p
    total = w.sum()
    n = len(r)
    z = _z(level)
    if total <= 0:
        # the target policy never agrees with a logged action: nothing to estimate from
        return Estimate(float("nan"), float("nan"), float("nan"), float("nan"), n, level)
    value = float((w * r).sum() / total)
    se = float(np.sqrt(np.sum(w**2 * (r - value) ** 2)) / total)
    return Estimate(value, se, value - z * se, value + z * se, n, level)


def doubly_robust(
    rewards: Any,
    propensities: Any,
    target_probs: Any,
    q_logged: Any,
    q_target: Any,
    *,
    level: float = 0.95,
) -> Estimate:
    """Doubly robust: the model's value of the target policy plus an IPS-weighted correction.

    ``q_logged`` is the predicted reward of each logged action, ``q_target`` the
    predicted reward of the target policy in the same context (``sum_a pi(a|x) q(x, a)``).
    """
    r, p, t, ql, qt = _inputs(
        rewards=rewards,
        propensities=propensities,
        target_probs=target_probs,
        q_logged=q_logged,
        q_target=q_target,
    )
    terms = qt + t / p * (r - ql)
    return _mean_estimate(terms, level)


# ---------------------------------------------------------------------- helpers
def _z(level: float) -> float:
    if not (isinstance(level, float | int) and 0 < level < 1):
        raise ConfigError(f"level must be a probability in (0, 1), e.g. 0.95; got {level!r}")
    return NormalDist().inv_cdf(0.5 + level / 2)


def _mean_estimate(terms: np.ndarray, level: float) -> Estimate:
    n = len(terms)
    z = _z(level)
    value = float(terms.mean())
    se = float(terms.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    return Estimate(value, se, value - z * se, value + z * se, n, level)


_RANGES: dict[str, tuple[float, float, bool, str]] = {
    # name: (low, high, low exclusive, fix)
    "propensities": (
        0.0,
        1.0,
        True,
        "off-policy evaluation needs the probability with which the logging policy chose each "
        "logged action, in (0, 1]; drop contacts whose propensity is unknown",
    ),
    "target_probs": (
        0.0,
        1.0,
        False,
        "give the probability in [0, 1] with which the evaluated policy picks the logged "
        "action (1 or 0 for a deterministic policy)",
    ),
    "q_logged": (0.0, 1.0, False, "give predicted success probabilities in [0, 1]"),
    "q_target": (0.0, 1.0, False, "give predicted success probabilities in [0, 1]"),
}


def _inputs(**arrays: Any) -> tuple[np.ndarray, ...]:
    """The arguments as float arrays of one length, checked; ConfigError names the bad one."""
    out: list[np.ndarray] = []
    n: int | None = None
    for name, value in arrays.items():
        try:
            a = np.asarray(value, dtype=float).reshape(-1)
        except (TypeError, ValueError) as exc:
            raise ConfigError(
                f"{name} must be numbers (an array, list or Series); could not read it: {exc}"
            ) from None
        if n is None:
            n = len(a)
            if n == 0:
                raise ConfigError(f"{name} is empty; off-policy evaluation needs logged contacts")
        elif len(a) != n:
            raise ConfigError(
                f"{name} has {len(a)} values but rewards has {n}; give one value per logged contact"
            )
        bad = ~np.isfinite(a)
        if name in _RANGES:
            low, high, low_open, fix = _RANGES[name]
            with np.errstate(invalid="ignore"):
                bad |= (a <= low) if low_open else (a < low)
                bad |= a > high
        else:
            fix = "give a finite number per logged contact"
        if bad.any():
            pos = np.flatnonzero(bad)
            shown = ", ".join(str(int(i)) for i in pos[:EXAMPLE_ROWS])
            more = f", +{len(pos) - EXAMPLE_ROWS} more" if len(pos) > EXAMPLE_ROWS else ""
            raise ConfigError(
                f"{name} has {len(pos)} invalid value{'s' if len(pos) != 1 else ''} "
                f"(positions {shown}{more}; e.g. {a[pos[0]]!r}). Fix: {fix}"
            )
        out.append(a)
    return tuple(out)
