"""Drift of a scoring batch against the champion's training data: PSI, KS, rates, ranking."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from monitordata import SAME, SHOCK, TRAIN
from scipy.stats import norm

from collectscore import build_features, paid_within_horizon
from collectscore._errors import ConfigError, ContractError
from collectscore.features import catalog
from collectscore.models import PropensityModel
from collectscore.models import psi as model_psi
from collectscore.monitoring import (
    DRIFT_COLUMNS,
    PSI_BANDS,
    REFERENCE_DIR,
    SCORE_COLUMN,
    AlertRule,
    DriftConfig,
    DriftReport,
    drift_report,
    feature_drift,
    load_reference,
    psi,
    psi_band,
    psi_legend,
    reference_sample,
    review,
    score_drift,
    shap_importance,
    split_reference,
    write_reference,
)
from collectscore.synthetic import SampleConfig, generate

STABLE, WATCH, ACT = (name for name, _, _ in PSI_BANDS)


def _normal(n: int, mean: float = 0.0, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(mean, 1.0, n)


# ---------------------------------------------------------------- bands


def test_the_bands_start_at_zero_and_follow_each_other_without_gaps() -> None:
    assert PSI_BANDS[0][1] == 0.0
    assert math.isinf(PSI_BANDS[-1][2])
    for (_, _, high), (_, low, _) in itertools.pairwise(PSI_BANDS):
        assert high == low


@pytest.mark.parametrize("band", PSI_BANDS, ids=lambda b: b[0])
def test_a_psi_on_a_band_edge_belongs_to_the_band_that_starts_there(
    band: tuple[str, float, float],
) -> None:
    name, low, high = band
    assert psi_band(low) == name
    if not math.isinf(high):
        assert psi_band(np.nextafter(high, 0.0)) == name
        assert psi_band(high) != name


def test_the_usual_bands_are_stable_below_0_1_watch_to_0_25_and_act_above() -> None:
    assert [psi_band(v) for v in (0.0, 0.099, 0.1, 0.249, 0.25, 3.0)] == [
        STABLE, STABLE, WATCH, WATCH, ACT, ACT,
    ]  # fmt: skip


@pytest.mark.parametrize("value", [-0.01, math.nan, "0.2", None])
def test_a_psi_that_is_not_a_number_at_least_zero_is_refused(value: object) -> None:
    with pytest.raises(ConfigError, match="PSI"):
        psi_band(value)  # type: ignore[arg-type]


def test_the_legend_names_every_band_and_its_bounds() -> None:
    legend = psi_legend()
    for name, low, high in PSI_BANDS:
        assert name in legend
        for bound in (low, high):
            if 0 < bound < math.inf:
                assert f"{bound:g}" in legend


# ---------------------------------------------------------------- psi


def test_identical_samples_have_a_psi_of_zero() -> None:
    x = _normal(5000)
    assert psi(x, x) == pytest.approx(0.0, abs=1e-12)


def test_a_shifted_normal_gives_the_textbook_psi_over_deciles() -> None:
    # by hand: reference deciles z_k of N(0, 1); a N(0.5, 1) batch puts Phi(z_k - 0.5) -
    # Phi(z_k-1 - 0.5) of its mass in decile k instead of 0.1
    z = norm.ppf(np.linspace(0.0, 1.0, 11))
    shares = np.diff(norm.cdf(z - 0.5))
    expected = float(np.sum((shares - 0.1) * np.log(shares / 0.1)))
    value = psi(_normal(200_000, seed=1), _normal(200_000, 0.5, seed=2))
    assert expected == pytest.approx(0.2377, abs=1e-3)
    assert value == pytest.approx(expected, abs=0.005)
    assert psi_band(value) == WATCH


def test_on_complete_continuous_scores_psi_agrees_with_the_model_evaluation_psi() -> None:
    a, b = _normal(3000, seed=3), _normal(2000, 0.2, seed=4)
    assert psi(a, b) == pytest.approx(model_psi(a, b), rel=1e-12)


def test_missing_values_are_a_bin_of_their_own() -> None:
    # reference: 900 evenly spread values (90 per decile) and 100 missing; current: the same
    # values twice and 1,200 missing -> 6 % per decile and 40 % missing instead of 9 % and 10 %
    x = np.arange(900.0)
    reference = np.r_[x, [np.nan] * 100]
    current = np.r_[x, x, [np.nan] * 1200]
    expected = 10 * (0.06 - 0.09) * math.log(0.06 / 0.09) + (0.4 - 0.1) * math.log(0.4 / 0.1)
    assert psi(reference, current) == pytest.approx(expected, rel=1e-12)


def test_a_feature_that_starts_to_be_missing_is_in_the_act_band() -> None:
    x = _normal(2000)
    current = x.copy()
    current[::5] = np.nan
    assert psi_band(psi(x, current)) == ACT


def test_a_flag_keeps_its_two_values_apart_although_its_deciles_are_all_zero() -> None:
    reference = np.r_[np.zeros(950), np.ones(50)]
    current = np.r_[np.zeros(800), np.ones(200)]
    expected = (0.8 - 0.95) * math.log(0.8 / 0.95) + (0.2 - 0.05) * math.log(0.2 / 0.05)
    assert psi(reference, current) == pytest.approx(expected, rel=1e-12)


def test_a_value_the_reference_never_took_lands_in_a_bin_of_its_own() -> None:
    constant = np.zeros(1000)
    assert psi(constant, constant) == pytest.approx(0.0, abs=1e-12)
    assert psi_band(psi(constant, np.r_[np.zeros(900), np.full(100, 3.0)])) == ACT


def test_text_categories_are_compared_category_by_category() -> None:
    reference = pd.Series(["salary"] * 60 + ["gig"] * 40)
    assert psi(reference, reference.sample(frac=1.0, random_state=0)) == pytest.approx(0.0)
    current = pd.Series(["salary"] * 40 + ["gig"] * 40 + ["none"] * 20)
    assert psi_band(psi(reference, current)) == ACT


def test_psi_refuses_fewer_than_two_bins_and_empty_samples() -> None:
    with pytest.raises(ConfigError, match="bins"):
        psi([1.0, 2.0], [1.0, 2.0], bins=1)
    with pytest.raises(ConfigError, match="current has no values"):
        psi([1.0, 2.0], [])


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"bins": 1}, "bins"),
        ({"bins": 2.5}, "bins"),
        ({"top": 0}, "top"),
        ({"ks_level": 0.0}, "ks_level"),
        ({"ks_level": 1.5}, "ks_level"),
        ({"ks_level": True}, "ks_level"),
    ],
)
def test_a_drift_config_out_of_range_is_refused_naming_the_setting(
    kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(ConfigError, match=field):
        DriftConfig(**kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------- feature_drift


def _frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Three catalogue features and one unknown: income drops, dpd stays, a flag flips."""
    n = 2000
    reference = pd.DataFrame(
        {
            "income_monthly_mean_90d": np.exp(_normal(n, 7.0, seed=10)),
            "days_past_due": np.random.default_rng(11).integers(0, 180, n).astype(float),
            "main_income_missed": (np.random.default_rng(12).random(n) < 0.1).astype(float),
            "my_own_score": _normal(n, seed=13),
        }
    )
    current = pd.DataFrame(
        {
            "income_monthly_mean_90d": np.exp(_normal(n, 6.4, seed=20)),
            "days_past_due": np.random.default_rng(21).integers(0, 180, n).astype(float),
            "main_income_missed": (np.random.default_rng(22).random(n) < 0.1).astype(float),
            "my_own_score": _normal(n, seed=23),
        }
    )
    return reference, current


