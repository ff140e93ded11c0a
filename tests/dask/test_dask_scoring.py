"""Batch scoring on Dask: the registered pyfunc applied per partition gives its pandas scores."""

from __future__ import annotations

from pathlib import Path

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from distributed import Client

from collectscore._data import Dataset
from collectscore._errors import ConfigError, ContractError
from collectscore.features.dask import build_features
from collectscore.models import PropensityModel
from collectscore.scoring import risk_band
from collectscore.scoring._score import SCORE_COLUMNS
from collectscore.scoring.dask import score
from collectscore.tracking import TrackingConfig, log_model_run, promote
from collectscore.tracking._registry import PropensityPyfunc

#: The name the local model of these tests is registered under.
NAME = "propensity-local"


@pytest.fixture(scope="module")
def champion(
    sample: Dataset, pandas_features: pd.DataFrame, tracking: TrackingConfig
) -> tuple[TrackingConfig, PropensityModel]:
    """A small local model on the sample's features, registered as NAME and promoted."""
    from collectscore import paid_within_horizon

    X = pandas_features.reset_index(drop=True)
    y = paid_within_horizon(sample.debtors, sample.payments).to_numpy()
    model = PropensityModel(n_estimators=40, calibration="sigmoid").fit(X, y)
    log_model_run(model, X, y, metrics={}, params={}, config=tracking, registered_name=NAME)
    promote(NAME, X, y, config=tracking)
    return tracking, model


def test_scores_equal_the_pyfunc_on_pandas_for_every_row(
    client: Client, sample: Dataset, champion: tuple[TrackingConfig, PropensityModel]
) -> None:
    tracking, model = champion
    features = build_features(
        sample.transactions,
        sample.debtors,
        contacts=sample.contacts,
        payments=sample.payments,
        npartitions=3,
    )
    lazy = score(features, NAME, tracking=tracking)
    scored = lazy.compute()
    assert list(scored.columns) == ["debtor_id", "as_of", *SCORE_COLUMNS]
    pd.testing.assert_series_equal(scored.dtypes, lazy.dtypes)
    X = features.compute()
    expected = PropensityPyfunc(model).predict(None, X.drop(columns=["debtor_id", "as_of"]))
    np.testing.assert_allclose(scored["p_pay"], expected["p_pay"], rtol=0, atol=1e-9)
    assert (scored["model_alias"] == "champion").all()
    assert (scored["model_version"] == "1").all()
    assert scored["risk_band"].tolist() == list(risk_band(scored["p_pay"].to_numpy()))
    pd.testing.assert_frame_equal(scored[["debtor_id", "as_of"]], X[["debtor_id", "as_of"]])


def test_a_missing_feature_column_is_reported_before_anything_is_computed(
    sample: Dataset, champion: tuple[TrackingConfig, PropensityModel]
) -> None:
    tracking, _ = champion
    features = build_features(sample.transactions, sample.debtors).drop(columns=["days_past_due"])
    with pytest.raises(ContractError) as caught:
        score(features, NAME, tracking=tracking)
    assert "'days_past_due'" in str(caught.value)
    assert f"{NAME} v1" in str(caught.value)


def test_scoring_needs_a_dask_frame_and_a_registered_model(
    sample: Dataset, champion: tuple[TrackingConfig, PropensityModel], tmp_path: Path
) -> None:
    tracking, _ = champion
    with pytest.raises(ConfigError, match="Dask DataFrame"):
        score(pd.DataFrame({"a": [1.0]}), NAME, tracking=tracking)
    frame = dd.from_pandas(pd.DataFrame({"a": [1.0]}), npartitions=1)
    with pytest.raises(ConfigError, match="no version with the alias 'gold'"):
        score(frame, NAME, alias="gold", tracking=tracking)
    with pytest.raises(ConfigError, match="no registered model"):
        score(frame, tracking=TrackingConfig(root=tmp_path))
