"""What the reporting tests share: a training run and the report written from it."""

from __future__ import annotations

from dataclasses import dataclass

from collectscore.reporting import ReportResult
from collectscore.tracking import TrackingConfig
from collectscore.training import TrainingRun


@dataclass(frozen=True)
class Reported:
    """A training run, the report written from its version, and the report's text."""

    run: TrainingRun
    tracking: TrackingConfig
    result: ReportResult
    html: str
