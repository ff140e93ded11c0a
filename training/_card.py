"""A short model card in Markdown: what the model is for, what it was trained and judged on,
how well it does against its baselines, how it behaves per protected group, what drives it."""

from __future__ import annotations

import pandas as pd

from collectscore.models import PropensityModel, Split, TuningResult

from ._sources import TrainingData

#: Features listed in the card's "what drives the score" section.
TOP_FEATURES = 10


def model_card(
    *,
    name: str,
    data: TrainingData,
    split: Split,
    evaluation: pd.DataFrame,
    tuning: TuningResult,
    model: PropensityModel,
    psi: float,
    lift: pd.DataFrame,
    by_group: pd.DataFrame,
    importance: pd.DataFrame,
    cv: pd.DataFrame | None,
    cv_folds: int | None,
) -> str:
    """The card's Markdown text."""
    sizes = split.sizes()
    top = lift.iloc[: max(1, len(lift) // 5)]
    lines = [
        f"# Model card: {name}",
        "",
        "## Purpose",
        "Estimates `p_pay`, the calibrated probability that a debtor pays what is due within the "
        "horizon. Intended to order and time collection contacts; not intended for credit "
        "decisions, pricing or any decision about a person without human review.",
        "",
        "## Data",
        f"- Source: {data.source}.",
        f"- Feature set: {data.feature_set} (version `{data.feature_set_version}`), "
        f"{data.X.shape[1]} features; monotone constraints from the catalogue: "
        f"{'yes' if model.monotone else 'no'}.",
        f"- Rows: {len(data.X):,}; pay rate {data.y.mean():.1%}.",
        f"- Split: {split.note}. Train {sizes['train']:,}, validation {sizes['validation']:,} "
        f"(early stopping and {model.calibration} calibration), test {sizes['test']:,} "
        "(untouched until the evaluation below).",
    ]
    if len(data.protected.columns):
        lines.append(
            f"- Protected attributes kept out of the model: {', '.join(data.protected.columns)}."
        )
    lines += [f"- Note: {note}" for note in data.notes]
    lines += [
        "",
        "## Training",
        f"- LightGBM, {model.best_iteration_} trees after early stopping; Optuna TPE "
        f"({tuning.trials} trials, {tuning.pruned} pruned, {tuning.seconds:.0f} s), best "
        f"validation {tuning.metric} {tuning.best_score:.4f}.",
        "- Parameters: "
        + ", ".join(f"`{k}={_short(v)}`" for k, v in sorted(tuning.best_params.items()))
        + ".",
        "",
        "## Performance on the test set",
        _markdown(evaluation.drop(index=["n"], errors="ignore"), digits=4),
        "",
        f"- Score stability: PSI between training and test scores {psi:.3f} "
        f"({'stable' if psi < 0.1 else 'shifted' if psi < 0.25 else 'large shift'}).",
        f"- The top {top['count'].sum():,} scores ({len(top)} of {len(lift)} groups) hold "
        f"{top['cumulative_capture'].iloc[-1]:.1%} of the payers (lift "
        f"{top['payers'].sum() / top['count'].sum() / data.y[split.test].mean():.2f}).",
    ]
    if cv is not None:
        lines += [
            "",
            f"## Cross-validation ({cv_folds} stratified folds, tuning inside each fold)",
            _markdown(
                pd.DataFrame(
                    {
                        metric: [
                            f"{row[f'{metric}_mean']:.4f} ± {row[f'{metric}_std']:.4f}"
                            for _, row in cv.iterrows()
                        ]
                        for metric in ("auc", "brier", "ece")
                    },
                    index=cv.index,
                )
            ),
        ]
    if len(by_group):
        lines += [
            "",
            "## Performance by protected group (test set)",
            "`gap` is mean p_pay minus the observed pay rate (calibration within the group).",
            _markdown(by_group.set_index(["attribute", "group"]), digits=3),
        ]
    lines += [
        "",
        f"## What drives the score (mean |SHAP|, log-odds, top {TOP_FEATURES})",
        _markdown(importance.head(TOP_FEATURES).set_index("feature"), digits=4),
        "",
        "## Limits",
        "- Judged on one period (or folds) of one portfolio; re-check on each new portfolio and "
        "monitor drift (PSI) and realised pay rates after deployment.",
        "- Calibrated on the validation period: if pay rates move, recalibrate.",
        "",
    ]
    return "\n".join(lines)


def _short(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _markdown(frame: pd.DataFrame, digits: int = 4) -> str:
    """A plain Markdown table (no extra dependency)."""
    index_names = [str(n) if n is not None else "" for n in frame.index.names]
    header = [*index_names, *(str(c) for c in frame.columns)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for key, row in frame.iterrows():
        keys = key if isinstance(key, tuple) else (key,)
        cells = [str(k) for k in keys] + [_cell(v, digits) for v in row.tolist()]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cell(value: object, digits: int) -> str:
    if isinstance(value, float):
        if value != value:  # NaN
            return "-"
        return (
            f"{value:,.0f}" if value.is_integer() and abs(value) >= 1000 else f"{value:.{digits}f}"
        )
    return str(value)
