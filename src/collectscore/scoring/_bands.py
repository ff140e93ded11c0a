"""Risk bands: p_pay cut into five named groups, declared once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .._errors import ConfigError


@dataclass(frozen=True)
class RiskBand:
    """A band holds the scores with ``p_pay >= floor`` below the next band's floor."""

    name: str
    floor: float
    meaning: str


#: Best band first; every p_pay in [0, 1] falls in exactly one band.
RISK_BANDS: tuple[RiskBand, ...] = (
    RiskBand("A", 0.8, "very likely to pay"),
    RiskBand("B", 0.6, "likely to pay"),
    RiskBand("C", 0.4, "uncertain"),
    RiskBand("D", 0.2, "unlikely to pay"),
    RiskBand("E", 0.0, "very unlikely to pay"),
)


def risk_band(p_pay: ArrayLike) -> np.ndarray:
    """The band name of each probability (``A`` for p_pay >= 0.8 ... ``E`` below 0.2)."""
    p = np.asarray(p_pay, dtype=float)
    bad = np.flatnonzero(~np.isfinite(p) | (p < 0) | (p > 1))
    if bad.size:
        shown = ", ".join(f"{int(i)}: {p[i]!r}" for i in bad[:5])
        raise ConfigError(f"p_pay must be probabilities in [0, 1]; got positions {shown}")
    floors = np.array([b.floor for b in RISK_BANDS])
    names = np.array([b.name for b in RISK_BANDS], dtype=object)
    index = np.argmax(p[..., None] >= floors, axis=-1)
    return names[index]
