"""Evaluation metrics for the propensity-to-pay model.

Every function takes labels ``y`` (1 = paid, 0 = did not pay) and scores ``p``
(probabilities in [0, 1]) as array-likes of equal length and returns a number
or a small table. Bad input raises :class:`~collectscore._errors.ConfigError`
naming the argument, example positions and the fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.metrics import log_loss as _sk_log_loss

from collectscore._errors import EXAMPLE_ROWS, ConfigError, did_you_mean

BinStrategy = Literal["uniform", "quantile"]

#: Probabilities are clipped to ``[LOG_LOSS_CLIP, 1 - LOG_LOSS_CLIP]`` before the log loss.
LOG_LOSS_CLIP = 1e-15

#: Floor on a bin's share in :func:`psi`, so an empty bin gives a finite value.
PSI_EPSILON = 1e-4

#: Metric names :func:`evaluate` returns, in the order tables show them.
METRICS: tuple[str, ...] = (
    "auc",
    "gini",
    "ks",
    "brier",
    "log_loss",
    "ece",
    "n",
    "positive_rate",
)


# --- input checks ---------------------------------------------------------------------------


def _positions(mask: np.ndarray, values: np.ndarray | None = None) -> str:
    """``"positions 3, 7 (+2 more)"`` for the first offending positions of ``mask``."""
    where = np.flatnonzero(mask)
    shown = where[:EXAMPLE_ROWS]
    if values is None:
        parts = [str(int(i)) for i in shown]
    else:
        parts = [f"{int(i)}: {float(values[i])!r}" for i in shown]
    text = "positions " + ", ".join(parts)
    if where.size > EXAMPLE_ROWS:
        text += f", +{where.size - EXAMPLE_ROWS} more"
    return text


def _as_floats(values: Any, name: str) -> np.ndarray:
    """``values`` as a 1-D float array, or a ConfigError naming ``name``."""
    try:
        if isinstance(values, pd.Series | pd.Index):
            arr = values.to_numpy(dtype=float, na_value=np.nan)
        elif isinstance(values, pd.DataFrame):
            raise ConfigError(
                f"{name} must be one column of values, got a DataFrame with columns "
                f"{list(values.columns)}; pass a single column, e.g. df['{values.columns[0]}']"
                if len(values.columns)
                else f"{name} must be one column of values, got an empty DataFrame"
            )
        else:
            arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(
            f"{name} must contain numbers only ({exc}); convert it first, e.g. "
            f"pd.to_numeric({name})"
        ) from None
    if arr.ndim != 1:
        raise ConfigError(
            f"{name} must be one-dimensional, got shape {arr.shape}; for predict_proba "
            f"output pass the 'paid' column, e.g. proba[:, 1]"
        )
    if arr.size == 0:
        raise ConfigError(f"{name} is empty; pass at least one value")
    bad = ~np.isfinite(arr)
    if bad.any():
        raise ConfigError(
            f"{name} has {int(bad.sum())} missing or infinite value"
            f"{'s' if bad.sum() != 1 else ''} ({_positions(bad)}); drop or fill those rows "
            f"before evaluating"
        )
    return arr


def _labels(y: Any) -> np.ndarray:
    arr = _as_floats(y, "y")
    bad = (arr != 0) & (arr != 1)
    if bad.any():
        raise ConfigError(
            f"y must be 0 (did not pay) or 1 (paid); {int(bad.sum())} value"
            f"{'s are' if bad.sum() != 1 else ' is'} not ({_positions(bad, arr)}); "
            f"recode the labels to 0/1"
        )
    return arr.astype(np.int8)


def _probabilities(p: Any, name: str = "p") -> np.ndarray:
    arr = _as_floats(p, name)
    bad = (arr < 0) | (arr > 1)
    if bad.any():
        raise ConfigError(
            f"{name} must be probabilities in [0, 1]; {int(bad.sum())} value"
            f"{'s are' if bad.sum() != 1 else ' is'} outside ({_positions(bad, arr)}); "
            f"pass predicted probabilities (e.g. model.predict_proba(X)[:, 1]), not raw scores"
        )
    return arr


def _pair(y: Any, p: Any, *, both_classes: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Checked labels and probabilities of equal length."""
    labels = _labels(y)
    probs = _probabilities(p)
    if labels.size != probs.size:
        raise ConfigError(
            f"y and p must have the same length, got {labels.size} labels and {probs.size} "
            f"probabilities; pass labels and scores of the same rows"
        )
    if both_classes:
        payers = int(labels.sum())
        if payers in (0, labels.size):
            only = "1 (paid)" if payers else "0 (did not pay)"
            raise ConfigError(
                f"y holds one class only (all {labels.size} labels are {only}); this metric "
                f"compares payers with non-payers, so evaluate on a sample with both"
            )
    return labels, probs


def _bins_count(bins: Any, name: str = "bins") -> int:
    if isinstance(bins, bool) or not isinstance(bins, int | np.integer) or bins < 1:
        raise ConfigError(f"{name} must be a whole number >= 1, got {bins!r}")
    return int(bins)


