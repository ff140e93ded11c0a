"""Drift of a scoring batch against the champion's training data.

Per feature and for the score: the population stability index (PSI) on bins of the
reference, a two-sample Kolmogorov-Smirnov test, missing-value and out-of-range rates,
and a priority that puts drift in the features the model relies on (mean |SHAP|) first.

Binning (:func:`psi`): a numeric feature with at most ``bins`` distinct reference values
is binned by value (each value its own bin, values above the largest reference value in
one more bin); any other numeric feature by the reference's quantiles (``bins`` equal
shares, ties merged, open-ended at both sides, each bin ``[lower, upper)``); a text or
categorical one by category (plus one bin for categories the reference never had).
Missing values are one more bin in every case. A bin's share is floored at
``PSI_EPSILON`` (``1e-4``, as :func:`collectscore.models.psi`) so that an empty bin adds a
large but finite term: ``PSI = sum((current - reference) * ln(current / reference))``.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from collectscore._errors import EXAMPLE_ROWS, ConfigError, ContractError, Problem, did_you_mean
from collectscore.models._evaluation import PSI_EPSILON

if TYPE_CHECKING:
    from collectscore.tracking import TrackingConfig

#: The PSI bands, declared once: (name, lower bound inclusive, upper bound exclusive).
PSI_BANDS: tuple[tuple[str, float, float], ...] = (
    ("stable", 0.0, 0.1),
    ("watch", 0.1, 0.25),
    ("act", 0.25, math.inf),
)

#: The column of the model's score (calibrated chance to pay) in a reference sample.
SCORE_COLUMN = "p_pay"
#: Where a training run logs its monitoring reference (artifact folder and file).
REFERENCE_DIR = "monitoring"
REFERENCE_FILE = "reference.parquet"
#: At most this many training rows go into a monitoring reference.
REFERENCE_ROWS = 20_000
#: At most this many rows are explained to measure feature importance.
IMPORTANCE_ROWS = 5_000

#: The columns of :func:`feature_drift`, in order.
DRIFT_COLUMNS: tuple[str, ...] = (
    "feature",
    "family",
    "unit",
    "psi",
    "band",
    "ks_statistic",
    "ks_pvalue",
    "ks_drift",
    "missing_reference",
    "missing_current",
    "out_of_range",
    "importance",
    "priority",
    "description",
)


def psi_band(value: float) -> str:
    """The name of the :data:`PSI_BANDS` band ``value`` falls in (lower bounds inclusive)."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ConfigError(f"a PSI must be a number; got {value!r}")
    if math.isnan(value) or value < PSI_BANDS[0][1]:
        raise ConfigError(f"a PSI is a number >= {PSI_BANDS[0][1]:g}; got {value!r}")
    for name, low, high in PSI_BANDS:
        if low <= value < high:
            return name
    return PSI_BANDS[-1][0]


def psi_legend() -> str:
    """The bands in words, for reports: ``"stable: PSI < 0.1; watch: 0.1 <= PSI < 0.25; ..."``."""
    parts = []
    for name, low, high in PSI_BANDS:
        if low <= PSI_BANDS[0][1]:
            parts.append(f"{name}: PSI < {high:g}")
        elif math.isinf(high):
            parts.append(f"{name}: PSI >= {low:g}")
        else:
            parts.append(f"{name}: {low:g} <= PSI < {high:g}")
    return "; ".join(parts)


def _band_names() -> tuple[str, ...]:
    return tuple(name for name, _, _ in PSI_BANDS)


