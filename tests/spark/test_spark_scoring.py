"""``collectscore.scoring.spark.score``: the champion applied with ``spark_udf``, same scores."""

from __future__ import annotations

from typing import Any

import mlflow
import numpy as np
import pandas as pd
import pytest
from sparkhelpers import Champion, no_spark_job

import collectscore as cs
from collectscore.scoring import risk_band
from collectscore.scoring.spark import SCORE_COLUMNS, score
from collectscore.tracking import use_tracking


def test_spark_scores_of_the_spark_features_equal_the_champions_pandas_scores(
    spark_features_frame: Any, sample_features: pd.DataFrame, champion: Champion
) -> None:
    scored = score(spark_features_frame, tracking=champion.tracking)
    assert scored.columns == [*spark_features_frame.columns, *SCORE_COLUMNS]
    got = scored.select("debtor_id", "as_of", *SCORE_COLUMNS).toPandas()
    got["as_of"] = pd.to_datetime(got["as_of"])
    got = got.set_index(["debtor_id", "as_of"]).sort_index()

    use_tracking(champion.tracking)
    pyfunc = mlflow.pyfunc.load_model(f"models:/propensity/{champion.version}")
    names = pyfunc.metadata.get_input_schema().input_names()
    expected = sample_features.sort_index()
    want = pyfunc.predict(expected[names])["p_pay"].to_numpy()

    assert len(got) == len(expected)
    np.testing.assert_allclose(got["p_pay"].to_numpy(), want, rtol=1e-9, atol=1e-9)
    assert (got["risk_band"].to_numpy() == risk_band(want)).all()
    assert set(got["model"]) == {"propensity"}
    assert set(got["model_version"]) == {champion.version}
    assert set(got["model_alias"]) == {"champion"}


def test_a_missing_feature_column_is_named_before_any_job(
    spark: Any, spark_features_frame: Any, champion: Champion
) -> None:
    partial = spark_features_frame.drop("balance_min_90d")
    with no_spark_job(spark), pytest.raises(cs.ContractError) as caught:
        score(partial, tracking=champion.tracking)
    message = str(caught.value)
    assert "table 'features'" in message
    assert "missing 'balance_min_90d'" in message
    assert "build_features" in message


def test_an_unknown_model_or_alias_is_a_clear_error(
    spark_features_frame: Any, champion: Champion
) -> None:
    with pytest.raises(cs.ConfigError, match="did you mean 'propensity'"):
        score(spark_features_frame, "propensty", tracking=champion.tracking)
    with pytest.raises(cs.ConfigError, match="no version with the alias 'gold'"):
        score(spark_features_frame, alias="gold", tracking=champion.tracking)
    with pytest.raises(cs.ConfigError, match="must be a Spark DataFrame"):
        score(pd.DataFrame(), tracking=champion.tracking)
