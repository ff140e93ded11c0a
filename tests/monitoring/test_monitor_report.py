"""The monitoring check on the generator: quiet on the same distribution, loud on an income
shock, written up as one offline HTML report and logged to the champion's MLflow run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
from monitordata import RULE, TRAINED_ON, Store

from browser import needs_chromium, render
from collectscore._errors import ConfigError
from collectscore.features import catalog
from collectscore.monitoring import (
    DPD_BUCKETS,
    PSI_BANDS,
    REFERENCE_AUC_METRIC,
    LoggedReview,
    MonitorConfig,
    MonitorResult,
    log_monitoring,
    run_monitoring,
)

STABLE, WATCH, ACT = (name for name, _, _ in PSI_BANDS)


def _html(result: MonitorResult) -> str:
    return result.path.read_text(encoding="utf-8")


def _income_features() -> set[str]:
    cat = catalog()
    return set(cat.loc[cat["family"] == "income_stability", "name"])


def _summary(html: str) -> str:
    """The report's summary section (before the score drift section)."""
    return html[html.index('<section id="summary">') : html.index('<section id="score">')]


# ---------------------------------------------------------------- the two batches


def test_a_batch_from_the_same_distribution_needs_no_review_and_no_feature_acts(
    same: MonitorResult,
) -> None:
    assert not same.status.needs_review, same.status.reasons
    assert same.headline == "No review needed"
    assert same.drift.score_band == STABLE
    assert (same.drift.features["band"] != ACT).all()
    assert not _income_features() & set(same.drift.flagged)
    summary = _summary(_html(same))
    assert '<p class="status ok">No review needed</p>' in summary
    assert "score PSI" in summary and f"({STABLE})" in summary


def test_an_income_shock_flags_the_income_features_and_the_score_and_says_so_at_the_top(
    same: MonitorResult, shocked: MonitorResult
) -> None:
    status = shocked.status
    assert status.needs_review
    assert status.reasons[0].startswith(f"score PSI {shocked.drift.score['psi']:.2f} > 0.1")
    assert shocked.drift.score_band == WATCH
    assert shocked.drift.score["psi"] > 3 * same.drift.score["psi"]
    assert shocked.drift.score["mean_current"] < shocked.drift.score["mean_reference"]
    flagged = _income_features() & set(shocked.drift.flagged)
    assert {"income_trend_180d", "income_cv_180d"} <= flagged

    html = _html(shocked)
    first = re.search(r'<p class="status (\w+)">([^<]*)</p>', html)
    assert first is not None and first.group(1) == "review"
    assert first.group(2).startswith("Needs review: score PSI 0.1")
    assert html.index(first.group(0)) < html.index('<section id="score">')


def test_the_feature_table_colours_each_band_and_lists_the_most_urgent_first(
    shocked: MonitorResult,
) -> None:
    html = _html(shocked)
    table = html[html.index('<section id="features">') : html.index('<section id="quality">')]
    top = shocked.drift.top()
    positions = [table.index(f">{name}<") for name in top["feature"]]
    assert positions == sorted(positions)
    for band in set(top["band"]):
        assert f'<td class="t band-{band}">{band}</td>' in table
    assert "td.band-act{" in html  # the band colours are in the page's own style
    assert top["priority"].is_monotonic_decreasing


def test_realised_performance_is_measured_by_month_against_the_training_auc(
    store: Store, same: MonitorResult
) -> None:
    perf = same.performance
    assert perf is not None
    months = [f"{d:%Y-%m}" for d in TRAINED_ON]
    assert perf["period"].tolist() == [*months, "all"]
    assert (perf["pending"] == 0).all()
    overall = perf.set_index("period").loc["all"]
    assert overall["n"] == len(same.scores)
    assert same.auc_current == pytest.approx(overall["auc"])
    uri = store.tracking.resolved_uri()
    run = mlflow.MlflowClient(uri, uri).get_run(same.run_id)
    assert same.auc_reference == pytest.approx(run.data.metrics[REFERENCE_AUC_METRIC])
    assert 0.6 < same.auc_current < 0.9
    assert same.metrics["monitor.auc_drop"] == pytest.approx(same.auc_reference - same.auc_current)
    assert not any("AUC" in note for note in same.status.notes)


SAME_COUNTRIES = ("CO", "US", "MX", "CL")