def _strategy(strategy: Any) -> BinStrategy:
    allowed = get_args(BinStrategy)
    if strategy not in allowed:
        hint = did_you_mean(str(strategy), allowed)
        raise ConfigError(f"strategy must be one of {', '.join(allowed)}, got {strategy!r}{hint}")
    return strategy


def _bin_index(p: np.ndarray, bins: int, strategy: BinStrategy) -> tuple[np.ndarray, np.ndarray]:
    """Bin number (0-based) of each probability and the bin edges.

    Bins are ``[lower, upper)`` except the last, which includes 1 (uniform) or the
    highest score (quantile). Quantile edges that coincide (ties) are merged, so
    there may be fewer bins than asked for.
    """
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, bins + 1)
    else:
        edges = np.unique(np.quantile(p, np.linspace(0.0, 1.0, bins + 1)))
        if edges.size == 1:
            edges = np.repeat(edges, 2)
    index = np.searchsorted(edges[1:-1], p, side="right")
    return index, edges


# --- ranking --------------------------------------------------------------------------------


def roc_auc(y: Any, p: Any) -> float:
    """Area under the ROC curve: the chance a payer scores above a non-payer (ties count half)."""
    labels, probs = _pair(y, p, both_classes=True)
    return float(roc_auc_score(labels, probs))


def gini(y: Any, p: Any) -> float:
    """Gini coefficient, ``2 * AUC - 1`` (1 = perfect ranking, 0 = random)."""
    return 2.0 * roc_auc(y, p) - 1.0


def ks(y: Any, p: Any) -> float:
    """Kolmogorov-Smirnov statistic: the largest gap between payers' and non-payers' score CDFs."""
    labels, probs = _pair(y, p, both_classes=True)
    values, inverse = np.unique(probs, return_inverse=True)
    payers = np.bincount(inverse, weights=labels, minlength=values.size)
    everyone = np.bincount(inverse, minlength=values.size)
    cdf_payers = np.cumsum(payers) / payers.sum()
    cdf_others = np.cumsum(everyone - payers) / (everyone.sum() - payers.sum())
    return float(np.max(np.abs(cdf_payers - cdf_others)))


# --- probability quality --------------------------------------------------------------------


def brier(y: Any, p: Any) -> float:
    """Brier score: mean squared gap between probability and outcome (lower is better)."""
    labels, probs = _pair(y, p)
    return float(brier_score_loss(labels, probs, labels=[0, 1]))


def log_loss(y: Any, p: Any) -> float:
    """Mean negative log-likelihood, probabilities clipped to ``[1e-15, 1 - 1e-15]``."""
    labels, probs = _pair(y, p)
    clipped = np.clip(probs, LOG_LOSS_CLIP, 1.0 - LOG_LOSS_CLIP)
    return float(_sk_log_loss(labels, clipped, labels=[0, 1]))


