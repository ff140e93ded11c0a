"""Point-in-time features on Spark: the same feature code, run per group of accounts.

``build_features(transactions, debtors)`` takes Spark DataFrames holding the contract
tables and returns a Spark DataFrame with the features of
:func:`collectscore.build_features` (same values). Needs pyspark
(``pip install 'collectscore[scale]'``); see ``docs/scale-spark.md``.
"""

from __future__ import annotations

from ._spark import build_features, output_schema

__all__ = ["build_features", "output_schema"]
