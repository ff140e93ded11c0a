"""The numbers a report recomputes on the holdout: groups, gaps, monotonicity, reason codes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..models import PropensityModel, roc_auc

#: Days-past-due bands (upper bounds inclusive) and their labels.
DPD_EDGES: tuple[float, ...] = (-np.inf, 0, 30, 60, 90, np.inf)
DPD_BANDS: tuple[str, ...] = ("current", "1-30", "31-60", "61-90", "90+")
#: A numeric protected column with more distinct values than this is cut into quantile bands.
MAX_GROUPS = 10
GROUP_BANDS = 4
#: The four-fifths rule: a group's approval rate below this share of the best group's is flagged.
FOUR_FIFTHS = 0.8
#: Groups smaller than this are flagged as too small to judge.
SMALL_GROUP = 30
#: Grid points of the partial-dependence curves.
PD_POINTS = 15
_TOL = 1e-9
#: The monotonicity verdict of a feature without a declared direction.
NO_DIRECTION = "nothing declared"

GROUP_COLUMNS = [
    "group",
    "n",
    "pay_rate",
    "mean_p_pay",
    "calibration_gap",
    "auc",
    "auc_gap",
    "approval_rate",
    "approval_ratio",
    "flag",
]


def dpd_band(days: pd.Series) -> pd.Series:
    """Days past due as the bands current, 1-30, 31-60, 61-90, 90+ (missing stays missing)."""
    values = pd.to_numeric(days, errors="coerce")
    bands = pd.cut(values, bins=list(DPD_EDGES), labels=list(DPD_BANDS), right=True)
    return bands.astype("string")


def group_labels(values: pd.Series) -> pd.Series:
    """Group names: quantile bands for a many-valued number, ``(missing)`` for missing values."""
    values = values.reset_index(drop=True)
    if pd.api.types.is_numeric_dtype(values) and values.nunique() > MAX_GROUPS:
        values = pd.qcut(values, GROUP_BANDS, duplicates="drop").astype("string")
    labels = values.astype("string")
    return labels.where(labels.notna(), "(missing)").astype(str)


def performance_by(
    labels: pd.Series,
    y: np.ndarray,
    p: np.ndarray,
    threshold: float,
    order: list[str] | None = None,
) -> pd.DataFrame:
    """Per group: rows, pay rate, mean p_pay, calibration gap, AUC, approval rate and the gaps.

    ``approval_rate`` is the share with ``p_pay >= threshold``; ``approval_ratio`` divides it by
    the highest group's (the four-fifths rule flags a ratio below 0.8); ``auc_gap`` is the
    group's AUC minus the best group's. AUC is NaN where a group has one outcome only.
    """
    labels = labels.reset_index(drop=True).astype(str)
    groups = [g for g in (order or []) if (labels == g).any()]
    groups += sorted(set(labels.unique()) - set(groups))
    rows = []
    for group in groups:
        mask = (labels == group).to_numpy()
        yg, pg = y[mask], p[mask]
        rows.append(
            {
                "group": group,
                "n": int(mask.sum()),
                "pay_rate": float(yg.mean()),
                "mean_p_pay": float(pg.mean()),
                "calibration_gap": float(pg.mean() - yg.mean()),
                "auc": roc_auc(yg, pg) if len(np.unique(yg)) == 2 else float("nan"),
                "approval_rate": float((pg >= threshold).mean()),
            }
        )
    table = pd.DataFrame(rows)
    best_rate = table["approval_rate"].max()
    table["approval_ratio"] = table["approval_rate"] / best_rate if best_rate > 0 else np.nan
    table["auc_gap"] = table["auc"] - table["auc"].max()
    flags = np.where(
        table["n"] < SMALL_GROUP,
        f"fewer than {SMALL_GROUP} rows",
        np.where(table["approval_ratio"] < FOUR_FIFTHS, "below four-fifths", ""),
    )
    table["flag"] = flags
    return table[GROUP_COLUMNS]


def monotonicity(
    model: PropensityModel,
    X: pd.DataFrame,
    features: list[str],
    declared: dict[str, int],
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Partial dependence of mean p_pay on each feature, checked against its declared direction.

    Returns a table (feature, declared direction, monotone constraint, observed direction,
    consistent) and the curves (feature value, mean p_pay) per feature.
    """
    constraints = getattr(model, "monotone_constraints_", {})
    rows, curves = [], {}
    for name in features:
        column = X[name].to_numpy(dtype=float)
        finite = column[np.isfinite(column)]
        if finite.size == 0:
            continue
        grid = np.unique(np.quantile(finite, np.linspace(0.02, 0.98, PD_POINTS)))
        stacked = pd.concat([X] * grid.size, ignore_index=True)
        stacked[name] = np.repeat(grid, len(X))
        p = model.predict_proba(stacked)[:, 1].reshape(grid.size, len(X)).mean(axis=1)
        curves[name] = pd.DataFrame({"value": grid, "mean_p_pay": p})
        steps = np.diff(p)
        if grid.size < 2 or np.all(np.abs(steps) <= _TOL):
            observed = 0
            seen = "flat"
        elif np.all(steps >= -_TOL):
            observed, seen = 1, "rises"
        elif np.all(steps <= _TOL):
            observed, seen = -1, "falls"
        else:
            observed, seen = 2, "rises and falls"
        want = int(declared.get(name, 0))
        consistent = NO_DIRECTION if want == 0 else "yes" if observed in (want, 0) else "no"
        rows.append(
            {
                "feature": name,
                "declared": _direction(want),
                "constraint": _direction(int(constraints.get(name, 0))),
                "p_pay as it grows": seen,
                "change in mean p_pay": float(p[-1] - p[0]),
                "consistent": consistent,
            }
        )
    return pd.DataFrame(rows), curves


def _direction(sign: int) -> str:
    return {1: "higher pays more", -1: "higher pays less"}.get(sign, "none")


def reason_frequencies(codes: pd.DataFrame, n_rows: int, k: int) -> pd.DataFrame:
    """How often each reason appears among the top-``k`` "lowers" reasons of the rows."""
    lowers = codes[(codes["direction"] == "lowers") & (codes["rank"] <= k)]
    if lowers.empty:
        return pd.DataFrame(
            columns=["code", "feature", "debtors", "share", "as rank 1", "mean contribution"]
        )
    lowers = lowers.assign(first=(lowers["rank"] == 1).astype(int))
    grouped = lowers.groupby(["code", "feature"], sort=False)
    table = pd.DataFrame(
        {
            "debtors": grouped["row"].nunique(),
            "as rank 1": grouped["first"].sum(),
            "mean contribution": grouped["contribution"].mean(),
        }
    ).reset_index()
    table["share"] = table["debtors"] / n_rows
    table = table.sort_values(["debtors", "code"], ascending=[False, True], kind="stable")
    cols = ["code", "feature", "debtors", "share", "as rank 1", "mean contribution"]
    return table[cols].reset_index(drop=True)


def importance(contributions: pd.DataFrame) -> pd.DataFrame:
    """Mean |SHAP| per feature (log-odds), largest first, ties by name."""
    table = pd.DataFrame(
        {
            "feature": contributions.columns.astype(str),
            "mean_abs_shap": contributions.abs().mean(axis=0).to_numpy(),
        }
    )
    table = table.sort_values(["mean_abs_shap", "feature"], ascending=[False, True], kind="stable")
    return table.reset_index(drop=True)
