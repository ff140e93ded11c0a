"""Balance trend: the end-of-day balance over time (needs ``balance_after``).

A row's ``balance_after`` is the end-of-day balance from its booking day until the
next booking day, so time-weighted statistics need no daily resampling. Without
``balance_after`` these features are missing.
"""

from __future__ import annotations

import polars as pl

from .._registry import WINDOWS, feature
from ._expr import cat, held, ratio

F = "balance_trend"
BAL = pl.col("balance_after")


def _weight(w: int) -> pl.Expr:
    return pl.when(BAL.is_not_null()).then(held(w)).otherwise(0).cast(pl.Float64)


def _wmean(x: pl.Expr, w: int) -> pl.Expr:
    return ratio((x * _weight(w)).sum(), _weight(w).sum())


@feature(
    "balance_current",
    family=F, unit="currency", direction=1,
    en="Balance at the end of the observation day",
    es="Saldo al final del día de observación",
)  # fmt: skip
def balance_current() -> pl.Expr:
    return BAL.drop_nulls().last()


@feature(
    "balance_min_{w}d",
    family=F, unit="currency", direction=1, windows=WINDOWS,
    en="Lowest end-of-day balance in the last {w} days",
    es="Saldo más bajo al cierre del día en los últimos {w} días",
)  # fmt: skip
def balance_min(w: int) -> pl.Expr:
    return BAL.filter(held(w) > 0).min()


@feature(
    "balance_mean_{w}d",
    family=F, unit="currency", direction=1, windows=WINDOWS,
    en="Average end-of-day balance in the last {w} days",
    es="Saldo promedio al cierre del día en los últimos {w} días",
)  # fmt: skip
def balance_mean(w: int) -> pl.Expr:
    return _wmean(BAL, w)


@feature(
    "balance_volatility_{w}d",
    family=F, unit="currency", direction=0, windows=(90, 180),
    en="Day-to-day spread of the balance in the last {w} days (standard deviation)",
    es="Dispersión del saldo diario en los últimos {w} días (desviación estándar)",
)  # fmt: skip
def balance_volatility(w: int) -> pl.Expr:
    # E[b^2] - E[b]^2 over the days: plain sums, so polars aggregates it in one pass
    mean = _wmean(BAL, w)
    return (_wmean(BAL * BAL, w) - mean * mean).clip(lower_bound=0).sqrt()


@feature(
    "balance_slope_{w}d",
    family=F, unit="currency_per_day", direction=1, windows=(90, 180),
    en="Trend of the daily balance over the last {w} days (change per day)",
    es="Tendencia del saldo diario en los últimos {w} días (cambio por día)",
)  # fmt: skip
def balance_slope(w: int) -> pl.Expr:
    # each row holds over the days [next_db + 1, min(db, w - 1)] before as_of
    t = -(pl.min_horizontal(pl.col("db"), pl.lit(w - 1)) + pl.col("next_db") + 1) / 2.0
    # weighted least squares from sums: cov(t, b) / var(t)
    n, st, sb = _weight(w).sum(), (_weight(w) * t).sum(), (_weight(w) * BAL).sum()
    cov = (_weight(w) * t * BAL).sum() - st * sb / n
    var = (_weight(w) * t * t).sum() - st * st / n
    return pl.when(var > 1e-9).then(cov / var).otherwise(None)


@feature(
    "days_below_zero_{w}d",
    family=F, unit="days", direction=-1, windows=WINDOWS,
    en="Days with a negative balance in the last {w} days",
    es="Días con saldo negativo en los últimos {w} días",
)  # fmt: skip
def days_below_zero(w: int) -> pl.Expr:
    return _weight(w).filter(BAL < 0).sum()


@feature(
    "days_below_installment_{w}d",
    family=F, unit="days", direction=-1, windows=(30, 90),
    en="Days in the last {w} days when the balance was below the installment due",
    es="Días de los últimos {w} días con saldo inferior a la cuota",
)  # fmt: skip
def days_below_installment(w: int) -> pl.Expr:
    return _weight(w).filter(pl.col("buffer") > BAL).sum()


@feature(
    "balance_end_of_month_mean_180d",
    family=F, unit="currency", direction=1,
    en="Average balance on the last day of the month over the last 6 months",
    es="Saldo promedio del último día del mes en los últimos 6 meses",
)  # fmt: skip
def balance_end_of_month() -> pl.Expr:
    # month ends inside [day, next_day): months crossed from day to next_day
    def month(d: pl.Expr) -> pl.Expr:
        return d.dt.year().cast(pl.Int32) * 12 + d.dt.month().cast(pl.Int32)

    ends = (month(pl.col("next_day")) - month(pl.col("day"))).cast(pl.Float64)
    ok = BAL.is_not_null() & (pl.col("db") < 180)
    return ratio((BAL * ends).filter(ok).sum(), ends.filter(ok).sum())


@feature(
    "balance_after_payday_mean_180d",
    family=F, unit="currency", direction=1,
    en="Average balance right after an income payment in the last 180 days",
    es="Saldo promedio justo después de recibir un ingreso en los últimos 180 días",
)  # fmt: skip
def balance_after_payday() -> pl.Expr:
    return BAL.filter(
        (pl.col("db") < 180)
        & cat("income.salary", "income.pension", "income.benefits", "income.other")
    ).mean()
