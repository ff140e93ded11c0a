"""Distributed propensity training: trees grown by LightGBM's Dask interface, registered in
MLflow as the same kind of model as the local run (a calibrated, monotone ``PropensityModel``).

    from collectscore.training import train_propensity_dask
    run = train_propensity_dask(ddf, target="paid", tracking=TrackingConfig(root="project"))

``ddf`` holds one row per debtor snapshot: the features (e.g. from
``collectscore.features.dask.build_features``), the 0/1 target and, for an out-of-time
split, ``as_of``. Dask itself is imported only when the function runs.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import version as _package_version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from collectscore._errors import EXAMPLE_ROWS, ConfigError, ContractError, Problem, did_you_mean
from collectscore.models import CALIBRATIONS, PropensityModel, evaluate, psi
from collectscore.monitoring import REFERENCE_DIR, REFERENCE_ROWS, write_reference
from collectscore.tracking import ModelVersionInfo, TrackingConfig, log_model_run

from ._compare import MODEL, flat_metrics
from ._config import PROPENSITY
from ._pipeline import HOLDOUT_DIR, _write_holdout

#: The table name problems with the training frame are reported under.
TABLE = "features"
#: Columns that identify a row and never reach the model.
KEYS = ("debtor_id", "as_of")
#: Tree settings when none are given (no Optuna search and no early stopping on Dask: take
#: them, and ``n_estimators``, from a local run's ``tuning.best_params``/``best_iteration_``).
DEFAULT_PARAMS: dict[str, Any] = {
    "n_estimators": 300,
    "learning_rate": 0.05,
    "num_leaves": 31,
    "max_depth": 6,
    "min_child_samples": 20,
    "subsample": 0.8,
    "colsample_bytree": 0.8,
    "reg_lambda": 1.0,
    "early_stopping_rounds": None,
}
#: LightGBM network settings ``network=`` may set (see LightGBM's Dask guide).
NETWORK_PARAMS: tuple[str, ...] = ("local_listen_port", "machines", "time_out")
_SPLIT = "_collectscore_split"
_TRAIN, _VALIDATION, _TEST = 0, 1, 2


@dataclass(frozen=True)
class DaskTrainingRun:
    """What a distributed training run produced (the same numbers are in MLflow)."""

    version: ModelVersionInfo
    model: PropensityModel
    metrics: dict[str, float]
    sizes: dict[str, int]
    split: str
    seconds: float

    @property
    def run_id(self) -> str:
        return self.version.run_id


def train_propensity_dask(
    data: Any,
    *,
    target: str = "paid",
    features: Sequence[str] | None = None,
    params: Mapping[str, Any] | None = None,
    tracking: TrackingConfig | None = None,
    registered_name: str = PROPENSITY,
    calibration: str = "sigmoid",
    monotone: bool = True,
    fraction: float = 0.2,
    seed: int = 0,
    holdout_rows: int = 100_000,
    network: Mapping[str, Any] | None = None,
    client: Any = None,
) -> DaskTrainingRun:
    """Train the propensity model on a Dask DataFrame and register it as the ``challenger``.

    Split: with an ``as_of`` column of at least three dates, the latest date is the test
    set, the one before the validation set, the earlier ones the training set (as the local
    pipeline); otherwise a seeded hash of the row keys puts ``fraction`` of the rows in each
    of validation and test. The trees are grown by ``lightgbm.DaskLGBMClassifier`` on the
    training rows (the catalogue's monotone constraints, balanced class weights, ``params``
    as for ``PropensityModel``); the calibrator is fitted on the validation rows' margin;
    test metrics (``test_auc``...) are logged, and up to ``holdout_rows`` test rows are
    logged as the holdout ``promote`` judges on. ``client`` defaults to the current
    ``distributed`` client; ``network`` sets LightGBM's ports (:data:`NETWORK_PARAMS`, e.g.
    ``{"local_listen_port": 12400}`` behind a firewall). Same data, partitioning, cluster
    size and ``seed`` give the same model: training partition ``i`` is pinned to worker
    ``i mod n_workers`` and LightGBM's worker ranks follow the partition order.
    """
    import lightgbm

    from collectscore.features._dask import dd

    started = time.perf_counter()
    if not isinstance(data, dd.DataFrame):
        raise ConfigError(
            f"data must be a Dask DataFrame; got {type(data).__name__}. "
            "Fix: dask.dataframe.from_pandas(frame, npartitions=...) or read_parquet(...)."
        )
    if calibration not in CALIBRATIONS:
        raise ConfigError(
            f"calibration must be one of {', '.join(map(repr, CALIBRATIONS))}; got "
            f"{calibration!r}{did_you_mean(str(calibration), CALIBRATIONS)}"
        )
    if not isinstance(fraction, int | float) or not 0 < fraction < 0.5:
        raise ConfigError(f"fraction must be between 0 and 0.5; got {fraction!r}")
    if isinstance(holdout_rows, bool) or not isinstance(holdout_rows, int) or holdout_rows < 1:
        raise ConfigError(f"holdout_rows must be a whole number >= 1; got {holdout_rows!r}")
    names = _feature_columns(data, target, features)
    settings = {**DEFAULT_PARAMS, **dict(params or {})}
    unknown = sorted(set(settings) - set(PropensityModel().get_params()))
    if unknown:
        raise ConfigError(
            f"params has unknown PropensityModel parameter(s) {unknown!r}"
            f"{did_you_mean(unknown[0], PropensityModel().get_params())}"
        )
    odd = sorted(set(network or {}) - set(NETWORK_PARAMS))
    if odd:
        raise ConfigError(
            f"network accepts {', '.join(NETWORK_PARAMS)}; got {odd!r}"
            f"{did_you_mean(odd[0], NETWORK_PARAMS)}"
        )
    settings.update(calibration=calibration, monotone=monotone, random_state=seed)
    proto = PropensityModel(**settings)
    proto._check_params()
    client = _client(client)
    tracking = tracking if tracking is not None else TrackingConfig()

    frame, note = _with_split(
        data[[*[k for k in KEYS if k in data.columns], *names, target]], fraction, seed
    )
    train = _pinned(client, frame[frame[_SPLIT] == _TRAIN][[*names, target]], dd)
    validation, test = client.persist(
        [frame[frame[_SPLIT] == part][[*names, target]] for part in (_VALIDATION, _TEST)]
    )
    counts = train[target].value_counts().compute()
    sizes = {"train": int(counts.sum()), "validation": len(validation), "test": len(test)}
    classes = sorted(counts.index.tolist())
    if classes != [0, 1]:
        raise ConfigError(
            f"target '{target}' must hold 0 (did not pay) and 1 (paid) in the training rows; "
            f"got {classes[:EXAMPLE_ROWS]!r}. Fix: label rows 0/1 and train on a period with "
            "both outcomes."
        )
    if sizes["validation"] == 0 or sizes["test"] == 0:
        raise ConfigError(
            f"the split left {sizes['validation']} validation and {sizes['test']} test rows "
            f"({note}). Fix: train on more rows or dates."
        )
    n = counts.reindex([0, 1]).to_numpy(dtype=float)
    weights = n.sum() / (2.0 * n) if proto.class_weight == "balanced" else np.ones(2)

    lgbm_params = proto._lgbm_params(proto._constraints(names))
    lgbm_params.pop("n_jobs")  # LightGBM's Dask interface uses each worker's threads
    lgbm_params.update(network or {})
    trees = lightgbm.DaskLGBMClassifier(client=_InPartOrder(client), **lgbm_params)
    trees.fit(
        train[names],
        train[target],
        sample_weight=train[target].map_partitions(_weights, weights, meta=(target, "float64")),
    )
    booster = trees.to_local()

    from dask import delayed

    shipped = delayed(booster, pure=True, traverse=False)
    held = validation.map_partitions(
        _margins, shipped, names, target, meta={"margin": "float64", "y": "int8"}
    ).compute()
    if held["y"].nunique() < 2:
        raise ConfigError(
            f"the validation rows ({note}) hold one outcome only, so the calibrator cannot be "
            "fitted. Fix: train on more rows or dates."
        )
    model = PropensityModel.from_booster(
        booster,
        class_weights=(float(weights[0]), float(weights[1])),
        calibration_margin=held["margin"].to_numpy(),
        calibration_target=held["y"].to_numpy(),
        **settings,
    )
    shipped_model = delayed(model, pure=True, traverse=False)
    scored = test.map_partitions(
        _probabilities, shipped_model, names, target, meta={"p": "float64", "y": "int8"}
    ).compute()
    share = min(1.0, holdout_rows / max(sizes["train"], 1))
    p_train = (
        train.sample(frac=share, random_state=seed)
        .map_partitions(
            _probabilities, shipped_model, names, target, meta={"p": "float64", "y": "int8"}
        )
        .compute()["p"]
        .to_numpy()
    )
    metrics = {
        **flat_metrics({MODEL: evaluate(scored["y"].to_numpy(), scored["p"].to_numpy())}, "test_"),
        "psi_train_test": psi(p_train, scored["p"].to_numpy()),
        "best_iteration": float(model.best_iteration_),
    }
    # the monitoring reference: a seeded sample of the training rows, scored (as locally)
    reference_rows = train[names].sample(
        frac=min(1.0, REFERENCE_ROWS / max(sizes["train"], 1)), random_state=seed
    )
    reference = reference_rows.compute().reset_index(drop=True)
    sample = test.sample(frac=min(1.0, holdout_rows / sizes["test"]), random_state=seed)
    holdout = sample.compute().reset_index(drop=True)
    example = train[names].head(EXAMPLE_ROWS, compute=True)
    run_params = {
        "source": "dask",
        "trainer": "lightgbm.DaskLGBMClassifier",
        "split_method": "out_of_time" if note.startswith("out of time") else "hashed",
        "seed": seed,
        "calibration": calibration,
        "rows_train": sizes["train"],
        "rows_validation": sizes["validation"],
        "rows_test": sizes["test"],
        "rows_holdout_logged": len(holdout),
        "partitions_train": train.npartitions,
        "workers": len(client.scheduler_info()["workers"]),
    }
    tags = {
        "collectscore.version": _package_version("collectscore"),
        "collectscore.source": "Dask DataFrame",
        "collectscore.trainer": "dask",
        "collectscore.split": note,
        "collectscore.training_rows": str(sizes["train"]),
        "collectscore.training_data_sha256": _fingerprint(train),
    }
    with tempfile.TemporaryDirectory(prefix="collectscore-train-dask-") as scratch:
        folder = Path(scratch) / HOLDOUT_DIR
        _write_holdout(folder, holdout[names], holdout[target].to_numpy(dtype=np.int8))
        monitoring = Path(scratch) / REFERENCE_DIR
        write_reference(monitoring, model, reference, seed=seed)
        version = log_model_run(
            model,
            example,
            None,
            metrics=metrics,
            params=run_params,
            config=tracking,
            registered_name=registered_name,
            tags=tags,
            artifacts={HOLDOUT_DIR: folder, REFERENCE_DIR: monitoring},
        )
    return DaskTrainingRun(
        version=version,
        model=model,
        metrics=metrics,
        sizes=sizes,
        split=note,
        seconds=time.perf_counter() - started,
    )


# ---------------------------------------------------------------- pieces
def _client(client: Any) -> Any:
    if client is not None:
        return client
    from distributed import get_client

    try:
        return get_client()
    except ValueError as exc:
        raise ConfigError(
            "no Dask client: LightGBM's Dask interface trains on a distributed cluster. "
            "Fix: Client(LocalCluster()) or Client('tcp://scheduler:8786') before training, "
            "or pass client=..."
        ) from exc


def _feature_columns(data: Any, target: str, features: Sequence[str] | None) -> list[str]:
    """The model's columns (all but the keys and the target by default); problems at once."""
    columns = [str(c) for c in data.columns]
    problems: list[Problem] = []
    if target not in columns:
        problems.append(
            Problem(
                TABLE,
                target,
                f"a 0/1 target column '{target}'",
                f"no such column{did_you_mean(target, columns)}",
                "add the label (1 = paid within the horizon) or pass target=...",
            )
        )
    if features is None:
        names = [c for c in columns if c != target and c not in KEYS]
    else:
        names = [str(c) for c in features]
        for name in names:
            if name not in columns:
                problems.append(
                    Problem(
                        TABLE,
                        name,
                        f"a feature column '{name}'",
                        f"no such column{did_you_mean(name, columns)}",
                        "build it (collectscore.features.dask.build_features) or leave it out",
                    )
                )
    dtypes = data._meta.dtypes
    for name in names:
        if name in columns and not (
            pd.api.types.is_numeric_dtype(dtypes[name]) or pd.api.types.is_bool_dtype(dtypes[name])
        ):
            problems.append(
                Problem(
                    TABLE,
                    name,
                    "a numeric feature column",
                    f"dtype {dtypes[name]}",
                    "encode it as numbers, or pass features=[...] without it",
                )
            )
    if problems:
        raise ContractError(problems)
    if not names:
        raise ConfigError(f"no feature columns besides the target '{target}' and the keys")
    return names