def test_kpis_come_per_month_and_country_per_segment_with_the_roll_rate_matrix(
    same: MonitorResult,
) -> None:
    kpis = same.kpis
    assert set(kpis["country"]) == set(SAME_COUNTRIES)
    assert kpis.groupby("period")["snapshots"].sum().sum() == len(same.scores)
    assert same.kpis_total["snapshots"].sum() == len(same.scores)
    assert same.kpis_by_segment is not None
    assert same.kpis_by_segment["snapshots"].sum() == len(same.scores)
    assert same.kpis_by_segment["segment"].nunique() > 1
    labels = [label for label, _, _ in DPD_BUCKETS]
    assert same.roll_rates.index.tolist() == labels
    shares = same.roll_rates.drop(columns="n")
    np.testing.assert_allclose(shares[same.roll_rates["n"] > 0].sum(axis=1), 1.0)
    html = _html(same)
    kpi_section = html[html.index('<section id="kpis">') : html.index('<section id="contacts">')]
    assert "Roll rates between days-past-due buckets" in kpi_section
    assert "recovery rate" in kpi_section and "By treatment segment" in kpi_section


def test_every_section_is_there_and_the_page_needs_no_network(shocked: MonitorResult) -> None:
    html = _html(shocked)
    assert shocked.sections == (
        "1. Summary",
        "2. Score drift",
        "3. Feature drift",
        "4. Missing values and out-of-range values",
        "5. Realised performance",
        "6. Portfolio KPIs",
        "7. Contacts",
        "8. Notes",
    )
    assert "<script" not in html.lower()
    addresses = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert addresses and all(a.startswith(("data:image/png;base64,", "#")) for a in addresses)
    assert html.count("<img ") >= 4
    assert "http://" not in html and "https://" not in html
    assert shocked.size == len(html.encode("utf-8")) < 2_000_000


# ---------------------------------------------------------------- what could not be computed


@pytest.fixture(scope="module")
def partial(store: Store, batches: dict[str, Path], tmp_path_factory: pytest.TempPathFactory):
    """A batch whose outcomes have not arrived (no payments), with served recommendations."""
    contacts = pd.read_parquet(batches["no_payments"] / "contacts.parquet")
    first = contacts.assign(day=contacts["sent_at"].dt.floor("D")).drop_duplicates(
        ["debtor_id", "day"]
    )
    other = np.where(first["channel"].to_numpy() == "sms", "email", "sms")
    odd = np.arange(len(first)) % 2 == 1
    recommended = pd.DataFrame(
        {
            "debtor_id": first["debtor_id"].to_numpy(),
            "channel": np.where(odd, other, first["channel"].to_numpy()),
            "send_at": first["sent_at"].to_numpy(),
        }
    )
    out = tmp_path_factory.mktemp("monitor-partial") / "partial.html"
    config = MonitorConfig(
        data=batches["no_payments"],
        tracking=store.tracking,
        rule=RULE,
        out=out,
        log_to_mlflow=False,
        recommended=recommended,
    )
    return run_monitoring(config), recommended


def test_without_payments_performance_is_not_judged_and_the_notes_say_why(partial) -> None:
    result, _ = partial
    assert result.performance is None and result.auc_current is None
    assert "monitor.auc" not in result.metrics
    assert any("no payments table" in note for note in result.notes)
    assert "no realised AUC: performance not checked" in result.status.notes
    html = _html(result)
    performance = html[html.index('<section id="performance">') : html.index('<section id="kpis">')]
    assert 'class="na"' in performance
    notes = html[html.index('<section id="notes">') :]
    assert "no payments table" in notes


def test_served_recommendations_split_followed_contacts_from_the_others(
    partial, batches: dict[str, Path]
) -> None:
    result, recommended = partial
    contacts = pd.read_parquet(batches["no_payments"] / "contacts.parquet")
    table = result.contacts
    assert table is not None
    assert {"all", "followed", "not_followed", "no_recommendation", "ips", "snips"} <= set(
        table.index
    )
    assert table.loc["all", "n"] == len(contacts)
    # every day with a contact got a recommendation: the first contact's action, or on
    # every other day another channel
    assert table.loc["no_recommendation", "n"] == 0
    assert table.loc["followed", "n"] + table.loc["not_followed", "n"] == len(contacts)
    assert table.loc["followed", "n"] >= (len(recommended) + 1) // 2 - 1
    for row in ("followed", "not_followed", "ips"):
        assert table.loc[row, "ci_low"] <= table.loc[row, "value"] <= table.loc[row, "ci_high"]
    html = _html(result)
    section = html[html.index('<section id="contacts">') : html.index('<section id="notes">')]
    assert "not_followed" in section and "snips" in section


