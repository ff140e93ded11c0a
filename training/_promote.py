"""Promotion: judge the challenger against the champion on one recent holdout."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from collectscore._errors import ConfigError
from collectscore.tracking import CHALLENGER, PromotionDecision, promote, registered_version

from ._config import ContractData, PromoteConfig
from ._contact import CONTACT, load_contact_data
from ._pipeline import HOLDOUT_DIR
from ._sources import load_training_data


def promote_model(
    config: PromoteConfig, log: Callable[[str], None] | None = None
) -> PromotionDecision:
    """Score challenger and champion on the same holdout and move ``champion`` on a win."""
    say = log or (lambda _: None)
    if not isinstance(config, PromoteConfig):
        raise ConfigError(f"config must be a PromoteConfig; got {type(config).__name__}")
    X, y, where = holdout(config)
    outcome = "success rate" if config.registered_name == CONTACT else "pay rate"
    say(f"holdout: {where}; {len(X):,} rows, {outcome} {np.mean(y):.1%}")
    decision = promote(
        config.registered_name,
        X,
        y,
        config=config.tracking,
        metric=config.metric,
        margin=config.margin,
    )
    say(("promoted: " if decision.promoted else "not promoted: ") + decision.reason)
    return decision


def holdout(config: PromoteConfig) -> tuple[pd.DataFrame, np.ndarray, str]:
    """The rows both models are judged on: the latest period of ``config.holdout``, or the
    untouched test period the challenger's training run logged."""
    if config.holdout is not None and config.registered_name == CONTACT:
        if not isinstance(config.holdout, ContractData):
            raise ConfigError(
                "the contact model is judged on a contract data folder with contacts; "
                "Fix: pass --data DIR, or nothing to use the challenger's logged test period."
            )
        X, y, meta, _ = load_contact_data(config.holdout.folder)
        latest = (meta["as_of"] == meta["as_of"].max()).to_numpy()
        where = f"the contacts after the latest snapshot ({meta['as_of'].max().date()}) of {config.holdout.folder}"
        return X[latest].reset_index(drop=True), y[latest], where
    if config.holdout is not None:
        data = load_training_data(config.holdout)
        if data.as_of is None:
            return data.X, data.y, f"every row of {data.source} (no observation dates)"
        latest = data.as_of == data.as_of.max()
        where = f"the latest period ({data.as_of.max().date()}) of {data.source}"
        return data.X[latest.to_numpy()].reset_index(drop=True), data.y[latest.to_numpy()], where
    import mlflow

    name = config.registered_name
    challenger = registered_version(name, CHALLENGER, config=config.tracking)
    if challenger is None:
        raise ConfigError(
            f"model '{name}' has no version with the alias '{CHALLENGER}', so there is nothing "
            f"to promote. Fix: train one first (`collectscore train {name} ...`)."
        )
    with tempfile.TemporaryDirectory(prefix="collectscore-holdout-") as scratch:
        try:
            folder = mlflow.artifacts.download_artifacts(
                run_id=challenger.run_id, artifact_path=HOLDOUT_DIR, dst_path=scratch
            )
            X = pd.read_parquet(Path(folder) / "features.parquet")
            y = pd.read_parquet(Path(folder) / "labels.parquet")["paid"].to_numpy()
        except Exception as exc:  # a run logged without a holdout, or a missing artifact
            raise ConfigError(
                f"the training run of {name} v{challenger.version} ({challenger.run_id}) has no "
                f"'{HOLDOUT_DIR}' artifact to judge on ({type(exc).__name__}). Fix: pass a "
                "holdout (--data DIR or --features TABLE --target COLUMN)."
            ) from exc
    where = f"the test period logged by the challenger's training run (v{challenger.version})"
    return X, y, where