def test_each_feature_gets_one_row_with_its_catalogue_description() -> None:
    reference, current = _frames()
    frame = feature_drift(reference, current)
    assert list(frame.columns) == list(DRIFT_COLUMNS)
    assert sorted(frame["feature"]) == sorted(reference.columns)
    cat = catalog().set_index("name")
    row = frame.set_index("feature").loc["income_monthly_mean_90d"]
    assert row["family"] == cat.loc["income_monthly_mean_90d", "family"]
    assert row["unit"] == cat.loc["income_monthly_mean_90d", "unit"]
    assert row["description"] == cat.loc["income_monthly_mean_90d", "description_en"]
    unknown = frame.set_index("feature").loc["my_own_score"]
    assert pd.isna(unknown["family"]) and pd.isna(unknown["description"])


def test_without_importance_the_most_drifting_feature_comes_first() -> None:
    reference, current = _frames()
    frame = feature_drift(reference, current)
    assert frame["feature"].iloc[0] == "income_monthly_mean_90d"
    assert frame["band"].iloc[0] == ACT
    assert (frame["priority"] == frame["psi"]).all()
    assert frame["psi"].is_monotonic_decreasing
    assert set(frame["band"].iloc[1:]) == {STABLE}


def test_ks_flags_a_shift_but_not_a_redraw_of_the_same_distribution() -> None:
    reference, current = _frames()
    frame = feature_drift(reference, current).set_index("feature")
    assert frame.loc["income_monthly_mean_90d", "ks_pvalue"] < 1e-6
    assert bool(frame.loc["income_monthly_mean_90d", "ks_drift"])
    assert frame.loc["my_own_score", "ks_pvalue"] > 0.05
    assert not bool(frame.loc["my_own_score", "ks_drift"])


