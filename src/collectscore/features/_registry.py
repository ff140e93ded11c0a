"""The feature registry: every feature with its metadata, declared once.

Docs, reason codes and LightGBM monotone constraints all read this registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

import pandas as pd
import polars as pl

Family = Literal[
    "income_stability",
    "balance_trend",
    "arrears_distress",
    "spending_obligations",
    "payment_capacity",
    "debt",
]
Unit = Literal["currency", "currency_per_day", "days", "count", "share", "ratio", "months", "flag"]
#: Which frame a feature aggregates: transaction rows, 30-day buckets, recurring flows,
#: promises to pay, or the snapshot itself (debtor columns and other features).
Source = Literal["rows", "monthly", "flows", "promises", "snapshot"]

FAMILIES: tuple[str, ...] = Family.__args__  # type: ignore[attr-defined]
#: Windows (days) the windowed features are computed over.
WINDOWS: tuple[int, ...] = (30, 90, 180)

_UNIT_TEXT = {
    "currency": "account currency",
    "currency_per_day": "account currency per day",
    "days": "days",
    "count": "count",
    "share": "share (0-1)",
    "ratio": "ratio",
    "months": "months",
    "flag": "0/1",
}


@dataclass(frozen=True)
class FeatureSpec:
    """One feature: what it is, in which unit, and which way it pushes the chance to pay.

    ``direction`` is +1 when a higher value means the debtor is *more* likely to
    pay, -1 when less likely, 0 when it is not monotone or not known; it becomes
    the LightGBM monotone constraint. ``fill`` is the value when the source has no
    rows for a snapshot (0 for counts and sums; ``None`` leaves it missing).
    """

    name: str
    family: Family
    window: int | None
    unit: Unit
    description_en: str
    description_es: str
    direction: Literal[-1, 0, 1]
    source: Source
    build: Callable[[], pl.Expr]
    fill: float | None = None

    @property
    def monotone_constraint(self) -> int:
        return int(self.direction)

    @property
    def risk(self) -> str:
        return {1: "higher pays more", -1: "higher pays less", 0: "not monotone"}[self.direction]

    def expr(self) -> pl.Expr:
        return self.build().alias(self.name)


_REGISTRY: dict[str, FeatureSpec] = {}


def feature(
    name: str,
    *,
    family: Family,
    unit: Unit,
    direction: Literal[-1, 0, 1],
    en: str,
    es: str,
    source: Source = "rows",
    windows: Iterable[int] | None = None,
    fill: float | None = None,
) -> Callable[[Callable[..., pl.Expr]], Callable[..., pl.Expr]]:
    """Register the decorated expression builder as one feature, or one per window.

    With ``windows``, ``name``, ``en`` and ``es`` may contain ``{w}`` and the builder
    takes the window in days as its only argument.
    """

    def register(build: Callable[..., pl.Expr]) -> Callable[..., pl.Expr]:
        for w in windows if windows is not None else (None,):
            spec = FeatureSpec(
                name=name.format(w=w),
                family=family,
                window=w,
                unit=unit,
                description_en=en.format(w=w),
                description_es=es.format(w=w),
                direction=direction,
                source=source,
                build=(lambda b=build, w=w: b(w)) if w is not None else build,
                fill=fill,
            )
            if spec.name in _REGISTRY:
                raise ValueError(f"feature {spec.name!r} is registered twice")
            _REGISTRY[spec.name] = spec
        return build

    return register


def registry() -> dict[str, FeatureSpec]:
    """All registered features, by name: family by family (``FAMILIES``), then as registered.

    Snapshot features are computed in this order, so one may read another of its family
    registered before it.
    """
    from . import _families  # noqa: F401  (registers the features)

    order = sorted(_REGISTRY.values(), key=lambda spec: FAMILIES.index(spec.family))
    return {spec.name: spec for spec in order}


def catalog() -> pd.DataFrame:
    """The feature catalogue: name, family, window, unit, descriptions, risk direction."""
    rows = [
        {
            "name": s.name,
            "family": s.family,
            "window_days": s.window,
            "unit": s.unit,
            "direction": s.direction,
            "risk": s.risk,
            "description_en": s.description_en,
            "description_es": s.description_es,
        }
        for s in registry().values()
    ]
    frame = pd.DataFrame(rows)
    frame["window_days"] = frame["window_days"].astype("Int64")
    return frame


def unit_text(unit: str) -> str:
    return _UNIT_TEXT[unit]
