"""collectscore: open-banking signals, propensity to pay and compliant contact recommendations.

The public API lives here; modules whose names start with ``_`` are internal.
Importing the package has no side effects: no folders, no tracking URI, no logging set-up.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

from . import datasets, explanations, features, models, policy, rules, strategy, synthetic
from ._contract import CATEGORIES, CHANNELS, DEFAULT_HORIZON_DAYS, TABLES
from ._data import Dataset
from ._errors import ConfigError, ContractError, Problem
from ._io import read_dir, read_table, write_dir
from ._labels import paid_within_horizon
from ._validation import ContractWarning, ValidationReport, validate, validate_dataset
from .explanations import Explanation, explain, reason_code_catalogue, reason_codes
from .features import build_features
from .models import PropensityModel

try:
    __version__ = _version("collectscore")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = [
    "CATEGORIES",
    "CHANNELS",
    "DEFAULT_HORIZON_DAYS",
    "TABLES",
    "ConfigError",
    "ContractError",
    "ContractWarning",
    "Dataset",
    "Explanation",
    "Problem",
    "PropensityModel",
    "ValidationReport",
    "__version__",
    "build_features",
    "datasets",
    "explain",
    "explanations",
    "features",
    "models",
    "paid_within_horizon",
    "policy",
    "read_dir",
    "read_table",
    "reason_code_catalogue",
    "reason_codes",
    "rules",
    "strategy",
    "synthetic",
    "validate",
    "validate_dataset",
    "write_dir",
]