def test_importance_puts_drift_in_what_the_model_relies_on_first() -> None:
    reference, current = _frames()
    current["days_past_due"] = current["days_past_due"] + 15  # a small shift in the key driver
    importance = {"days_past_due": 0.6, "income_monthly_mean_90d": 0.01, "my_own_score": 0.1}
    frame = feature_drift(reference, current, importance=importance)
    assert frame["feature"].iloc[0] == "days_past_due"
    by_name = frame.set_index("feature")
    assert by_name.loc["income_monthly_mean_90d", "psi"] > by_name.loc["days_past_due", "psi"]
    assert by_name.loc["days_past_due", "priority"] == pytest.approx(
        by_name.loc["days_past_due", "psi"]
    )
    # a feature the importance leaves out has none
    assert by_name.loc["main_income_missed", "importance"] == 0.0


def test_missing_and_out_of_range_rates_are_measured_on_the_current_batch() -> None:
    reference = pd.DataFrame({"balance_min_30d": np.r_[np.arange(100.0), [np.nan] * 25]})
    current = pd.DataFrame(
        {"balance_min_30d": np.r_[[-5.0, 150.0], np.arange(48.0), [np.nan] * 50]}
    )
    row = feature_drift(reference, current).iloc[0]
    assert row["missing_reference"] == pytest.approx(0.2)
    assert row["missing_current"] == pytest.approx(0.5)
    assert row["out_of_range"] == pytest.approx(2 / 50)


def test_a_feature_missing_from_the_batch_is_a_contract_error_naming_it() -> None:
    reference, current = _frames()
    current = current.rename(columns={"days_past_due": "days_past_dues"})
    with pytest.raises(ContractError) as caught:
        feature_drift(reference, current)
    assert ("current batch", "days_past_due") in caught.value.columns()
    assert "did you mean 'days_past_dues'" in str(caught.value)


def test_an_importance_for_an_unknown_feature_or_a_negative_one_is_refused() -> None:
    reference, current = _frames()
    with pytest.raises(ConfigError, match="days_past_dues"):
        feature_drift(reference, current, importance={"days_past_dues": 0.5})
    with pytest.raises(ConfigError, match="days_past_due=-1"):
        feature_drift(reference, current, importance={"days_past_due": -1})


def test_a_report_lists_flagged_features_the_top_ones_and_the_score() -> None:
    reference, current = _frames()
    scores_ref, scores_cur = _normal(2000, seed=30), _normal(2000, 0.6, seed=31)
    report = drift_report(
        reference,
        current.assign(debtor_id="D1"),
        reference_scores=scores_ref,
        current_scores=scores_cur,
        config=DriftConfig(top=2),
    )
    assert report.flagged == ["income_monthly_mean_90d"]
    assert len(report.top()) == 2 and len(report.top(3)) == 3
    assert report.score is not None and report.score_band == psi_band(report.score["psi"])
    assert report.score["psi"] == pytest.approx(psi(scores_ref, scores_cur))
    assert report.score["mean_current"] > report.score["mean_reference"]
    assert report.ignored_columns == ("debtor_id",)
    as_json = json.loads(json.dumps(report.to_dict()))
    assert as_json["flagged"] == ["income_monthly_mean_90d"]
    assert [b["band"] for b in as_json["bands"]] == [STABLE, WATCH, ACT]


