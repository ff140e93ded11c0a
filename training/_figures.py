"""Evaluation figures of a training run: ROC, calibration, lift and SHAP summary.

Every function returns a matplotlib :class:`~matplotlib.figure.Figure` built with the
object API (no pyplot: no global state, no backend switch, no window), ready for
``mlflow.log_figure(fig, "plots/roc.png")``. The numbers come from
:mod:`collectscore.models` (``roc_auc``, ``reliability_curve``, ``lift_table``) and the
SHAP values from LightGBM's exact TreeSHAP (``pred_contrib``), in log-odds of paying.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from numpy.typing import ArrayLike
from sklearn.metrics import roc_curve

from collectscore._errors import ConfigError
from collectscore.models import PropensityModel, reliability_curve, roc_auc

#: Name of the last column of :func:`shap_contributions` (the model's base log-odds).
EXPECTED_VALUE = "expected_value"
#: Columns a lift table needs for :func:`lift_figure` (as made by ``lift_table``).
LIFT_COLUMNS: tuple[str, ...] = ("decile", "count", "lift", "cumulative_capture")
#: Colour of dots whose feature value is missing in :func:`shap_summary_figure`.
MISSING_COLOUR = "0.6"
_CMAP = "coolwarm"
_DIAGONAL = {"color": "0.5", "linestyle": "--", "linewidth": 1.0}


# --- input checks ---------------------------------------------------------------------------


def _checked_scores(scores: Any) -> dict[str, Any]:
    if not isinstance(scores, Mapping) or not scores:
        got = "an empty mapping" if isinstance(scores, Mapping) else type(scores).__name__
        raise ConfigError(
            f"scores must be a non-empty mapping of model name -> predicted p_pay; got {got}. "
            "Fix: pass e.g. {'lightgbm': model.predict_proba(X_test)[:, 1]}"
        )
    return {str(name): values for name, values in scores.items()}


def _for_model(name: str, metric: Any, *args: Any, **kwargs: Any) -> Any:
    """``metric(*args)``, its ConfigError naming the model whose scores were wrong."""
    try:
        return metric(*args, **kwargs)
    except ConfigError as exc:
        raise ConfigError(f"scores[{name!r}]: {exc}") from None


def _floats(values: Any) -> np.ndarray:
    """Values a metric has already accepted, as a float array."""
    if isinstance(values, pd.Series | pd.Index):
        return values.to_numpy(dtype=float, na_value=np.nan)
    return np.asarray(values, dtype=float)


def _whole(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ConfigError(f"{name} must be a whole number >= {minimum}; got {value!r}")
    return int(value)


def _fitted(model: Any) -> PropensityModel:
    if not isinstance(model, PropensityModel):
        raise ConfigError(
            f"model must be a fitted collectscore.models.PropensityModel; got "
            f"{type(model).__module__}.{type(model).__name__}. Fix: pass the trained "
            "propensity model (SHAP values come from its LightGBM trees)"
        )
    if not hasattr(model, "booster_"):
        raise ConfigError(
            "model is not fitted yet, so it has no trees to explain. "
            "Fix: call model.fit(X_train, y_train) first"
        )
    return model


def _explained(model: Any, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Feature values (fitted order), their log-odds contributions + expected value, names."""
    from collectscore.explanations import explain

    fitted = _fitted(model)
    names = [str(c) for c in fitted.feature_names_in_]
    if EXPECTED_VALUE in names:
        raise ConfigError(
            f"the model has a feature named {EXPECTED_VALUE!r}, which clashes with the "
            "contributions' base-value column. Fix: rename that feature before fitting"
        )
    found = explain(fitted, X)  # ConfigError / ContractError for a non-frame or other columns
    contrib = np.column_stack(
        [found.contributions.to_numpy(dtype=float), np.full(len(X), found.base_value)]
    )
    return found.values.to_numpy(dtype=float), contrib, names


def _importance(contrib: np.ndarray, names: list[str]) -> pd.DataFrame:
    table = pd.DataFrame({"feature": names, "mean_abs_shap": np.abs(contrib[:, :-1]).mean(axis=0)})
    table = table.sort_values(["mean_abs_shap", "feature"], ascending=[False, True], kind="stable")
    return table.reset_index(drop=True)


# --- ranking and calibration ----------------------------------------------------------------


def roc_figure(y: ArrayLike, scores: Mapping[str, ArrayLike]) -> Figure:
    """ROC curve of each model on the same labels (positive = paid), AUC in the legend."""
    models = _checked_scores(scores)
    fig = Figure(figsize=(6.0, 6.0), layout="constrained")
    ax = fig.subplots()
    for name, p in models.items():
        auc = _for_model(name, roc_auc, y, p)
        fpr, tpr, _ = roc_curve(_floats(y), _floats(p), pos_label=1)
        ax.plot(fpr, tpr, linewidth=1.5, label=f"{name} (AUC {auc:.3f})")
    ax.plot([0.0, 1.0], [0.0, 1.0], label="chance", **_DIAGONAL)
    ax.set(
        xlim=(0.0, 1.0),
        ylim=(0.0, 1.0),
        xlabel="false positive rate",
        ylabel="true positive rate",
        title="ROC on the test period",
        aspect="equal",
    )
    ax.legend(loc="lower right")
    return fig


