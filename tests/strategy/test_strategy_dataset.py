"""segment_dataset on the committed synthetic sample, and the generated strategy page."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from collectscore import ConfigError, ContractError, build_features
from collectscore._data import Dataset
from collectscore.datasets import load_sample
from collectscore.strategy import SEGMENTS, segment_dataset, strategy_markdown


@pytest.fixture(scope="module")
def sample(repo_root: Path) -> Dataset:
    return load_sample(repo_root / "data" / "sample")


@pytest.fixture(scope="module")
def true_p_pay(sample: Dataset) -> pd.Series:
    return sample.truth["debtors"].set_index(["debtor_id", "as_of"])["p_pay"]


@pytest.fixture(scope="module")
def segments(sample: Dataset, true_p_pay: pd.Series) -> pd.DataFrame:
    return segment_dataset(sample, true_p_pay)


def test_every_snapshot_of_the_sample_gets_a_segment_indexed_like_the_features(
    sample: Dataset, segments: pd.DataFrame
):
    keys = build_features(sample.transactions, sample.debtors, features=["outstanding"]).index
    assert segments.index.equals(keys)
    assert segments["segment"].isin([s.name for s in SEGMENTS]).all()
    assert segments["reason"].str.len().gt(0).all()


def test_on_the_sample_segments_follow_the_true_traits(sample: Dataset, segments: pd.DataFrame):
    truth = sample.truth["debtors"].set_index(["debtor_id", "as_of"])
    keys = segments.index.set_levels(
        segments.index.levels[1].astype("datetime64[us]"), level="as_of"
    )
    willingness = truth["willingness"].reindex(keys).to_numpy()
    by_segment = pd.Series(willingness).groupby(segments["segment"].to_numpy()).mean()
    assert by_segment["self_cure"] > by_segment["neither"] + 0.2
    assert by_segment["willing_unable"] > by_segment["able_unwilling"]
    assert segments.loc[segments["segment"] == "neither", "human_review"].all()


def test_score_frames_with_key_columns_are_accepted(
    sample: Dataset, true_p_pay: pd.Series, segments: pd.DataFrame
):
    scores = true_p_pay.reset_index()
    scores["as_of"] = scores["as_of"].dt.strftime("%Y-%m-%d")
    again = segment_dataset(sample, scores)
    pd.testing.assert_frame_equal(again, segments)


def test_a_snapshot_without_p_pay_is_an_error_naming_it(sample: Dataset, true_p_pay: pd.Series):
    first = true_p_pay.index[0]
    with pytest.raises(ContractError) as info:
        segment_dataset(sample, true_p_pay.drop(first))
    text = str(info.value)
    assert f"{first[0]} {first[1]:%Y-%m-%d}" in text
    assert "none for 1 snapshot" in text


def test_repeated_p_pay_keys_are_rejected(sample: Dataset, true_p_pay: pd.Series):
    with pytest.raises(ContractError, match="one p_pay per"):
        segment_dataset(sample, pd.concat([true_p_pay, true_p_pay.iloc[:2]]))


def test_p_pay_needs_the_snapshot_keys(sample: Dataset, true_p_pay: pd.Series):
    with pytest.raises(ContractError, match="index the scores by debtor_id and as_of"):
        segment_dataset(sample, true_p_pay.reset_index(drop=True))


def test_the_strategy_page_matches_the_declarations(repo_root: Path, regenerate_golden: bool):
    page = repo_root / "docs" / "strategy.md"
    rendered = strategy_markdown()
    if regenerate_golden:
        page.write_text(rendered, encoding="utf-8")
    assert page.read_text(encoding="utf-8") == rendered, (
        "docs/strategy.md is out of date with src/collectscore/strategy/_declare.py; "
        "run `pytest tests/strategy --regenerate-golden`"
    )
    for s in SEGMENTS:
        assert f"| `{s.name}` | {s.label} | {s.stage} |" in rendered
        assert f"| `{s.name}` | `{s.action}`" in rendered  # each segment has a worked example


def test_a_missing_score_value_is_reported_as_a_missing_p_pay(
    sample: Dataset, true_p_pay: pd.Series
):
    scores = true_p_pay.copy()
    scores.iloc[3] = float("nan")
    with pytest.raises(ContractError) as info:
        segment_dataset(sample, scores)
    (problem,) = info.value.problems
    assert (problem.column, problem.n_rows) == ("p_pay", 1)
    assert "missing values" in problem.received


def test_features_already_built_give_the_same_segments(
    sample: Dataset, true_p_pay: pd.Series, segments: pd.DataFrame
) -> None:
    built = build_features(sample.transactions, sample.debtors)
    pd.testing.assert_frame_equal(segment_dataset(sample, true_p_pay, features=built), segments)


def test_features_without_the_capacity_inputs_are_refused(
    sample: Dataset, true_p_pay: pd.Series
) -> None:
    built = build_features(sample.transactions, sample.debtors).drop(columns="funds_available_now")
    with pytest.raises(ConfigError, match="features lacks 'funds_available_now'"):
        segment_dataset(sample, true_p_pay, features=built)
