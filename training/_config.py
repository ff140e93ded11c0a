"""The one configuration object of a training run, from the command line to the pipeline.

Every value is checked when the object is made, so a bad option fails before any data is
read, with a message that says what was expected, what was received and how to fix it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from collectscore._contract import DEFAULT_HORIZON_DAYS
from collectscore._errors import ConfigError, did_you_mean
from collectscore.models import CALIBRATIONS, TUNING_METRICS
from collectscore.tracking import PROMOTION_METRICS, TrackingConfig

TargetMeans = Literal["pay", "default"]
TARGET_MEANINGS: tuple[str, ...] = get_args(TargetMeans)

#: The registered model name of the propensity-to-pay model.
PROPENSITY = "propensity"


def _whole(value: object, name: str, minimum: int, example: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(
            f"{name} must be a whole number >= {minimum}; got {value!r}. Fix: e.g. {example}."
        )


def _threads(value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value == 0:
        raise ConfigError(f"n_jobs must be a whole number other than 0; got {value!r}")


@dataclass(frozen=True)
class ContractData:
    """A data folder in the contract's layout (transactions, debtors, payments, contacts).

    Features are built point in time for every debtor snapshot; the label is the contract's
    "paid within ``horizon_days``". Snapshots whose horizon ends after the last date the data
    covers (the latest booking or payment) cannot be labelled yet and are left out, counted.
    """

    folder: Path
    horizon_days: int = DEFAULT_HORIZON_DAYS

    def __post_init__(self) -> None:
        object.__setattr__(self, "folder", Path(self.folder))
        _whole(self.horizon_days, "horizon_days", 1, "horizon_days=30")

    def describe(self) -> str:
        return f"contract data folder {self.folder} (label: paid within {self.horizon_days} days)"


@dataclass(frozen=True)
class FeatureTable:
    """Bring your own data: one Parquet or CSV table, one row per case, a target column.

    ``target_means`` says what 1 (or the larger value) means: ``"pay"`` or ``"default"`` (did
    not pay; the pipeline flips it so the model predicts paying). ``protected`` and ``id``
    columns never reach the model; performance is reported per protected group.
    ``time`` names an observation-date column for an out-of-time split; ``days_past_due``
    the column the "fewer days past due pays first" baseline reads.
    """

    path: Path
    target: str
    target_means: TargetMeans = "pay"
    protected: tuple[str, ...] = ()
    id: str | None = None
    time: str | None = None
    days_past_due: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", Path(self.path))
        object.__setattr__(self, "protected", tuple(str(c) for c in self.protected))
        if not isinstance(self.target, str) or not self.target.strip():
            raise ConfigError(
                f"target must name the outcome column; got {self.target!r}. "
                "Fix: e.g. --target paid (and --target-means default if 1 means did not pay)."
            )
        if self.target_means not in TARGET_MEANINGS:
            raise ConfigError(
                f"target_means must be one of {', '.join(map(repr, TARGET_MEANINGS))}; got "
                f"{self.target_means!r}{did_you_mean(str(self.target_means), TARGET_MEANINGS)}"
            )
        roles = {"target": [self.target], "protected": list(self.protected)}
        roles.update({k: [v] for k in ("id", "time") if (v := getattr(self, k)) is not None})
        seen: dict[str, str] = {}
        for role, names in roles.items():
            for name in names:
                if name in seen:
                    raise ConfigError(
                        f"column '{name}' is given as both {seen[name]} and {role}; a column "
                        "has one role. Fix: name it once."
                    )
                seen[name] = role
        if self.days_past_due is not None and self.days_past_due in seen:
            raise ConfigError(
                f"days_past_due '{self.days_past_due}' is the {seen[self.days_past_due]} column; "
                "it must be a feature column. Fix: name the days-past-due column."
            )

    def describe(self) -> str:
        means = "1 = paid" if self.target_means == "pay" else "1 = did not pay (flipped)"
        return f"feature table {self.path} (target '{self.target}', {means})"


@dataclass(frozen=True)
class TuningConfig:
    """The Optuna search: trials, a time budget, the seed and the metric it maximises."""

    trials: int = 30
    timeout: float | None = None
    seed: int = 0
    metric: str = "auc"

    def __post_init__(self) -> None:
        _whole(self.trials, "trials", 1, "--trials 30")
        _whole(self.seed, "seed", 0, "--seed 0")
        if self.timeout is not None and (
            isinstance(self.timeout, bool)
            or not isinstance(self.timeout, int | float)
            or not math.isfinite(self.timeout)
            or self.timeout <= 0
        ):
            raise ConfigError(
                f"timeout must be a number of seconds > 0 (or none); got {self.timeout!r}. "
                "Fix: e.g. --timeout 600."
            )
        if self.metric not in TUNING_METRICS:
            raise ConfigError(
                f"metric must be one of {', '.join(map(repr, TUNING_METRICS))}; got "
                f"{self.metric!r}{did_you_mean(str(self.metric), TUNING_METRICS)}"
            )


@dataclass(frozen=True)
class TrainConfig:
    """Everything a propensity training run needs.

    ``calibration`` defaults to ``"sigmoid"`` (Platt on the trees' margin): smooth, and steady
    on a validation period of a few thousand rows, where isotonic steps reach 0 and 1 and
    inflate the log loss. ``n_estimators`` caps the trees (early stopping picks the number); ``cv_folds`` adds a
    stratified K-fold cross-validation of the whole procedure (tuning included) to the report;
    ``out`` is where the report files are written (also logged to MLflow).
    """

    source: ContractData | FeatureTable
    tuning: TuningConfig = field(default_factory=TuningConfig)
    tracking: TrackingConfig = field(default_factory=TrackingConfig)
    registered_name: str = PROPENSITY
    calibration: str = "sigmoid"
    monotone: bool = True
    n_estimators: int = 2000
    n_jobs: int = 1
    test_periods: int = 1
    validation_periods: int = 1
    fraction: float = 0.2
    cv_folds: int | None = None
    out: Path | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.source, ContractData | FeatureTable):
            raise ConfigError(
                "source must be ContractData(folder) or FeatureTable(path, target); got "
                f"{type(self.source).__name__}. Fix: --data DIR or --features TABLE --target COLUMN."
            )
        if self.calibration not in CALIBRATIONS:
            raise ConfigError(
                f"calibration must be one of {', '.join(map(repr, CALIBRATIONS))}; got "
                f"{self.calibration!r}{did_you_mean(str(self.calibration), CALIBRATIONS)}"
            )
        if not isinstance(self.registered_name, str) or not self.registered_name.strip():
            raise ConfigError(
                f"registered_name must be a non-empty name; got {self.registered_name!r}"
            )
        _whole(self.n_estimators, "n_estimators", 1, "n_estimators=2000")
        _whole(self.test_periods, "test_periods", 1, "test_periods=1")
        _whole(self.validation_periods, "validation_periods", 0, "validation_periods=1")
        _threads(self.n_jobs)
        if not isinstance(self.fraction, int | float) or not 0 < self.fraction < 0.5:
            raise ConfigError(f"fraction must be between 0 and 0.5; got {self.fraction!r}")
        if self.cv_folds is not None:
            _whole(self.cv_folds, "cv_folds", 2, "--cv 5")
        if self.out is not None:
            object.__setattr__(self, "out", Path(self.out))


@dataclass(frozen=True)
class PromoteConfig:
    """Challenger against champion on one holdout; ``champion`` moves on a win by ``margin``.

    ``holdout`` is a data source whose latest observation period is the holdout; without one,
    the holdout the challenger's training run logged (its untouched test period) is used.
    """

    registered_name: str = PROPENSITY
    metric: str = "auc"
    margin: float = 0.0
    holdout: ContractData | FeatureTable | None = None
    tracking: TrackingConfig = field(default_factory=TrackingConfig)

    def __post_init__(self) -> None:
        if self.metric not in PROMOTION_METRICS:
            raise ConfigError(
                f"metric must be one of {', '.join(PROMOTION_METRICS)}; got {self.metric!r}"
                f"{did_you_mean(str(self.metric), PROMOTION_METRICS)}"
            )
        if (
            isinstance(self.margin, bool)
            or not isinstance(self.margin, int | float)
            or not math.isfinite(self.margin)
            or self.margin < 0
        ):
            raise ConfigError(f"margin must be a number >= 0; got {self.margin!r}")
