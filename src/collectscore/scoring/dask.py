"""Batch scoring on Dask: a registered model (the champion by default) applied per partition.

    from collectscore.features.dask import build_features
    from collectscore.scoring.dask import score
    scores = score(build_features(tx, debtors), tracking=TrackingConfig(root="project"))
    scores.to_parquet("scores/")

Needs the ``scale`` extra (``pip install 'collectscore[scale]'``). See ``docs/scale-dask.md``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._errors import ConfigError
from ..features._dask import KEYS, dd
from ._bands import risk_band
from ._score import SCORE_COLUMNS, load_registered, require_features

__all__ = ["score"]


def score(
    features: dd.DataFrame,
    model: str = "propensity",
    *,
    alias: str = "champion",
    tracking: Any = None,
) -> dd.DataFrame:
    """One row per row of ``features``: its key columns (``debtor_id``, ``as_of`` where
    present), then ``model``, ``model_version``, ``model_alias``, ``p_pay`` and ``risk_band``.

    The registered pyfunc of ``model`` at ``alias`` is loaded once here and shipped to each
    worker once (one graph key every partition task reads). Missing feature columns are a
    ``ContractError`` raised before anything is computed. ``tracking`` is a
    ``TrackingConfig`` (default: ``TrackingConfig()``).
    """
    import dask

    from ..tracking import TrackingConfig

    if not isinstance(features, dd.DataFrame):
        raise ConfigError(
            f"features must be a Dask DataFrame; got {type(features).__name__}. Fix: "
            "collectscore.features.dask.build_features(...), or dask.dataframe.from_pandas."
        )
    config = tracking if tracking is not None else TrackingConfig()
    pyfunc, info = load_registered(model, config=config, alias=alias)
    schema = pyfunc.metadata.get_input_schema()
    needed = list(schema.input_names()) if schema is not None else list(features.columns)
    require_features(
        features._meta,
        needed,
        info,
        "build the features with collectscore.features.dask.build_features (the same "
        "feature list as at training time)",
    )
    keys = [k for k in KEYS if k in features.columns]
    meta = features._meta[keys].assign(
        model=pd.Series([], dtype="str"),
        model_version=pd.Series([], dtype="str"),
        model_alias=pd.Series([], dtype="str"),
        p_pay=pd.Series([], dtype="float64"),
        risk_band=pd.Series([], dtype="str"),
    )
    shipped = dask.delayed(pyfunc, pure=True, traverse=False)
    return features.map_partitions(
        _score_partition,
        shipped,
        needed=needed,
        keys=keys,
        labels=(info.name, info.version, alias),
        meta=meta,
    )


def _score_partition(
    frame: pd.DataFrame,
    model: Any,
    *,
    needed: list[str],
    keys: list[str],
    labels: tuple[str, str, str],
) -> pd.DataFrame:
    out = frame[keys].copy()
    for column, value in zip(SCORE_COLUMNS[:3], labels, strict=True):
        out[column] = pd.Series(value, index=frame.index, dtype="str")
    if len(frame) == 0:
        p = np.empty(0, dtype=float)
    else:
        p = np.asarray(model.predict(frame[needed])["p_pay"], dtype=float)
    out["p_pay"] = p
    out["risk_band"] = pd.Series(risk_band(p), index=frame.index, dtype="str")
    return out
