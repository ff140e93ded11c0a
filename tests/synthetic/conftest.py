"""Shared samples for the synthetic-data tests (generated once per session)."""

from __future__ import annotations

import pytest

from collectscore._data import Dataset
from collectscore.synthetic import SampleConfig, generate

#: One full block: enough rows for behavioural checks, still well under a second.
SAMPLE_CONFIG = SampleConfig(debtors=1000, seed=11, with_categories=True)


@pytest.fixture(scope="session")
def sample() -> Dataset:
    return generate(SAMPLE_CONFIG)


@pytest.fixture(scope="session")
def sample_config() -> SampleConfig:
    return SAMPLE_CONFIG
