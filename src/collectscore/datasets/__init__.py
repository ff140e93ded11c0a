"""Data sets: contract data folders (the committed sample, your own) and the real UCI Taiwan set."""

from __future__ import annotations

import os
from pathlib import Path

from .._data import Dataset
from .._errors import ContractError, Problem
from .._io import read_dir
from .._validation import validate
from ..synthetic import SampleConfig
from . import taiwan, taiwan_features

__all__ = [
    "SAMPLE_CONFIG",
    "SAMPLE_DIR",
    "Dataset",
    "load",
    "load_sample",
    "taiwan",
    "taiwan_features",
]

#: Where the repository keeps its small committed sample (relative to the repo root).
SAMPLE_DIR = Path("data/sample")
#: How the committed sample is generated (``make sample`` regenerates it).
SAMPLE_CONFIG = SampleConfig(debtors=300, seed=42)


def load(path: str | os.PathLike[str]) -> Dataset:
    """Read and validate a contract data folder (one file per table, see the contract)."""
    return validate(read_dir(path))


def load_sample(path: str | os.PathLike[str] = SAMPLE_DIR) -> Dataset:
    """Load the synthetic sample (default ``data/sample`` in the repository), validated.

    The sample's ground truth (``truth/``) is in ``Dataset.truth``.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise ContractError(
            [
                Problem(
                    table="transactions",
                    column=None,
                    expected=f"a sample data folder at '{folder}'",
                    received="no such folder",
                    fix="run from the repository root, pass the folder's path, or make one with "
                    f"`collectscore sample --debtors {SAMPLE_CONFIG.debtors} --seed {SAMPLE_CONFIG.seed} --out {folder}`",
                )
            ]
        )
    return load(folder)
