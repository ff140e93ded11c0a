"""The model report: one self-contained HTML file, its numbers equal to the run's, logged to it."""

from __future__ import annotations

import base64
import io
import re
import tempfile
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
from PIL import Image
from reportdata import Reported

from collectscore._errors import ConfigError
from collectscore.explanations import reason_code_catalogue
from collectscore.reporting import (
    ARTIFACT_NAME,
    NOT_STATED,
    VERSION_TAG,
    CardInfo,
    ReportConfig,
    load_card_info,
    write_model_report,
)
from collectscore.reporting._analysis import dpd_band, performance_by, reason_frequencies
from collectscore.tracking import CHALLENGER, TrackingConfig

ANNEX_IV_SECTIONS = (
    "General description and intended purpose",
    "Data, features, method and tuning",
    "Evaluation against baselines",
    "Score stability (PSI)",
    "Performance by segment",
    "Performance by protected attribute",
    "Monotonicity of key features",
    "Explanations: SHAP and reason codes",
    "Risk management and limitations",
    "Changes and versions",
    "Standards and methods applied",
)
IMG = re.compile(r"<img\b[^>]*\bsrc=\"([^\"]*)\"")


def _section(html: str, anchor: str) -> str:
    """The body of the ``<section id=anchor>``."""
    found = re.search(rf'<section id="{anchor}">(.*?)</section>', html, re.S)
    assert found, f"no section {anchor}"
    return found.group(1)


def _client(reported: Reported) -> mlflow.MlflowClient:
    uri = reported.tracking.resolved_uri()
    return mlflow.MlflowClient(uri, uri)


# ------------------------------------------------------------------ layout and numbers
def test_the_report_has_the_annex_iv_sections_in_order(sample: Reported) -> None:
    titles = re.findall(r"<h2>(.*?)</h2>", sample.html)
    assert [t.split(". ", 1)[1] for t in titles] == [
        t.replace("&", "&amp;") for t in ANNEX_IV_SECTIONS
    ]
    assert sample.result.sections == tuple(titles)
    assert sample.result.size == sample.result.path.stat().st_size < 5_000_000


def test_the_evaluation_shows_the_logged_metrics_of_the_model_and_both_baselines(
    sample: Reported,
) -> None:
    metrics = _client(sample).get_run(sample.run.run_id).data.metrics
    section = _section(sample.html, "evaluation")
    for prefix in ("", "scorecard_", "rule_"):
        for metric in ("auc", "gini", "ks", "brier", "log_loss", "ece"):
            assert f">{metrics[f'{prefix}test_{metric}']:,.3f}<" in section, (prefix, metric)
    assert f"{int(metrics['test_n']):,} debtors" in section
    stability = _section(sample.html, "stability")
    assert f"{metrics['psi_train_test']:.3f}" in stability


def test_segments_break_the_holdout_down_by_country_dpd_band_and_income_type(
    sample: Reported,
) -> None:
    section = _section(sample.html, "segments")
    for title in ("Country", "Days-past-due band", "Main income type (last 180 days)"):
        assert f"<h3>{title}</h3>" in section
    for group in ("CO", "MX", "US", "CL", "current", "1-30", "90+", "salary or pension"):
        assert f">{group}<" in section
    # the approval-style rate of each country equals the share of its holdout rows with
    # p_pay >= 0.5, scored by the registered model itself
    scores = sample.run.test_scores
    context = _holdout_context(sample)
    assert (context["debtor_id"].to_numpy() == scores["debtor_id"].to_numpy()).all()
    for country in ("CO", "US"):
        share = (scores.loc[context["country"] == country, "propensity (LightGBM)"] >= 0.5).mean()
        n = int((context["country"] == country).sum())
        # columns: group, n, pay_rate, mean_p_pay, calibration_gap, auc, auc_gap, approval_rate
        row = rf'<tr><td class="t">{country}</td><td[^>]*>{n}</td>(?:<td[^>]*>[^<]*</td>){{5}}'
        assert re.search(row + rf"<td[^>]*>{share:.1%}</td>", section), country


def _holdout_context(reported: Reported) -> pd.DataFrame:
    with tempfile.TemporaryDirectory() as scratch:
        path = _client(reported).download_artifacts(
            reported.run.run_id, "holdout/context.parquet", scratch
        )
        return pd.read_parquet(path)


def test_the_holdout_context_is_row_aligned_and_never_reaches_the_model(sample: Reported) -> None:
    context = _holdout_context(sample)
    assert list(context.columns) == [
        "debtor_id",
        "as_of",
        "country",
        "days_past_due",
        "income_type",
    ]
    assert len(context) == len(sample.run.split.test)
    assert "country" not in sample.run.model.feature_names_in_


