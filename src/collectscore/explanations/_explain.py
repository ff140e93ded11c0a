"""Exact TreeSHAP contributions of the propensity model, per debtor.

The contributions are LightGBM's own path-dependent TreeSHAP (``pred_contrib``) on the
trees the model predicts with (``best_iteration_``), in the raw margin's units: log-odds
of paying *before* calibration. For every row ``base_value + contributions.sum(axis=1)``
equals ``model.decision_function(X)``.

How they relate to the calibrated ``p_pay``:

- ``calibration="sigmoid"`` (Platt): ``logit(p_pay) = a * margin + b`` with ``a >= 0``, so
  ``a * contribution`` is each feature's exact share of the calibrated log-odds and
  ``a * base_value + b`` the base (:meth:`Explanation.calibrated`).
- ``calibration="none"``: ``logit(p_pay) = margin - prior_shift_`` (the class weights undone):
  the contributions are already on the calibrated scale, the base moves by ``-prior_shift_``.
- ``calibration="isotonic"``: ``p_pay`` is a non-decreasing step function of the margin, so a
  feature that lowers the margin never raises ``p_pay`` and the ranking of reasons holds, but
  there is no exact per-feature split of ``p_pay``; :meth:`Explanation.calibrated` refuses.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._errors import ConfigError

Method = Literal["native", "shap"]
METHODS: tuple[str, ...] = Method.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Explanation:
    """Per-row TreeSHAP contributions of a propensity model (raw log-odds of paying).

    ``contributions`` and ``values`` have X's index and the model's features in fitted
    order; ``margin`` is ``model.decision_function(X)`` and ``p_pay`` the calibrated
    probability. ``calibration_scale`` is ``(a, b)`` with ``logit(p_pay) = a * margin + b``
    where calibration is exact on the log-odds scale (sigmoid, none), else ``None``.
    """

    contributions: pd.DataFrame
    base_value: float
    margin: np.ndarray
    p_pay: np.ndarray
    values: pd.DataFrame
    calibration: str = "none"
    calibration_scale: tuple[float, float] | None = field(default=None)

    def calibrated(self) -> pd.DataFrame:
        """Contributions on the calibrated log-odds scale: ``a * contributions``.

        With :attr:`calibrated_base_value` they add up to ``logit(p_pay)``. Only exact for
        sigmoid calibration or none; isotonic calibration is a step function of the margin
        (it keeps the order of the margins but has no per-feature split): ``ConfigError``.
        """
        slope, _ = self._scale()
        return self.contributions * slope

    @property
    def calibrated_base_value(self) -> float:
        """``a * base_value + b``: the base of :meth:`calibrated` (logit scale)."""
        slope, intercept = self._scale()
        return slope * self.base_value + intercept

    def _scale(self) -> tuple[float, float]:
        if self.calibration_scale is None:
            raise ConfigError(
                f"contributions cannot be split exactly on the calibrated scale of a model "
                f"with calibration={self.calibration!r}: p_pay is a non-decreasing step "
                "function of the margin, so the contributions keep their order and sign but "
                "do not add up to logit(p_pay). Fix: read the raw contributions (log-odds of "
                "the margin), or train with calibration='sigmoid' for an exact split."
            )
        return self.calibration_scale


def explain(
    model: Any, X: pd.DataFrame, *, method: Method = "native", threads: int | None = None
) -> Explanation:
    """Exact TreeSHAP contributions of ``model`` for every row of ``X``.

    ``model`` is a fitted :class:`~collectscore.models.PropensityModel` or its MLflow pyfunc
    (``mlflow.pyfunc.PyFuncModel`` or :class:`~collectscore.tracking.PropensityPyfunc`).
    ``X`` must have the model's feature columns (any order; extra columns are refused as at
    prediction). ``method="shap"`` computes the same values with ``shap.TreeExplainer``.
    ``threads``: LightGBM threads (default: every core). One thread suits a server whose
    other threads read requests meanwhile: idle threads of a busy pool cost milliseconds
    per call on a loaded machine, even for one row.
    """
    if threads is not None and (
        isinstance(threads, bool) or not isinstance(threads, int) or threads < 1
    ):
        raise ConfigError(
            f"threads must be a whole number >= 1 (or None: every core); got {threads!r}"
        )
    if method not in METHODS:
        from .._errors import did_you_mean

        raise ConfigError(
            f"method must be one of {', '.join(map(repr, METHODS))}; got {method!r}"
            f"{did_you_mean(str(method), METHODS)}"
        )
    fitted = propensity_model(model)
    values = fitted._aligned(X)  # ContractError naming missing / unexpected columns
    names = [str(c) for c in fitted.feature_names_in_]
    if method == "native":
        raw = fitted.booster_.booster_.predict(
            values,
            pred_contrib=True,
            num_iteration=fitted.best_iteration_,
            num_threads=threads or os.cpu_count() or 1,
        )
        raw = np.asarray(raw, dtype=float)
        contrib, base = raw[:, :-1], float(raw[0, -1]) if len(raw) else _base_value(fitted)
    else:
        contrib, base = _shap_values(fitted, values)
    margin = fitted._margin(values, threads=threads)
    frame = pd.DataFrame(values, index=X.index, columns=names)
    p_pay = fitted._calibrated(margin)  # exactly predict_proba(X)[:, 1], without re-reading X
    return Explanation(
        contributions=pd.DataFrame(contrib, index=X.index, columns=names),
        base_value=base,
        margin=margin,
        p_pay=p_pay,
        values=frame,
        calibration=_calibration(fitted),
        calibration_scale=_scale(fitted),
    )


def propensity_model(model: Any) -> Any:
    """The fitted PropensityModel behind ``model`` (itself, or unwrapped from a pyfunc)."""
    from ..models import PropensityModel

    inner = model
    unwrap = getattr(model, "unwrap_python_model", None)
    if callable(unwrap):  # mlflow.pyfunc.PyFuncModel
        inner = unwrap()
    if not isinstance(inner, PropensityModel):
        from ..tracking import PropensityPyfunc

        if isinstance(inner, PropensityPyfunc):
            inner = inner.model
    if not isinstance(inner, PropensityModel):
        raise ConfigError(
            f"explain needs a fitted collectscore.models.PropensityModel or its MLflow pyfunc; "
            f"got {type(inner).__module__}.{type(inner).__name__}. Fix: pass the propensity "
            "model (e.g. cs.scoring.load_registered('propensity', ...)[0]); explanations come "
            "from its LightGBM trees"
        )
    if not hasattr(inner, "booster_"):
        raise ConfigError(
            "the propensity model is not fitted yet, so it has no trees to explain. "
            "Fix: call model.fit(X_train, y_train) first"
        )
    return inner


def _base_value(fitted: Any) -> float:
    """The expected margin when there are no rows to read it from."""
    empty = np.zeros((1, len(fitted.feature_names_in_)))
    raw = fitted.booster_.booster_.predict(
        empty, pred_contrib=True, num_iteration=fitted.best_iteration_
    )
    return float(np.asarray(raw)[0, -1])


def _shap_values(fitted: Any, values: np.ndarray) -> tuple[np.ndarray, float]:
    """``shap.TreeExplainer`` on the trees the model predicts with."""
    import warnings

    import lightgbm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # shap's import-time deprecation notes
        import shap

    booster = lightgbm.Booster(
        model_str=fitted.booster_.booster_.model_to_string(num_iteration=fitted.best_iteration_)
    )
    explainer = shap.TreeExplainer(booster)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # shap's note on its binary output format
        contrib = explainer.shap_values(values)
    if isinstance(contrib, list):  # older shap: one array per class
        contrib = contrib[-1]
    expected = np.ravel(explainer.expected_value)[-1]
    return np.asarray(contrib, dtype=float).reshape(len(values), -1), float(expected)


def _calibration(fitted: Any) -> str:
    from sklearn.isotonic import IsotonicRegression

    if fitted.calibrator_ is None:
        return "none"
    return "isotonic" if isinstance(fitted.calibrator_, IsotonicRegression) else "sigmoid"


def _scale(fitted: Any) -> tuple[float, float] | None:
    """``(a, b)`` with ``logit(p_pay) = a * margin + b``, or None (isotonic)."""
    kind = _calibration(fitted)
    if kind == "none":
        return 1.0, -float(fitted.prior_shift_)
    if kind == "sigmoid":
        return float(fitted.calibrator_.coef_[0, 0]), float(fitted.calibrator_.intercept_[0])
    return None