def _with_split(frame: Any, fraction: float, seed: int) -> tuple[Any, str]:
    """``frame`` with the split column (train 0, validation 1, test 2) and a note on it."""
    if "as_of" in frame.columns:
        dates = np.sort(pd.DatetimeIndex(frame["as_of"].unique().compute()).normalize().unique())
        if len(dates) >= 3:
            valid_from, test_from = dates[-2], dates[-1]
            note = (
                f"out of time: train as_of up to {pd.Timestamp(dates[-3]).date()}, validation "
                f"{pd.Timestamp(valid_from).date()}, test {pd.Timestamp(test_from).date()}"
            )
            out = frame.map_partitions(_by_date, valid_from, test_from, meta=_split_meta(frame))
            return out, note
    note = (
        f"hashed random split (seed {seed}): {1 - 2 * fraction:.0%} train, {fraction:.0%} "
        f"validation, {fraction:.0%} test; fewer than three observation dates"
    )
    out = frame.map_partitions(_by_hash, fraction, seed, meta=_split_meta(frame))
    return out, note


def _split_meta(frame: Any) -> pd.DataFrame:
    return frame._meta.assign(**{_SPLIT: pd.Series([], dtype="int8")})


def _by_date(frame: pd.DataFrame, valid_from: Any, test_from: Any) -> pd.DataFrame:
    day = pd.to_datetime(frame["as_of"]).dt.normalize().to_numpy()
    part = np.where(day >= test_from, _TEST, np.where(day >= valid_from, _VALIDATION, _TRAIN))
    return frame.assign(**{_SPLIT: part.astype(np.int8)})


