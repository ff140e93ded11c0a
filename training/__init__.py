"""Training pipelines: the propensity-to-pay model from data to a registered challenger.

    from collectscore.training import ContractData, TrainConfig, train_propensity
    run = train_propensity(TrainConfig(source=ContractData("data/sample")))
    run.evaluation          # the model beside its two baselines on the untouched test period

The same job runs from the command line: ``collectscore train propensity --data DIR``
(or ``--features TABLE --target COLUMN``), then ``collectscore promote propensity``.
"""

from __future__ import annotations

from ._champions import train_champions
from ._config import (
    PROPENSITY,
    TARGET_MEANINGS,
    ContractData,
    FeatureTable,
    PromoteConfig,
    TrainConfig,
    TuningConfig,
)
from ._contact import CONTACT, ContactTrainConfig, ContactTrainingRun, train_contact
from ._cv import cv_summary
from ._dask import DaskTrainingRun, train_propensity_dask
from ._pipeline import TrainingRun, performance_by_group, train_propensity
from ._promote import holdout, promote_model
from ._sources import TrainingData, load_training_data

__all__ = [
    "CONTACT",
    "PROPENSITY",
    "TARGET_MEANINGS",
    "ContactTrainConfig",
    "ContactTrainingRun",
    "ContractData",
    "DaskTrainingRun",
    "FeatureTable",
    "PromoteConfig",
    "TrainConfig",
    "TrainingData",
    "TrainingRun",
    "TuningConfig",
    "cv_summary",
    "holdout",
    "load_training_data",
    "performance_by_group",
    "promote_model",
    "train_champions",
    "train_contact",
    "train_propensity",
    "train_propensity_dask",
]
