"""How much each feature says about an outcome, on its own."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from ._registry import registry


def univariate_auc(features: pd.DataFrame, label: pd.Series | np.ndarray) -> pd.DataFrame:
    """ROC AUC of each feature alone for a 0/1 ``label``, strongest first.

    Missing values are filled with the feature's median. ``auc`` is oriented by the
    catalogue's direction (above 0.5: the declared direction is right; a feature
    without direction is taken as +1); ``strength`` is ``max(auc, 1 - auc)``.
    Constant features are left out.
    """
    y = np.asarray(label)
    specs = registry()
    rows = []
    for name in features.columns:
        x = features[name]
        if x.nunique(dropna=True) < 2:
            continue
        auc = float(roc_auc_score(y, x.fillna(x.median())))
        direction = specs[name].direction if name in specs else 0
        rows.append(
            {
                "feature": name,
                "family": specs[name].family if name in specs else "",
                "direction": direction,
                "auc": auc if direction >= 0 else 1 - auc,
                "strength": max(auc, 1 - auc),
                "missing": float(x.isna().mean()),
            }
        )
    table = pd.DataFrame(
        rows, columns=["feature", "family", "direction", "auc", "strength", "missing"]
    )
    return table.sort_values("strength", ascending=False, kind="stable").reset_index(drop=True)