def _by_hash(frame: pd.DataFrame, fraction: float, seed: int) -> pd.DataFrame:
    keys = [k for k in KEYS if k in frame.columns]
    basis = frame[keys].astype(str) if keys else frame.drop(columns=frame.columns)
    h = pd.util.hash_pandas_object(basis, index=not keys, hash_key=f"{seed:016d}"[-16:])
    u = (h.to_numpy() % np.uint64(1_000_000)) / 1_000_000
    part = np.where(u < fraction, _TEST, np.where(u < 2 * fraction, _VALIDATION, _TRAIN))
    return frame.assign(**{_SPLIT: part.astype(np.int8)})


def _pinned(client: Any, frame: Any, dd: Any) -> Any:
    """``frame`` computed into worker memory, partition ``i`` on worker ``i mod n`` (workers
    in name order), empty partitions left out: LightGBM's ranks, hence its model, follow
    which rows each worker holds, so a fixed placement makes the fit reproducible."""
    info = client.scheduler_info()["workers"]
    workers = sorted(info, key=lambda a: (str(info[a].get("name")), a))
    futures = [
        client.compute(part, workers=[workers[i % len(workers)]], allow_other_workers=False)
        for i, part in enumerate(frame.to_delayed())
    ]
    lengths = client.gather([client.submit(len, f, pure=False) for f in futures])
    kept = [f for f, n in zip(futures, lengths, strict=True) if n > 0]
    if not kept:
        raise ConfigError("no training rows: the split put every row in validation or test")
    return dd.from_delayed(kept, meta=frame._meta, verify_meta=False)