def test_scores_must_come_in_pairs_and_one_per_row() -> None:
    reference, current = _frames()
    with pytest.raises(ConfigError, match="only reference_scores"):
        drift_report(reference, current, reference_scores=np.zeros(2000))
    with pytest.raises(ConfigError, match="current_scores has 10 values for 2000"):
        drift_report(
            reference, current, reference_scores=np.zeros(2000), current_scores=np.zeros(10)
        )
    with pytest.raises(ConfigError, match="numbers"):
        score_drift([0.1, 0.2], ["a", "b"])


# ---------------------------------------------------------------- the reference sample


def test_a_reference_sample_is_seeded_bounded_and_carries_the_score(
    reference: Portfolio,
) -> None:
    sample = reference_sample(reference.model, reference.X, max_rows=500, seed=7)
    assert len(sample) == 500
    assert list(sample.columns) == [*reference.X.columns, SCORE_COLUMN]
    again = reference_sample(reference.model, reference.X, max_rows=500, seed=7)
    pd.testing.assert_frame_equal(sample, again)
    X, scores = split_reference(sample)
    np.testing.assert_allclose(scores, reference.model.predict_proba(X)[:, 1])


def test_the_champions_reference_round_trips_through_mlflow_and_a_run_without_one_says_retrain(
    tmp_path: Path, reference: Portfolio
) -> None:
    import mlflow

    from collectscore.tracking import TrackingConfig, log_model_run

    tracking = TrackingConfig(root=tmp_path)
    X, y = reference.X.iloc[:400], reference.y[:400]
    folder = tmp_path / "artifacts" / REFERENCE_DIR
    write_reference(folder, reference.model, X)
    for artifacts in ({}, {REFERENCE_DIR: folder}):  # v1 without, v2 (challenger) with
        log_model_run(
            reference.model, X, y, metrics={}, params={}, config=tracking, artifacts=artifacts
        )
    X_ref, scores = load_reference(alias="challenger", tracking=tracking)
    pd.testing.assert_frame_equal(X_ref, X.reset_index(drop=True))
    np.testing.assert_allclose(scores, reference.model.predict_proba(X)[:, 1])

    client = mlflow.MlflowClient(tracking.resolved_uri(), tracking.resolved_uri())
    client.set_registered_model_alias("propensity", "champion", "1")
    with pytest.raises(ConfigError, match=r"version 1 .*no monitoring reference.*retrain"):
        load_reference(tracking=tracking)
    with pytest.raises(ConfigError, match="no version with the alias 'old'"):
        load_reference(alias="old", tracking=tracking)


# ---------------------------------------------------------------- on the generator

# SAME: new debtors of the same portfolio. SHOCK: a third of them lose 60 % of their income
# two months before the first snapshot (monitordata). With the default date, the day after
# the first snapshot, and half the income, the income features still reach "watch" but the
# score PSI stays near 0.04: too early to see.


@dataclass
class Portfolio:
    X: pd.DataFrame
    y: np.ndarray
    model: PropensityModel
    scores: np.ndarray
    importance: pd.Series


def _features(config: SampleConfig) -> tuple[pd.DataFrame, np.ndarray]:
    data = generate(config)
    X = build_features(
        data.transactions, data.debtors, contacts=data.contacts, payments=data.payments
    )
    y = paid_within_horizon(data.debtors, data.payments).to_numpy()
    return X.reset_index(drop=True), y


@pytest.fixture(scope="module")
def reference() -> Portfolio:
    X, y = _features(TRAIN)
    model = PropensityModel(n_estimators=50).fit(X, y)
    scores = model.predict_proba(X)[:, 1]
    return Portfolio(X, y, model, scores, shap_importance(model, X))


