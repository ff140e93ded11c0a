"""Specifications of the evaluation metrics, on tiny hand-computed examples."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from collectscore import ConfigError
from collectscore.models._evaluation import (
    LOG_LOSS_CLIP,
    METRICS,
    PSI_EPSILON,
    brier,
    comparison_table,
    evaluate,
    expected_calibration_error,
    gini,
    ks,
    lift_table,
    log_loss,
    psi,
    reliability_curve,
    roc_auc,
)

PERFECT_Y = [0, 0, 1, 1]
PERFECT_P = [0.1, 0.2, 0.8, 0.9]

# Payers score 0.3 and 0.6, non-payers 0.4 and 0.2: 3 of the 4 payer/non-payer
# pairs are ordered right, and the CDFs are at most 0.5 apart.
MIXED_Y = [1, 0, 1, 0]
MIXED_P = [0.3, 0.4, 0.6, 0.2]


# --- ranking --------------------------------------------------------------------------------


def test_a_perfect_ranking_gives_auc_1_gini_1_and_ks_1() -> None:
    assert roc_auc(PERFECT_Y, PERFECT_P) == 1.0
    assert gini(PERFECT_Y, PERFECT_P) == 1.0
    assert ks(PERFECT_Y, PERFECT_P) == 1.0


def test_a_constant_score_gives_auc_one_half_gini_0_and_ks_0() -> None:
    y = [0, 1, 0, 1, 1]
    p = [0.5] * 5
    assert roc_auc(y, p) == 0.5
    assert gini(y, p) == 0.0
    assert ks(y, p) == 0.0


def test_a_reversed_ranking_gives_auc_0_and_gini_minus_1_but_ks_still_1() -> None:
    reversed_p = PERFECT_P[::-1]
    assert roc_auc(PERFECT_Y, reversed_p) == 0.0
    assert gini(PERFECT_Y, reversed_p) == -1.0
    assert ks(PERFECT_Y, reversed_p) == 1.0


def test_auc_gini_and_ks_match_the_hand_computed_values_of_a_mixed_example() -> None:
    assert roc_auc(MIXED_Y, MIXED_P) == pytest.approx(0.75)
    assert gini(MIXED_Y, MIXED_P) == pytest.approx(0.5)
    assert ks(MIXED_Y, MIXED_P) == pytest.approx(0.5)


def test_ks_treats_tied_scores_as_one_step_of_both_cdfs() -> None:
    # At 0.5 the payers' CDF jumps 0 -> 1/2 and the others' 0 -> 1/2: no gap there;
    # the gap opens below (0.1 holds one non-payer of two) and closes at 0.9.
    y = [0, 0, 1, 1]
    p = [0.1, 0.5, 0.5, 0.9]
    assert ks(y, p) == pytest.approx(0.5)


def test_metrics_accept_pandas_series_and_booleans() -> None:
    y = pd.Series([False, False, True, True])
    p = pd.Series(PERFECT_P, index=[10, 11, 12, 13])
    assert roc_auc(y, p) == 1.0
    assert ks(y, p) == 1.0


# --- probability quality --------------------------------------------------------------------


def test_brier_is_the_mean_squared_gap_between_probability_and_outcome() -> None:
    # (1 - 0.8)^2 = 0.04 and (0 - 0.4)^2 = 0.16 -> mean 0.1
    assert brier([1, 0], [0.8, 0.4]) == pytest.approx(0.1)


def test_log_loss_is_the_mean_negative_log_likelihood() -> None:
    expected = -(math.log(0.8) + math.log(0.6)) / 2
    assert log_loss([1, 0], [0.8, 0.4]) == pytest.approx(expected)


def test_log_loss_clips_certain_wrong_predictions_to_a_finite_value() -> None:
    assert log_loss([1], [0.0]) == pytest.approx(-math.log(LOG_LOSS_CLIP))
    assert math.isfinite(log_loss([1, 0], [0.0, 1.0]))
    assert log_loss([1, 0], [1.0, 0.0]) == pytest.approx(0.0, abs=1e-12)


def test_brier_and_log_loss_work_on_a_sample_of_one_class() -> None:
    assert brier([1, 1], [0.5, 1.0]) == pytest.approx(0.125)
    assert log_loss([1, 1], [0.5, 1.0]) == pytest.approx(-math.log(0.5) / 2)


def test_ece_of_perfectly_calibrated_bins_is_0() -> None:
    # 0.25 with 1 payer in 4, and 0.75 with 3 payers in 4
    y = [1, 0, 0, 0, 1, 1, 1, 0]
    p = [0.25] * 4 + [0.75] * 4
    assert expected_calibration_error(y, p) == pytest.approx(0.0)
    assert expected_calibration_error(y, p, strategy="quantile") == pytest.approx(0.0)


def test_ece_matches_the_hand_computed_count_weighted_gap() -> None:
    # two bins: [0, 0.5) has mean p 0.2 vs 1/2 paid (gap 0.3), [0.5, 1] mean p 0.8 vs all paid
    # (gap 0.2); both hold 2 of 4 rows -> 0.5 * 0.3 + 0.5 * 0.2 = 0.25
    assert expected_calibration_error([0, 1, 1, 1], [0.1, 0.3, 0.7, 0.9], bins=2) == (
        pytest.approx(0.25)
    )


def test_ece_weights_each_bin_by_its_number_of_rows() -> None:
    # bin [0, 0.5): 3 rows, mean p 0.2, none paid (gap 0.2); bin [0.5, 1]: 1 row 0.9 paid (0.1)
    ece = expected_calibration_error([0, 0, 0, 1], [0.1, 0.2, 0.3, 0.9], bins=2)
    assert ece == pytest.approx((3 * 0.2 + 1 * 0.1) / 4)


def test_reliability_curve_lists_every_uniform_bin_and_keeps_empty_ones_with_count_0() -> None:
    curve = reliability_curve([0, 1, 1, 1], [0.1, 0.3, 0.7, 0.9], bins=5)
    assert list(curve["bin"]) == [1, 2, 3, 4, 5]
    assert list(curve["count"]) == [1, 1, 0, 1, 1]
    assert curve["lower"].tolist() == pytest.approx([0.0, 0.2, 0.4, 0.6, 0.8])
    assert curve["upper"].tolist() == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0])
    assert curve.loc[[0, 1, 3, 4], "p_mean"].tolist() == pytest.approx([0.1, 0.3, 0.7, 0.9])
    assert curve.loc[[0, 1, 3, 4], "observed"].tolist() == [0.0, 1.0, 1.0, 1.0]
    assert curve.loc[2, ["p_mean", "observed"]].isna().all()


def test_uniform_bins_are_closed_below_and_the_last_bin_includes_1() -> None:
    curve = reliability_curve([0, 1, 1], [0.0, 0.5, 1.0], bins=2)
    assert list(curve["count"]) == [1, 2]


def test_quantile_bins_hold_equal_counts() -> None:
    p = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
    y = [0, 0, 0, 1, 0, 1, 1, 1]
    curve = reliability_curve(y, p, bins=2, strategy="quantile")
    assert list(curve["count"]) == [4, 4]
    assert curve["p_mean"].tolist() == pytest.approx([0.25, 0.65])
    assert curve["observed"].tolist() == pytest.approx([0.25, 0.75])
    ece = expected_calibration_error(y, p, bins=2, strategy="quantile")
    assert ece == pytest.approx(0.5 * 0.0 + 0.5 * 0.1)


def test_quantile_bins_merge_when_every_score_is_the_same() -> None:
    curve = reliability_curve([0, 1, 1, 1], [0.6] * 4, bins=4, strategy="quantile")
    assert list(curve["count"]) == [4]
    assert curve.loc[0, "observed"] == 0.75
    assert expected_calibration_error([0, 1, 1, 1], [0.6] * 4, strategy="quantile") == (
        pytest.approx(0.15)
    )


# --- lift and stability ---------------------------------------------------------------------


def test_lift_of_decile_1_of_a_perfect_model_is_1_over_the_base_rate() -> None:
    y = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    p = np.linspace(0.95, 0.05, 10)
    table = lift_table(y, p, deciles=5)
    assert list(table["decile"]) == [1, 2, 3, 4, 5]
    assert list(table["count"]) == [2] * 5
    assert list(table["payers"]) == [2, 0, 0, 0, 0]
    assert table.loc[0, "pay_rate"] == 1.0
    assert table.loc[0, "lift"] == pytest.approx(1 / 0.2)
    assert table["cumulative_capture"].tolist() == [1.0] * 5


def test_decile_1_holds_the_highest_scores_whatever_the_input_order() -> None:
    y = [0, 1, 0, 1, 0, 0]
    p = [0.2, 0.9, 0.1, 0.7, 0.5, 0.3]
    table = lift_table(y, p, deciles=3)
    assert table["max_score"].tolist() == pytest.approx([0.9, 0.5, 0.2])
    assert table["min_score"].tolist() == pytest.approx([0.7, 0.3, 0.1])
    assert list(table["payers"]) == [2, 0, 0]
    assert table["lift"].tolist() == pytest.approx([3.0, 0.0, 0.0])


def test_lift_table_capture_accumulates_to_all_payers() -> None:
    # 8 rows, 4 deciles of 2; payers at ranks 1, 3, 4 and 7 -> 1, 2, 0, 1 per decile
    y = [1, 0, 1, 1, 0, 0, 1, 0]
    p = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2]
    table = lift_table(y, p, deciles=4)
    assert list(table["payers"]) == [1, 2, 0, 1]
    assert table["pay_rate"].tolist() == pytest.approx([0.5, 1.0, 0.0, 0.5])
    assert table["lift"].tolist() == pytest.approx([1.0, 2.0, 0.0, 1.0])
    assert table["cumulative_capture"].tolist() == pytest.approx([0.25, 0.75, 0.75, 1.0])


def test_lift_groups_differ_by_at_most_one_row_and_cover_every_row() -> None:
    table = lift_table([1, 0, 0, 1, 0, 0, 1], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], deciles=3)
    assert table["count"].sum() == 7
    assert table["count"].max() - table["count"].min() <= 1
    assert table["payers"].sum() == 3


def test_psi_of_identical_distributions_is_0() -> None:
    scores = np.linspace(0.0, 1.0, 50)
    assert psi(scores, scores) == 0.0
    assert psi(scores, scores[::-1].copy(), bins=5) == 0.0


def test_psi_of_a_known_shift_equals_the_hand_computed_sum() -> None:
    # expected 1..10 split at its median 5.5 -> shares 0.5 / 0.5; actual 8 below, 2 above
    expected = np.arange(1, 11)
    actual = [1, 2, 3, 4, 5, 1, 2, 3, 9, 10]
    hand = (0.8 - 0.5) * math.log(0.8 / 0.5) + (0.2 - 0.5) * math.log(0.2 / 0.5)
    assert psi(expected, actual, bins=2) == pytest.approx(hand)


def test_psi_floors_an_empty_bin_at_epsilon_and_stays_finite() -> None:
    expected = np.arange(1, 11)
    actual = [1, 2, 3]  # everything in the lower bin
    hand = (1 - 0.5) * math.log(1 / 0.5) + (PSI_EPSILON - 0.5) * math.log(PSI_EPSILON / 0.5)
    assert psi(expected, actual, bins=2) == pytest.approx(hand)


def test_psi_bins_are_open_ended_so_scores_beyond_the_reference_range_still_count() -> None:
    expected = np.arange(1, 11)
    assert psi(expected, [-100, 200], bins=2) == 0.0


# --- summaries ------------------------------------------------------------------------------


def test_evaluate_returns_every_headline_metric_consistent_with_the_single_functions() -> None:
    result = evaluate(MIXED_Y, MIXED_P)
    assert tuple(result) == METRICS
    assert result["auc"] == pytest.approx(0.75)
    assert result["gini"] == pytest.approx(0.5)
    assert result["ks"] == pytest.approx(0.5)
    assert result["brier"] == pytest.approx(brier(MIXED_Y, MIXED_P))
    assert result["log_loss"] == pytest.approx(log_loss(MIXED_Y, MIXED_P))
    assert result["ece"] == pytest.approx(expected_calibration_error(MIXED_Y, MIXED_P))
    assert result["n"] == 4
    assert result["positive_rate"] == 0.5


def test_comparison_table_puts_models_side_by_side_with_metrics_in_a_fixed_order() -> None:
    table = comparison_table(
        {
            "lightgbm": evaluate(PERFECT_Y, PERFECT_P),
            "baseline": {"gini": 0.2, "auc": 0.6, "top_decile_lift": 1.4},
        }
    )
    assert list(table.columns) == ["lightgbm", "baseline"]
    assert list(table.index) == [*METRICS, "top_decile_lift"]
    assert table.loc["auc", "lightgbm"] == 1.0
    assert table.loc["gini", "baseline"] == 0.2
    assert np.isnan(table.loc["ks", "baseline"])
    assert np.isnan(table.loc["top_decile_lift", "lightgbm"])


# --- bad input ------------------------------------------------------------------------------


def test_labels_and_scores_of_different_lengths_are_rejected_naming_both_lengths() -> None:
    with pytest.raises(ConfigError, match=r"same length.*3 labels and 2 probabilities"):
        roc_auc([0, 1, 1], [0.2, 0.8])


@pytest.mark.parametrize("metric", [roc_auc, gini, ks, evaluate])
def test_ranking_metrics_reject_a_sample_of_one_class(metric) -> None:
    with pytest.raises(ConfigError, match=r"one class only.*1 \(paid\)"):
        metric([1, 1, 1], [0.2, 0.5, 0.8])


def test_probabilities_outside_0_1_are_rejected_naming_positions_and_values() -> None:
    with pytest.raises(ConfigError, match=r"2 values are outside \(positions 1: 1.2, 3: -0.1\)"):
        brier([0, 1, 0, 1], [0.2, 1.2, 0.3, -0.1])


def test_missing_probabilities_are_rejected_naming_positions() -> None:
    with pytest.raises(ConfigError, match=r"p has 1 missing or infinite value \(positions 2\)"):
        log_loss([0, 1, 1], [0.2, 0.6, np.nan])
    with pytest.raises(ConfigError, match=r"p has 1 missing"):
        roc_auc(pd.Series([0, 1]), pd.Series([0.3, None], dtype="Float64"))


def test_missing_labels_are_rejected() -> None:
    with pytest.raises(ConfigError, match=r"y has 1 missing"):
        roc_auc([0, np.nan, 1], [0.2, 0.5, 0.7])


def test_labels_other_than_0_and_1_are_rejected_with_the_fix() -> None:
    with pytest.raises(
        ConfigError, match=r"y must be 0 .* 1 value is not \(positions 1: 2.0\).*0/1"
    ):
        roc_auc([0, 2, 1], [0.2, 0.5, 0.7])


def test_text_and_two_dimensional_inputs_are_rejected() -> None:
    with pytest.raises(ConfigError, match="numbers only"):
        brier(["paid", "no"], [0.2, 0.5])
    with pytest.raises(ConfigError, match=r"one-dimensional.*proba\[:, 1\]"):
        brier([0, 1], [[0.8, 0.2], [0.3, 0.7]])


def test_empty_inputs_are_rejected() -> None:
    with pytest.raises(ConfigError, match="y is empty"):
        brier([], [])


def test_a_misspelt_strategy_is_rejected_with_a_suggestion() -> None:
    with pytest.raises(ConfigError, match="did you mean 'quantile'"):
        expected_calibration_error([0, 1], [0.2, 0.7], strategy="quantil")


@pytest.mark.parametrize("bins", [0, -3, 2.5, True])
def test_bins_must_be_a_whole_number_of_at_least_1(bins) -> None:
    with pytest.raises(ConfigError, match="bins must be a whole number"):
        reliability_curve([0, 1], [0.2, 0.7], bins=bins)


def test_lift_table_needs_a_row_per_decile_and_at_least_one_payer() -> None:
    with pytest.raises(ConfigError, match=r"3 rows for 10 deciles.*deciles=3"):
        lift_table([0, 1, 1], [0.1, 0.5, 0.9])
    with pytest.raises(ConfigError, match="at least one payer"):
        lift_table([0, 0, 0], [0.1, 0.5, 0.9], deciles=3)


def test_psi_rejects_a_constant_reference_and_missing_scores() -> None:
    with pytest.raises(ConfigError, match="expected_scores are all equal"):
        psi([0.4, 0.4, 0.4], [0.1, 0.9])
    with pytest.raises(ConfigError, match="actual_scores has 1 missing"):
        psi([0.1, 0.5, 0.9], [0.2, np.nan])


def test_comparison_table_rejects_empty_results_and_non_numbers() -> None:
    with pytest.raises(ConfigError, match="non-empty mapping"):
        comparison_table({})
    with pytest.raises(ConfigError, match=r"results\['m'\]\['auc'\] must be a number"):
        comparison_table({"m": {"auc": "high"}})
    with pytest.raises(ConfigError, match=r"results\['m'\] must be a mapping"):
        comparison_table({"m": [0.7]})
