"""The propensity-to-pay model: monotone LightGBM with a calibrated probability."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import lightgbm
import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_is_fitted

from .._errors import EXAMPLE_ROWS, ConfigError, ContractError, Problem, did_you_mean
from ._inputs import (
    _X_TABLE,
    BinaryFrameClassifier,
    _is_int,
    _is_real,
    _labels,
    _listed,
    _numeric_matrix,
    _require_frame,
)

Calibration = Literal["isotonic", "sigmoid", "none"]
CALIBRATIONS: tuple[str, ...] = Calibration.__args__  # type: ignore[attr-defined]

#: Table names used in error messages.
_PARAM_RULES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "n_estimators": (lambda v: _is_int(v) and v >= 1, "a whole number >= 1"),
    "learning_rate": (lambda v: _is_real(v) and 0 < v <= 1, "a number in (0, 1]"),
    "num_leaves": (lambda v: _is_int(v) and v >= 2, "a whole number >= 2"),
    "max_depth": (
        lambda v: _is_int(v) and (v == -1 or v >= 1),
        "-1 (no limit) or a whole number >= 1",
    ),
    "min_child_samples": (lambda v: _is_int(v) and v >= 1, "a whole number >= 1"),
    "subsample": (lambda v: _is_real(v) and 0 < v <= 1, "a fraction in (0, 1]"),
    "colsample_bytree": (lambda v: _is_real(v) and 0 < v <= 1, "a fraction in (0, 1]"),
    "reg_lambda": (lambda v: _is_real(v) and v >= 0, "a number >= 0"),
    "monotone": (lambda v: isinstance(v, bool | np.bool_), "True or False"),
    "validation_fraction": (lambda v: _is_real(v) and 0 <= v < 1, "a fraction in [0, 1)"),
    "early_stopping_rounds": (
        lambda v: v is None or (_is_int(v) and v >= 1),
        "None (no early stopping) or a whole number >= 1",
    ),
    "random_state": (lambda v: _is_int(v) and v >= 0, "a whole number >= 0 (the seed)"),
    "n_jobs": (lambda v: _is_int(v) and v != 0, "a whole number other than 0 (-1 = all cores)"),
}


class PropensityModel(BinaryFrameClassifier):
    """Probability that a debtor pays within the horizon (class 1 = pays).

    A LightGBM classifier whose monotone constraints come from the feature
    catalogue (``monotone=True``), followed by a calibrator fitted on rows the
    trees never saw (``validation_fraction`` held out, or ``eval_set``). Class
    weights only shape the trees: ``predict_proba`` is calibrated back to the
    observed pay rate. Same data and ``random_state`` give identical predictions.
    """

    def __init__(
        self,
        *,
        n_estimators: int = 500,
        learning_rate: float = 0.05,
        num_leaves: int = 31,
        max_depth: int = 6,
        min_child_samples: int = 20,
        subsample: float = 0.8,
        colsample_bytree: float = 0.8,
        reg_lambda: float = 1.0,
        monotone: bool = True,
        calibration: Calibration = "isotonic",
        validation_fraction: float = 0.2,
        early_stopping_rounds: int | None = 50,
        class_weight: Literal["balanced"] | Mapping[Any, float] | None = "balanced",
        random_state: int = 0,
        n_jobs: int = 1,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.max_depth = max_depth
        self.min_child_samples = min_child_samples
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_lambda = reg_lambda
        self.monotone = monotone
        self.calibration = calibration
        self.validation_fraction = validation_fraction
        self.early_stopping_rounds = early_stopping_rounds
        self.class_weight = class_weight
        self.random_state = random_state
        self.n_jobs = n_jobs

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        X: pd.DataFrame,
        y: Any,
        *,
        eval_set: tuple[pd.DataFrame, Any] | None = None,
        callbacks: Sequence[Callable[..., Any]] | None = None,
    ) -> PropensityModel:
        """Fit the trees (early stopping on held-out rows) and the calibrator on those rows.

        ``y`` is in the row order of ``X`` (two classes; the larger one is "pays").
        ``callbacks`` are extra LightGBM callbacks (they see the held-out rows' log loss
        after each round, e.g. to prune a tuning trial).
        """
        self._check_params()
        values = _numeric_matrix(X)
        names = [str(c) for c in X.columns]
        labels = _labels(y, len(values))
        classes = np.unique(labels)
        if len(classes) != 2:
            raise ConfigError(
                f"y must hold exactly two classes (did not pay / paid); got {len(classes)} "
                f"({', '.join(repr(c) for c in classes[:EXAMPLE_ROWS])}). "
                "Fix: fit on snapshots with both outcomes, e.g. a longer period or more debtors."
            )
        target = (labels == classes[1]).astype(np.int8)

        if eval_set is not None:
            X_val, y_val = _eval_set(eval_set, names, classes)
            X_fit, y_fit = values, target
        elif self.validation_fraction > 0:
            X_fit, X_val, y_fit, y_val = _holdout(
                values, target, self.validation_fraction, self.random_state
            )
        else:
            if self.calibration != "none":
                raise ConfigError(
                    f"calibration={self.calibration!r} needs rows the trees do not see; got "
                    "validation_fraction=0 and no eval_set. Fix: set validation_fraction > 0, "
                    "pass eval_set=(X_val, y_val), or use calibration='none'."
                )
            X_fit, y_fit, X_val, y_val = values, target, None, None

        weights = self._class_weights(y_fit, classes)
        constraints = self._constraints(names)
        booster = lightgbm.LGBMClassifier(**self._lgbm_params(constraints))
        fit_kwargs: dict[str, Any] = {"sample_weight": weights[y_fit]}
        if X_val is not None and self.early_stopping_rounds is not None:
            fit_kwargs["eval_X"] = (pd.DataFrame(X_val, columns=names),)
            fit_kwargs["eval_y"] = (y_val,)
            fit_kwargs["eval_sample_weight"] = [weights[y_val]]
            fit_kwargs["callbacks"] = [
                lightgbm.early_stopping(self.early_stopping_rounds, verbose=False),
                *(callbacks or ()),
            ]
        elif callbacks:
            fit_kwargs["callbacks"] = list(callbacks)
        booster.fit(pd.DataFrame(X_fit, columns=names), y_fit, **fit_kwargs)
        self._adopt(booster, names, classes, weights)
        if self.calibration != "none":
            assert X_val is not None and y_val is not None
            self.calibrator_ = _fit_calibrator(self.calibration, self._margin(X_val), y_val)
        return self

    @classmethod
    def from_booster(
        cls,
        booster: lightgbm.LGBMClassifier,
        *,
        class_weights: tuple[float, float],
        calibration_margin: np.ndarray | None = None,
        calibration_target: np.ndarray | None = None,
        classes: Sequence[Any] = (0, 1),
        **params: Any,
    ) -> PropensityModel:
        """A fitted model around trees grown elsewhere (e.g. LightGBM's Dask interface).

        ``booster`` must have been trained with this model's ``_lgbm_params`` (same monotone
        constraints) and ``class_weights`` (weight of target 0, 1); the calibrator is fitted
        on ``calibration_margin`` (the trees' raw margin on held-out rows) and their 0/1
        ``calibration_target``.
        """
        model = cls(**params)
        model._check_params()
        names = [str(n) for n in booster.feature_name_]
        model._adopt(booster, names, np.asarray(classes), np.asarray(class_weights, dtype=float))
        if model.calibration != "none":
            if calibration_margin is None or calibration_target is None:
                raise ConfigError(
                    f"calibration={model.calibration!r} needs the held-out rows' margin and "
                    "target. Fix: pass calibration_margin and calibration_target, or use "
                    "calibration='none'."
                )
            model.calibrator_ = _fit_calibrator(
                model.calibration,
                np.asarray(calibration_margin, dtype=float),
                np.asarray(calibration_target, dtype=np.int8),
            )
        return model

    def _adopt(
        self,
        booster: lightgbm.LGBMClassifier,
        names: list[str],
        classes: np.ndarray,
        weights: np.ndarray,
    ) -> None:
        """Set the fitted attributes around trained trees (the calibrator is set after)."""
        self.booster_ = booster
        best = getattr(booster, "best_iteration_", 0) or 0
        self.best_iteration_ = int(best) if best > 0 else int(booster.booster_.num_trees())
        self.classes_ = classes
        self.feature_names_in_ = np.asarray(names, dtype=object)
        self.n_features_in_ = len(names)
        self.monotone_constraints_ = dict(zip(names, self._constraints(names), strict=True))
        # the class weights move the log-odds by log(w1 / w0): undone for calibration="none"
        self.prior_shift_ = float(np.log(weights[1] / weights[0]))
        self.calibrator_ = None

    # -------------------------------------------------------------- predict
    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """The raw LightGBM margin (log-odds, before calibration), as the trees' contributions add up."""
        check_is_fitted(self, "booster_")
        return self._margin(self._aligned(X))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """``(n, 2)`` probabilities; column 1 is the calibrated chance to pay."""
        check_is_fitted(self, "booster_")
        p = self._calibrated(self._margin(self._aligned(X)))
        return np.column_stack([1.0 - p, p])

    def _calibrated(self, margin: np.ndarray) -> np.ndarray:
        """The calibrated chance to pay of raw margins (what ``predict_proba`` returns)."""
        if self.calibrator_ is None:
            p = _sigmoid(margin - self.prior_shift_)
        elif isinstance(self.calibrator_, IsotonicRegression):
            p = self.calibrator_.predict(margin)
        else:
            p = self.calibrator_.predict_proba(margin.reshape(-1, 1))[:, 1]
        return np.clip(np.asarray(p, dtype=float), 0.0, 1.0)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The more likely class for each row (``classes_[1]`` when p_pay >= 0.5)."""
        p = self.predict_proba(X)[:, 1]
        return self.classes_[(p >= 0.5).astype(int)]

    # -------------------------------------------------------------- helpers
    def _margin(self, values: np.ndarray, *, threads: int | None = None) -> np.ndarray:
        """Raw log-odds; ``threads``: LightGBM threads (None: OpenMP's default, every core)."""
        extra = {} if threads is None else {"num_threads": threads}
        raw = self.booster_.booster_.predict(
            values, raw_score=True, num_iteration=self.best_iteration_, **extra
        )
        return np.asarray(raw, dtype=float)

    def _aligned(self, X: pd.DataFrame) -> np.ndarray:
        """``X`` as a float matrix in the fitted column order (a clear error on other columns)."""
        _require_frame(X)
        fitted = list(self.feature_names_in_)
        given = [str(c) for c in X.columns]
        given_set, fitted_set = set(given), set(fitted)
        missing = [c for c in fitted if c not in given_set]
        extra = [c for c in given if c not in fitted_set]
        if missing or extra:
            parts = []
            if missing:
                hints = "".join(did_you_mean(c, extra) for c in missing[:1]) if extra else ""
                parts.append(f"missing {_listed(missing)}{hints}")
            if extra:
                parts.append(f"unexpected {_listed(extra)}")
            raise ContractError(
                [
                    Problem(
                        table=_X_TABLE,
                        column=None,
                        expected=f"the {len(fitted)} columns the model was fitted on",
                        received="; ".join(parts),
                        fix="build the features with the same feature list as at fit time "
                        "(column order does not matter)",
                    )
                ]
            )
        frame = X.copy()
        frame.columns = given
        return _numeric_matrix(frame[fitted])

    def _check_params(self) -> None:
        for name, (ok, accepted) in _PARAM_RULES.items():
            value = getattr(self, name)
            if not ok(value):
                raise ConfigError(f"{name} must be {accepted}; got {value!r}")
        if self.calibration not in CALIBRATIONS:
            raise ConfigError(
                f"calibration must be one of {', '.join(map(repr, CALIBRATIONS))}; "
                f"got {self.calibration!r}{did_you_mean(str(self.calibration), CALIBRATIONS)}"
            )
        cw = self.class_weight
        if not (cw is None or cw == "balanced" or isinstance(cw, Mapping)):
            raise ConfigError(
                f"class_weight must be 'balanced', None or a dict class -> weight; got {cw!r}"
            )

    def _class_weights(self, target: np.ndarray, classes: np.ndarray) -> np.ndarray:
        """Weights for target 0 and 1 (index by the 0/1 target)."""
        if self.class_weight is None:
            return np.ones(2)
        if isinstance(self.class_weight, Mapping):
            unknown = [k for k in self.class_weight if k not in set(classes.tolist())]
            if unknown:
                raise ConfigError(
                    f"class_weight names classes {unknown!r} not in y; the classes are "
                    f"{classes.tolist()!r}"
                )
            w = np.array([float(self.class_weight.get(c, 1.0)) for c in classes.tolist()])
            if not (np.isfinite(w).all() and (w > 0).all()):
                raise ConfigError(f"class_weight values must be > 0; got {self.class_weight!r}")
            return w
        counts = np.bincount(target, minlength=2).astype(float)
        return len(target) / (2.0 * counts)

    def _constraints(self, names: list[str]) -> list[int]:
        if not self.monotone:
            return [0] * len(names)
        from ..features import registry

        specs = registry()
        return [int(specs[n].direction) if n in specs else 0 for n in names]

    def _lgbm_params(self, constraints: list[int]) -> dict[str, Any]:
        return {
            "objective": "binary",
            "n_estimators": self.n_estimators,
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "max_depth": self.max_depth,
            "min_child_samples": self.min_child_samples,
            "subsample": self.subsample,
            "subsample_freq": 1 if self.subsample < 1 else 0,
            "colsample_bytree": self.colsample_bytree,
            "reg_lambda": self.reg_lambda,
            "monotone_constraints": constraints,
            "random_state": self.random_state,
            "n_jobs": self.n_jobs,
            "deterministic": True,
            "force_row_wise": True,
            "verbose": -1,
        }


# ---------------------------------------------------------------- module helpers
def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _eval_set(
    eval_set: tuple[pd.DataFrame, Any], names: list[str], classes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    if not (isinstance(eval_set, tuple | list) and len(eval_set) == 2):
        raise ConfigError("eval_set must be a pair (X_val, y_val)")
    X_val, y_val = eval_set
    _require_frame(X_val)
    given = [str(c) for c in X_val.columns]
    if sorted(given) != sorted(names):
        raise ConfigError(
            "eval_set X must have the same columns as X; "
            f"missing {_listed(sorted(set(names) - set(given)))}, "
            f"unexpected {_listed(sorted(set(given) - set(names)))}"
        )
    frame = X_val.copy()
    frame.columns = given
    values = _numeric_matrix(frame[names])
    labels = _labels(y_val, len(values))
    unknown = sorted(set(labels.tolist()) - set(classes.tolist()))
    if unknown:
        raise ConfigError(f"eval_set y has classes {unknown!r} not in y ({classes.tolist()!r})")
    target = (labels == classes[1]).astype(np.int8)
    if len(np.unique(target)) < 2:
        raise ConfigError("eval_set y must contain both classes to stop early and calibrate")
    return values, target


def _holdout(
    values: np.ndarray, target: np.ndarray, fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A stratified, seeded split: (X_fit, X_val, y_fit, y_val)."""
    counts = np.bincount(target, minlength=2)
    n_val = np.floor(counts * fraction)
    if (n_val < 1).any() or (counts - n_val < 1).any():
        raise ConfigError(
            f"validation_fraction={fraction} leaves no rows of a class on one side of the split "
            f"(class sizes {counts.tolist()}). Fix: fit on more rows, raise validation_fraction, "
            "or pass eval_set=(X_val, y_val)."
        )
    X_fit, X_val, y_fit, y_val = train_test_split(
        values, target, test_size=fraction, stratify=target, random_state=seed
    )
    return X_fit, X_val, y_fit, y_val


def _fit_calibrator(
    method: str, margin: np.ndarray, target: np.ndarray
) -> IsotonicRegression | LogisticRegression:
    """Isotonic on the margin, or Platt (logistic on the margin, slope kept >= 0)."""
    if method == "isotonic":
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip")
        return iso.fit(margin, target)
    platt = LogisticRegression(C=1e6)
    platt.fit(margin.reshape(-1, 1), target)
    if platt.coef_[0, 0] < 0:  # an anti-informative fit would reverse the ranking: flatten it
        rate = float(np.clip(target.mean(), 1e-6, 1 - 1e-6))
        platt.coef_[:] = 0.0
        platt.intercept_[:] = np.log(rate / (1 - rate))
    return platt
