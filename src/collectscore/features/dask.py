"""The feature library on Dask: the same features as :func:`collectscore.build_features`.

    import dask.dataframe as dd
    from collectscore.features.dask import build_features
    X = build_features(dd.read_parquet("tx/"), dd.read_parquet("debtors/"))

Needs the ``scale`` extra (``pip install 'collectscore[scale]'``). See ``docs/scale-dask.md``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .._errors import ConfigError
from ._build import _select
from ._dask import KEYS, as_dask, check_columns, co_partition, dd, feature_meta, features_graph
from ._frame import FeatureConfig

__all__ = ["KEYS", "build_features"]


def build_features(
    transactions: dd.DataFrame | pd.DataFrame,
    debtors: dd.DataFrame | pd.DataFrame,
    *,
    contacts: dd.DataFrame | pd.DataFrame | None = None,
    payments: dd.DataFrame | pd.DataFrame | None = None,
    config: FeatureConfig | None = None,
    features: Sequence[str] | None = None,
    npartitions: int | None = None,
) -> dd.DataFrame:
    """Point-in-time features of every ``debtors`` row as a lazy Dask DataFrame.

    The values are those of :func:`collectscore.build_features` (the same code runs on each
    partition). A Dask DataFrame has no MultiIndex, so ``debtor_id`` and ``as_of`` are the
    first two columns, followed by the features in ``catalog()`` order; rows come grouped by
    partition (not in ``debtors`` order). ``npartitions`` (default: the larger input's) is
    the number of account groups the work is split into. Missing columns are reported before
    anything is computed; value problems when the partition holding them is computed.
    """
    if config is not None and not isinstance(config, FeatureConfig):
        raise ConfigError(f"config must be a FeatureConfig; got {type(config).__name__}")
    if npartitions is not None and (
        isinstance(npartitions, bool) or not isinstance(npartitions, int) or npartitions < 1
    ):
        raise ConfigError(f"npartitions must be a whole number >= 1; got {npartitions!r}")
    tables = {
        "transactions": as_dask(transactions, "transactions", npartitions),
        "debtors": as_dask(debtors, "debtors", npartitions),
        "contacts": as_dask(contacts, "contacts", npartitions),
        "payments": as_dask(payments, "payments", npartitions),
    }
    check_columns(tables)
    names = list(_select(features))
    tx, deb = tables["transactions"], tables["debtors"]
    assert tx is not None and deb is not None
    n = npartitions or max(tx.npartitions, deb.npartitions)
    parts = co_partition(tx, deb, tables["contacts"], tables["payments"], n)
    return features_graph(parts, config=config, features=features, meta=feature_meta(names))