def _report(reference: Portfolio, config: SampleConfig) -> DriftReport:
    X, _ = _features(config)
    return drift_report(
        reference.X,
        X,
        reference_scores=reference.scores,
        current_scores=reference.model.predict_proba(X)[:, 1],
        importance=reference.importance,
    )


@pytest.fixture(scope="module")
def same(reference: Portfolio) -> DriftReport:
    return _report(reference, SAME)


@pytest.fixture(scope="module")
def shocked(reference: Portfolio) -> DriftReport:
    return _report(reference, SHOCK)


def test_shap_importance_is_mean_absolute_contribution_per_model_feature(
    reference: Portfolio,
) -> None:
    importance = reference.importance
    assert set(importance.index) == set(reference.model.feature_names_in_)
    assert (importance >= 0).all() and importance.is_monotonic_decreasing
    sampled = shap_importance(reference.model, reference.X, max_rows=300, seed=3)
    pd.testing.assert_series_equal(
        sampled, shap_importance(reference.model, reference.X, max_rows=300, seed=3)
    )
    assert sampled.index[0] == importance.index[0]


def test_a_batch_from_the_same_distribution_raises_no_flag(same: DriftReport) -> None:
    assert same.flagged == []
    assert same.score_band == STABLE
    assert (same.features["band"] != ACT).all()


def test_an_income_shock_flags_income_features_and_raises_the_score_psi(
    same: DriftReport, shocked: DriftReport
) -> None:
    cat = catalog()
    income = set(cat.loc[cat["family"] == "income_stability", "name"])
    flagged_income = income & set(shocked.flagged)
    assert flagged_income, shocked.top()
    assert "income_trend_180d" in flagged_income
    assert shocked.score_band != STABLE
    assert shocked.score["psi"] > 3 * same.score["psi"]
    assert shocked.score["mean_current"] < shocked.score["mean_reference"]


def test_the_review_rule_calls_for_review_under_the_shock_only(
    same: DriftReport, shocked: DriftReport
) -> None:
    rule = AlertRule(score_psi_max=0.1, feature_psi_max=0.25)
    assert not review(rule, drift=same).needs_review
    status = review(rule, drift=shocked)
    assert status.needs_review
    assert any(r.startswith("score PSI") for r in status.reasons)
    assert any("income_trend_180d" in r for r in status.reasons)


def test_the_drift_switch_leaves_income_alone_before_its_date_and_cuts_a_third_after() -> None:
    plain = SampleConfig(debtors=300, seed=3)
    switched = SampleConfig(debtors=300, seed=3, income_shock=1 / 3, income_shock_size=0.5)
    before, after = (generate(c).truth["debtors"] for c in (plain, switched))
    ratio = after["monthly_income"] / before["monthly_income"]
    first_as_of = pd.Timestamp(plain.snapshot_dates()[0])
    assert switched.income_shock_date() == plain.snapshot_dates()[0] + dt.timedelta(days=1)
    at_first = pd.to_datetime(before["as_of"]) == first_as_of
    assert (ratio[at_first & (before["monthly_income"] > 0)] == 1.0).all()
    last = pd.to_datetime(before["as_of"]) == pd.Timestamp(plain.snapshot_dates()[-1])
    later = ratio[last & (before["monthly_income"] > 0)]
    assert set(np.round(later.unique(), 9)) <= {0.5, 1.0}
    assert (later == 0.5).mean() == pytest.approx(1 / 3, abs=0.08)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"income_shock": 1.5}, "income_shock"),
        ({"income_shock": -0.1}, "income_shock"),
        ({"income_shock_size": 0.0}, "income_shock_size"),
        ({"shock_date": "last spring"}, "shock_date"),
        ({"shock_date": dt.date(2027, 1, 1)}, "shock_date"),
    ],
)
def test_a_drift_switch_out_of_range_is_refused_naming_the_field(
    kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(ConfigError, match=field):
        SampleConfig(debtors=10, **kwargs)  # type: ignore[arg-type]
