"""Batch scoring on Spark: a registered propensity model applied with ``mlflow.pyfunc.spark_udf``.

``score(features)`` adds ``model``, ``model_version``, ``model_alias``, ``p_pay`` and
``risk_band`` to a Spark DataFrame of features (e.g. from
:func:`collectscore.features.spark.build_features`). The model version is pinned
when the UDF is made, so a promotion during the job changes nothing. Needs pyspark
(``pip install 'collectscore[scale]'``); see ``docs/scale-spark.md``.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

from .._errors import ConfigError
from ._bands import RISK_BANDS
from ._score import SCORE_COLUMNS, load_registered, require_features

try:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=FutureWarning, module=r"pyspark(\.|$)")
        from pyspark.sql import Column, DataFrame
        from pyspark.sql import functions as F
except ImportError as exc:  # pragma: no cover - exercised in a subprocess
    raise ImportError(
        "collectscore.scoring.spark needs pyspark, which is not installed. "
        "Fix: pip install 'collectscore[scale]'"
    ) from exc

if TYPE_CHECKING:
    from ..tracking import TrackingConfig

__all__ = ["SCORE_COLUMNS", "score"]


def score(
    features: DataFrame,
    model: str = "propensity",
    *,
    alias: str = "champion",
    version: str | int | None = None,
    tracking: TrackingConfig | None = None,
) -> DataFrame:
    """``features`` with :data:`SCORE_COLUMNS` appended, scored by ``model`` at ``alias``
    (or the exact ``version``) of the registry in ``tracking`` (default ``TrackingConfig()``).

    The columns the model was trained on are passed to it in its signature's order; a
    missing one is a ``ContractError`` naming it, raised before any job runs. Only the
    driver reads the registry: Spark ships the model to the executors.
    """
    import mlflow

    from ..tracking import TrackingConfig, use_tracking

    if not isinstance(features, DataFrame):
        raise ConfigError(
            f"features must be a Spark DataFrame; got {type(features).__name__}. Fix: use "
            "collectscore.scoring.score_features for pandas frames"
        )
    if not isinstance(model, str) or not model:
        raise ConfigError(f"model must be a registered model name; got {model!r}")
    tracking = tracking or TrackingConfig()
    pyfunc, info = load_registered(model, config=tracking, alias=alias, version=version)
    schema = pyfunc.metadata.get_input_schema()
    if schema is None or not schema.has_input_names():
        raise ConfigError(
            f"model '{model}' v{info.version} has no input signature with column names. "
            "Fix: log it with collectscore.tracking.log_model_run, which records one."
        )
    needed = list(schema.input_names())
    require_features(
        features,
        needed,
        info,
        "build the features with collectscore.features.spark.build_features (or give the "
        "table the model was trained on)",
    )
    use_tracking(tracking)
    predict = mlflow.pyfunc.spark_udf(
        features.sparkSession,
        f"models:/{model}/{info.version}",
        result_type="double",
        env_manager="local",
    )
    p_pay = predict(*(F.col(name) for name in needed))
    return features.select(
        "*",
        F.lit(info.name).alias("model"),
        F.lit(info.version).alias("model_version"),
        F.lit(alias if version is None else ",".join(info.aliases)).alias("model_alias"),
        p_pay.alias("p_pay"),
    ).withColumn("risk_band", _risk_band(F.col("p_pay")))


def _risk_band(p: Column) -> Column:
    """The band of each p_pay, from :data:`RISK_BANDS` (best first)."""
    bands = sorted(RISK_BANDS, key=lambda band: -band.floor)
    expr = F.when(p >= bands[0].floor, F.lit(bands[0].name))
    for band in bands[1:]:
        expr = expr.when(p >= band.floor, F.lit(band.name))
    return expr
