"""Both champions in one call: a store ready for ``decide``, ``score`` and the service."""

from __future__ import annotations

from pathlib import Path

from collectscore.tracking import TrackingConfig

from ._config import ContractData, PromoteConfig, TrainConfig, TuningConfig
from ._contact import CONTACT, ContactTrainConfig, train_contact
from ._pipeline import train_propensity
from ._promote import promote_model


def train_champions(
    folder: Path | str, tracking: TrackingConfig, *, tuning: TuningConfig | None = None
) -> None:
    """Train the propensity and contact models on a contract data folder and promote both.

    ``tuning`` is used for both searches (default: ``TuningConfig()``). Each model becomes
    the champion when the store has none, else only when it wins (``promote_model``).
    """
    tuning = tuning or TuningConfig()
    train_propensity(TrainConfig(source=ContractData(folder), tuning=tuning, tracking=tracking))
    promote_model(PromoteConfig(tracking=tracking))
    train_contact(ContactTrainConfig(folder=Path(folder), tuning=tuning, tracking=tracking))
    promote_model(PromoteConfig(registered_name=CONTACT, tracking=tracking))
