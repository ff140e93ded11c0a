"""Input checks shared by the propensity estimators: a numeric pandas frame and 0/1-like labels."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from .._errors import EXAMPLE_ROWS, ConfigError, ContractError, Problem

_X_TABLE = "features"
_Y_TABLE = "labels"


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _is_real(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


#: Parameter -> (accepted?, what is accepted). Checked in ``fit``.
class BinaryFrameClassifier(ClassifierMixin, BaseEstimator):
    """Base of the propensity estimators: a pandas frame in, two classes, missing values allowed."""

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.classifier_tags.multi_class = False
        return tags


def _listed(names: list[str]) -> str:
    shown = ", ".join(f"'{n}'" for n in names[:EXAMPLE_ROWS])
    more = len(names) - EXAMPLE_ROWS
    return shown + (f" (+{more} more)" if more > 0 else "")


def _require_frame(X: object) -> None:
    if not isinstance(X, pd.DataFrame):
        raise ConfigError(
            f"X must be a pandas DataFrame of features (one column per feature, e.g. from "
            f"build_features); got {type(X).__module__}.{type(X).__name__}. "
            "Fix: pass a DataFrame, e.g. pd.DataFrame(values, columns=feature_names)."
        )


def _numeric_matrix(X: pd.DataFrame) -> np.ndarray:
    """``X`` as float64 (NaN for missing); non-numeric, infinite or duplicate columns are errors."""
    _require_frame(X)
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ConfigError(
            f"X must have at least one row and one column; got shape {X.shape}. "
            "Fix: pass the feature table of the snapshots to score."
        )
    names = pd.Index([str(c) for c in X.columns])
    problems: list[Problem] = []
    dups = sorted(set(names[names.duplicated()]))
    if dups:
        problems.append(
            Problem(
                _X_TABLE,
                None,
                "unique column names",
                f"duplicates {_listed(dups)}",
                "drop or rename the repeated columns",
            )
        )
    bad_types = [
        c
        for c, dtype in zip(X.columns, X.dtypes, strict=True)
        if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))
    ]
    for c in bad_types:
        as_num = pd.to_numeric(X[c], errors="coerce")
        rows = np.flatnonzero(as_num.isna().to_numpy() & X[c].notna().to_numpy())
        problems.append(
            Problem(
                _X_TABLE,
                str(c),
                "numbers (NaN allowed for missing)",
                f"dtype {X[c].dtype}",
                f"convert with pd.to_numeric or drop the column '{c}'",
                rows=tuple(int(r) for r in rows[:EXAMPLE_ROWS]),
                n_rows=len(rows),
            )
        )
    if problems:
        raise ContractError(problems)
    values = X.to_numpy(dtype=np.float64, na_value=np.nan)
    inf = np.isinf(values)
    if inf.any():
        for j in np.flatnonzero(inf.any(axis=0)):
            rows = np.flatnonzero(inf[:, j])
            problems.append(
                Problem(
                    _X_TABLE,
                    names[j],
                    "finite numbers or NaN",
                    "infinite values",
                    "replace inf with NaN (missing) or a finite cap",
                    rows=tuple(int(r) for r in rows[:EXAMPLE_ROWS]),
                    n_rows=len(rows),
                )
            )
        raise ContractError(problems)
    return values


def _labels(y: Any, n_rows: int) -> np.ndarray:
    """``y`` as a 1-D array of ``n_rows`` labels with no missing values."""
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise ConfigError(f"y must be one column of labels; got a DataFrame with {y.shape[1]}")
        y = y.iloc[:, 0]
    series = pd.Series(np.asarray(y).ravel() if not isinstance(y, pd.Series) else y.to_numpy())
    if series.ndim != 1 or len(series) != n_rows:
        raise ConfigError(
            f"y must have one label per row of X ({n_rows}); got {len(series)}. "
            "Fix: pass the labels of the same snapshots, in the same order."
        )
    missing = np.flatnonzero(series.isna().to_numpy())
    if len(missing):
        raise ContractError(
            [
                Problem(
                    _Y_TABLE,
                    getattr(y, "name", None) or "y",
                    "a label on every row",
                    "missing labels",
                    "drop those snapshots from X and y, or label them",
                    rows=tuple(int(r) for r in missing[:EXAMPLE_ROWS]),
                    n_rows=len(missing),
                )
            ]
        )
    values = series.to_numpy()
    if values.dtype == object:
        values = values.astype(str)
    return values
