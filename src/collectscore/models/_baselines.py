"""Baselines the propensity model must beat: a binned logistic scorecard and the days-past-due rule."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from .._contract import DEBTORS
from .._errors import EXAMPLE_ROWS, ConfigError, ContractError, Problem, did_you_mean
from ._inputs import (
    _X_TABLE,
    BinaryFrameClassifier,
    _is_int,
    _is_real,
    _labels,
    _listed,
    _numeric_matrix,
)

#: Pseudo-rows at the overall pay rate added to every bin before its weight of evidence.
_WOE_PRIOR_ROWS = 10.0

#: Weight of the days-past-due tie-breaker in :class:`DaysPastDueRule` (moves p by at most this).
TIE_BREAK = 1e-6


# ---------------------------------------------------------------- shared helpers
def _binary_target(y: Any, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """``(classes, target)``: the two classes of ``y`` and a 0/1 target (1 = the larger class)."""
    labels = _labels(y, n_rows)
    classes = np.unique(labels)
    if len(classes) != 2:
        raise ConfigError(
            f"y must hold exactly two classes (did not pay / paid); got {len(classes)} "
            f"({', '.join(repr(c) for c in classes[:EXAMPLE_ROWS])}). "
            "Fix: fit on snapshots with both outcomes, e.g. a longer period or more debtors."
        )
    return classes, (labels == classes[1]).astype(np.int8)


def _missing_columns(X: pd.DataFrame, wanted: Sequence[str], expected: str, fix: str) -> None:
    """A ContractError naming the ``wanted`` columns absent from ``X`` (with a spelling hint)."""
    given = [str(c) for c in X.columns]
    missing = [c for c in wanted if c not in set(given)]
    if missing:
        hint = did_you_mean(missing[0], given)
        raise ContractError(
            [Problem(_X_TABLE, None, expected, f"missing {_listed(missing)}{hint}", fix)]
        )


def _proba(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), 0.0, 1.0)
    return np.column_stack([1.0 - p, p])


# ---------------------------------------------------------------- scorecard
class ScorecardBaseline(BinaryFrameClassifier):
    """Logistic-regression scorecard on binned features (what a credit team would build first).

    Each feature is cut at the quantiles of its training values into at most
    ``n_bins`` bins, plus one bin for missing values; each value is
    replaced by its weight of evidence (smoothed log-odds of paying in the bin
    minus the overall log-odds) and an L2 logistic regression (strength
    ``1 / C``) weighs the features. Values outside the training range fall in
    the first or last bin; a bin empty at fit time (e.g. missing values in a
    feature that had none) scores 0 points. ``scorecard_`` lists every bin's points.
    """

    def __init__(
        self,
        *,
        n_bins: int = 5,
        C: float = 0.1,
        features: Sequence[str] | None = None,
        random_state: int = 0,
    ) -> None:
        self.n_bins = n_bins
        self.C = C
        self.features = features
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, y: Any) -> ScorecardBaseline:
        """Learn the bin edges on ``X`` and the points of each bin (``y`` in the row order of ``X``)."""
        self._check_params()
        names = [str(c) for c in _frame_columns(X)]
        used = names if self.features is None else [str(f) for f in self.features]
        _missing_columns(
            X,
            used,
            f"the {len(used)} columns named in features",
            "pass features that are columns of X (see X.columns), or features=None for all",
        )
        values = _numeric_matrix(_select(X, used))
        classes, target = _binary_target(y, len(values))

        edges = [_quantile_edges(values[:, j], self.n_bins) for j in range(len(used))]
        offsets = np.cumsum([0] + [len(e) + 2 for e in edges])
        self.classes_ = classes
        self.feature_names_in_ = np.asarray(names, dtype=object)
        self.n_features_in_ = len(names)
        self.features_ = list(used)
        self.bin_edges_ = dict(zip(used, edges, strict=True))
        self._offsets = offsets
        bins = self._bins(values)
        self.woe_ = _weights_of_evidence(bins, target, int(offsets[-1]))
        self.logistic_ = LogisticRegression(
            C=float(self.C), max_iter=1000, random_state=self.random_state
        ).fit(self.woe_[bins], target)
        self.scorecard_ = self._table()
        return self

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """The scorecard's total points (log-odds of paying)."""
        check_is_fitted(self, "logistic_")
        return self.logistic_.decision_function(self._encode(self._aligned(X)))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """``(n, 2)`` probabilities; column 1 is the chance to pay."""
        check_is_fitted(self, "logistic_")
        return _proba(self.logistic_.predict_proba(self._encode(self._aligned(X)))[:, 1])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The more likely class for each row (``classes_[1]`` when p_pay >= 0.5)."""
        p = self.predict_proba(X)[:, 1]
        return self.classes_[(p >= 0.5).astype(int)]

    # -------------------------------------------------------------- helpers
    def _check_params(self) -> None:
        if not (_is_int(self.n_bins) and self.n_bins >= 2):
            raise ConfigError(f"n_bins must be a whole number >= 2; got {self.n_bins!r}")
        if not (_is_real(self.C) and np.isfinite(self.C) and self.C > 0):
            raise ConfigError(
                f"C must be a number > 0 (smaller = stronger regularisation); got {self.C!r}"
            )
        if not (_is_int(self.random_state) and self.random_state >= 0):
            raise ConfigError(
                f"random_state must be a whole number >= 0 (the seed); got {self.random_state!r}"
            )
        f = self.features
        if f is not None:
            if isinstance(f, str) or not isinstance(f, Sequence) or len(f) == 0:
                raise ConfigError(
                    f"features must be None (all columns) or a non-empty list of column names; "
                    f"got {f!r}. Fix: e.g. features=['days_past_due', 'balance_current']"
                )
            dups = sorted({str(c) for c in f if list(f).count(c) > 1})
            if dups:
                raise ConfigError(f"features lists {_listed(dups)} more than once")

    def _aligned(self, X: pd.DataFrame) -> np.ndarray:
        """The used features of ``X`` as floats; ``X`` must have the columns seen at fit time."""
        given = [str(c) for c in _frame_columns(X)]
        fitted = [str(c) for c in self.feature_names_in_]
        _missing_columns(
            X,
            fitted,
            f"the {len(fitted)} columns the scorecard was fitted on",
            "build the features with the same feature list as at fit time "
            "(column order does not matter)",
        )
        extra = [c for c in given if c not in set(fitted)]
        if extra:
            raise ContractError(
                [
                    Problem(
                        _X_TABLE,
                        None,
                        f"the {len(fitted)} columns the scorecard was fitted on",
                        f"unexpected {_listed(extra)}",
                        "drop the extra columns, or refit on a frame that has them",
                    )
                ]
            )
        return _numeric_matrix(_select(X, self.features_))

    def _bins(self, values: np.ndarray) -> np.ndarray:
        """Global bin numbers: per feature, the value bins then a last bin for missing values."""
        out = np.empty(values.shape, dtype=np.intp)
        for j, edges in enumerate(self.bin_edges_.values()):  # a loop over columns, not rows
            col = values[:, j]
            bins = np.searchsorted(edges, col, side="right")
            bins[np.isnan(col)] = len(edges) + 1
            out[:, j] = self._offsets[j] + bins
        return out

    def _encode(self, values: np.ndarray) -> np.ndarray:
        """Each value replaced by the weight of evidence of its bin."""
        return self.woe_[self._bins(values)]

    def _table(self) -> pd.DataFrame:
        """One row per bin: feature, bin, lower (inclusive), upper (exclusive), woe, points."""
        frames = []
        coef = self.logistic_.coef_[0]
        for j, (name, edges) in enumerate(self.bin_edges_.items()):
            k = len(edges) + 1
            woe = self.woe_[self._offsets[j] : self._offsets[j + 1]]
            frames.append(
                pd.DataFrame(
                    {
                        "feature": name,
                        "bin": [f"{i}" for i in range(k)] + ["missing"],
                        "lower": np.concatenate([[-np.inf], edges, [np.nan]]),
                        "upper": np.concatenate([edges, [np.inf], [np.nan]]),
                        "woe": woe,
                        "points": coef[j] * woe,
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)


def _weights_of_evidence(bins: np.ndarray, target: np.ndarray, n_bins: int) -> np.ndarray:
    """Smoothed log-odds of each bin minus the overall log-odds (0 for an empty bin)."""
    rate = float(target.mean())
    flat = bins.ravel()
    payers = np.bincount(flat, weights=np.repeat(target, bins.shape[1]), minlength=n_bins)
    total = np.bincount(flat, minlength=n_bins).astype(float)
    prior = _WOE_PRIOR_ROWS
    odds = (payers + prior * rate) / (total - payers + prior * (1.0 - rate))
    return np.log(odds) - np.log(rate / (1.0 - rate))


def _frame_columns(X: object) -> pd.Index:
    if not isinstance(X, pd.DataFrame):
        _numeric_matrix(X)  # type: ignore[arg-type]  # raises the "X must be a DataFrame" error
    assert isinstance(X, pd.DataFrame)
    return X.columns


def _select(X: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``X[columns]`` by the string form of the column names."""
    frame = X.copy(deep=False)
    frame.columns = [str(c) for c in X.columns]
    chosen = frame.loc[:, frame.columns.isin(list(columns))]
    if chosen.columns.duplicated().any():
        return chosen  # _numeric_matrix reports the duplicates
    return chosen[list(columns)]