def test_explanations_show_importance_dependence_and_reason_code_frequencies(
    sample: Reported,
) -> None:
    section = _section(sample.html, "explanations")
    assert "Global SHAP importance" in section
    assert "SHAP dependence plots" in section
    assert "Reason-code frequencies" in section
    top = sample.run.model.feature_names_in_
    shown = re.findall(r'<td class="t">([a-z0-9_]+)</td>', section)
    assert shown and set(shown) <= set(top)
    codes = re.findall(r'<td class="t">(CS-[A-Z0-9-]+)</td>', section)
    assert codes and set(codes) <= set(reason_code_catalogue()["code"])
    assert "{value}" not in section


def test_monotonicity_checks_the_key_features_against_their_declared_direction(
    sample: Reported,
) -> None:
    section = _section(sample.html, "monotonicity")
    rows = re.findall(r"<tr><td class=\"t\">([a-z0-9_]+)</td>", section)
    assert len(rows) == 6
    # the trees are fitted with the catalogue's monotone constraints: no check fails
    assert section.count(">yes<") + section.count(">nothing declared<") == 6
    assert ">no<" not in section


def test_governance_fields_say_plainly_when_nobody_stated_them(sample: Reported) -> None:
    general = _section(sample.html, "general")
    assert general.count(NOT_STATED) == 4
    assert NOT_STATED in _section(sample.html, "risks")


# ------------------------------------------------------------------ self-contained
def test_every_image_is_an_inline_png_that_decodes(sample: Reported) -> None:
    sources = IMG.findall(sample.html)
    assert len(sources) >= 8
    for source in sources:
        assert source.startswith("data:image/png;base64,")
        data = base64.b64decode(source.removeprefix("data:image/png;base64,"), validate=True)
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            assert image.width > 200 and image.height > 150


def test_the_report_links_to_nothing_outside_itself(sample: Reported) -> None:
    html = sample.html
    for attribute in re.findall(r"\b(?:src|href)\s*=\s*\"([^\"]*)\"", html):
        assert attribute.startswith(("data:image/png;base64,", "#")), attribute[:60]
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?//", html)
    assert "<script" not in html and "<link" not in html and "@import" not in html


# ------------------------------------------------------------------ MLflow
def test_the_report_is_logged_on_the_versions_run_and_tagged_on_the_version(
    sample: Reported, tmp_path: Path
) -> None:
    client = _client(sample)
    run_id = sample.run.run_id
    assert sample.result.artifact == f"runs:/{run_id}/report/{ARTIFACT_NAME}"
    logged = client.download_artifacts(run_id, f"report/{ARTIFACT_NAME}", str(tmp_path))
    assert Path(logged).read_text(encoding="utf-8") == sample.html
    version = client.get_model_version(sample.run.version.name, sample.run.version.version)
    assert version.tags[VERSION_TAG] == sample.result.artifact


def test_the_versions_section_lists_each_version_with_its_aliases(sample: Reported) -> None:
    section = _section(sample.html, "versions")
    assert re.search(
        rf'<tr><td>{sample.run.version.version}</td><td class="t">[^<]+</td>'
        rf'<td class="t">{CHALLENGER}</td>',
        section,
    )
    assert sample.run.run_id in section


# ------------------------------------------------------------------ bring your own table
def test_a_table_without_country_says_not_in_the_data_instead_of_failing(byo: Reported) -> None:
    section = _section(byo.html, "segments")
    country = section.split("<h3>Country</h3>", 1)[1]
    assert country.startswith('<p class="na">Not in the data.</p>')
    assert "<h3>Days-past-due band</h3><table>" in section


def test_protected_attributes_get_auc_calibration_and_approval_rates_with_gaps(
    byo: Reported,
) -> None:
    section = _section(byo.html, "protected")
    for name in ("gender", "marital_status", "age"):
        assert f"<h3>{name}</h3>" in section
    for column in ("auc_gap", "calibration_gap", "approval_rate", "approval_ratio"):
        assert f">{column}<" in section
    assert ">f<" in section and ">m<" in section
    # age has many values: four quantile bands
    age = section.split("<h3>age</h3>", 1)[1].split("<h3>", 1)[0]
    assert len(re.findall(r'<tr><td class="t">\(', age)) == 4
    # the best group's approval ratio is 1 by definition
    assert ">1.00<" in section


def test_a_run_logged_before_the_context_existed_still_reports(
    byo: Reported, tmp_path: Path
) -> None:
    client = _client(byo)
    folder = Path(client.get_run(byo.run.run_id).info.artifact_uri.removeprefix("file://"))
    (folder / "holdout" / "context.parquet").unlink()
    result = write_model_report(
        ReportConfig(
            alias=CHALLENGER, tracking=byo.tracking, out=tmp_path / "old.html", log_to_mlflow=False
        )
    )
    html = result.path.read_text(encoding="utf-8")
    segments, protected = _section(html, "segments"), _section(html, "protected")
    assert "logged before the holdout carried its context" in segments
    assert "logged before the holdout carried its context" in protected
    assert "<h3>Days-past-due band</h3><table>" in segments  # still a model feature
    assert "gender" in protected  # the training run's own table
    assert result.artifact is None


