"""The alert rule: when the champion "needs review", and why, in plain words."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from collectscore._errors import ConfigError
from collectscore.monitoring import (
    AlertRule,
    DriftConfig,
    DriftReport,
    ReviewStatus,
    drift_report,
    psi_band,
    review,
)


def _drift(
    score_psi: float | None, feature_psi: dict[str, float] | None = None, rows: int = 2000
) -> DriftReport:
    """A drift report with the given score and feature PSIs (means 0.42 then 0.31)."""
    psis = feature_psi or {"days_past_due": 0.02}
    features = pd.DataFrame(
        {
            "feature": list(psis),
            "psi": list(psis.values()),
            "band": [psi_band(v) for v in psis.values()],
        }
    )
    score = None
    if score_psi is not None:
        score = {
            "psi": score_psi,
            "band": psi_band(score_psi),
            "mean_reference": 0.42,
            "mean_current": 0.31,
        }
    return DriftReport(
        features=features, score=score, config=DriftConfig(), n_reference=20_000, n_current=rows
    )


def test_a_score_psi_above_the_threshold_needs_review_and_says_so_with_the_numbers() -> None:
    status = review(AlertRule(), drift=_drift(0.31))
    assert status.needs_review
    assert status.reasons[0].startswith("score PSI 0.31 > 0.25")
    assert "0.420" in status.reasons[0] and "0.310" in status.reasons[0]


def test_an_auc_drop_above_the_threshold_needs_review() -> None:
    status = review(AlertRule(), auc_reference=0.78, auc_current=0.71)
    assert status.needs_review
    assert status.reasons == ["AUC drop 0.070 > 0.05 (AUC 0.780 at training, 0.710 now)"]


def test_small_drift_and_a_small_auc_drop_stay_quiet() -> None:
    status = review(AlertRule(), drift=_drift(0.05), auc_reference=0.78, auc_current=0.75)
    assert not status.needs_review
    assert status.reasons == [] and status.notes == []


def test_a_score_psi_exactly_on_the_threshold_is_not_above_it() -> None:
    assert not review(AlertRule(score_psi_max=0.25), drift=_drift(0.25)).needs_review


def test_feature_psi_is_only_checked_when_a_threshold_is_set() -> None:
    drift = _drift(0.01, {"income_trend_180d": 0.4, "funds_to_installment": 0.3, "x": 0.01})
    assert not review(AlertRule(), drift=drift).needs_review
    status = review(AlertRule(feature_psi_max=0.25), drift=drift)
    assert status.needs_review
    assert status.reasons == [
        "2 features with PSI > 0.25: income_trend_180d 0.40, funds_to_installment 0.30"
    ]


def test_a_batch_smaller_than_min_rows_is_not_judged_and_the_note_says_why() -> None:
    status = review(AlertRule(min_rows=500), drift=_drift(0.9, rows=120))
    assert not status.needs_review
    assert status.notes[0] == "drift not judged: the batch has 120 rows, fewer than min_rows 500"


def test_checks_without_data_are_noted_not_alarmed() -> None:
    status = review(AlertRule(), drift=_drift(None))
    assert not status.needs_review
    assert any("score drift not checked" in n for n in status.notes)
    assert any("performance not checked" in n for n in status.notes)


def test_a_real_drift_report_with_a_shifted_score_needs_review() -> None:
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"days_past_due": rng.integers(0, 180, 3000).astype(float)})
    report = drift_report(
        X,
        X,
        reference_scores=rng.beta(2, 3, 3000),
        current_scores=rng.beta(2, 6, 3000),
    )
    status = review(AlertRule(), drift=report)
    assert status.needs_review and report.score is not None
    assert status.reasons[0].startswith(f"score PSI {report.score['psi']:.2f} > 0.25")


def test_the_status_is_json_ready_with_the_rule_it_applied() -> None:
    status = review(AlertRule(score_psi_max=0.2), drift=_drift(0.31))
    data = json.loads(json.dumps(status.to_dict()))
    assert data["needs_review"] is True
    assert data["reasons"] == status.reasons
    assert data["rule"] == {
        "score_psi_max": 0.2, "auc_drop_max": 0.05, "feature_psi_max": None, "min_rows": 500,
    }  # fmt: skip
    assert isinstance(status, ReviewStatus)


def test_a_rule_reads_from_a_mapping_and_keeps_defaults_for_the_rest() -> None:
    rule = AlertRule.from_mapping({"score_psi_max": 0.3, "feature_psi_max": 0.5})
    assert rule == AlertRule(score_psi_max=0.3, auc_drop_max=0.05, feature_psi_max=0.5)
    assert AlertRule.from_mapping(None) == AlertRule()


def test_an_unknown_setting_is_refused_with_the_closest_name() -> None:
    with pytest.raises(ConfigError, match="did you mean 'score_psi_max'"):
        AlertRule.from_mapping({"score_psi": 0.3})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"score_psi_max": 0}, "score_psi_max .* must be a number > 0"),
        ({"score_psi_max": "high"}, "score_psi_max"),
        ({"auc_drop_max": 1.5}, "auc_drop_max .* between 0 and 1"),
        ({"auc_drop_max": -0.05}, "auc_drop_max"),
        ({"feature_psi_max": float("nan")}, "feature_psi_max"),
        ({"min_rows": 0}, "min_rows .* whole number >= 1"),
        ({"min_rows": True}, "min_rows"),
    ],
)
def test_bad_thresholds_are_refused_with_a_clear_message(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        AlertRule(**kwargs)  # type: ignore[arg-type]


def test_review_refuses_half_an_auc_pair_or_an_auc_outside_0_1() -> None:
    with pytest.raises(ConfigError, match=r"both auc_reference .* and auc_current"):
        review(AlertRule(), auc_reference=0.8)
    with pytest.raises(ConfigError, match="auc_current must be an AUC between 0 and 1"):
        review(AlertRule(), auc_reference=0.8, auc_current=1.2)
    with pytest.raises(ConfigError, match="rule must be an AlertRule"):
        review({"score_psi_max": 0.25})  # type: ignore[arg-type]
