"""Out-of-time splits: train on earlier observation dates, validate and test on later ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from .._errors import ConfigError


@dataclass(frozen=True)
class Split:
    """Row positions of each part, how they were chosen, and why (``note``)."""

    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray
    method: Literal["out_of_time", "stratified"]
    note: str

    def sizes(self) -> dict[str, int]:
        return {
            "train": len(self.train),
            "validation": len(self.validation),
            "test": len(self.test),
        }


def out_of_time_split(
    as_of: pd.Series | np.ndarray,
    y: pd.Series | np.ndarray,
    *,
    test_periods: int = 1,
    validation_periods: int = 1,
    fraction: float = 0.2,
    random_state: int = 0,
) -> Split:
    """Split debtor snapshots by observation date.

    The latest ``test_periods`` distinct ``as_of`` dates are the test set, the
    ``validation_periods`` before them the validation set, all earlier ones the
    training set, so nothing is learnt from the period it is judged on. With too few
    dates for that, the missing parts are drawn at random (stratified on ``y``,
    ``fraction`` each, seeded) from the earlier dates, and ``note`` says so; with a
    single date the whole split is stratified.
    """
    if test_periods < 1 or validation_periods < 0:
        raise ConfigError("test_periods must be >= 1 and validation_periods >= 0")
    if not 0 < fraction < 0.5:
        raise ConfigError(f"fraction must be between 0 and 0.5; got {fraction}")
    dates = pd.to_datetime(pd.Series(np.asarray(as_of))).dt.normalize()
    labels = np.asarray(y)
    if len(dates) != len(labels):
        raise ConfigError(f"as_of has {len(dates)} values but y has {len(labels)}")
    if dates.isna().any():
        raise ConfigError(
            "as_of has missing values; every debtor snapshot needs its observation date"
        )
    distinct = np.sort(dates.unique())
    positions = np.arange(len(dates))

    def stratified(rows: np.ndarray, share: float) -> tuple[np.ndarray, np.ndarray]:
        return _stratified(rows, labels, share, random_state)

    if len(distinct) == 1:
        split = stratified_split(labels, fraction=fraction, random_state=random_state)
        note = (
            f"all rows share one as_of ({pd.Timestamp(distinct[0]).date()}): stratified random "
            "split, not out of time"
        )
        return Split(split.train, split.validation, split.test, "stratified", note)

    n_test = min(test_periods, len(distinct) - 1)
    test_from = distinct[-n_test]
    test = positions[(dates >= test_from).to_numpy()]
    earlier = positions[(dates < test_from).to_numpy()]
    n_valid = min(validation_periods, len(distinct) - n_test - 1)
    if validation_periods and n_valid >= 1:
        valid_from = distinct[-n_test - n_valid]
        validation = earlier[(dates.iloc[earlier] >= valid_from).to_numpy()]
        train = earlier[(dates.iloc[earlier] < valid_from).to_numpy()]
        note = (
            f"out of time: train as_of up to {pd.Timestamp(distinct[-n_test - n_valid - 1]).date()}, "
            f"validation from {pd.Timestamp(valid_from).date()}, test from {pd.Timestamp(test_from).date()}"
        )
    else:
        train, validation = stratified(earlier, fraction)
        note = (
            f"out of time for the test (from {pd.Timestamp(test_from).date()}); too few earlier "
            "dates for an out-of-time validation period, so validation is a stratified random "
            "part of the training dates"
        )
    return Split(train, validation, test, "out_of_time", note)


def stratified_split(
    y: pd.Series | np.ndarray, *, fraction: float = 0.2, random_state: int = 0
) -> Split:
    """A seeded random split stratified on ``y``: ``fraction`` of the rows each for validation
    and test, the rest for training (for data without observation dates)."""
    if not 0 < fraction < 0.5:
        raise ConfigError(f"fraction must be between 0 and 0.5; got {fraction}")
    labels = np.asarray(y)
    positions = np.arange(len(labels))
    rest, test = _stratified(positions, labels, fraction, random_state)
    train, validation = _stratified(rest, labels, fraction / (1 - fraction), random_state)
    note = (
        f"stratified random split (seed {random_state}): {1 - 2 * fraction:.0%} train, "
        f"{fraction:.0%} validation, {fraction:.0%} test; no observation dates, so not out of time"
    )
    return Split(train, validation, test, "stratified", note)


def _stratified(
    rows: np.ndarray, labels: np.ndarray, share: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    strata = labels[rows] if len(np.unique(labels[rows])) > 1 else None
    keep, held = train_test_split(rows, test_size=share, random_state=seed, stratify=strata)
    return np.sort(keep), np.sort(held)