def calibration_figure(y: ArrayLike, scores: Mapping[str, ArrayLike], bins: int = 10) -> Figure:
    """Reliability diagram (marker area grows with the rows in a bin) over a score histogram."""
    models = _checked_scores(scores)
    fig = Figure(figsize=(6.0, 7.0), layout="constrained")
    ax, hist = fig.subplots(2, 1, gridspec_kw={"height_ratios": [3, 1]})
    colours = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (name, p) in enumerate(models.items()):
        curve = _for_model(name, reliability_curve, y, p, bins=bins)
        colour = colours[i % len(colours)]
        filled = curve[curve["count"] > 0]
        share = filled["count"].to_numpy() / filled["count"].sum()
        ax.plot(filled["p_mean"], filled["observed"], color=colour, linewidth=1.2, label=name)
        ax.scatter(filled["p_mean"], filled["observed"], s=15 + 300 * share, color=colour)
        edges = np.append(curve["lower"].to_numpy(), curve["upper"].iloc[-1])
        hist.hist(_floats(p), bins=edges, histtype="step", color=colour, label=name)
    ax.plot([0.0, 1.0], [0.0, 1.0], label="perfectly calibrated", **_DIAGONAL)
    ax.set(
        xlim=(-0.02, 1.02),
        ylim=(-0.02, 1.02),
        xlabel="mean predicted p_pay",
        ylabel="observed pay rate",
        title="Calibration on the test period (marker area ~ debtors per bin)",
    )
    ax.legend(loc="upper left")
    hist.set(xlim=(-0.02, 1.02), xlabel="predicted p_pay", ylabel="debtors")
    return fig