# ------------------------------------------------------------------ configuration
def test_a_card_file_fills_the_governance_fields(sample: Reported, tmp_path: Path) -> None:
    card = tmp_path / "card.toml"
    card.write_text(
        'owner = "Collections analytics"\nrisk_classification = "limited risk"\n'
        'limitations = "Not for credit decisions."\n',
        encoding="utf-8",
    )
    info = load_card_info(card)
    assert info == CardInfo(
        owner="Collections analytics",
        risk_classification="limited risk",
        limitations="Not for credit decisions.",
    )
    assert info.shown("contact") == NOT_STATED


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('ownr = "x"\n', ["ownr", "did you mean 'owner'"]),
        ("owner = 3\n", ["'owner'", "text"]),
        ('owner = "x\n', ["not valid TOML"]),
    ],
)
def test_a_bad_card_file_names_the_key_and_the_fix(
    tmp_path: Path, text: str, words: list[str]
) -> None:
    card = tmp_path / "card.toml"
    card.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_card_info(card)
    message = str(caught.value)
    for word in [*words, "Fix"]:
        assert word.lower() in message.lower()


def test_an_unknown_model_version_or_alias_is_a_config_error_with_the_fix(
    sample: Reported, tmp_path: Path
) -> None:
    out = tmp_path / "r.html"
    cases = [
        (dict(model="propensty"), ["no registered model named 'propensty'", "propensity"]),
        (dict(version=99), ["has no version '99'", "Fix"]),
        (dict(alias="champion"), ["no version with the alias 'champion'", "Fix"]),
    ]
    for kwargs, words in cases:
        config = ReportConfig(tracking=sample.tracking, out=out, **kwargs)  # type: ignore[arg-type]
        with pytest.raises(ConfigError) as caught:
            write_model_report(config)
        for word in words:
            assert word in str(caught.value)
    assert not out.exists()


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        (dict(top_features=0), "top_features"),
        (dict(language="fr"), "language"),
        (dict(out=Path("report.pdf")), ".html"),
        (dict(version="latest"), "version"),
        (dict(approval_threshold=1.5), "approval_threshold"),
    ],
)
def test_bad_report_options_are_rejected_before_anything_is_read(
    kwargs: dict[str, object], word: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(word)):
        ReportConfig(tracking=TrackingConfig(root=Path("/nonexistent")), **kwargs)  # type: ignore[arg-type]


# ------------------------------------------------------------------ the group arithmetic
def test_days_past_due_bands_have_inclusive_upper_bounds() -> None:
    days = pd.Series([0, 1, 30, 31, 60, 61, 90, 91, None])
    assert dpd_band(days).fillna("(missing)").tolist() == [
        "current",
        "1-30",
        "1-30",
        "31-60",
        "31-60",
        "61-90",
        "61-90",
        "90+",
        "(missing)",
    ]


def test_a_group_approved_less_than_four_fifths_as_often_as_the_best_is_flagged() -> None:
    labels = pd.Series(["a"] * 40 + ["b"] * 40 + ["c"] * 10)
    y = np.tile([0, 1], 45)
    p = np.concatenate(
        [np.full(40, 0.9), np.r_[np.full(20, 0.9), np.full(20, 0.1)], np.full(10, 0.6)]
    )
    table = performance_by(labels, y, p, threshold=0.5).set_index("group")
    assert table.loc["a", "approval_rate"] == 1.0 and table.loc["b", "approval_rate"] == 0.5
    assert table.loc["b", "approval_ratio"] == pytest.approx(0.5)
    assert table.loc["a", "flag"] == ""
    assert table.loc["b", "flag"] == "below four-fifths"
    assert table.loc["c", "flag"] == "fewer than 30 rows"
    assert table.loc["a", "calibration_gap"] == pytest.approx(0.9 - 0.5)


def test_reason_frequencies_count_debtors_among_their_top_k_lowering_reasons() -> None:
    codes = pd.DataFrame(
        {
            "row": [0, 0, 1, 1, 2, 2],
            "direction": ["lowers", "lowers", "lowers", "raises", "lowers", "lowers"],
            "rank": [1, 2, 1, 1, 1, 2],
            "code": ["X1", "X2", "X2", "X1", "X2", "X3"],
            "feature": ["f1", "f2", "f2", "f1", "f2", "f3"],
            "contribution": [-0.5, -0.2, -0.4, 0.3, -0.1, -0.05],
        }
    )
    table = reason_frequencies(codes, n_rows=4, k=2).set_index("code")
    assert table.index.tolist() == ["X2", "X1", "X3"]
    assert table.loc["X2", "debtors"] == 3 and table.loc["X2", "as rank 1"] == 2
    assert table.loc["X2", "share"] == pytest.approx(0.75)
    assert table.loc["X1", "debtors"] == 1  # its "raises" row is not counted
    assert reason_frequencies(codes, n_rows=4, k=1).index.size == 2
