"""The generator settings and batch writer of the monitoring-check tests.

The champion is trained on ``TRAIN`` (four monthly snapshots: the first two are its
training split, so they are its monitoring reference). The batches are new debtors at
those two snapshots: one from the same distribution, one under the generator's income
shock (a third of the debtors lose 60 % of every income from April on).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from collectscore.monitoring import AlertRule
from collectscore.synthetic import SampleConfig, generate
from collectscore.tracking import TrackingConfig

TRAIN = SampleConfig(debtors=1000, seed=1)
SAME = SampleConfig(debtors=1000, seed=2)
SHOCK = SampleConfig(
    debtors=1000,
    seed=2,
    income_shock=1 / 3,
    income_shock_size=0.6,
    shock_date=dt.date(2026, 4, 1),
)
#: The snapshots the champion was trained on (the out-of-time split keeps the last two
#: for validation and test).
TRAINED_ON = TRAIN.snapshot_dates()[:2]
#: Review when the score PSI leaves "stable"; the AUC tolerance suits 1,000-debtor samples.
RULE = AlertRule(score_psi_max=0.1, auc_drop_max=0.1)


@dataclass(frozen=True)
class Store:
    root: Path
    tracking: TrackingConfig


def write_batch(config: SampleConfig, folder: Path, *, payments: bool = True) -> Path:
    """The generator's tables at the ``TRAINED_ON`` snapshots, as a contract data folder."""
    import pandas as pd

    from collectscore import write_dir

    data = generate(config)
    keep = pd.to_datetime(data.debtors["as_of"]).dt.date.isin(TRAINED_ON).to_numpy()
    batch = replace(
        data,
        debtors=data.debtors[keep].reset_index(drop=True),
        payments=data.payments if payments else None,
        truth={},
    )
    write_dir(batch, folder)
    return folder
