"""The compliance model report: one self-contained HTML file laid out after EU AI Act Annex IV."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import ConfigError
from . import _analysis as an
from . import _figures as fg
from . import _html as h
from ._config import ReportConfig
from ._inputs import REPORT_DIR, RunInputs, read_inputs

#: The report's file name inside the run's artifacts, and the model-version tag pointing at it.
ARTIFACT_NAME = "model_report.html"
VERSION_TAG = "collectscore.report"
#: The HTML stays below this size (figures are PNG data URIs).
MAX_BYTES = 5_000_000
#: Segments of the holdout, in the order the report shows them: (context column, title).
SEGMENTS: tuple[tuple[str, str], ...] = (
    ("country", "Country"),
    ("days_past_due", "Days-past-due band"),
    ("income_type", "Main income type (last 180 days)"),
)
PROTECTED_PREFIX = "protected."
_NO_CONTEXT = (
    "Not available: this version's training run was logged before the holdout carried its "
    "context (country, days past due, income type, protected columns). Retrain with this "
    "release of collectscore to get this section."
)
_NO_HOLDOUT = (
    "Not available: the training run logged no holdout (holdout/features.parquet), so nothing "
    "can be recomputed. Retrain with `collectscore train propensity` to get this section."
)


@dataclass(frozen=True)
class ReportResult:
    """Where the report went: file, size in bytes, section titles, and its MLflow artifact."""

    path: Path
    size: int
    sections: tuple[str, ...]
    artifact: str | None
    model: str
    version: str
    run_id: str


def write_model_report(config: ReportConfig) -> ReportResult:
    """Write the model report of the version ``config`` names and log it to that version's run.

    Raises ``ConfigError`` for an unknown model, version or alias (with the fix), and for a
    model that is not a propensity model.
    """
    if not isinstance(config, ReportConfig):
        raise ConfigError(
            f"config must be a ReportConfig; got {type(config).__name__}. "
            "Fix: ReportConfig(model='propensity', out=Path('report.html'))."
        )
    run = read_inputs(config)
    sections = _sections(run, config)
    title = f"Model report: {run.name} version {run.version}"
    subtitle = (
        f"Technical documentation laid out after Annex IV of the EU AI Act (Regulation (EU) "
        f"2024/1689). Generated {pd.Timestamp.now(tz='UTC'):%Y-%m-%d %H:%M} UTC from MLflow run "
        f"{run.run_id}. All numbers are on the untouched test period unless stated."
    )
    document = h.page(title, subtitle, sections)
    data = document.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise ConfigError(
            f"the report would be {len(data) / 1e6:.1f} MB (limit {MAX_BYTES / 1e6:.0f} MB). "
            "Fix: lower top_features."
        )
    out = config.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    artifact = _log(run, out) if config.log_to_mlflow else None
    return ReportResult(
        path=out,
        size=len(data),
        sections=tuple(t for _, t, _ in sections),
        artifact=artifact,
        model=run.name,
        version=run.version,
        run_id=run.run_id,
    )


def _log(run: RunInputs, out: Path) -> str:
    import mlflow

    client = mlflow.MlflowClient(run.uri, run.uri)
    with tempfile.TemporaryDirectory(prefix="collectscore-report-") as scratch:
        local = Path(scratch) / ARTIFACT_NAME
        shutil.copyfile(out, local)
        client.log_artifact(run.run_id, str(local), artifact_path=REPORT_DIR)
    artifact = f"runs:/{run.run_id}/{REPORT_DIR}/{ARTIFACT_NAME}"
    client.set_model_version_tag(run.name, run.version, VERSION_TAG, artifact)
    return artifact


# ---------------------------------------------------------------------------- sections
def _sections(run: RunInputs, config: ReportConfig) -> list[tuple[str, str, str]]:
    scored = _Scored.of(run, config)
    return [
        ("general", "1. General description and intended purpose", _general(run, config)),
        ("development", "2. Data, features, method and tuning", _development(run)),
        ("evaluation", "3. Evaluation against baselines", _evaluation(run, scored)),
        ("stability", "4. Score stability (PSI)", _stability(run, scored)),
        ("segments", "5. Performance by segment", _segments(run, scored, config)),
        ("protected", "6. Performance by protected attribute", _protected(run, scored, config)),
        ("monotonicity", "7. Monotonicity of key features", _monotonicity(run, scored, config)),
        ("explanations", "8. Explanations: SHAP and reason codes", _explanations(scored, config)),
        ("risks", "9. Risk management and limitations", _risks(run, scored, config)),
        ("versions", "10. Changes and versions", _versions(run)),
        ("standards", "11. Standards and methods applied", _standards(config)),
    ]


@dataclass(frozen=True)
class _Scored:
    """The holdout scored and explained once, shared by the sections."""

    p: np.ndarray | None
    contributions: pd.DataFrame | None
    values: pd.DataFrame | None
    importance: pd.DataFrame | None
    codes: pd.DataFrame | None
    catalogue: pd.DataFrame | None
    findings: list[str]

    @staticmethod
    def of(run: RunInputs, config: ReportConfig) -> _Scored:
        if run.X is None:
            return _Scored(None, None, None, None, None, None, [])
        from ..explanations import explain, reason_code_catalogue, reason_codes

        explanation = explain(run.model, run.X)
        codes = reason_codes(explanation, k=config.reason_codes_k, language=config.language)
        return _Scored(
            p=np.asarray(explanation.p_pay, dtype=float),
            contributions=explanation.contributions,
            values=explanation.values,
            importance=an.importance(explanation.contributions),
            codes=codes,
            catalogue=reason_code_catalogue(),
            findings=[],
        )


def _general(run: RunInputs, config: ReportConfig) -> str:
    horizon = run.params.get("horizon_days")
    output = (
        f"p_pay: the calibrated probability that a debtor pays what is due within "
        f"{horizon} days of the observation date"
        if horizon
        else f"p_pay: the calibrated probability of the outcome '{run.params.get('target', '?')}' "
        f"({run.params.get('target_means', 'pay')})"
    )
    card = config.card
    return h.dl(
        {
            "Model": f"{run.name}, version {run.version}",
            "Aliases now": ", ".join(run.aliases) or "none",
            "Registered (UTC)": f"{run.created:%Y-%m-%d %H:%M}",
            "MLflow run": run.run_id,
            "Library version": run.tags.get("collectscore.version", "-"),
            "Code commit": run.tags.get("collectscore.git_commit", "-"),
            "What it outputs": output,
            "Intended purpose": card.shown("intended_purpose"),
            "Owner": card.shown("owner"),
            "Contact": card.shown("contact"),
            "Risk classification": card.shown("risk_classification"),
        }
    ) + h.p(
        "The model orders and times collection contacts. It is not designed for credit "
        "decisions, pricing or any decision about a person without human review.",
        "note",
    )


def _development(run: RunInputs) -> str:
    params, metrics, tags = run.params, run.metrics, run.tags
    rows = {
        k: int(params[k]) for k in ("rows_train", "rows_validation", "rows_test") if k in params
    }
    parts = [
        h.dl(
            {
                "Data source": tags.get("collectscore.source", "-"),
                "Period and split": tags.get("collectscore.split", "-"),
                "Rows": ", ".join(f"{k.removeprefix('rows_')} {v:,}" for k, v in rows.items())
                or "-",
                "Pay rate on the test period": _pct(metrics.get("test_positive_rate")),
                "Feature set": f"{tags.get('collectscore.feature_set', '-')} (version "
                f"{tags.get('collectscore.feature_set_version', '-')}), "
                f"{tags.get('collectscore.features', '-')} features",
                "Protected attributes (kept out of the model)": params.get("protected") or "none",
                "Training data fingerprint (sha256)": tags.get(
                    "collectscore.training_data_sha256", "-"
                ),
                "Data notes": tags.get("collectscore.notes", "-"),
            }
        ),
        "<h3>Method</h3>",
        h.p(
            f"Gradient-boosted trees (LightGBM) with {int(metrics.get('best_iteration', 0))} trees "
            f"after early stopping, monotone constraints from the feature catalogue: "
            f"{params.get('estimator.monotone', '-')}; probabilities calibrated "
            f"({params.get('estimator.calibration', '-')}) on the validation period. "
            "Protected attributes never reach the model."
        ),
        "<h3>Tuning</h3>",
        h.p(
            f"Optuna search: {int(metrics.get('tuning_trials', 0))} trials "
            f"({int(metrics.get('tuning_pruned', 0))} pruned) in "
            f"{metrics.get('tuning_seconds', 0.0):.0f} s, maximising validation "
            f"{params.get('tuning_metric', '-')} (best "
            f"{metrics.get('tuning_best_' + params.get('tuning_metric', 'auc'), float('nan')):.3f}); "
            f"seed {params.get('tuning_seed', '-')}."
        ),
        h.table(
            pd.DataFrame(
                {
                    "parameter": [
                        k.removeprefix("tuned.") for k in params if k.startswith("tuned.")
                    ],
                    "value": [v for k, v in params.items() if k.startswith("tuned.")],
                }
            )
        ),
    ]
    cv = run.tables.get("cross_validation")
    if cv is not None:
        parts += [f"<h3>Cross-validation ({params.get('cv_folds')} folds)</h3>", h.table(cv)]
    features = run.tables.get("features")
    if features is not None:
        constraints = getattr(run.model, "monotone_constraints_", {})
        shown = features.copy()
        keep = [c for c in ("name", "family", "unit", "direction", "description_en", "dtype")]
        shown = shown[[c for c in keep if c in shown.columns]]
        shown["constraint"] = [int(constraints.get(n, 0)) for n in shown["name"]]
        parts += [
            "<h3>Features</h3>",
            h.p(
                "direction: +1 = a higher value should raise p_pay, -1 = lower it, 0 = no "
                "declared direction; constraint: the monotone constraint the trees were fitted "
                "with.",
                "note",
            ),
            h.table(shown, {"direction": h.count, "constraint": h.count}),
        ]
    return "".join(parts)


def _evaluation(run: RunInputs, scored: _Scored) -> str:
    table = run.tables.get("evaluation")
    parts = []
    if table is None:
        parts.append(h.na("Not available: the run logged no report/evaluation.csv."))
    else:
        shown = table.drop(index=["n", "positive_rate"], errors="ignore")
        parts.append(
            h.p(
                f"Test period: {int(run.metrics.get('test_n', 0)):,} debtors, pay rate "
                f"{_pct(run.metrics.get('test_positive_rate'))}. Higher is better for auc, gini "
                "and ks; lower is better for brier, log_loss and ece (expected calibration "
                "error, in probability points)."
            )
        )
        parts.append(h.table(shown.rename_axis("metric"), index=True))
        model_auc = run.metrics.get("test_auc")
        baselines = [c for c in table.columns[1:]]
        if model_auc is not None and baselines:
            best = max(baselines, key=lambda c: table.loc["auc", c])
            diff = model_auc - float(table.loc["auc", best])
            parts.append(
                h.p(
                    f"The model's AUC is {model_auc:.3f}; the best baseline ({best}) reaches "
                    f"{float(table.loc['auc', best]):.3f}, a difference of {diff:+.3f}."
                )
            )
    if scored.p is not None and run.y is not None:
        from ..models import roc_auc

        parts.append(
            h.p(
                f"Recomputed on the logged holdout: AUC {roc_auc(run.y, scored.p):.3f} on "
                f"{len(run.y):,} rows (logged: {run.metrics.get('test_auc', float('nan')):.3f}).",
                "note",
            )
        )
    captions = {
        "roc": "ROC curve of the model and its baselines on the test period.",
        "calibration": "Calibration: mean predicted p_pay against the observed pay rate per bin.",
        "lift": "Lift per score decile and cumulative share of payers captured.",
    }
    for name, caption in captions.items():
        if name in run.plots:
            parts.append(h.figure(run.plots[name], caption))
        else:
            parts.append(h.na(f"Not available: the run logged no plots/{name}.png."))
    lift = run.tables.get("lift")
    if lift is not None:
        parts += [
            "<h3>Lift table</h3>",
            h.table(
                lift,
                {
                    "decile": h.count,
                    "count": h.count,
                    "payers": h.count,
                    "pay_rate": h.percent(),
                    "cumulative_capture": h.percent(),
                },
            ),
        ]
    return "".join(parts)


def _stability(run: RunInputs, scored: _Scored) -> str:
    value = run.metrics.get("psi_train_test")
    parts = []
    if value is None:
        parts.append(h.na("Not available: the run logged no psi_train_test metric."))
    else:
        verdict = _psi_verdict(value)
        parts.append(
            h.p(
                f"Population stability index of the scores, training period against test "
                f"period: {value:.3f} ({verdict}). Reading: below 0.10 stable, 0.10 to 0.25 "
                "shifted, above 0.25 a large shift that needs review."
            )
        )
        if value >= 0.25:
            scored.findings.append(
                f"Score stability: PSI {value:.3f} between training and test scores is a large "
                "shift; check the population and recalibrate before relying on p_pay levels."
            )
    if scored.p is not None:
        periods = None
        if run.context is not None and "as_of" in run.context:
            periods = pd.to_datetime(run.context["as_of"]).dt.strftime("%Y-%m-%d")
            if periods.nunique() > 1:
                from ..models import psi

                first, last = sorted(periods.unique())[0], sorted(periods.unique())[-1]
                drift = psi(
                    scored.p[(periods == first).to_numpy()], scored.p[(periods == last).to_numpy()]
                )
                parts.append(
                    h.p(f"Within the test period, PSI of {last} against {first}: {drift:.3f}.")
                )
        parts.append(
            h.figure(
                fg.png(fg.score_histogram(scored.p, periods)),
                "Distribution of p_pay on the test period (debtors per 0.05 band).",
            )
        )
    return "".join(parts)


def _group_formats() -> dict[str, h.Format]:
    return {
        "n": h.count,
        "pay_rate": h.percent(),
        "mean_p_pay": h.percent(),
        "calibration_gap": h.number(3),
        "auc": h.number(3),
        "auc_gap": h.number(3),
        "approval_rate": h.percent(),
        "approval_ratio": h.number(2),
    }


def _group_block(
    title: str,
    labels: pd.Series,
    run: RunInputs,
    scored: _Scored,
    config: ReportConfig,
    order: list[str] | None = None,
    *,
    protected: bool,
) -> str:
    assert run.y is not None and scored.p is not None
    table = an.performance_by(labels, run.y, scored.p, config.approval_threshold, order)
    if not protected:
        # segments such as days-past-due bands are meant to differ: the four-fifths screen
        # is for protected attributes only
        table["flag"] = table["flag"].where(table["flag"] != "below four-fifths", "")
    flagged = table[table["flag"] == "below four-fifths"]
    for group in flagged["group"]:
        ratio = float(table.loc[table["group"] == group, "approval_ratio"].iloc[0])
        scored.findings.append(
            f"{title}: group '{group}' has an approval-style rate {ratio:.2f} times the best "
            "group's, below the four-fifths (0.8) screening threshold."
        )
    gap = float(table["approval_rate"].max() - table["approval_rate"].min())
    return (
        f"<h3>{h.esc(title)}</h3>"
        + h.table(table, _group_formats(), flag="flag")
        + h.p(
            f"Largest gap in approval-style rate (share with p_pay >= "
            f"{config.approval_threshold:g}): {gap:.1%} points; largest AUC gap to the best "
            f"group: {float(table['auc_gap'].min()):.3f}.",
            "note",
        )
        + h.figure(fg.png(fg.group_figure(table, title, config.approval_threshold)), title)
    )


def _segments(run: RunInputs, scored: _Scored, config: ReportConfig) -> str:
    if run.X is None or scored.p is None:
        return h.na(_NO_HOLDOUT)
    parts = [_group_intro(config, protected=False)]
    context = run.context
    if context is None:
        parts.append(h.na(_NO_CONTEXT))
    for column, title in SEGMENTS:
        values = None
        if context is not None and column in context:
            values = context[column]
        elif column == "days_past_due" and "days_past_due" in run.X:
            values = run.X["days_past_due"]
        if values is None:
            if context is not None:
                parts.append(f"<h3>{h.esc(title)}</h3>" + h.na("Not in the data."))
            continue
        if column == "days_past_due":
            labels = an.dpd_band(values).fillna("(missing)")
            parts.append(
                _group_block(
                    title, labels, run, scored, config, list(an.DPD_BANDS), protected=False
                )
            )
        else:
            parts.append(
                _group_block(title, an.group_labels(values), run, scored, config, protected=False)
            )
    return "".join(parts)


def _group_intro(config: ReportConfig, *, protected: bool) -> str:
    screen = (
        f" (four-fifths rule: a ratio below {an.FOUR_FIFTHS} is flagged)"
        if protected
        else " (segments are expected to differ, so no four-fifths screen here)"
    )
    return h.p(
        f"Per group: rows, observed pay rate, mean p_pay, calibration gap (mean p_pay minus pay "
        f"rate), AUC and its gap to the best group, and the approval-style rate: the share of "
        f"debtors with p_pay >= {config.approval_threshold:g}, with its ratio to the best "
        f"group{screen}. Groups with fewer than {an.SMALL_GROUP} rows are flagged as too small "
        "to judge.",
        "note",
    )


def _protected(run: RunInputs, scored: _Scored, config: ReportConfig) -> str:
    declared = [c for c in run.params.get("protected", "").split(",") if c]
    if run.context is None:
        logged = run.tables.get("performance_by_group")
        if logged is not None and len(logged):
            return (
                h.na(_NO_CONTEXT)
                + h.p("The training run's own table (without approval-style rates):")
                + h.table(logged)
            )
        if declared:
            return h.na(_NO_CONTEXT)
        return h.na(
            "Not in the data: the training data had no protected attribute. Pass one with "
            "--protected COLUMN when training on a table that has it."
        )
    if run.X is None or scored.p is None:
        return h.na(_NO_HOLDOUT)
    columns = [c for c in run.context.columns if c.startswith(PROTECTED_PREFIX)]
    if not columns:
        return h.na(
            "Not in the data: the training data had no protected attribute (e.g. sex, age or "
            "marital status). Pass one with --protected COLUMN when training on a table that "
            "has it; it is kept out of the model and used only here."
        )
    parts = [_group_intro(config, protected=True)]
    for column in columns:
        name = column.removeprefix(PROTECTED_PREFIX)
        parts.append(
            _group_block(
                name, an.group_labels(run.context[column]), run, scored, config, protected=True
            )
        )
    return "".join(parts)


def _key_features(scored: _Scored, config: ReportConfig) -> list[str]:
    assert scored.importance is not None
    return scored.importance["feature"].head(config.top_features).tolist()


def _monotonicity(run: RunInputs, scored: _Scored, config: ReportConfig) -> str:
    if run.X is None or scored.importance is None:
        return h.na(_NO_HOLDOUT)
    declared = _declared_directions(run)
    names = _key_features(scored, config)
    table, curves = an.monotonicity(run.model, run.X, names, declared)
    for row in table[table["consistent"] == "no"].to_dict("records"):
        scored.findings.append(
            f"Monotonicity: {row['feature']} is declared '{row['declared']}' but p_pay "
            f"{row['p_pay as it grows']} as it grows on the holdout."
        )
    return (
        h.p(
            f"For each of the top {len(names)} features by SHAP importance: the mean p_pay on the "
            "test period when that feature is set to each of its quantiles and the others stay "
            "as observed (partial dependence), compared with the direction declared in the "
            "feature catalogue and the monotone constraint the trees were fitted with."
        )
        + h.table(table, {"change in mean p_pay": h.number(3)}, flag=None)
        + (h.figure(fg.png(fg.pd_figure(curves)), "Partial dependence of p_pay.") if curves else "")
    )


def _declared_directions(run: RunInputs) -> dict[str, int]:
    features = run.tables.get("features")
    if features is not None and {"name", "direction"} <= set(features.columns):
        return dict(zip(features["name"], features["direction"].astype(int), strict=True))
    return {}


def _explanations(scored: _Scored, config: ReportConfig) -> str:
    if scored.importance is None or scored.contributions is None or scored.values is None:
        return h.na(_NO_HOLDOUT)
    names = _key_features(scored, config)
    parts = [
        h.p(
            "SHAP values are exact TreeSHAP contributions of each feature to the model's log-odds "
            "of paying, computed on the test period. Importance is the mean absolute value."
        ),
        h.figure(fg.png(fg.importance_figure(scored.importance)), "Global SHAP importance."),
        h.table(
            scored.importance[scored.importance["mean_abs_shap"] > 0].head(15),
            {"mean_abs_shap": h.number(4)},
        ),
        h.figure(
            fg.png(fg.dependence_figure(scored.values, scored.contributions, names)),
            "SHAP dependence plots of the top features.",
        ),
        "<h3>Reason-code frequencies</h3>",
    ]
    assert scored.codes is not None
    n_rows = len(scored.values)
    freq = an.reason_frequencies(scored.codes, n_rows, config.reason_codes_k)
    if freq.empty:
        parts.append(h.na("No reason lowers p_pay for any debtor of the test period."))
        return "".join(parts)
    if scored.catalogue is not None and "code" in scored.catalogue:
        text = f"text_{config.language}"
        if text in scored.catalogue:
            meaning = scored.catalogue.drop_duplicates("code").set_index("code")[text]
            meaning = meaning.astype(str).str.replace("{value}", "X", regex=False)
            freq.insert(2, "meaning", freq["code"].map(meaning).fillna("-"))
    parts += [
        h.p(
            f"How often each reason code is among a debtor's top {config.reason_codes_k} reasons "
            f"that lower p_pay (the reasons a debtor would be given), over {n_rows:,} debtors of "
            "the test period; 'as rank 1' counts the debtors for whom it is the main reason. In the "
            "meaning, X stands for the debtor's own value."
        ),
        h.table(
            freq,
            {
                "debtors": h.count,
                "share": h.percent(),
                "as rank 1": h.count,
                "mean contribution": h.number(3),
            },
        ),
    ]
    return "".join(parts)


def _risks(run: RunInputs, scored: _Scored, config: ReportConfig) -> str:
    table = run.tables.get("evaluation")
    if table is not None and len(table.columns) > 1 and "auc" in table.index:
        best = float(table.loc["auc"].iloc[1:].max())
        if float(table.loc["auc"].iloc[0]) <= best:
            scored.findings.append(
                f"Evaluation: the model's test AUC {float(table.loc['auc'].iloc[0]):.3f} does not "
                f"beat the best baseline ({best:.3f}); consider the simpler baseline."
            )
    findings = scored.findings or ["No automatic check raised a finding."]
    return (
        "<h3>Limitations stated by the owner</h3>"
        + h.p(config.card.shown("limitations"))
        + "<h3>Findings of the automatic checks in this report</h3>"
        + h.ul(findings)
        + "<h3>Known limits of the method</h3>"
        + h.ul(
            [
                "Judged on one test period of one portfolio: re-check on each new portfolio.",
                "Calibrated on the validation period: if pay rates move, recalibrate.",
                "Monitor score drift (PSI) and realised pay rates after deployment.",
                "Protected attributes are kept out of the model, but other features can still "
                "correlate with them: read section 6 before each release.",
            ]
        )
    )


def _versions(run: RunInputs) -> str:
    return h.p(
        f"All versions of '{run.name}' in the registry, newest first; this report covers "
        f"version {run.version}."
    ) + h.table(run.versions, {"version": h.count, "test AUC": h.number(3)})


def _standards(config: ReportConfig) -> str:
    return h.ul(
        [
            "Layout: Regulation (EU) 2024/1689 (AI Act), Annex IV, technical documentation.",
            "Evaluation: ROC AUC, Gini (2 AUC - 1), Kolmogorov-Smirnov, Brier score, log loss, "
            "expected calibration error (10 equal-width bins).",
            "Stability: population stability index over 10 quantile bins of the reference scores.",
            "Explanations: exact TreeSHAP (Lundberg et al., 2020) on the LightGBM trees.",
            f"Group comparison: the four-fifths rule (US Uniform Guidelines on Employee "
            f"Selection Procedures, 29 CFR 1607.4(D)) as a screening heuristic, applied to the "
            f"share of debtors with p_pay >= {config.approval_threshold:g}.",
        ]
    )


# ---------------------------------------------------------------------------- helpers
def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _psi_verdict(value: float) -> str:
    return "stable" if value < 0.1 else "shifted" if value < 0.25 else "large shift"