def reliability_curve(
    y: Any, p: Any, bins: int = 10, strategy: BinStrategy = "uniform"
) -> pd.DataFrame:
    """Mean predicted vs observed pay rate per probability bin.

    One row per bin (``bin`` numbered from 1, with its ``lower``/``upper`` edges);
    an empty bin keeps its row with ``count`` 0 and NaN means.
    """
    labels, probs = _pair(y, p)
    n_bins = _bins_count(bins)
    index, edges = _bin_index(probs, n_bins, _strategy(strategy))
    size = edges.size - 1
    count = np.bincount(index, minlength=size)
    sum_p = np.bincount(index, weights=probs, minlength=size)
    sum_y = np.bincount(index, weights=labels, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_mean = np.where(count > 0, sum_p / count, np.nan)
        observed = np.where(count > 0, sum_y / count, np.nan)
    return pd.DataFrame(
        {
            "bin": np.arange(1, size + 1),
            "lower": edges[:-1],
            "upper": edges[1:],
            "p_mean": p_mean,
            "observed": observed,
            "count": count.astype(np.int64),
        }
    )


def expected_calibration_error(
    y: Any, p: Any, bins: int = 10, strategy: BinStrategy = "uniform"
) -> float:
    """Count-weighted mean of ``|mean probability - observed pay rate|`` over the bins."""
    curve = reliability_curve(y, p, bins=bins, strategy=strategy)
    filled = curve[curve["count"] > 0]
    gap = (filled["p_mean"] - filled["observed"]).abs()
    return float((gap * filled["count"]).sum() / filled["count"].sum())


# --- business tables ------------------------------------------------------------------------


def lift_table(y: Any, p: Any, deciles: int = 10) -> pd.DataFrame:
    """Pay rate and lift by score group; group 1 holds the highest scores.

    Groups are of equal size (differing by at most one row when ``n`` does not
    divide evenly); equal scores on a group boundary are split in input order.
    ``lift`` is the group's pay rate over the overall pay rate and
    ``cumulative_capture`` the share of all payers found in groups 1..k.
    """
    labels, probs = _pair(y, p)
    groups = _bins_count(deciles, "deciles")
    n = labels.size
    if n < groups:
        raise ConfigError(
            f"lift_table needs at least one row per group: got {n} rows for {groups} "
            f"deciles; pass fewer deciles (e.g. deciles={n})"
        )
    total_payers = int(labels.sum())
    if total_payers == 0:
        raise ConfigError(
            "lift_table needs at least one payer (y = 1) to compute lift; "
            "evaluate on a sample that contains payers"
        )
    order = np.argsort(-probs, kind="stable")
    group = np.empty(n, dtype=np.int64)
    group[order] = np.arange(n) * groups // n
    count = np.bincount(group, minlength=groups)
    payers = np.bincount(group, weights=labels, minlength=groups).astype(np.int64)
    low = np.full(groups, np.inf)
    high = np.full(groups, -np.inf)
    np.minimum.at(low, group, probs)
    np.maximum.at(high, group, probs)
    pay_rate = payers / count
    return pd.DataFrame(
        {
            "decile": np.arange(1, groups + 1),
            "min_score": low,
            "max_score": high,
            "count": count.astype(np.int64),
            "payers": payers,
            "pay_rate": pay_rate,
            "lift": pay_rate / (total_payers / n),
            "cumulative_capture": np.cumsum(payers) / total_payers,
        }
    )


def psi(expected_scores: Any, actual_scores: Any, bins: int = 10) -> float:
    """Population stability index of ``actual_scores`` against ``expected_scores``.

    Bins are the quantiles of the expected scores (ties merged, open-ended at
    both sides, each ``[lower, upper)``); a bin's share is floored at
    ``PSI_EPSILON``. ``PSI = sum((actual - expected) * ln(actual / expected))``.
    """
    expected = _as_floats(expected_scores, "expected_scores")
    actual = _as_floats(actual_scores, "actual_scores")
    n_bins = _bins_count(bins)
    if np.unique(expected).size < 2:
        raise ConfigError(
            f"expected_scores are all equal ({float(expected[0])!r}), so they give no quantile bins; "
            f"pass the reference period's scores, which must vary"
        )
    inner = np.unique(np.quantile(expected, np.linspace(0.0, 1.0, n_bins + 1)[1:-1]))
    size = inner.size + 1
    share_expected = np.bincount(np.searchsorted(inner, expected, side="right"), minlength=size)
    share_actual = np.bincount(np.searchsorted(inner, actual, side="right"), minlength=size)
    e = np.maximum(share_expected / expected.size, PSI_EPSILON)
    a = np.maximum(share_actual / actual.size, PSI_EPSILON)
    return float(np.sum((a - e) * np.log(a / e)))


# --- summaries ------------------------------------------------------------------------------


def evaluate(y: Any, p: Any) -> dict[str, float]:
    """All headline metrics at once, keyed as in :data:`METRICS`."""
    labels, probs = _pair(y, p, both_classes=True)
    auc = roc_auc(labels, probs)
    return {
        "auc": auc,
        "gini": 2.0 * auc - 1.0,
        "ks": ks(labels, probs),
        "brier": brier(labels, probs),
        "log_loss": log_loss(labels, probs),
        "ece": expected_calibration_error(labels, probs),
        "n": float(labels.size),
        "positive_rate": float(labels.mean()),
    }


def comparison_table(results: Mapping[str, Mapping[str, float]]) -> pd.DataFrame:
    """Models side by side: one column per model, one row per metric.

    Metrics of :data:`METRICS` come first, others after in first-seen order; a
    metric a model lacks shows as NaN.
    """
    if not isinstance(results, Mapping) or not results:
        raise ConfigError(
            "comparison_table needs a non-empty mapping of model name -> metrics, "
            "e.g. {'lightgbm': evaluate(y, p)}"
        )
    metrics: list[str] = []
    for model, scores in results.items():
        if not isinstance(scores, Mapping):
            raise ConfigError(
                f"results[{model!r}] must be a mapping of metric -> number (such as "
                f"evaluate(y, p)), got {type(scores).__name__}"
            )
        for metric, value in scores.items():
            if isinstance(value, bool) or not isinstance(value, int | float | np.number):
                raise ConfigError(f"results[{model!r}][{metric!r}] must be a number, got {value!r}")
            if metric not in metrics:
                metrics.append(metric)
    order = [m for m in METRICS if m in metrics] + [m for m in metrics if m not in METRICS]
    table = pd.DataFrame(
        {
            str(model): [float(scores.get(m, np.nan)) for m in order]
            for model, scores in results.items()
        },
        index=pd.Index(order, name="metric"),
    )
    table.columns.name = "model"
    return table


__all__ = [
    "LOG_LOSS_CLIP",
    "METRICS",
    "PSI_EPSILON",
    "BinStrategy",
    "brier",
    "comparison_table",
    "evaluate",
    "expected_calibration_error",
    "gini",
    "ks",
    "lift_table",
    "log_loss",
    "psi",
    "reliability_curve",
    "roc_auc",
]