def lift_figure(table: pd.DataFrame) -> Figure:
    """Lift per score decile (1 = highest p_pay) and cumulative capture, from ``lift_table``."""
    if not isinstance(table, pd.DataFrame):
        raise ConfigError(
            f"table must be a DataFrame made by lift_table(y, p); got {type(table).__name__}"
        )
    missing = [c for c in LIFT_COLUMNS if c not in table.columns]
    if missing:
        raise ConfigError(
            f"the lift table lacks column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(map(repr, missing))} (it has {', '.join(map(repr, table.columns))}). "
            "Fix: pass the output of collectscore.models.lift_table(y, p)"
        )
    if table.empty:
        raise ConfigError("the lift table has no rows. Fix: pass the output of lift_table(y, p)")
    numbers = table[list(LIFT_COLUMNS)].apply(pd.to_numeric, errors="coerce")
    bad = ~np.isfinite(numbers.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        col = LIFT_COLUMNS[int(np.flatnonzero(bad.any(axis=0))[0])]
        rows = np.flatnonzero(bad[:, LIFT_COLUMNS.index(col)])
        raise ConfigError(
            f"the lift table's column '{col}' must hold finite numbers; rows "
            f"{', '.join(map(str, rows[:5].tolist()))} do not. "
            "Fix: pass the output of lift_table(y, p) unchanged"
        )
    numbers = numbers.sort_values("decile", kind="stable")
    decile = numbers["decile"].to_numpy()
    count = numbers["count"].to_numpy(dtype=float)
    contacted = np.concatenate([[0.0], np.cumsum(count) / count.sum()])
    captured = np.concatenate([[0.0], numbers["cumulative_capture"].to_numpy(dtype=float)])

    fig = Figure(figsize=(11.0, 4.5), layout="constrained")
    bars, gains = fig.subplots(1, 2)
    bars.bar(decile, numbers["lift"].to_numpy(dtype=float), color="C0")
    bars.axhline(1.0, label="random order (lift 1)", **_DIAGONAL)
    bars.set(
        xticks=decile,
        xlabel="score decile (1 = highest p_pay)",
        ylabel="lift (decile pay rate / overall pay rate)",
        title="Lift by score decile",
    )
    bars.legend(loc="upper right")
    gains.plot(contacted, captured, marker="o", color="C0", label="model order")
    gains.plot([0.0, 1.0], [0.0, 1.0], label="random order", **_DIAGONAL)
    gains.set(
        xlim=(0.0, 1.0),
        ylim=(0.0, 1.0),
        xlabel="share of debtors contacted (highest p_pay first)",
        ylabel="share of payers captured",
        title="Cumulative capture",
    )
    gains.legend(loc="lower right")
    return fig


# --- SHAP -----------------------------------------------------------------------------------


def shap_contributions(model: PropensityModel, X: pd.DataFrame) -> pd.DataFrame:
    """Per-row log-odds contributions (fitted feature order) plus ``expected_value``; X's index.

    Each row sums to ``model.decision_function(X)`` (the margin before calibration).
    """
    _, contrib, names = _explained(model, X)
    return pd.DataFrame(contrib, index=X.index, columns=[*names, EXPECTED_VALUE])


def shap_importance(model: PropensityModel, X: pd.DataFrame) -> pd.DataFrame:
    """Mean absolute SHAP value per feature, largest first (ties by feature name)."""
    _, contrib, names = _explained(model, X)
    return _importance(contrib, names)


def shap_summary_figure(
    model: PropensityModel,
    X: pd.DataFrame,
    *,
    max_rows: int = 2000,
    top: int = 20,
    seed: int = 0,
) -> Figure:
    """Beeswarm summary of the ``top`` features by mean |SHAP| over a seeded row sample.

    One dot per sampled row and feature: x = SHAP value, y = feature (most important at the
    top) with a seeded jitter that widens where dots are dense, colour = the feature's value
    scaled to its 5-95 % percentiles (missing values grey).
    """
    max_rows = _whole(max_rows, "max_rows", 1)
    top = _whole(top, "top", 1)
    seed = _whole(seed, "seed", 0)
    _fitted(model)
    rng = np.random.default_rng(seed)
    if isinstance(X, pd.DataFrame) and len(X) > max_rows:
        X = X.iloc[np.sort(rng.choice(len(X), size=max_rows, replace=False))]
    values, contrib, names = _explained(model, X)
    ranking = _importance(contrib, names).head(top)
    order = [names.index(f) for f in ranking["feature"]]
    n, k = values.shape[0], len(order)

    shap = contrib[:, order]  # (n, k)
    level = np.broadcast_to(np.arange(k, dtype=float), (n, k))
    jitter = rng.uniform(-1.0, 1.0, size=(n, k)) * _spread(shap)
    colour = _scaled(values[:, order])

    fig = Figure(figsize=(8.0, 1.5 + 0.4 * k), layout="constrained")
    ax = fig.subplots()
    present = ~np.isnan(colour)
    cmap = mpl.colormaps[_CMAP]
    dots = ax.scatter(
        shap[present],
        (level + jitter)[present],
        c=colour[present],
        cmap=cmap,
        norm=Normalize(0.0, 1.0),
        s=8,
        alpha=0.8,
        linewidths=0,
        rasterized=True,
    )
    if (~present).any():
        ax.scatter(
            shap[~present],
            (level + jitter)[~present],
            color=MISSING_COLOUR,
            s=8,
            alpha=0.8,
            linewidths=0,
            rasterized=True,
            label="missing value",
        )
        ax.legend(loc="lower right")
    ax.axvline(0.0, color="0.3", linewidth=0.8)
    ax.set_yticks(np.arange(k), labels=list(ranking["feature"]))
    ax.set_ylim(k - 0.5, -0.5)  # most important at the top
    ax.set(
        xlabel="SHAP value (log-odds of paying)",
        title=f"Feature contributions: top {k} of {len(names)} features, {n} debtors",
    )
    bar = fig.colorbar(dots, ax=ax, ticks=[0.0, 1.0], aspect=40, pad=0.01)
    bar.set_label("feature value (low -> high)")
    bar.ax.set_yticklabels(["low", "high"])
    return fig


def _spread(shap: np.ndarray, bins: int = 40, width: float = 0.4) -> np.ndarray:
    """Half-height of each dot's jitter: ``width`` where a feature's dots are densest."""
    k = shap.shape[1]
    low = shap.min(axis=0)
    span = shap.max(axis=0) - low
    cell = np.zeros_like(shap, dtype=np.int64)
    varies = span > 0
    cell[:, varies] = np.minimum(
        ((shap[:, varies] - low[varies]) / span[varies] * bins).astype(np.int64), bins - 1
    )
    flat = cell + np.arange(k) * bins  # a distinct cell number per feature
    counts = np.bincount(flat.ravel(), minlength=k * bins).reshape(k, bins)
    density = counts[np.arange(k), cell] / counts.max(axis=1)
    return width * density


def _scaled(values: np.ndarray) -> np.ndarray:
    """Each column scaled to [0, 1] between its 5th and 95th percentiles; NaN stays NaN."""
    scaled = np.full(values.shape, np.nan)
    for j in range(values.shape[1]):  # one pass per shown feature (at most ``top``)
        column = values[:, j]
        present = ~np.isnan(column)
        if not present.any():
            continue
        low, high = np.percentile(column[present], [5.0, 95.0])
        if high > low:
            scaled[present, j] = np.clip((column[present] - low) / (high - low), 0.0, 1.0)
        else:
            scaled[present, j] = 0.5
    return scaled


__all__ = [
    "EXPECTED_VALUE",
    "LIFT_COLUMNS",
    "MISSING_COLOUR",
    "calibration_figure",
    "lift_figure",
    "roc_figure",
    "shap_contributions",
    "shap_importance",
    "shap_summary_figure",
]
