"""Risk bands: declared once, every probability in exactly one band."""

from __future__ import annotations

import numpy as np
import pytest

from collectscore._errors import ConfigError
from collectscore.scoring import RISK_BANDS, risk_band


def test_each_band_starts_at_its_floor_and_the_best_band_comes_first() -> None:
    floors = [band.floor for band in RISK_BANDS]
    assert floors == sorted(floors, reverse=True) and floors[-1] == 0.0
    for band in RISK_BANDS:
        assert risk_band([band.floor])[0] == band.name
    assert list(risk_band([1.0, 0.79999, 0.0])) == ["A", "B", "E"]


def test_every_probability_falls_in_exactly_one_band() -> None:
    p = np.linspace(0, 1, 1001)
    names = risk_band(p)
    assert set(names) == {band.name for band in RISK_BANDS}
    order = [band.name for band in RISK_BANDS]
    ranks = np.array([order.index(n) for n in names])
    assert (np.diff(ranks) <= 0).all()  # a higher p_pay never lands in a worse band


@pytest.mark.parametrize("bad", [[1.2], [-0.1], [np.nan]])
def test_values_outside_zero_to_one_are_refused(bad: list[float]) -> None:
    with pytest.raises(ConfigError, match="probabilities in \\[0, 1\\]"):
        risk_band(bad)
