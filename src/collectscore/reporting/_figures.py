"""The report's own figures (matplotlib object API, no pyplot), as PNG bytes."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

#: Resolution of every embedded figure.
DPI = 90


def png(fig: Figure) -> bytes:
    """``fig`` rendered as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def importance_figure(table: pd.DataFrame, top: int = 15) -> Figure:
    """Horizontal bars of mean |SHAP| (log-odds) for the ``top`` features."""
    used = table[table["mean_abs_shap"] > 0]
    head = (used if len(used) else table).head(top).iloc[::-1]
    fig = Figure(figsize=(7.5, 0.32 * len(head) + 1.2), layout="constrained")
    ax = fig.subplots()
    ax.barh(head["feature"], head["mean_abs_shap"], color="C0")
    ax.set(xlabel="mean |SHAP| (log-odds of paying)", title="Global feature importance (holdout)")
    return fig


def dependence_figure(
    values: pd.DataFrame, contributions: pd.DataFrame, names: list[str]
) -> Figure:
    """One panel per feature: feature value against its SHAP contribution."""
    cols = min(3, len(names))
    rows = int(np.ceil(len(names) / cols))
    fig = Figure(figsize=(4.0 * cols, 3.3 * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for ax, name in zip(axes, names, strict=False):
        x = values[name].to_numpy(dtype=float)
        c = contributions[name].to_numpy(dtype=float)
        seen = np.isfinite(x)
        ax.scatter(x[seen], c[seen], s=9, alpha=0.6, color="C0")
        ax.axhline(0.0, color="0.5", linewidth=0.8, linestyle="--")
        missing = int((~seen).sum())
        ax.set(
            xlabel=name + (f" ({missing} missing not shown)" if missing else ""),
            ylabel="SHAP (log-odds)",
        )
    for ax in axes[len(names) :]:
        ax.set_axis_off()
    fig.suptitle("Dependence: how each top feature moves the score")
    return fig


def pd_figure(curves: dict[str, pd.DataFrame]) -> Figure:
    """Partial-dependence curves (mean p_pay as one feature moves, others as observed)."""
    names = list(curves)
    cols = min(3, len(names))
    rows = int(np.ceil(len(names) / cols))
    fig = Figure(figsize=(4.0 * cols, 3.0 * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for ax, name in zip(axes, names, strict=False):
        curve = curves[name]
        ax.plot(curve["value"], curve["mean_p_pay"], marker="o", markersize=3, color="C1")
        ax.set(xlabel=name, ylabel="mean p_pay")
    for ax in axes[len(names) :]:
        ax.set_axis_off()
    fig.suptitle("Monotonicity: partial dependence of p_pay on the key features")
    return fig


def score_histogram(p: np.ndarray, by_period: pd.Series | None = None) -> Figure:
    """Distribution of p_pay on the holdout (one outline per observation period)."""
    fig = Figure(figsize=(7.0, 3.6), layout="constrained")
    ax = fig.subplots()
    edges = np.linspace(0.0, 1.0, 21)
    if by_period is None or by_period.nunique() < 2:
        ax.hist(p, bins=edges, color="C0", alpha=0.8, label="holdout")
    else:
        for period in sorted(by_period.unique()):
            mask = (by_period == period).to_numpy()
            ax.hist(p[mask], bins=edges, histtype="step", linewidth=1.5, label=str(period))
    ax.set(xlabel="p_pay", ylabel="debtors", title="Score distribution on the holdout")
    ax.legend(loc="upper right")
    return fig


def group_figure(table: pd.DataFrame, title: str, threshold: float) -> Figure:
    """Pay rate, mean p_pay and approval rate per group, side by side."""
    fig = Figure(figsize=(7.5, 3.4), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(table))
    width = 0.27
    ax.bar(x - width, table["pay_rate"], width, label="observed pay rate", color="C0")
    ax.bar(x, table["mean_p_pay"], width, label="mean p_pay", color="C1")
    ax.bar(
        x + width, table["approval_rate"], width, label=f"share p_pay >= {threshold:g}", color="C2"
    )
    ax.set_xticks(x, table["group"].astype(str), rotation=20 if len(table) > 4 else 0)
    ax.set(ylim=(0, 1), ylabel="share", title=title)
    ax.legend(loc="upper right", fontsize="small")
    return fig