def _quantile_edges(col: np.ndarray, n_bins: int) -> np.ndarray:
    """Distinct inner quantile cut points of the non-missing values (empty: one bin)."""
    present = col[~np.isnan(col)]
    if present.size == 0:
        return np.empty(0)
    qs = np.quantile(present, np.linspace(0, 1, n_bins + 1)[1:-1])
    edges = np.unique(qs)
    return edges[edges > present.min()]  # a cut at the minimum would leave its lower bin empty


# ---------------------------------------------------------------- days-past-due rule
class DaysPastDueRule(ClassifierMixin, BaseEstimator):
    """The rule "fewer days past due pays first", turned into probabilities.

    An isotonic regression of paying on ``-days_past_due`` gives calibrated
    probabilities that never increase with days past due; ties between its
    steps are broken by days past due itself (moving p by at most
    ``TIE_BREAK``), so the ranking is exactly the rule's. Only ``column`` is read.
    """

    def __init__(self, *, column: str = "days_past_due") -> None:
        self.column = column

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def fit(self, X: pd.DataFrame, y: Any) -> DaysPastDueRule:
        """Fit the pay rate as a non-increasing step function of days past due."""
        if not isinstance(self.column, str) or not self.column:
            raise ConfigError(
                f"column must be the name of the days-past-due column; got {self.column!r}"
            )
        dpd = self._days(X)
        classes, target = _binary_target(y, len(dpd))
        self.classes_ = classes
        self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        self.n_features_in_ = X.shape[1]
        self.isotonic_ = IsotonicRegression(
            y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip"
        ).fit(-dpd, target)
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """``(n, 2)`` probabilities; column 1 (the chance to pay) decreases with days past due."""
        check_is_fitted(self, "isotonic_")
        dpd = self._days(X)
        step = self.isotonic_.predict(-dpd)
        tie_break = 1.0 / (1.0 + np.log1p(dpd))  # strictly decreasing, in (0, 1]
        return _proba((1.0 - TIE_BREAK) * step + TIE_BREAK * tie_break)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The more likely class for each row (``classes_[1]`` when p_pay >= 0.5)."""
        p = self.predict_proba(X)[:, 1]
        return self.classes_[(p >= 0.5).astype(int)]

    def _days(self, X: pd.DataFrame) -> np.ndarray:
        """The days-past-due column as floats; missing or negative values are errors."""
        _frame_columns(X)
        rule = DEBTORS.column("days_past_due")
        _missing_columns(
            X,
            [self.column],
            f"a '{self.column}' column ({rule.description})",
            f"add the column (build_features includes '{rule.name}'), or set column= to its name",
        )
        dpd = _numeric_matrix(_select(X, [self.column]))[:, 0]
        problems = []
        for mask, received, fix in (
            (np.isnan(dpd), "missing values", "fill in the days past due of every snapshot"),
            (
                dpd < (rule.min if rule.min is not None else -np.inf),
                "values below the minimum",
                rule.hint,
            ),
        ):
            rows = np.flatnonzero(mask)
            if rows.size:
                problems.append(
                    Problem(
                        _X_TABLE,
                        self.column,
                        rule.rule(),
                        received,
                        fix,
                        rows=tuple(int(r) for r in rows[:EXAMPLE_ROWS]),
                        n_rows=int(rows.size),
                    )
                )
        if problems:
            raise ContractError(problems)
        return dpd