@dataclass(frozen=True)
class DriftConfig:
    """How drift is measured: ``bins`` PSI bins, the ``top`` features a report lists, and the
    KS test level (``ks_drift`` is true where the p-value is below ``ks_level``)."""

    bins: int = 10
    top: int = 10
    ks_level: float = 0.05

    def __post_init__(self) -> None:
        for name, low, meaning in (
            ("bins", 2, "the number of PSI bins"),
            ("top", 1, "how many drifting features a report lists"),
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
                raise ConfigError(
                    f"{name} ({meaning}) must be a whole number >= {low}; got {value!r}"
                )
        level = self.ks_level
        if (
            isinstance(level, bool)
            or not isinstance(level, int | float | np.integer | np.floating)
            or not 0 < level < 1
        ):
            raise ConfigError(
                f"ks_level (the KS test's significance level) must be a number strictly between "
                f"0 and 1, e.g. 0.05; got {level!r}"
            )


# ---------------------------------------------------------------- one column


def _kind(values: pd.Series) -> str:
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    numbers = ("integer", "floating", "mixed-integer-float", "decimal", "empty")
    if (
        pd.api.types.is_object_dtype(dtype)
        and pd.api.types.infer_dtype(values, skipna=True) in numbers
    ):
        return "numeric"
    return "category"


def _as_float(values: pd.Series, kind: str) -> np.ndarray:
    if kind == "datetime":
        stamps = pd.to_datetime(values)
        out = (stamps - pd.Timestamp(0, tz=stamps.dt.tz)) / pd.Timedelta(days=1)
        return out.to_numpy(dtype=float, na_value=np.nan)
    return pd.to_numeric(values).to_numpy(dtype=float, na_value=np.nan)


def _shares(ref_bin: np.ndarray, cur_bin: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    e = np.bincount(ref_bin, minlength=size) / max(ref_bin.size, 1)
    a = np.bincount(cur_bin, minlength=size) / max(cur_bin.size, 1)
    return e, a


def _numeric_bins(
    ref: np.ndarray, cur: np.ndarray, bins: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """Bin numbers of both samples (missing values last) on the reference's bins."""
    ref_ok, cur_ok = ~np.isnan(ref), ~np.isnan(cur)
    seen = np.unique(ref[ref_ok])
    if seen.size <= bins:  # discrete: a bin per value, (previous value, value]; above max: last
        edges, side = seen, "left"
    else:  # quantile bins [lower, upper)
        edges = np.unique(np.quantile(ref[ref_ok], np.linspace(0.0, 1.0, bins + 1)[1:-1]))
        side = "right"
    missing = edges.size + 1
    ref_bin = np.where(
        ref_ok, np.searchsorted(edges, np.where(ref_ok, ref, 0.0), side=side), missing
    )
    cur_bin = np.where(
        cur_ok, np.searchsorted(edges, np.where(cur_ok, cur, 0.0), side=side), missing
    )
    return ref_bin, cur_bin, missing + 1


def _category_bins(ref: pd.Series, cur: pd.Series) -> tuple[np.ndarray, np.ndarray, int]:
    ref_text = ref.astype("string")
    cur_text = cur.astype("string")
    levels = pd.Index(ref_text.dropna().unique())
    unseen, missing = len(levels), len(levels) + 1

    def codes(text: pd.Series) -> np.ndarray:
        code = levels.get_indexer(text.fillna("").to_numpy(dtype=object))
        code = np.where(code < 0, unseen, code)
        return np.where(text.isna().to_numpy(), missing, code)

    return codes(ref_text), codes(cur_text), missing + 1


def _psi_value(e: np.ndarray, a: np.ndarray) -> float:
    e = np.maximum(e, PSI_EPSILON)
    a = np.maximum(a, PSI_EPSILON)
    return float(np.sum((a - e) * np.log(a / e)))


def _column_drift(ref: pd.Series, cur: pd.Series, config: DriftConfig) -> dict[str, Any]:
    """PSI, KS, missing and out-of-range rates of one column."""
    from scipy.stats import ks_2samp

    kind = _kind(ref)
    if kind == "category" or _kind(cur) == "category":
        ref_bin, cur_bin, size = _category_bins(ref, cur)
        unseen = size - 2
        cur_present = cur_bin != size - 1
        out_of_range = (
            float(np.mean(cur_bin[cur_present] == unseen)) if cur_present.any() else math.nan
        )
        ks_stat = ks_p = math.nan
        miss_ref, miss_cur = np.mean(ref_bin == size - 1), np.mean(cur_bin == size - 1)
    else:
        r = _as_float(ref, kind)
        c = _as_float(cur, _kind(cur))
        ref_bin, cur_bin, size = _numeric_bins(r, c, config.bins)
        r_ok, c_ok = r[~np.isnan(r)], c[~np.isnan(c)]
        if r_ok.size and c_ok.size:
            outside = (c_ok < r_ok.min()) | (c_ok > r_ok.max())
            out_of_range = float(outside.mean())
            test = ks_2samp(r_ok, c_ok)
            ks_stat, ks_p = float(test.statistic), float(test.pvalue)
        else:
            out_of_range = ks_stat = ks_p = math.nan
        miss_ref, miss_cur = np.isnan(r).mean(), np.isnan(c).mean()
    value = _psi_value(*_shares(ref_bin, cur_bin, size))
    return {
        "psi": value,
        "band": psi_band(value),
        "ks_statistic": ks_stat,
        "ks_pvalue": ks_p,
        "ks_drift": bool(ks_p < config.ks_level) if not math.isnan(ks_p) else False,
        "missing_reference": float(miss_ref) if len(ref) else math.nan,
        "missing_current": float(miss_cur) if len(cur) else math.nan,
        "out_of_range": out_of_range,
    }


def _series(values: Any, name: str) -> pd.Series:
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise ConfigError(
                f"{name} must be one value per row (a Series or a 1-D array); got a DataFrame "
                f"with {values.shape[1]} columns"
            )
        values = values.iloc[:, 0]
    if isinstance(values, pd.Series):
        return values.reset_index(drop=True)
    array = np.asarray(values)
    if array.ndim != 1:
        raise ConfigError(f"{name} must be one value per row (1-D); got shape {array.shape}")
    return pd.Series(array)


def psi(reference: Any, current: Any, *, bins: int = 10) -> float:
    """Population stability index of ``current`` against ``reference`` (see the module notes).

    ``reference`` and ``current`` are 1-D (Series, array, list); missing values count as
    their own bin. 0 means the same distribution; see :data:`PSI_BANDS`.
    """
    config = DriftConfig(bins=bins)
    ref, cur = _series(reference, "reference"), _series(current, "current")
    for name, values in (("reference", ref), ("current", cur)):
        if values.empty:
            raise ConfigError(f"{name} has no values, so it has no distribution to compare")
    if _kind(ref) == "category" or _kind(cur) == "category":
        ref_bin, cur_bin, size = _category_bins(ref, cur)
    else:
        ref_bin, cur_bin, size = _numeric_bins(
            _as_float(ref, _kind(ref)), _as_float(cur, _kind(cur)), config.bins
        )
    return _psi_value(*_shares(ref_bin, cur_bin, size))


# ---------------------------------------------------------------- frames


def _check_frames(reference: Any, current: Any) -> list[str]:
    for name, frame in (("reference", reference), ("current", current)):
        if not isinstance(frame, pd.DataFrame):
            raise ConfigError(
                f"{name} must be a pandas DataFrame of features (one row per debtor snapshot); "
                f"got {type(frame).__name__}"
            )
        if frame.empty:
            raise ConfigError(
                f"{name} has no rows or no columns ({frame.shape[0]} x {frame.shape[1]}); "
                "pass the features of at least one scored row"
            )
    features = [str(c) for c in reference.columns]
    given = [str(c) for c in current.columns]
    for name, columns in (("reference", features), ("current", given)):
        twice = sorted({c for c in columns if columns.count(c) > 1})
        if twice:
            raise ConfigError(
                f"{name} has duplicate columns: {', '.join(twice)}; each feature must appear once"
            )
    missing = [c for c in features if c not in set(given)]
    if missing:
        raise ContractError(
            [
                Problem(
                    table="current batch",
                    column=name,
                    expected="every feature column of the reference (the champion's training data)",
                    received=f"no column '{name}'{did_you_mean(name, given)}",
                    fix="build the batch's features with the same feature set as the champion "
                    "(collectscore.features.build_features) or compare a reference without it",
                )
                for name in missing
            ]
        )
    return features


def _importance(importance: Any, features: list[str]) -> pd.Series | None:
    if importance is None:
        return None
    if not isinstance(importance, Mapping | pd.Series):
        raise ConfigError(
            "importance must map feature names to mean |SHAP| values (a dict or a Series, "
            f"e.g. from shap_importance(model, X)); got {type(importance).__name__}"
        )
    values = pd.Series(dict(importance.items()), dtype=object)
    values.index = values.index.map(str)
    unknown = [n for n in values.index if n not in set(features)]
    if unknown:
        shown = ", ".join(f"'{n}'{did_you_mean(n, features)}" for n in unknown[:EXAMPLE_ROWS])
        raise ConfigError(
            f"importance names {len(unknown)} feature(s) the reference does not have: {shown}. "
            "Fix: compute the importance on the same features (shap_importance(model, X))"
        )
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    bad = numbers[~np.isfinite(numbers) | (numbers < 0)]
    if len(bad):
        shown = ", ".join(f"{n}={values[n]!r}" for n in bad.index[:EXAMPLE_ROWS])
        raise ConfigError(
            f"importance values must be finite numbers >= 0 (mean |SHAP|); got {shown}"
        )
    # a feature the mapping leaves out has no importance for the model
    return numbers.reindex(features, fill_value=0.0)


def _catalogue(features: list[str]) -> pd.DataFrame:
    from collectscore.features import catalog

    cat = catalog().set_index("name")
    known = cat.reindex(features)
    return pd.DataFrame(
        {
            "family": known["family"].astype("string").to_numpy(),
            "unit": known["unit"].astype("string").to_numpy(),
            "description": known["description_en"].astype("string").to_numpy(),
        },
        index=features,
    )


def feature_drift(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    *,
    importance: Mapping[str, float] | None = None,
    config: DriftConfig | None = None,
) -> pd.DataFrame:
    """One row per feature of ``reference`` (columns :data:`DRIFT_COLUMNS`), most urgent first.

    ``importance`` (mean |SHAP| per feature, e.g. :func:`shap_importance`) makes ``priority``
    = ``psi x importance / max importance``, so drift in what the model relies on comes
    first; without it ``priority`` is the PSI. Features the mapping leaves out get
    importance 0. ``family``, ``unit`` and ``description`` come from the feature catalogue
    (missing for features it does not know). A reference feature absent from ``current`` is
    a :class:`ContractError` naming it; extra columns of ``current`` are not compared.
    """
    config = _config(config)
    features = _check_frames(reference, current)
    weights = _importance(importance, features)
    rows = [
        _column_drift(reference.iloc[:, i], current[features[i]], config)
        for i in range(len(features))
    ]
    frame = pd.DataFrame(rows, index=features)
    frame = frame.join(_catalogue(features))
    frame["feature"] = features
    if weights is None:
        frame["importance"] = np.nan
        frame["priority"] = frame["psi"]
    else:
        top = float(weights.max())
        frame["importance"] = weights.to_numpy()
        frame["priority"] = frame["psi"] * (weights.to_numpy() / top if top > 0 else 0.0)
    frame = frame.sort_values(
        ["priority", "psi", "feature"], ascending=[False, False, True], kind="stable"
    )
    return frame.loc[:, list(DRIFT_COLUMNS)].reset_index(drop=True)


def score_drift(
    reference_scores: Any, current_scores: Any, *, config: DriftConfig | None = None
) -> dict[str, Any]:
    """Drift of the model's score: ``psi``, ``band``, KS, means, missing and out-of-range rates."""
    config = _config(config)
    ref = _series(reference_scores, "reference_scores")
    cur = _series(current_scores, "current_scores")
    for name, values in (("reference_scores", ref), ("current_scores", cur)):
        if values.empty:
            raise ConfigError(f"{name} is empty; pass one score per scored row")
        if _kind(values) != "numeric":
            raise ConfigError(
                f"{name} must be numbers (the model's p_pay); got values of type {values.dtype}"
            )
    out = _column_drift(ref, cur, config)
    r, c = _as_float(ref, "numeric"), _as_float(cur, "numeric")
    return {
        **out,
        "mean_reference": float(np.nanmean(r)) if (~np.isnan(r)).any() else math.nan,
        "mean_current": float(np.nanmean(c)) if (~np.isnan(c)).any() else math.nan,
        "n_reference": len(ref),
        "n_current": len(cur),
    }


def _config(config: DriftConfig | None) -> DriftConfig:
    if config is None:
        return DriftConfig()
    if not isinstance(config, DriftConfig):
        raise ConfigError(f"config must be a DriftConfig; got {type(config).__name__}")
    return config


# ---------------------------------------------------------------- report


@dataclass
class DriftReport:
    """Feature and score drift of one batch; ``features`` is :func:`feature_drift`'s frame."""

    features: pd.DataFrame
    score: dict[str, Any] | None
    config: DriftConfig
    n_reference: int
    n_current: int
    #: Columns of the current batch the reference does not have (not compared).
    ignored_columns: tuple[str, ...] = field(default=())

    @property
    def flagged(self) -> list[str]:
        """Features outside the first (stable) band, most urgent first."""
        stable = PSI_BANDS[0][0]
        return self.features.loc[self.features["band"] != stable, "feature"].tolist()

    @property
    def score_band(self) -> str | None:
        return None if self.score is None else str(self.score["band"])

    def top(self, n: int | None = None) -> pd.DataFrame:
        """The ``n`` (default ``config.top``) most urgent features."""
        n = self.config.top if n is None else n
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ConfigError(f"n must be a whole number >= 1; got {n!r}")
        return self.features.head(n)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: sizes, bands, score drift, flagged and top features."""
        top = self.top().astype(object)
        top = top.where(top.notna(), None).to_dict(orient="records")
        return {
            "n_reference": self.n_reference,
            "n_current": self.n_current,
            "bands": [
                {"band": n, "min": lo, "max": None if math.isinf(hi) else hi}
                for n, lo, hi in PSI_BANDS
            ],
            "score": None if self.score is None else dict(self.score),
            "flagged": self.flagged,
            "top": top,
            "ignored_columns": list(self.ignored_columns),
        }


def drift_report(
    reference_X: pd.DataFrame,
    current_X: pd.DataFrame,
    *,
    reference_scores: Any = None,
    current_scores: Any = None,
    importance: Mapping[str, float] | None = None,
    config: DriftConfig | None = None,
) -> DriftReport:
    """Compare a scoring batch with the reference: every feature, and the score when both
    ``reference_scores`` and ``current_scores`` are given (one per row of their frame)."""
    config = _config(config)
    frame = feature_drift(reference_X, current_X, importance=importance, config=config)
    if (reference_scores is None) != (current_scores is None):
        given = "reference_scores" if current_scores is None else "current_scores"
        raise ConfigError(
            f"only {given} was given; pass both reference_scores and current_scores to "
            "measure score drift, or neither"
        )
    score = None
    if reference_scores is not None:
        for name, scores, X in (
            ("reference_scores", reference_scores, reference_X),
            ("current_scores", current_scores, current_X),
        ):
            if len(scores) != len(X):
                raise ConfigError(
                    f"{name} has {len(scores)} values for {len(X)} feature rows; pass one "
                    "score per row"
                )
        score = score_drift(reference_scores, current_scores, config=config)
    reference_cols = {str(c) for c in reference_X.columns}
    return DriftReport(
        features=frame,
        score=score,
        config=config,
        n_reference=len(reference_X),
        n_current=len(current_X),
        ignored_columns=tuple(str(c) for c in current_X.columns if str(c) not in reference_cols),
    )


# ---------------------------------------------------------------- importance and reference


def _sample(X: pd.DataFrame, max_rows: int, seed: int) -> pd.DataFrame:
    for name, value, low in (("max_rows", max_rows, 1), ("seed", seed, 0)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
            raise ConfigError(f"{name} must be a whole number >= {low}; got {value!r}")
    if not isinstance(X, pd.DataFrame) or X.empty:
        raise ConfigError(
            f"X must be a non-empty feature DataFrame; got {type(X).__name__}"
            + (" with no rows" if isinstance(X, pd.DataFrame) else "")
        )
    if len(X) <= max_rows:
        return X
    rows = np.sort(np.random.default_rng(seed).choice(len(X), size=max_rows, replace=False))
    return X.iloc[rows]


def shap_importance(
    model: Any, X: pd.DataFrame, *, max_rows: int = IMPORTANCE_ROWS, seed: int = 0
) -> pd.Series:
    """Mean |TreeSHAP contribution| per feature on at most ``max_rows`` rows of ``X``
    (a seeded sample), largest first; the ``importance`` of :func:`feature_drift`."""
    from collectscore.explanations import explain

    contributions = explain(model, _sample(X, max_rows, seed)).contributions
    out = contributions.abs().mean().sort_values(ascending=False, kind="stable")
    return out.rename("importance")


def reference_sample(
    model: Any, X: pd.DataFrame, *, max_rows: int = REFERENCE_ROWS, seed: int = 0
) -> pd.DataFrame:
    """A seeded sample of at most ``max_rows`` training rows with the model's score
    (:data:`SCORE_COLUMN`): the reference later batches are compared with."""
    from collectscore.explanations._explain import propensity_model

    sample = _sample(X, max_rows, seed)
    if SCORE_COLUMN in sample.columns:
        raise ConfigError(
            f"X has a column named '{SCORE_COLUMN}', the name the reference gives the score; "
            "rename that feature"
        )
    fitted = propensity_model(model)
    out = sample.reset_index(drop=True)
    out[SCORE_COLUMN] = fitted.predict_proba(sample)[:, 1]
    return out


def write_reference(
    folder: str | os.PathLike[str],
    model: Any,
    X: pd.DataFrame,
    *,
    max_rows: int = REFERENCE_ROWS,
    seed: int = 0,
) -> Path:
    """Write :func:`reference_sample` to ``folder/reference.parquet`` (log ``folder`` as the
    run's ``monitoring`` artifacts) and return the file."""
    frame = reference_sample(model, X, max_rows=max_rows, seed=seed)
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path / REFERENCE_FILE)
    return path / REFERENCE_FILE


def split_reference(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """(features, scores) of a reference sample."""
    if SCORE_COLUMN not in frame.columns:
        raise ContractError(
            [
                Problem(
                    table="monitoring reference",
                    column=SCORE_COLUMN,
                    expected="the model's score of every reference row",
                    received="no such column",
                    fix="write the reference with write_reference(folder, model, X_train)",
                )
            ]
        )
    return frame.drop(columns=[SCORE_COLUMN]), frame[SCORE_COLUMN].rename(SCORE_COLUMN)


def load_reference(
    model_name: str = "propensity", *, alias: str = "champion", tracking: TrackingConfig
) -> tuple[pd.DataFrame, pd.Series]:
    """(features, scores) of the training sample logged with the model version that carries
    ``alias``; a :class:`ConfigError` saying how to get one when its run has none."""
    import mlflow
    from mlflow.exceptions import MlflowException

    from collectscore.tracking import registered_version, use_tracking

    version = registered_version(model_name, alias, config=tracking)
    if version is None:
        raise ConfigError(
            f"model '{model_name}' has no version with the alias '{alias}', so there is no "
            "training data to compare with. Fix: train and promote a model first "
            "(collectscore train propensity, then promote)"
        )
    artifact = f"{REFERENCE_DIR}/{REFERENCE_FILE}"
    uri = use_tracking(tracking)
    with tempfile.TemporaryDirectory(prefix="collectscore-reference-") as scratch:
        try:
            path = mlflow.artifacts.download_artifacts(
                run_id=version.run_id, artifact_path=artifact, dst_path=scratch, tracking_uri=uri
            )
            frame = pd.read_parquet(path)
        except (MlflowException, OSError) as exc:
            raise ConfigError(
                f"model '{model_name}' version {version.version} ({alias}, run "
                f"{version.run_id}) has no monitoring reference ({artifact}): it was trained "
                "before training runs logged one. Fix: retrain (collectscore train propensity) "
                "and promote the new version, or pass the training features and their scores "
                "to drift_report yourself"
            ) from exc
    return split_reference(frame)
