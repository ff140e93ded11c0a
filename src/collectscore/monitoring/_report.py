"""The monitoring report: one self-contained HTML file, laid out like the model report.

Inline CSS, figures as PNG data URIs (matplotlib object API), no script and no external
address: it opens offline. The review status in words comes first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .._contract import CHANNELS
from ..reporting import _figures as fg
from ..reporting import _html as h
from ._drift import PSI_BANDS, DriftReport, psi_legend
from ._kpis import KPI_COLUMNS

if TYPE_CHECKING:
    from ._monitor import MonitorConfig, MonitorResult

#: Band colours for plots and table cells, in the order of :data:`PSI_BANDS`.
_COLOURS = ("#2e7d32", "#e0a000", "#a40000", "#6a1b9a", "#37474f")
#: Styles the monitoring report adds to the model report's.
EXTRA_CSS = (
    ".status{font-size:18px;font-weight:bold;padding:10px 14px;margin:14px 0}"
    ".status.review{background:#fde8e8;border-left:6px solid #a40000;color:#a40000}"
    ".status.ok{background:#e8f6ea;border-left:6px solid #2e7d32;color:#1b5e20}"
    + "".join(
        f"td.band-{name}{{background:{colour}22;color:{colour};font-weight:bold}}"
        for (name, _, _), colour in zip(PSI_BANDS, _COLOURS, strict=False)
    )
)
#: KPI columns shown in the KPI tables (all of them are in ``MonitorResult.kpis``).
KPI_SHOWN: tuple[str, ...] = (
    "snapshots",
    "outstanding",
    "amount_paid",
    "recovery_rate",
    "payment_rate",
    "label_rate",
    "promises_kept_rate",
    "contact_rate",
    "success_rate",
    "cost_per_amount_recovered",
    "complete",
)
#: KPIs made of amounts: summed across currencies unless grouped by country.
AMOUNT_KPIS = frozenset(c.name for c in KPI_COLUMNS if c.unit in ("amount", "ratio"))
#: The segment table leaves out amounts (segments mix currencies).
SEGMENT_SHOWN: tuple[str, ...] = tuple(c for c in KPI_SHOWN if c not in AMOUNT_KPIS)
#: A KPI column is shown by the unit :data:`KPI_COLUMNS` declares for it; the recovery rate
#: (a ratio of amounts, rarely above 1) reads best as a percentage.
_BY_UNIT: dict[str, h.Format] = {"share": h.percent(), "count": h.count, "amount": h.number(0)}
_KPI_FORMATS: dict[str, h.Format] = {
    **{c.name: _BY_UNIT[c.unit] for c in KPI_COLUMNS if c.unit in _BY_UNIT},
    "recovery_rate": h.percent(),
}
#: The other tables' shares and counts (drift, realised performance, contacts).
_SHARES = (
    "pay_rate",
    "mean_p_pay",
    "missing_reference",
    "missing_current",
    "missing_change",
    "out_of_range",
    "value",
    "ci_low",
    "ci_high",
)
_COUNTS = ("n", "pending")


def _formats(frame: pd.DataFrame) -> dict[str, h.Format]:
    out: dict[str, h.Format] = {}
    for column in frame.columns:
        name = str(column)
        if name in _KPI_FORMATS:
            out[name] = _KPI_FORMATS[name]
        elif name in _SHARES:
            out[name] = h.percent()
        elif name in _COUNTS:
            out[name] = h.count
    return out


def _table(frame: pd.DataFrame, formats: dict[str, h.Format] | None = None, **kwargs: bool) -> str:
    """``h.table`` with readable headers (``recovery_rate`` shows as ``recovery rate``)."""
    formats = {**_formats(frame), **(formats or {})}
    shown = frame.rename(columns=lambda c: str(c).replace("_", " "))
    if isinstance(shown.index, pd.MultiIndex):
        shown.index = shown.index.set_names([str(n).replace("_", " ") for n in shown.index.names])
    elif shown.index.name is not None:
        shown.index = shown.index.rename(str(shown.index.name).replace("_", " "))
    return h.table(shown, {k.replace("_", " "): f for k, f in formats.items()}, **kwargs)


def _pvalue(value: object) -> str:
    return "-" if not isinstance(value, int | float) or np.isnan(value) else f"{value:.2g}"


def _band_cells(html: str) -> str:
    """Colour the cells of band names (the drift table's ``band`` column)."""
    for name, _, _ in PSI_BANDS:
        html = html.replace(f'<td class="t">{name}</td>', f'<td class="t band-{name}">{name}</td>')
    return html


def _present(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without the columns that have no value at all (e.g. cost without costs)."""
    return frame.loc[:, frame.notna().any(axis=0)]


def _colour(band: str) -> str:
    names = [name for name, _, _ in PSI_BANDS]
    return _COLOURS[names.index(band) % len(_COLOURS)] if band in names else "0.5"


def render_report(
    result: MonitorResult, *, config: MonitorConfig, reference_scores: pd.Series
) -> tuple[str, tuple[str, ...]]:
    """The whole document and its section titles."""
    from ._monitor import headline

    r = result
    status, drift, scores, auc_reference = r.status, r.drift, r.scores, r.auc_reference
    summary = _summary(config, r)
    sections = [
        ("summary", "1. Summary", summary),
        ("score", "2. Score drift", _score(drift, reference_scores, scores)),
        ("features", "3. Feature drift", _features(drift)),
        ("quality", "4. Missing values and out-of-range values", _quality(drift)),
        ("performance", "5. Realised performance", _performance(r.performance, auc_reference)),
        ("kpis", "6. Portfolio KPIs", _kpis(r.kpis, r.kpis_total, r.kpis_by_segment, r.roll_rates, config)),
        ("contacts", "7. Contacts", _contacts(r.contacts)),
        ("notes", "8. Notes", _notes([*status.notes, *r.notes])),
    ]  # fmt: skip
    title = f"Monitoring report: {r.model} version {r.version} ({r.alias})"
    subtitle = (
        f"{headline(status)}. Checked {r.checked_at:%Y-%m-%d %H:%M} UTC against the training "
        f"sample logged with MLflow run {r.run_id}."
    )
    document = h.page(title, subtitle, sections).replace("</style>", EXTRA_CSS + "</style>", 1)
    return document, tuple(t for _, t, _ in sections)


# ---------------------------------------------------------------- sections


def _summary(config: MonitorConfig, r: MonitorResult) -> str:
    status, drift, scores = r.status, r.drift, r.scores
    auc_reference, auc_current = r.auc_reference, r.auc_current
    from ._monitor import headline

    parts = [h.p(headline(status), "status review" if status.needs_review else "status ok")]
    if len(status.reasons) > 1:
        parts.append(h.ul(status.reasons))
    as_of = pd.to_datetime(scores["as_of"]) if "as_of" in scores else None
    score = drift.score or {}
    rule = status.rule
    pairs = {
        "model": f"{r.model} version {r.version} (alias {r.alias}, run {r.run_id})",
        "batch": f"{drift.n_current:,} debtor snapshots"
        + (
            f", as_of {as_of.min():%Y-%m-%d} to {as_of.max():%Y-%m-%d}"
            if as_of is not None and len(as_of)
            else ""
        ),
        "reference": f"{drift.n_reference:,} training rows",
        "score PSI": (
            f"{score['psi']:.3f} ({score['band']}); mean p_pay {score['mean_reference']:.3f} "
            f"at training, {score['mean_current']:.3f} now"
            if score
            else "not measured"
        ),
        "drifting features": f"{len(drift.flagged)} of {len(drift.features)} outside "
        f"'{PSI_BANDS[0][0]}'" + (f": {', '.join(drift.flagged[:5])}" if drift.flagged else ""),
        "realised AUC": (
            f"{auc_current:.3f} now"
            + (f", {auc_reference:.3f} at training" if auc_reference is not None else "")
            if auc_current is not None
            else "not available (see the notes)"
        ),
        "alert rule": (
            f"needs review when score PSI > {rule.score_psi_max:g}, AUC drop > "
            f"{rule.auc_drop_max:g}"
            + (
                f", any feature PSI > {rule.feature_psi_max:g}"
                if rule.feature_psi_max is not None
                else ""
            )
            + f"; drift judged from {rule.min_rows:,} rows"
        ),
        "PSI bands": psi_legend(),
    }
    parts.append(h.dl(pairs))
    if status.notes:
        parts.append(h.p("Checks that could not run:", "note"))
        parts.append(h.ul(status.notes))
    return "".join(parts)


def _score(drift: DriftReport, reference: pd.Series, scores: pd.DataFrame) -> str:
    if drift.score is None:
        return h.na("Not available: the reference has no scores.")
    s = drift.score
    text = (
        f"Population stability index of p_pay, batch against the training reference: "
        f"{s['psi']:.3f}, band '{s['band']}' ({psi_legend()}). Kolmogorov-Smirnov statistic "
        f"{s['ks_statistic']:.3f} (p-value {s['ks_pvalue']:.3g}). Mean p_pay "
        f"{s['mean_reference']:.3f} at training, {s['mean_current']:.3f} now."
    )
    figure = fg.png(
        _score_figure(reference.to_numpy(dtype=float), scores["p_pay"].to_numpy(dtype=float), s)
    )
    return h.p(text) + h.figure(
        figure, "Distribution of p_pay: training reference against the current batch."
    )


def _features(drift: DriftReport) -> str:
    top = drift.top()
    stable = PSI_BANDS[0][0]
    intro = (
        f"{len(drift.flagged)} of {len(drift.features)} features are outside the '{stable}' "
        f"band. The {len(top)} most urgent come first: priority is PSI x importance "
        "(mean |SHAP| of the champion on the reference, relative to the largest), so drift "
        "in what the model relies on leads."
    )
    columns = [
        "feature",
        "family",
        "psi",
        "band",
        "ks_statistic",
        "ks_pvalue",
        "missing_current",
        "out_of_range",
        "importance",
        "priority",
    ]
    shown = top[columns].astype({"family": object})
    html = _band_cells(_table(shown, {"ks_pvalue": _pvalue}))
    figure = fg.png(_feature_figure(top))
    parts = [h.p(intro), html, h.figure(figure, "PSI of the most urgent features, by band.")]
    if drift.ignored_columns:
        parts.append(
            h.p(
                f"{len(drift.ignored_columns)} batch column(s) the champion was not trained on "
                "are not compared.",
                "note",
            )
        )
    return "".join(parts)


def _quality(drift: DriftReport) -> str:
    frame = drift.features.copy()
    frame["missing_change"] = frame["missing_current"] - frame["missing_reference"]
    size = np.maximum(frame["missing_change"].abs().fillna(0), frame["out_of_range"].fillna(0))
    moved = frame[size > 0].assign(_size=size[size > 0])
    moved = moved.sort_values("_size", ascending=False, kind="stable").head(drift.config.top)
    parts = [
        h.p(
            "Missing values: the share of rows without a value, in the reference and now. "
            "Out of range: the share of present values below the reference's smallest or "
            "above its largest (or a category the reference never had)."
        )
    ]
    if drift.score is not None:
        parts.append(
            h.p(
                f"Score: {drift.score['missing_current']:.1%} missing, "
                f"{drift.score['out_of_range']:.1%} out of the reference's range."
            )
        )
    if moved.empty:
        parts.append(h.p("No feature has more missing values or values out of range."))
        return "".join(parts)
    shown = moved[
        ["feature", "missing_reference", "missing_current", "missing_change", "out_of_range"]
    ]
    parts.append(_table(shown))
    return "".join(parts)


def _performance(performance: pd.DataFrame | None, auc_reference: float | None) -> str:
    if performance is None:
        return h.na("Not available: the batch has no payments table, so no outcome is known.")
    parts = [
        h.p(
            "How the served p_pay did once the outcome (paid within the horizon, the contract "
            "label) was known, per month of as_of; snapshots whose horizon has not elapsed are "
            "pending. Calibration gap: mean p_pay minus the pay rate. Lift: pay rate of the "
            "highest-scored tenth over the pay rate."
            + (
                f" AUC at training (test period): {auc_reference:.3f}."
                if auc_reference is not None
                else ""
            )
        ),
        _table(performance, {"top_decile_lift": h.number(2)}),
    ]
    periods = performance[(performance["period"] != "all") & (performance["n"] > 0)]
    if len(periods):
        parts.append(
            h.figure(
                fg.png(_performance_figure(periods, auc_reference)),
                "Realised AUC and calibration by month of as_of.",
            )
        )
    else:
        parts.append(h.na("No month has matured outcomes yet."))
    return "".join(parts)


def _kpis(
    kpis: pd.DataFrame,
    total: pd.DataFrame,
    by_segment: pd.DataFrame | None,
    rolls: pd.DataFrame,
    config: MonitorConfig,
) -> str:
    by = list(config.by)
    group = ", ".join(by) if by else "the whole portfolio"
    parts = [
        h.p(
            f"Per month of as_of and {group}. Payments count in the {config.horizon_days} days "
            "after each snapshot's as_of; 'complete' is false while some horizon has not "
            "elapsed (the payment KPIs are still growing)."
        )
    ]
    shown = _present(kpis[["period", *by, *KPI_SHOWN]])
    parts.append(_table(shown))
    parts.append(h.figure(fg.png(_kpi_figure(kpis, by)), f"KPIs over time by {group}."))
    channels = total[["period", *(f"success_rate_{c}" for c in CHANNELS)]]
    parts.append("<h3>Success rate per channel</h3>")
    parts.append(_table(_present(channels)))
    if by_segment is not None:
        parts.append("<h3>By treatment segment</h3>")
        parts.append(
            h.p(
                "Shares of snapshots and contacts per treatment segment (amounts are not "
                "summed here: segments mix currencies)."
            )
        )
        parts.append(_table(_present(by_segment[["period", "segment", *SEGMENT_SHOWN]])))
    parts.append("<h3>Roll rates between days-past-due buckets</h3>")
    parts.append(
        h.p(
            "Share of snapshots in each bucket (rows) found in each bucket at the debtor's "
            "next snapshot (columns); 'exited': no later snapshot although the portfolio has "
            "later ones."
        )
    )
    share_columns = {str(c): h.percent() for c in rolls.columns if str(c) != "n"}
    parts.append(_table(rolls, {**share_columns, "n": h.count}, index=True))
    return "".join(parts)


def _contacts(contacts: pd.DataFrame | None) -> str:
    if contacts is None:
        return h.na("Not available: the batch has no contacts.")
    text = (
        "Observed success rates with 95% intervals; with served recommendations also the "
        "contacts that followed them against the others, and off-policy estimates (IPS, "
        "SNIPS, doubly robust) of the success rate had every recommendation been followed."
    )
    return h.p(text) + _table(contacts.reset_index())


def _notes(notes: Sequence[str]) -> str:
    if not notes:
        return h.p("Every section could be computed.")
    return h.p("What could not be computed, and why:") + h.ul(list(dict.fromkeys(notes)))


# ---------------------------------------------------------------- figures


def _score_figure(reference: np.ndarray, current: np.ndarray, score: dict) -> Figure:
    fig = Figure(figsize=(7.0, 3.6), layout="constrained")
    ax = fig.subplots()
    edges = np.linspace(0.0, 1.0, 21)
    ax.hist(
        reference[np.isfinite(reference)],
        bins=edges,
        density=True,
        color="C0",
        alpha=0.45,
        label=f"training reference ({reference.size:,})",
    )
    ax.hist(
        current[np.isfinite(current)],
        bins=edges,
        density=True,
        histtype="step",
        linewidth=2.0,
        color=_colour(score["band"]),
        label=f"batch ({current.size:,})",
    )
    ax.set(
        xlabel="p_pay",
        ylabel="density",
        title=f"Score drift: PSI {score['psi']:.3f} ({score['band']})",
    )
    ax.legend(loc="upper right")
    return fig


def _feature_figure(top: pd.DataFrame) -> Figure:
    head = top.iloc[::-1]
    fig = Figure(figsize=(7.5, 0.32 * len(head) + 1.4), layout="constrained")
    ax = fig.subplots()
    ax.barh(head["feature"], head["psi"], color=[_colour(b) for b in head["band"]])
    for name, low, _ in PSI_BANDS[1:]:
        ax.axvline(low, color=_colour(name), linestyle="--", linewidth=1.0)
    ax.set(xlabel="PSI (dashed: band edges)", title="Most urgent drifting features")
    return fig


def _performance_figure(periods: pd.DataFrame, auc_reference: float | None) -> Figure:
    fig = Figure(figsize=(9.0, 3.4), layout="constrained")
    left, right = fig.subplots(1, 2)
    x = np.arange(len(periods))
    labels = periods["period"].astype(str).tolist()
    left.plot(x, periods["auc"], marker="o", color="C0", label="realised AUC")
    if auc_reference is not None:
        left.axhline(auc_reference, color="0.4", linestyle="--", label="AUC at training")
    left.set_xticks(x, labels)
    left.set(ylabel="AUC", title="Discrimination", ylim=(0.4, 1.0))
    left.legend(loc="lower left", fontsize="small")
    right.plot(x, periods["pay_rate"], marker="o", color="C2", label="pay rate")
    right.plot(x, periods["mean_p_pay"], marker="s", color="C1", label="mean p_pay")
    right.set_xticks(x, labels)
    right.set(ylabel="share", title="Calibration", ylim=(0.0, 1.0))
    right.legend(loc="upper left", fontsize="small")
    return fig


def _kpi_figure(kpis: pd.DataFrame, by: list[str]) -> Figure:
    names = ("recovery_rate", "payment_rate", "contact_rate", "success_rate")
    fig = Figure(figsize=(10.0, 5.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(2, 2)).ravel()
    periods = sorted(kpis["period"].astype(str).unique())
    x = {p: i for i, p in enumerate(periods)}
    groups = kpis.groupby(by, dropna=False, sort=True) if by else [("all", kpis)]
    for key, frame in groups:
        label = " / ".join(map(str, key)) if isinstance(key, tuple) else str(key)
        where = [x[p] for p in frame["period"].astype(str)]
        for ax, name in zip(axes, names, strict=True):
            ax.plot(where, frame[name], marker="o", markersize=3, label=label)
    for ax, name in zip(axes, names, strict=True):
        ax.set_xticks(range(len(periods)), periods)
        ax.set(title=name.replace("_", " "), ylabel="share")
    axes[0].legend(loc="best", fontsize="small")
    return fig
