"""Shared fixtures and the golden-file flag."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run and every machine: a CI failure can be
# replayed exactly, and a clean clone never finds a different example than the last run.
settings.register_profile("collectscore", derandomize=True, database=None)
settings.load_profile("collectscore")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regenerate-golden",
        action="store_true",
        default=False,
        help="rewrite golden files from the current code instead of comparing with them",
    )


@pytest.fixture
def regenerate_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--regenerate-golden"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def taiwan_dir() -> Path:
    """The real UCI data set in ``../shared/data/taiwan_default`` (skipped outside CI when absent)."""
    path = SHARED / "data" / "taiwan_default"
    if not path.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the UCI Taiwan data set is missing at {path}")
        pytest.skip(f"the UCI Taiwan data set is not at {path}")
    return path