# ---------------------------------------------------------------- MLflow


def test_the_champions_run_gets_the_monitor_metrics_tag_and_report(
    store: Store, same: MonitorResult, shocked: MonitorResult
) -> None:
    uri = store.tracking.resolved_uri()
    client = mlflow.MlflowClient(uri, uri)
    run = client.get_run(shocked.run_id)
    assert same.artifact is None  # the same-distribution check was not logged
    assert run.data.metrics["monitor.score_psi"] == pytest.approx(shocked.drift.score["psi"])
    assert run.data.metrics["monitor.needs_review"] == 1.0
    assert run.data.metrics["monitor.feature_psi_max"] == pytest.approx(
        shocked.drift.features["psi"].max()
    )
    assert run.data.metrics["monitor.auc"] == pytest.approx(shocked.auc_current)
    assert run.data.tags["monitor.needs_review"] == "true"
    assert pd.Timestamp(run.data.tags["monitor.last_checked"]) == shocked.checked_at
    assert run.data.tags["monitor.headline"] == shocked.headline
    folder = f"monitoring/{shocked.checked_at:%Y-%m-%d}"
    assert shocked.artifact == f"runs:/{shocked.run_id}/{folder}/report.html"
    assert run.data.tags["monitor.report"] == shocked.artifact
    assert LoggedReview.from_tags(run.data.tags) == LoggedReview(
        needs_review=True,
        checked_at=shocked.checked_at.isoformat(),
        headline=shocked.headline,
        report=shocked.artifact,
    )
    logged = {a.path for a in client.list_artifacts(shocked.run_id, folder)}
    assert logged == {f"{folder}/report.html", f"{folder}/summary.json"}
    local = Path(client.download_artifacts(shocked.run_id, f"{folder}/summary.json"))
    summary = json.loads(local.read_text(encoding="utf-8"))
    assert summary["headline"] == shocked.headline
    assert summary["review"]["needs_review"] is True

    # a later check is the next step of each metric, and the tag follows the latest verdict
    log_monitoring(same, store.tracking)
    history = client.get_metric_history(shocked.run_id, "monitor.needs_review")
    assert sorted((m.step, m.value) for m in history) == [(0, 1.0), (1, 0.0)]
    latest = LoggedReview.from_tags(client.get_run(shocked.run_id).data.tags)
    assert latest is not None and not latest.needs_review
    assert latest.headline == "No review needed"


def test_a_run_never_monitored_has_no_logged_review() -> None:
    assert LoggedReview.from_tags({"mlflow.runName": "train"}) is None


def test_a_logged_review_survives_its_tags_and_a_long_headline_is_cut_to_fit() -> None:
    review = LoggedReview(True, "2026-05-01T00:00:00+00:00", "Needs review: " + "x" * 9000)
    tags = review.to_tags()
    assert max(len(v) for v in tags.values()) <= 5000, "MLflow's tag limit"
    back = LoggedReview.from_tags(tags)
    assert back is not None and back.needs_review and back.report is None
    assert back.headline.startswith("Needs review: xxx") and back.headline.endswith("\u2026")


# ---------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"data": 3}, "data must be a data folder"),
        ({"data": "x", "out": "report.pdf"}, "out must end in .html"),
        ({"data": "x", "rule": {"score_psi_max": 0.1}}, "rule must be given as AlertRule"),
        ({"data": "x", "by": ("country", 3)}, "by must be debtors column names"),
        ({"data": "x", "model": ""}, "model must be a non-empty text"),
    ],
)
def test_a_bad_monitor_config_is_refused_naming_the_setting(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        MonitorConfig(**kwargs)  # type: ignore[arg-type]


def test_monitoring_a_model_that_is_not_registered_says_what_to_do(
    store: Store, batches: dict[str, Path], tmp_path: Path
) -> None:
    config = MonitorConfig(
        data=batches["same"], model="propensity", alias="gold", tracking=store.tracking,
        out=tmp_path / "r.html", log_to_mlflow=False,
    )  # fmt: skip
    with pytest.raises(ConfigError, match="no version with the alias 'gold'"):
        run_monitoring(config)
    assert not (tmp_path / "r.html").exists()


# ---------------------------------------------------------------- the browser


@needs_chromium
def test_headless_chromium_shows_every_plot_of_the_report_offline(shocked: MonitorResult) -> None:
    loaded, total = render.loaded_images(shocked.path)
    assert total >= 4
    assert loaded == total