def _weights(y: pd.Series, weights: np.ndarray) -> pd.Series:
    return pd.Series(weights[y.to_numpy(dtype=np.int64)], index=y.index, dtype="float64")


def _margins(frame: pd.DataFrame, booster: Any, names: list[str], target: str) -> pd.DataFrame:
    values = frame[names].to_numpy(dtype=float)
    margin = booster.booster_.predict(values, raw_score=True) if len(frame) else np.empty(0)
    return pd.DataFrame(
        {"margin": np.asarray(margin, dtype=float), "y": frame[target].to_numpy(dtype=np.int8)},
        index=frame.index,
    )


def _probabilities(
    frame: pd.DataFrame, model: PropensityModel, names: list[str], target: str
) -> pd.DataFrame:
    p = model.predict_proba(frame[names])[:, 1] if len(frame) else np.empty(0)
    return pd.DataFrame(
        {"p": np.asarray(p, dtype=float), "y": frame[target].to_numpy(dtype=np.int8)},
        index=frame.index,
    )


def _fingerprint(frame: Any) -> str:
    """sha256 over the per-partition content hashes, in partition order."""
    digests = frame.map_partitions(_partition_digest, meta=("digest", "object")).compute()
    return hashlib.sha256("".join(digests.tolist()).encode()).hexdigest()


def _partition_digest(frame: pd.DataFrame) -> pd.Series:
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
    return pd.Series([hashlib.sha256(hashed).hexdigest()], dtype=object)


class _InPartOrder:
    """The client, with ``who_has`` answering in the order of the futures asked about.

    ``lightgbm.dask`` ranks the workers, and orders each worker's parts, by that answer; the
    client's own answer comes in the iteration order of a set of keys, which would make the
    model depend on hash order rather than on the data and the seed.
    """

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def who_has(self, futures: Any = None, **kwargs: Any) -> dict[Any, Any]:
        found = self._client.who_has(futures, **kwargs)
        if futures is None:
            return found
        keys = [f.key for f in self._client.futures_of(futures)]
        return {key: found[key] for key in dict.fromkeys(keys)}
