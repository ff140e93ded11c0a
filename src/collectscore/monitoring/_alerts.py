"""The alert rule: when a champion stops deserving its title and "needs review"."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np

from collectscore._errors import EXAMPLE_ROWS, ConfigError, did_you_mean

from ._drift import DriftReport

#: What each threshold of :class:`AlertRule` means, for messages.
_MEANINGS = {
    "score_psi_max": "the score PSI above which the champion needs review",
    "auc_drop_max": "the AUC drop (reference minus current) above which the champion needs review",
    "feature_psi_max": "the feature PSI above which the champion needs review (None: not checked)",
    "min_rows": "the fewest current rows a drift check is trusted on",
}


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


@dataclass(frozen=True)
class AlertRule:
    """When the champion needs review: score PSI above ``score_psi_max``, AUC lower than
    the reference by more than ``auc_drop_max``, or (when set) any feature's PSI above
    ``feature_psi_max``. Drift of a batch with fewer than ``min_rows`` rows is not judged."""

    score_psi_max: float = 0.25
    auc_drop_max: float = 0.05
    feature_psi_max: float | None = None
    min_rows: int = 500

    def __post_init__(self) -> None:
        for name in ("score_psi_max", "feature_psi_max"):
            value = getattr(self, name)
            if value is None and name == "feature_psi_max":
                continue
            if not _is_number(value) or not 0 < value < math.inf:
                raise ConfigError(
                    f"{name} ({_MEANINGS[name]}) must be a number > 0, e.g. 0.25; got {value!r}"
                )
            object.__setattr__(self, name, float(value))
        drop = self.auc_drop_max
        if not _is_number(drop) or not 0 < drop < 1:
            raise ConfigError(
                f"auc_drop_max ({_MEANINGS['auc_drop_max']}) must be a number between 0 and 1 "
                f"(exclusive), e.g. 0.05; got {drop!r}"
            )
        object.__setattr__(self, "auc_drop_max", float(drop))
        rows = self.min_rows
        if isinstance(rows, bool) or not isinstance(rows, int | np.integer) or rows < 1:
            raise ConfigError(
                f"min_rows ({_MEANINGS['min_rows']}) must be a whole number >= 1; got {rows!r}"
            )

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> AlertRule:
        """The rule from a mapping (e.g. a YAML or JSON section); missing keys keep defaults."""
        if values is None:
            return cls()
        if not isinstance(values, Mapping):
            raise ConfigError(
                f"an alert rule must be a mapping such as {{'score_psi_max': 0.25}}; "
                f"got {type(values).__name__}"
            )
        known = [f.name for f in fields(cls)]
        unknown = [str(k) for k in values if k not in known]
        if unknown:
            raise ConfigError(
                f"unknown alert rule setting '{unknown[0]}'{did_you_mean(unknown[0], known)}; "
                f"the settings are {', '.join(known)}"
            )
        return cls(**{str(k): v for k, v in values.items()})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ReviewStatus:
    """Whether the champion needs review, and why (plain words with the numbers).

    ``notes`` say which checks could not run (no data, too few rows); they never raise
    ``needs_review`` on their own.
    """

    needs_review: bool
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rule: AlertRule = field(default_factory=AlertRule)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``needs_review``, ``reasons``, ``notes`` and the ``rule``."""
        return {
            "needs_review": self.needs_review,
            "reasons": list(self.reasons),
            "notes": list(self.notes),
            "rule": self.rule.to_dict(),
        }


def _auc(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if not _is_number(value) or not 0 <= value <= 1:
        raise ConfigError(f"{name} must be an AUC between 0 and 1; got {value!r}")
    return float(value)


def review(
    rule: AlertRule,
    *,
    drift: DriftReport | None = None,
    auc_reference: float | None = None,
    auc_current: float | None = None,
) -> ReviewStatus:
    """Apply ``rule`` to a drift report and to the realised AUC against the reference AUC."""
    if not isinstance(rule, AlertRule):
        raise ConfigError(
            f"rule must be an AlertRule (e.g. AlertRule(score_psi_max=0.25)); "
            f"got {type(rule).__name__}"
        )
    if drift is not None and not isinstance(drift, DriftReport):
        raise ConfigError(
            f"drift must be a DriftReport (drift_report(...)); got {type(drift).__name__}"
        )
    reference, current = _auc(auc_reference, "auc_reference"), _auc(auc_current, "auc_current")
    if (reference is None) != (current is None):
        raise ConfigError(
            "pass both auc_reference (the champion's AUC at training) and auc_current (its "
            "realised AUC on matured labels), or neither"
        )
    reasons: list[str] = []
    notes: list[str] = []
    if drift is None:
        notes.append("no drift report: score and feature drift not checked")
    elif drift.n_current < rule.min_rows:
        notes.append(
            f"drift not judged: the batch has {drift.n_current} rows, fewer than min_rows "
            f"{rule.min_rows}"
        )
    else:
        if drift.score is None:
            notes.append("no scores in the drift report: score drift not checked")
        elif drift.score["psi"] > rule.score_psi_max:
            reasons.append(
                f"score PSI {drift.score['psi']:.2f} > {rule.score_psi_max:g} "
                f"(mean score {drift.score['mean_reference']:.3f} at training, "
                f"{drift.score['mean_current']:.3f} now)"
            )
        if rule.feature_psi_max is not None:
            frame = drift.features
            over = frame[frame["psi"] > rule.feature_psi_max]
            if len(over):
                shown = ", ".join(
                    f"{name} {value:.2f}"
                    for name, value in zip(
                        over["feature"][:EXAMPLE_ROWS], over["psi"][:EXAMPLE_ROWS], strict=True
                    )
                )
                more = len(over) - min(len(over), EXAMPLE_ROWS)
                reasons.append(
                    f"{len(over)} feature{'s' if len(over) != 1 else ''} with PSI > "
                    f"{rule.feature_psi_max:g}: {shown}" + (f" (+{more} more)" if more else "")
                )
    if reference is None or current is None:
        notes.append("no realised AUC: performance not checked")
    elif reference - current > rule.auc_drop_max:
        reasons.append(
            f"AUC drop {reference - current:.3f} > {rule.auc_drop_max:g} "
            f"(AUC {reference:.3f} at training, {current:.3f} now)"
        )
    return ReviewStatus(needs_review=bool(reasons), reasons=reasons, notes=notes, rule=rule)
