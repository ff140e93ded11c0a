"""Evaluation figures: ROC, calibration, lift and the SHAP summary of a propensity model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from sklearn.metrics import roc_curve

from collectscore import ConfigError, ContractError
from collectscore.models import PropensityModel, lift_table, reliability_curve, roc_auc
from collectscore.training._figures import (
    EXPECTED_VALUE,
    MISSING_COLOUR,
    calibration_figure,
    lift_figure,
    roc_figure,
    shap_contributions,
    shap_importance,
    shap_summary_figure,
)

N = 400


def _portfolio(seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Paying follows ``signal`` strongly and ``weak`` a little; ``a_noise`` is pure noise."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "a_noise": rng.normal(size=N),
            "signal": rng.normal(size=N),
            "weak": rng.normal(size=N),
        },
        index=pd.Index([f"d{i:03d}" for i in range(N)], name="debtor_id"),
    )
    y = (X["signal"] + 0.7 * X["weak"] + rng.normal(0, 0.5, N) > 0).astype(int).to_numpy()
    return X, y


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, np.ndarray]:
    return _portfolio()


@pytest.fixture(scope="module")
def model(data: tuple[pd.DataFrame, np.ndarray]) -> PropensityModel:
    X, y = data
    return PropensityModel(n_estimators=50, calibration="none").fit(X, y)


@pytest.fixture(scope="module")
def scores(data: tuple[pd.DataFrame, np.ndarray], model: PropensityModel) -> dict[str, np.ndarray]:
    X, _ = data
    noise = np.random.default_rng(7).uniform(size=N)
    return {"lightgbm": model.predict_proba(X)[:, 1], "random": noise}


def _legend(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def _dots(fig: Figure) -> list[PathCollection]:
    return [c for c in fig.axes[0].collections if isinstance(c, PathCollection)]


# --- ROC ------------------------------------------------------------------------------------


def test_roc_figure_draws_one_curve_per_model_with_its_auc_and_the_chance_diagonal(data, scores):
    _, y = data
    fig = roc_figure(y, scores)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert len(ax.get_lines()) == len(scores) + 1
    assert _legend(ax) == [f"{name} (AUC {roc_auc(y, p):.3f})" for name, p in scores.items()] + [
        "chance"
    ]
    assert ax.get_xlabel() == "false positive rate"
    assert ax.get_ylabel() == "true positive rate"
    assert ax.get_title() == "ROC on the test period"
    diagonal = ax.get_lines()[-1]
    np.testing.assert_array_equal(diagonal.get_xdata(), [0, 1])
    np.testing.assert_array_equal(diagonal.get_ydata(), [0, 1])


def test_roc_curve_points_are_sklearn_roc_curve_with_paid_as_positive(data, scores):
    _, y = data
    fig = roc_figure(pd.Series(y), {"lightgbm": pd.Series(scores["lightgbm"])})
    fpr, tpr, _ = roc_curve(y, scores["lightgbm"], pos_label=1)
    line = fig.axes[0].get_lines()[0]
    np.testing.assert_allclose(line.get_xdata(), fpr)
    np.testing.assert_allclose(line.get_ydata(), tpr)


# --- calibration ----------------------------------------------------------------------------


def test_calibration_figure_has_a_reliability_diagram_over_a_score_histogram(data, scores):
    _, y = data
    fig = calibration_figure(y, scores)
    assert len(fig.axes) == 2
    diagram, hist = fig.axes
    assert len(diagram.get_lines()) == len(scores) + 1
    assert _legend(diagram) == [*scores, "perfectly calibrated"]
    assert diagram.get_xlabel() == "mean predicted p_pay"
    assert diagram.get_ylabel() == "observed pay rate"
    assert hist.get_xlabel() == "predicted p_pay"
    assert hist.get_ylabel() == "debtors"
    assert len(hist.patches) == len(scores)  # one step outline per model


def test_calibration_points_are_the_reliability_curve_and_markers_grow_with_count(data, scores):
    _, y = data
    fig = calibration_figure(y, scores, bins=8)
    diagram, hist = fig.axes
    markers = diagram.collections
    assert len(markers) == len(scores)
    for (name, p), line, dots, outline in zip(
        scores.items(), diagram.get_lines(), markers, hist.patches, strict=False
    ):
        curve = reliability_curve(y, p, bins=8)
        filled = curve[curve["count"] > 0]
        expected = filled[["p_mean", "observed"]].to_numpy()
        np.testing.assert_allclose(dots.get_offsets(), expected, err_msg=name)
        np.testing.assert_allclose(np.column_stack(line.get_data()), expected, err_msg=name)
        sizes = dots.get_sizes()
        assert (
            np.argsort(sizes, kind="stable") == np.argsort(filled["count"], kind="stable")
        ).all()
        # the histogram counts the same bins: its tallest step is the fullest bin
        assert outline.get_xy()[:, 1].max() == curve["count"].max()


def test_calibration_keeps_empty_bins_out_of_the_diagram(data):
    _, y = data
    p = np.where(y == 1, 0.85, 0.15)  # only two of ten bins hold scores
    fig = calibration_figure(y, {"two values": p})
    assert len(fig.axes[0].collections[0].get_offsets()) == 2


# --- lift -----------------------------------------------------------------------------------


def test_lift_figure_bars_are_the_tables_lift_with_a_line_at_one(data, scores):
    _, y = data
    table = lift_table(y, scores["lightgbm"])
    fig = lift_figure(table)
    assert len(fig.axes) == 2
    bars, _ = fig.axes
    heights = [patch.get_height() for patch in bars.patches]
    np.testing.assert_allclose(heights, table["lift"])
    centres = [patch.get_x() + patch.get_width() / 2 for patch in bars.patches]
    np.testing.assert_allclose(centres, table["decile"])
    (one,) = bars.get_lines()
    np.testing.assert_array_equal(one.get_ydata(), [1, 1])
    assert bars.get_xlabel() == "score decile (1 = highest p_pay)"


def test_lift_figure_capture_curve_runs_from_zero_against_the_share_contacted(data, scores):
    _, y = data
    table = lift_table(y, scores["lightgbm"], deciles=5)
    _, gains = lift_figure(table).axes
    curve, diagonal = gains.get_lines()
    np.testing.assert_allclose(curve.get_xdata(), [0, 0.2, 0.4, 0.6, 0.8, 1.0])
    np.testing.assert_allclose(curve.get_ydata(), [0, *table["cumulative_capture"]])
    np.testing.assert_array_equal(diagonal.get_ydata(), [0, 1])
    assert gains.get_xlabel().startswith("share of debtors contacted")
    assert gains.get_ylabel() == "share of payers captured"
    assert _legend(gains) == ["model order", "random order"]


# --- SHAP values ----------------------------------------------------------------------------


def test_shap_contributions_add_up_to_the_decision_function(data, model):
    X, _ = data
    contrib = shap_contributions(model, X)
    assert list(contrib.columns) == [*model.feature_names_in_, EXPECTED_VALUE]
    assert contrib.index.equals(X.index)
    np.testing.assert_allclose(
        contrib.sum(axis=1).to_numpy(), model.decision_function(X), rtol=0, atol=1e-9
    )
    assert contrib[EXPECTED_VALUE].nunique() == 1


def test_shap_contributions_follow_the_fitted_order_whatever_the_column_order_of_X(data, model):
    X, _ = data
    shuffled = X[["weak", "a_noise", "signal"]]
    pd.testing.assert_frame_equal(shap_contributions(model, shuffled), shap_contributions(model, X))


def test_shap_importance_ranks_features_by_mean_absolute_contribution(data, model):
    X, _ = data
    importance = shap_importance(model, X)
    assert list(importance.columns) == ["feature", "mean_abs_shap"]
    assert isinstance(importance.index, pd.RangeIndex)
    expected = shap_contributions(model, X).drop(columns=EXPECTED_VALUE).abs().mean()
    expected = expected.sort_values(ascending=False)
    assert list(importance["feature"]) == list(expected.index)
    np.testing.assert_allclose(importance["mean_abs_shap"], expected.to_numpy())
    assert importance["feature"].iloc[0] == "signal"


def test_a_feature_the_model_ignores_has_zero_importance_and_ranks_last(data):
    X, y = data
    stumps = PropensityModel(
        n_estimators=30, num_leaves=2, calibration="none", validation_fraction=0
    ).fit(X, y)
    importance = shap_importance(stumps, X)
    # "a_noise" would sort first by name: it is last because nothing depends on it
    assert list(importance["feature"]) == ["signal", "weak", "a_noise"]
    assert importance["mean_abs_shap"].iloc[-1] == 0.0
    assert (importance["mean_abs_shap"].iloc[:2] > 0.1).all()


def test_shap_importance_breaks_ties_by_feature_name(data):
    X, y = data
    flat = X[["signal"]].assign(zeta=1.0, alpha=1.0)
    stumps = PropensityModel(n_estimators=10, calibration="none", validation_fraction=0)
    importance = shap_importance(stumps.fit(flat, y), flat)
    assert list(importance["feature"]) == ["signal", "alpha", "zeta"]
    assert list(importance["mean_abs_shap"].iloc[1:]) == [0.0, 0.0]


# --- SHAP summary ---------------------------------------------------------------------------


def test_shap_summary_figure_shows_the_top_features_most_important_first(data, model):
    X, _ = data
    fig = shap_summary_figure(model, X, top=2)
    assert len(fig.axes) == 2  # the beeswarm and its colour bar
    ax, bar = fig.axes
    ranked = list(shap_importance(model, X)["feature"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ranked[:2]
    bottom, top = ax.get_ylim()
    assert bottom > top  # first tick (the most important) drawn at the top
    assert ax.get_xlabel() == "SHAP value (log-odds of paying)"
    assert bar.get_ylabel() == "feature value (low -> high)"
    (zero,) = ax.get_lines()
    np.testing.assert_array_equal(zero.get_xdata(), [0, 0])
    (dots,) = _dots(fig)
    assert len(dots.get_offsets()) == N * 2
    assert len(shap_summary_figure(model, X, top=50).axes[0].get_yticklabels()) == 3


def test_shap_summary_dots_are_the_contributions_with_a_small_vertical_jitter(data, model):
    X, _ = data
    fig = shap_summary_figure(model, X, top=1)
    (dots,) = _dots(fig)
    offsets = np.asarray(dots.get_offsets())
    contrib = shap_contributions(model, X)
    np.testing.assert_allclose(offsets[:, 0], contrib["signal"])
    assert np.abs(offsets[:, 1]).max() <= 0.4
    assert offsets[:, 1].std() > 0.01


def test_shap_summary_colour_is_the_value_scaled_between_its_5_and_95_percentiles(data, model):
    X, _ = data
    (dots,) = _dots(shap_summary_figure(model, X, top=1))
    values = X["signal"].to_numpy()
    low, high = np.percentile(values, [5, 95])
    np.testing.assert_allclose(dots.get_array(), np.clip((values - low) / (high - low), 0, 1))
    assert dots.get_clim() == (0.0, 1.0)


def test_shap_summary_draws_missing_values_in_grey(data, model):
    X, _ = data
    holes = X.copy()
    holes.loc[holes.index[:30], "signal"] = np.nan
    fig = shap_summary_figure(model, holes, top=1)
    coloured, grey = _dots(fig)
    assert len(coloured.get_offsets()) == N - 30
    assert len(grey.get_offsets()) == 30
    np.testing.assert_allclose(grey.get_facecolors()[0][:3], to_rgba(MISSING_COLOUR)[:3])
    assert "missing value" in _legend(fig.axes[0])


def test_shap_summary_samples_at_most_max_rows_rows_deterministically_by_seed(data, model):
    X, _ = data

    def offsets(seed: int) -> np.ndarray:
        fig = shap_summary_figure(model, X, max_rows=100, seed=seed)
        return np.concatenate([d.get_offsets() for d in _dots(fig)])

    first = offsets(seed=3)
    assert first.shape == (100 * 3, 2)
    np.testing.assert_array_equal(first, offsets(seed=3))
    assert not np.array_equal(first, offsets(seed=4))
    # the dots are contributions of real rows of X
    shown = shap_summary_figure(model, X, max_rows=100, top=1, seed=3)
    x = np.asarray(_dots(shown)[0].get_offsets())[:, 0]
    assert np.isin(x, shap_contributions(model, X)["signal"].to_numpy()).all()


# --- rendering and import hygiene -----------------------------------------------------------


def test_every_figure_renders_to_png(tmp_path: Path, data, model, scores):
    X, y = data
    figures = {
        "roc": roc_figure(y, scores),
        "calibration": calibration_figure(y, scores),
        "lift": lift_figure(lift_table(y, scores["lightgbm"])),
        "shap": shap_summary_figure(model, X, max_rows=200),
    }
    for name, fig in figures.items():
        path = tmp_path / f"{name}.png"
        fig.savefig(path, dpi=50)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


def test_the_figures_module_never_loads_pyplot():
    code = (
        "import sys, collectscore.training._figures; sys.exit('matplotlib.pyplot' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("draw", [roc_figure, calibration_figure])
@pytest.mark.parametrize("scores_arg", [{}, [0.1, 0.9], None])
def test_scores_must_be_a_non_empty_mapping(data, draw, scores_arg):
    _, y = data
    with pytest.raises(ConfigError, match="non-empty mapping of model name"):
        draw(y, scores_arg)


@pytest.mark.parametrize("draw", [roc_figure, calibration_figure])
def test_scores_of_another_length_than_y_are_rejected_naming_the_model(data, scores, draw):
    _, y = data
    bad = {"lightgbm": scores["lightgbm"], "short": scores["random"][:-5]}
    with pytest.raises(ConfigError, match=r"scores\['short'\].*same length"):
        draw(y, bad)


def test_raw_scores_outside_zero_one_are_rejected_naming_the_model(data, model):
    X, y = data
    with pytest.raises(ConfigError, match=r"scores\['margin'\].*probabilities"):
        roc_figure(y, {"margin": model.decision_function(X)})


def test_calibration_bins_must_be_a_whole_number(data, scores):
    _, y = data
    with pytest.raises(ConfigError, match="bins must be a whole number"):
        calibration_figure(y, scores, bins=0)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("not a table", "DataFrame made by lift_table"),
        (
            pd.DataFrame({"decile": [1], "lift": [1.0]}),
            "lacks columns 'count', 'cumulative_capture'",
        ),
        (
            pd.DataFrame(columns=["decile", "count", "lift", "cumulative_capture"]),
            "has no rows",
        ),
        (
            pd.DataFrame(
                {
                    "decile": [1, 2],
                    "count": [5, 5],
                    "lift": [1.5, np.nan],
                    "cumulative_capture": [0.7, 1],
                }
            ),
            "column 'lift' must hold finite numbers; rows 1",
        ),
    ],
)
def test_lift_figure_rejects_what_is_not_a_lift_table(table, message):
    with pytest.raises(ConfigError, match=message):
        lift_figure(table)


@pytest.mark.parametrize("explain", [shap_contributions, shap_importance, shap_summary_figure])
def test_shap_needs_a_fitted_propensity_model(data, explain):
    X, _ = data
    with pytest.raises(ConfigError, match=r"not fitted yet.*model\.fit"):
        explain(PropensityModel(), X)
    with pytest.raises(
        ConfigError, match=r"must be a fitted collectscore\.models\.PropensityModel"
    ):
        explain(object(), X)


@pytest.mark.parametrize("explain", [shap_contributions, shap_importance, shap_summary_figure])
def test_shap_rejects_features_other_than_the_fitted_ones(data, model, explain):
    X, _ = data
    renamed = X.rename(columns={"weak": "weakk"})
    with pytest.raises(ContractError, match=r"missing 'weak'; did you mean 'weakk'\?"):
        explain(model, renamed)
    with pytest.raises(ConfigError, match="X must be a pandas DataFrame"):
        explain(model, X.to_numpy())


@pytest.mark.parametrize(
    ("option", "value"),
    [("max_rows", 0), ("top", 0), ("top", True), ("seed", -1), ("max_rows", 2.5)],
)
def test_shap_summary_options_must_be_whole_numbers(data, model, option, value):
    X, _ = data
    with pytest.raises(ConfigError, match=f"{option} must be a whole number"):
        shap_summary_figure(model, X, **{option: value})
