"""Train the contact-success model: logged contacts in, a registered ``contact`` challenger out.

Each logged contact is one row (the debtor's latest snapshot features at the contact, the contact
history before it, the action: channel, local hour, weekday, payday timing); the label is the
contact's ``success``. The split is out of time by snapshot period, Optuna tunes the trees on
the validation period, the model is calibrated there and judged on the last period beside a
base rate per channel and hour, the way a team would pick the channel today.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from collectscore._data import Dataset
from collectscore._errors import ConfigError
from collectscore.models import (
    Split,
    TuningResult,
    comparison_table,
    evaluate,
    out_of_time_split,
)
from collectscore.tracking import ModelVersionInfo, TrackingConfig, log_model_run

from ._config import TuningConfig, _threads, _whole
from ._pipeline import HOLDOUT_DIR, REPORT_DIR, _write_holdout

#: The registered model name of the contact-success model.
CONTACT = "contact"
#: Its output column.
P_SUCCESS = "p_success"
MODEL = "contact model (LightGBM)"
BASE_RATE = "channel x hour base rate"


@dataclass(frozen=True)
class ContactTrainConfig:
    """A contact-model training run: the data folder, the search, the store."""

    folder: Path
    tuning: TuningConfig = field(default_factory=lambda: TuningConfig(metric="log_loss"))
    tracking: TrackingConfig = field(
        default_factory=lambda: TrackingConfig(experiment="collectscore-contact")
    )
    registered_name: str = CONTACT
    n_estimators: int = 1500
    n_jobs: int = 1
    out: Path | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "folder", Path(self.folder))
        _whole(self.n_estimators, "n_estimators", 1, "n_estimators=2000")
        _threads(self.n_jobs)
        if self.out is not None:
            object.__setattr__(self, "out", Path(self.out))


@dataclass(frozen=True)
class ContactTrainingRun:
    """What a contact training run produced (the same numbers are in MLflow)."""

    version: ModelVersionInfo
    model: object
    split: Split
    evaluation: pd.DataFrame
    tuning: TuningResult
    notes: tuple[str, ...]
    policy_evaluation: pd.DataFrame | None = None

    @property
    def run_id(self) -> str:
        return self.version.run_id


def load_contact_data(folder: Path) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame, list[str]]:
    """Validated contract folder -> (X, y, meta, notes) with one row per logged contact."""
    X, y, meta, notes, _ = _load(folder)
    return X, y, meta, notes


def _load(folder: Path) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame, list[str], Dataset]:
    from collectscore._io import read_dir
    from collectscore._validation import validate_dataset
    from collectscore.models import contact_training_frame

    data, report = validate_dataset(
        read_dir(folder, require=("transactions", "debtors", "contacts"))
    )
    notes = [str(w) for w in report.warnings]
    X, y, meta = contact_training_frame(data)
    notes += [str(n) for n in meta.attrs.get("notes", [])]
    X, meta = X.reset_index(drop=True), meta.reset_index(drop=True)
    return X, np.asarray(y, dtype=np.int8), meta, notes, data


def train_contact(
    config: ContactTrainConfig, log: Callable[[str], None] | None = None
) -> ContactTrainingRun:
    """Run the contact-model training job described by ``config``."""
    from collectscore.models import ContactModel, tune_contact

    say = log or (lambda _: None)
    if not isinstance(config, ContactTrainConfig):
        raise ConfigError(f"config must be a ContactTrainConfig; got {type(config).__name__}")
    X, y, meta, notes, data = _load(config.folder)
    say(
        f"data: {len(X):,} logged contacts of {meta['debtor_id'].nunique():,} debtors, "
        f"{X.shape[1]} features, success rate {y.mean():.1%}"
    )
    for note in notes:
        say(f"note: {note}")
    split = out_of_time_split(meta["as_of"], y, random_state=config.tuning.seed)
    say(f"split: {split.note}; " + ", ".join(f"{k} {v:,}" for k, v in split.sizes().items()))
    X_tr, y_tr = X.iloc[split.train], y[split.train]
    X_va, y_va = X.iloc[split.validation], y[split.validation]
    tuning = tune_contact(
        X_tr,
        y_tr,
        X_va,
        y_va,
        trials=config.tuning.trials,
        timeout=config.tuning.timeout,
        seed=config.tuning.seed,
        metric=config.tuning.metric,  # type: ignore[arg-type]
        base_params={"n_estimators": config.n_estimators},
    )
    say(f"tuning: {tuning.describe()}")
    accepted = set(ContactModel().get_params())
    params = {k: v for k, v in tuning.best_params.items() if k in accepted}
    if "random_state" in accepted:
        params["random_state"] = config.tuning.seed
    if "n_jobs" in accepted:
        params["n_jobs"] = config.n_jobs
    model = ContactModel(**params).fit(X_tr, y_tr, eval_set=(X_va, y_va))

    X_te, y_te = X.iloc[split.test], y[split.test]
    fit_rows = np.sort(np.concatenate([split.train, split.validation]))
    scores = {
        MODEL: model.predict_proba(X_te)[:, 1],
        BASE_RATE: _base_rate(meta.iloc[fit_rows], y[fit_rows], meta.iloc[split.test]),
    }
    evaluation = comparison_table({name: evaluate(y_te, p) for name, p in scores.items()})
    metrics = {
        f"{'' if name == MODEL else 'base_rate_'}test_{metric}": float(value)
        for name in evaluation.columns
        for metric, value in evaluation[name].items()
    }
    ope = _policy_evaluation(model, X, y, meta, data, split, fit_rows, notes)
    if ope is not None:
        say("offline policy evaluation on the test period:")
        for policy, row in ope.iterrows():
            truth = "" if pd.isna(row.get("true_success")) else f", true {row['true_success']:.3f}"
            say(
                f"  {policy}: DR {row['dr']:.3f} [{row['dr_low']:.3f}, {row['dr_high']:.3f}]{truth}"
            )
            for column in ("ips", "snips", "dr", "dr_low", "dr_high", "true_success", "regret"):
                if column in row and pd.notna(row[column]):
                    metrics[f"ope_{policy}_{column}"] = float(row[column])
    metrics.update(
        {
            f"tuning_best_{tuning.metric}": tuning.best_score,
            "tuning_trials": float(tuning.trials),
            "tuning_pruned": float(tuning.pruned),
        }
    )
    with tempfile.TemporaryDirectory(prefix="collectscore-contact-") as scratch:
        report = Path(config.out) if config.out is not None else Path(scratch) / REPORT_DIR
        report.mkdir(parents=True, exist_ok=True)
        evaluation.to_csv(report / "evaluation.csv")
        if ope is not None:
            ope.to_csv(report / "policy_evaluation.csv")
        tuning.history.to_csv(report / "optuna_trials.csv", index=False)
        holdout = Path(scratch) / HOLDOUT_DIR
        _write_holdout(holdout, X_te, y_te)
        version = log_model_run(
            model,
            X_tr,
            y_tr,
            metrics=metrics,
            params={
                "model": "contact",
                "split_method": split.method,
                "tuning_seed": config.tuning.seed,
                "tuning_trials_requested": config.tuning.trials,
                **{f"tuned.{k}": v for k, v in tuning.best_params.items()},
            },
            config=config.tracking,
            registered_name=config.registered_name,
            tags={"collectscore.split": split.note, "collectscore.notes": " | ".join(notes) or "-"},
            artifacts={REPORT_DIR: report, HOLDOUT_DIR: holdout},
            output=P_SUCCESS,
        )
    say(
        f"registered {version.name} version {version.version} as "
        f"{', '.join(version.aliases)} (run {version.run_id})"
    )
    return ContactTrainingRun(version, model, split, evaluation, tuning, tuple(notes), ope)


def _policy_evaluation(
    model: object,
    X: pd.DataFrame,
    y: np.ndarray,
    meta: pd.DataFrame,
    data: Dataset,
    split: Split,
    fit_rows: np.ndarray,
    notes: list[str],
) -> pd.DataFrame | None:
    """IPS, SNIPS and DR of the logging, model-greedy and best fixed (channel, hour) policies
    on the test period (the best pair chosen on the earlier contacts); the true success
    rate and regret too when the folder holds synthetic truth."""
    from collectscore.policy import action_grid, best_fixed_ranking, evaluate_policies

    if "propensity" not in meta or meta["propensity"].isna().any():
        notes.append(
            "no offline policy evaluation: contacts.propensity (the logging probability of each "
            "contact) is missing for some contacts"
        )
        return None
    early = meta.iloc[fit_rows].reset_index(drop=True)
    grid = action_grid(early, X.iloc[fit_rows].reset_index(drop=True), model, debtors=data.debtors)
    ranking = best_fixed_ranking(grid, y[fit_rows], early["propensity"].to_numpy())
    return evaluate_policies(
        meta.iloc[split.test].reset_index(drop=True),
        X.iloc[split.test].reset_index(drop=True),
        y[split.test],
        model,
        debtors=data.debtors,
        truth=data if data.truth else None,
        fixed=ranking[0],
    )


def _base_rate(fit: pd.DataFrame, y: np.ndarray, judged: pd.DataFrame) -> np.ndarray:
    """Success rate per (channel, local hour) on the fitting rows, shrunk to the channel rate."""
    frame = pd.DataFrame(
        {"channel": fit["channel"].to_numpy(), "hour": _hours(fit), "y": y.astype(float)}
    )
    overall = frame["y"].mean()
    channel = frame.groupby("channel")["y"].agg(["sum", "count"])
    channel_rate = (channel["sum"] + 10 * overall) / (channel["count"] + 10)
    cell = frame.groupby(["channel", "hour"])["y"].agg(["sum", "count"]).reset_index()
    prior = cell["channel"].map(channel_rate).to_numpy()
    cell["rate"] = (cell["sum"] + 10 * prior) / (cell["count"] + 10)
    keys = pd.DataFrame({"channel": judged["channel"].to_numpy(), "hour": _hours(judged)})
    rate = keys.merge(cell[["channel", "hour", "rate"]], on=["channel", "hour"], how="left")["rate"]
    fallback = keys["channel"].map(channel_rate).fillna(overall)
    return rate.fillna(fallback).to_numpy(dtype=float)


def _hours(meta: pd.DataFrame) -> np.ndarray:
    return pd.to_datetime(meta["sent_at"]).dt.hour.to_numpy()
