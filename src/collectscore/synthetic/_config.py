"""The typed configuration of the synthetic generator and its summary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from collectscore._contract import DEFAULT_HORIZON_DAYS, RULE_PACK_COUNTRIES
from collectscore._errors import ConfigError

#: Debtors drawn from one random stream. Fixed: changing it changes every output.
BLOCK_DEBTORS = 1000

#: Average days per month, used to turn history months into days.
DAYS_PER_MONTH = 30.4375

#: Shortest history (days) an account has before its first snapshot.
MIN_DAYS_BEFORE_FIRST_SNAPSHOT = 28


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


@dataclass(frozen=True)
class SampleConfig:
    """What to generate; every field has a default and is checked on creation."""

    debtors: int = 1000
    seed: int = 0
    end_date: dt.date = dt.date(2026, 9, 30)
    months_min: int = 6
    months_max: int = 12
    snapshots: int = 4
    with_categories: bool = False
    horizon_days: int = DEFAULT_HORIZON_DAYS
    #: Countries debtors live in (a subset of the built-in rule-pack countries).
    countries: tuple[str, ...] = RULE_PACK_COUNTRIES
    #: Drift switch for monitoring tests: the share of debtors (0-1) whose income drops by
    #: ``income_shock_size`` from ``shock_date`` on (default off: the data are unchanged).
    income_shock: float = 0.0
    #: Share of income the shocked debtors lose (0 < size <= 1).
    income_shock_size: float = 0.5
    #: First day of the lower income; ``None``: the day after the first snapshot's as_of.
    shock_date: dt.date | None = None

    def __post_init__(self) -> None:
        self._check_ints()
        if isinstance(self.end_date, str):
            try:
                object.__setattr__(self, "end_date", dt.date.fromisoformat(self.end_date))
            except ValueError:
                raise ConfigError(
                    f"end_date must be a date such as 2026-09-30; got {self.end_date!r}"
                ) from None
        if isinstance(self.end_date, dt.datetime) or not isinstance(self.end_date, dt.date):
            raise ConfigError(
                f"end_date must be a datetime.date such as date(2026, 9, 30); got {self.end_date!r}"
            )
        if not isinstance(self.with_categories, bool):
            raise ConfigError(
                f"with_categories must be True or False; got {self.with_categories!r}"
            )
        self._check_countries()
        self._check_calendar()
        self._check_income_shock()

    def _check_ints(self) -> None:
        bounds = {
            "debtors": (1, None, "the number of debtors to generate"),
            "seed": (0, None, "the random seed"),
            "months_min": (2, 36, "the shortest history in months"),
            "months_max": (2, 36, "the longest history in months"),
            "snapshots": (1, 34, "the number of monthly as_of snapshots per debtor"),
            "horizon_days": (
                1,
                31,
                "the days after as_of in which a payment counts; at most one month, as snapshots are monthly",
            ),
        }
        for name, (low, high, meaning) in bounds.items():
            value = getattr(self, name)
            if not _is_int(value):
                raise ConfigError(
                    f"{name} ({meaning}) must be a whole number; got {value!r} "
                    f"of type {type(value).__name__}"
                )
            if value < low or (high is not None and value > high):
                allowed = f">= {low}" if high is None else f"between {low} and {high}"
                raise ConfigError(f"{name} ({meaning}) must be {allowed}; got {value}")
        if self.months_max < self.months_min:
            raise ConfigError(
                f"months_max ({self.months_max}) must be >= months_min ({self.months_min}); "
                "each account's history length is drawn between them"
            )

    def _check_countries(self) -> None:
        countries = self.countries
        if isinstance(countries, str):
            countries = (countries,)
        countries = tuple(countries)
        unknown = [c for c in countries if c not in RULE_PACK_COUNTRIES]
        if not countries or unknown or len(set(countries)) != len(countries):
            raise ConfigError(
                "countries must be distinct codes among "
                f"{', '.join(RULE_PACK_COUNTRIES)}; got {self.countries!r}"
            )
        object.__setattr__(self, "countries", countries)

    def _check_calendar(self) -> None:
        dates = self.snapshot_dates()
        latest_start = self.end_date - dt.timedelta(days=self.history_days_range()[0] - 1)
        gap = (dates[0] - latest_start).days
        if gap < MIN_DAYS_BEFORE_FIRST_SNAPSHOT:
            raise ConfigError(
                f"snapshots={self.snapshots} does not fit in months_min={self.months_min} "
                f"months of history with horizon_days={self.horizon_days}: the first as_of "
                f"({dates[0]}) would have only {max(gap, 0)} days of transactions before it "
                f"(at least {MIN_DAYS_BEFORE_FIRST_SNAPSHOT} needed). Lower snapshots or "
                "raise months_min"
            )

    def _check_income_shock(self) -> None:
        for name, low_open, meaning in (
            ("income_shock", False, "the share of debtors whose income drops"),
            ("income_shock_size", True, "the share of income the shocked debtors lose"),
        ):
            value = getattr(self, name)
            ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(
                value, bool
            )
            if not ok or not (value > 0 if low_open else value >= 0) or not value <= 1:
                allowed = "> 0 and <= 1" if low_open else "between 0 and 1"
                raise ConfigError(f"{name} ({meaning}) must be a number {allowed}; got {value!r}")
            object.__setattr__(self, name, float(value))
        if self.shock_date is None:
            return
        if isinstance(self.shock_date, str):
            try:
                object.__setattr__(self, "shock_date", dt.date.fromisoformat(self.shock_date))
            except ValueError:
                raise ConfigError(
                    f"shock_date must be a date such as 2026-06-01; got {self.shock_date!r}"
                ) from None
        if isinstance(self.shock_date, dt.datetime) or not isinstance(self.shock_date, dt.date):
            raise ConfigError(
                "shock_date must be a datetime.date such as date(2026, 6, 1) (or None: the day "
                f"after the first snapshot); got {self.shock_date!r}"
            )
        if self.shock_date > self.end_date:
            raise ConfigError(
                f"shock_date ({self.shock_date}) must be on or before end_date "
                f"({self.end_date}), or no snapshot could show the income shock"
            )

    def income_shock_date(self) -> dt.date:
        """The first day of the lower income of ``income_shock``'s debtors."""
        if self.shock_date is not None:
            return self.shock_date
        return self.snapshot_dates()[0] + dt.timedelta(days=1)

    # derived calendar -----------------------------------------------------------
    def history_days_range(self) -> tuple[int, int]:
        """Shortest and longest account history in days (both inclusive)."""
        return (
            round(self.months_min * DAYS_PER_MONTH),
            round(self.months_max * DAYS_PER_MONTH),
        )

    def snapshot_dates(self) -> list[dt.date]:
        """The as_of month ends: the last one leaves ``horizon_days`` of observable labels."""
        last_ok = self.end_date - dt.timedelta(days=self.horizon_days)
        month_end = dt.date(last_ok.year, last_ok.month, 1) - dt.timedelta(days=1)
        if _month_end(last_ok) == last_ok:
            month_end = last_ok
        ends = [month_end]
        while len(ends) < self.snapshots:
            first = dt.date(ends[-1].year, ends[-1].month, 1)
            ends.append(first - dt.timedelta(days=1))
        return ends[::-1]


def _month_end(day: dt.date) -> dt.date:
    nxt = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


@dataclass(frozen=True)
class SampleSummary:
    """What :func:`write_sample` wrote: rows per table (truth tables as ``truth/<name>``)."""

    out: Path
    debtors: int
    rows: dict[str, int] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
