"""Fixtures of the feature tests."""

from __future__ import annotations

import pytest

from collectscore.synthetic import SampleConfig, generate


@pytest.fixture(scope="session")
def synthetic():
    """A small synthetic portfolio (categories included) with its ground truth."""
    return generate(SampleConfig(debtors=150, seed=11, with_categories=True))
