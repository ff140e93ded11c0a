"""The day grid shared by every block: weekdays, paydays, month ends, snapshots."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from collectscore.synthetic._config import SampleConfig


@dataclass(frozen=True)
class Calendar:
    """Days ``0 .. n_days-1`` from ``start`` to the config's ``end_date`` (inclusive)."""

    start: dt.date
    n_days: int
    weekday: np.ndarray  # 0 = Monday
    month_end: np.ndarray  # last calendar day of a month
    #: (32, n_days): posting day of an order scheduled on day-of-month k (31: month end),
    #: moved to the next business day (``following``) or the previous one (``preceding``).
    following: np.ndarray
    preceding: np.ndarray
    #: Fridays of the two alternating biweekly pay cycles, (2, n_days).
    biweekly: np.ndarray
    co_holiday: np.ndarray
    #: Days of the mid-year (June 30) and Christmas (December 20) salary bonuses.
    bonus_days: tuple[int, ...]
    #: Grid day of each as_of and the inclusive payment window (first, last) drawn for it.
    snapshot_days: np.ndarray
    windows: np.ndarray
    snapshot_dates: tuple[dt.date, ...]

    def day_index(self, day: dt.date) -> int:
        return (day - self.start).days


def build_calendar(cfg: SampleConfig) -> Calendar:
    """The calendar of ``cfg`` (pure function of the config)."""
    n_days = cfg.history_days_range()[1]
    start = cfg.end_date - dt.timedelta(days=n_days - 1)
    dates = [start + dt.timedelta(days=i) for i in range(n_days)]
    weekday = np.array([d.weekday() for d in dates], dtype=np.int64)
    month_end = np.array([(d + dt.timedelta(days=1)).day == 1 for d in dates])

    following = np.zeros((32, n_days), dtype=bool)
    preceding = np.zeros((32, n_days), dtype=bool)
    month = dt.date(start.year, start.month, 1)
    while month <= cfg.end_date:
        nxt = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        length = (nxt - month).days
        for k in range(1, 32):
            target = month + dt.timedelta(days=min(k, length) - 1)
            for table, step in ((following, 1), (preceding, -1)):
                day = target
                while day.weekday() >= 5:
                    day += dt.timedelta(days=step)
                i = (day - start).days
                if 0 <= i < n_days and target >= start:
                    table[k, i] = True
        month = nxt

    friday = weekday == 4
    week = np.arange(n_days) // 7
    biweekly = np.stack([friday & (week % 2 == 0), friday & (week % 2 == 1)])

    import holidays  # deferred: only needed when generating

    co = holidays.country_holidays("CO", years=range(start.year, cfg.end_date.year + 1))
    co_holiday = np.array([d in co for d in dates])

    snap_dates = tuple(cfg.snapshot_dates())
    snap = np.array([(d - start).days for d in snap_dates], dtype=np.int64)
    h = cfg.horizon_days
    windows = np.zeros((len(snap), 2), dtype=np.int64)
    for s, a in enumerate(snap):
        first = a + 1 if s == 0 else max(a + 1, snap[s - 1] + h + 1)
        last = a + h if s == len(snap) - 1 else min(a + h, snap[s + 1])
        windows[s] = (first, last)
    return Calendar(
        start=start,
        n_days=n_days,
        weekday=weekday,
        month_end=month_end,
        following=following,
        preceding=preceding,
        biweekly=biweekly,
        co_holiday=co_holiday,
        bonus_days=tuple(i for i, d in enumerate(dates) if (d.month, d.day) in ((6, 30), (12, 20))),
        snapshot_days=snap,
        windows=windows,
        snapshot_dates=snap_dates,
    )
