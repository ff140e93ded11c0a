"""Hyperparameter search for :class:`PropensityModel` with Optuna (seeded TPE, sequential trials).

Each trial fits ``PropensityModel(calibration="none", random_state=seed, n_jobs=1, ...)`` on the
training rows, stops early on the validation rows and scores them. Same data, ``seed`` and
``trials`` (and no ``timeout``) give the same best parameters and score.

Pruning: every ``PRUNE_EVERY`` boosting rounds a trial reports the validation rows' log loss
(negated when the metric is maximised, so "higher is better" holds for the pruner) and a
:class:`optuna.pruners.MedianPruner` stops trials whose learning curve is below the median of
the earlier trials at the same round; ``pruned`` counts them. Early stopping also cuts trials short.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import optuna
import pandas as pd

from .._errors import ConfigError, did_you_mean
from ._evaluation import brier, log_loss, roc_auc
from ._inputs import _labels
from ._propensity import PropensityModel

Metric = Literal["auc", "log_loss", "brier"]
TUNING_METRICS: tuple[str, ...] = get_args(Metric)

#: Metric -> (score function of labels and p_pay, Optuna direction).
_SCORERS: dict[str, tuple[Callable[[Any, Any], float], str]] = {
    "auc": (roc_auc, "maximize"),
    "log_loss": (log_loss, "minimize"),
    "brier": (brier, "minimize"),
}

#: Parameters every trial sets itself (not accepted in ``base_params``) and how to change them.
_SET_BY_TUNER: dict[str, str] = {
    "calibration": "trials compare uncalibrated scores; calibrate when refitting the best",
    "random_state": "pass seed=... to tune_propensity",
    "n_jobs": "trials run on one thread so results are reproducible",
}


def _suggest(trial: optuna.Trial, fixed: Mapping[str, object]) -> dict[str, object]:
    """The search space; parameters fixed in ``base_params`` are not searched."""
    space: dict[str, Callable[[], object]] = {
        "learning_rate": lambda: trial.suggest_float("learning_rate", 0.01, 0.2, log=True),
        "num_leaves": lambda: trial.suggest_int("num_leaves", 7, 63),
        "max_depth": lambda: trial.suggest_int("max_depth", 3, 8),
        "min_child_samples": lambda: trial.suggest_int("min_child_samples", 10, 300, log=True),
        "subsample": lambda: trial.suggest_float("subsample", 0.5, 1.0),
        "colsample_bytree": lambda: trial.suggest_float("colsample_bytree", 0.4, 1.0),
        "reg_lambda": lambda: trial.suggest_float("reg_lambda", 1e-3, 10.0, log=True),
    }
    return {name: draw() for name, draw in space.items() if name not in fixed}


@dataclass(frozen=True)
class TuningResult:
    """The outcome of :func:`tune_propensity`.

    ``best_params`` (searched plus ``base_params``) can be passed to ``PropensityModel(**...)``;
    ``history`` has one row per trial: number, state, value, the parameters, duration_s.
    """

    best_params: dict[str, object]
    best_score: float
    trials: int
    pruned: int
    seconds: float
    history: pd.DataFrame
    metric: str = "auc"

    def describe(self) -> str:
        """One line for a log: trials, pruned, time and the best validation score."""
        return (
            f"{self.trials} trials ({self.pruned} pruned) in {self.seconds:.1f} s, "
            f"best validation {self.metric} {self.best_score:.4f}"
        )

    def summary(self) -> dict[str, object]:
        """A flat dict for logging: the best parameters plus ``tuning_*`` figures."""
        out: dict[str, object] = {name: _plain(value) for name, value in self.best_params.items()}
        out.update(
            {
                "tuning_metric": self.metric,
                f"tuning_best_{self.metric}": float(self.best_score),
                "tuning_trials": int(self.trials),
                "tuning_pruned": int(self.pruned),
                "tuning_seconds": float(self.seconds),
            }
        )
        return out


#: Boosting rounds between two reports of a trial's validation loss to the pruner.
PRUNE_EVERY = 10
#: Trials that always run to the end, and rounds before any trial can be pruned. A slow
#: learning rate trails at first and wins later: pruning it early would bias the search
#: towards fast ones, so the pruner waits.
PRUNE_STARTUP_TRIALS = 10
PRUNE_WARMUP_ROUNDS = 150


def _report_for_pruning(trial: optuna.Trial, *, maximise: bool) -> Callable[[Any], None]:
    """A LightGBM callback: report the validation log loss, stop the trial when pruned."""

    def callback(env: Any) -> None:
        step = env.iteration + 1
        if step % PRUNE_EVERY or not env.evaluation_result_list:
            return
        loss = float(env.evaluation_result_list[0][2])
        trial.report(-loss if maximise else loss, step)
        if trial.should_prune():
            raise optuna.TrialPruned()

    return callback


def tune_propensity(
    X_train: pd.DataFrame,
    y_train: Any,
    X_valid: pd.DataFrame,
    y_valid: Any,
    *,
    trials: int = 30,
    timeout: float | None = None,
    seed: int = 0,
    metric: Metric = "auc",
    base_params: Mapping[str, object] | None = None,
) -> TuningResult:
    """Search PropensityModel's tree parameters, scoring ``metric`` on the validation rows.

    ``timeout`` (seconds) stops starting new trials once passed; ``base_params`` holds fixed
    PropensityModel parameters (e.g. ``n_estimators``); a searched one named there is not searched.
    """
    scorer, direction = _check_args(trials, timeout, seed, metric)
    fixed = _check_base_params(base_params)

    def objective(trial: optuna.Trial) -> float:
        params = {**fixed, **_suggest(trial, fixed)}
        model = PropensityModel(calibration="none", random_state=seed, n_jobs=1, **params)
        model.fit(
            X_train,
            y_train,
            eval_set=(X_valid, y_valid),
            callbacks=[_report_for_pruning(trial, maximise=direction == "maximize")],
        )
        target = _labels(y_valid, len(X_valid)) == model.classes_[1]
        return scorer(target.astype(np.int8), model.predict_proba(X_valid)[:, 1])

    previous = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        study = optuna.create_study(
            direction=direction,
            sampler=optuna.samplers.TPESampler(seed=seed),
            pruner=optuna.pruners.MedianPruner(
                n_startup_trials=PRUNE_STARTUP_TRIALS, n_warmup_steps=PRUNE_WARMUP_ROUNDS
            ),
        )
        start = time.perf_counter()
        study.optimize(objective, n_trials=trials, timeout=timeout, n_jobs=1)
        seconds = time.perf_counter() - start
    finally:
        optuna.logging.set_verbosity(previous)

    states = [t.state for t in study.trials]
    return TuningResult(
        best_params={**fixed, **{k: _plain(v) for k, v in study.best_params.items()}},
        best_score=float(study.best_value),
        trials=len(study.trials),
        pruned=sum(s == optuna.trial.TrialState.PRUNED for s in states),
        seconds=seconds,
        history=_history(study),
        metric=metric,
    )


# ---------------------------------------------------------------- helpers
def _plain(value: object) -> object:
    """numpy scalars as Python scalars (for logging and ``PropensityModel(**...)``)."""
    return value.item() if isinstance(value, np.generic) else value


def _history(study: optuna.Study) -> pd.DataFrame:
    names = sorted({name for t in study.trials for name in t.params})
    rows = [
        {
            "number": t.number,
            "state": t.state.name,
            "value": np.nan if t.value is None else float(t.value),
            **{name: t.params.get(name, np.nan) for name in names},
            "duration_s": t.duration.total_seconds() if t.duration is not None else np.nan,
        }
        for t in study.trials
    ]
    columns = ["number", "state", "value", *names, "duration_s"]
    return pd.DataFrame(rows, columns=columns)


def _check_args(
    trials: object, timeout: object, seed: object, metric: object
) -> tuple[Callable[[Any, Any], float], str]:
    if isinstance(trials, bool) or not isinstance(trials, int | np.integer) or trials < 1:
        raise ConfigError(
            f"trials must be a whole number >= 1; got {trials!r}. Fix: e.g. trials=30."
        )
    if timeout is not None and (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float | np.integer | np.floating)
        or not math.isfinite(float(timeout))
        or timeout <= 0
    ):
        raise ConfigError(
            f"timeout must be None (no limit) or a number of seconds > 0; got {timeout!r}. "
            "Fix: e.g. timeout=600, or leave it out and bound the search with trials."
        )
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ConfigError(f"seed must be a whole number >= 0; got {seed!r}")
    if metric not in _SCORERS:
        raise ConfigError(
            f"metric must be one of {', '.join(map(repr, TUNING_METRICS))}; "
            f"got {metric!r}{did_you_mean(str(metric), TUNING_METRICS)}"
        )
    return _SCORERS[str(metric)]


def _check_base_params(base_params: Mapping[str, object] | None) -> dict[str, object]:
    if base_params is None:
        return {}
    if not isinstance(base_params, Mapping):
        raise ConfigError(
            f"base_params must be a dict of PropensityModel parameters; got "
            f"{type(base_params).__name__}. Fix: e.g. base_params={{'n_estimators': 300}}."
        )
    known = list(PropensityModel().get_params())
    for name in base_params:
        if name in _SET_BY_TUNER:
            raise ConfigError(
                f"base_params may not set {name!r}: every trial sets it. Fix: {_SET_BY_TUNER[name]}."
            )
        if name not in known:
            raise ConfigError(
                f"base_params has {name!r}, which is not a PropensityModel parameter"
                f"{did_you_mean(str(name), known)}. The parameters are: {', '.join(known)}."
            )
    fixed = dict(base_params)
    PropensityModel(**fixed)._check_params()  # a clear error now rather than in the first trial
    return fixed
