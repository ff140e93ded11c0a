"""Income stability: how much comes in, how regularly, and whether it is falling."""

from __future__ import annotations

import polars as pl

from .._registry import WINDOWS, feature
from ._expr import INCOME, cat, monthly, ratio, within

F = "income_stability"


@feature(
    "income_monthly_mean_{w}d",
    family=F, unit="currency", direction=1, windows=WINDOWS, fill=0.0,
    en="Average monthly income over the last {w} days",
    es="Ingreso mensual promedio de los últimos {w} días",
)  # fmt: skip
def income_monthly_mean(w: int) -> pl.Expr:
    return monthly(pl.col("amount").filter(within(w) & cat(*INCOME)).sum(), w)


@feature(
    "salary_monthly_mean_{w}d",
    family=F, unit="currency", direction=1, windows=(90, 180), fill=0.0,
    en="Average monthly salary or pension over the last {w} days",
    es="Salario o pensión mensual promedio de los últimos {w} días",
)  # fmt: skip
def salary_monthly_mean(w: int) -> pl.Expr:
    return monthly(
        pl.col("amount").filter(within(w) & cat("income.salary", "income.pension")).sum(), w
    )


@feature(
    "income_sources_{w}d",
    family=F, unit="count", direction=1, windows=(90, 180), fill=0.0,
    en="Number of different income sources in the last {w} days",
    es="Número de fuentes de ingreso distintas en los últimos {w} días",
)  # fmt: skip
def income_sources(w: int) -> pl.Expr:
    return pl.col("desc").filter(within(w) & cat(*INCOME)).n_unique()


@feature(
    "income_payments_{w}d",
    family=F, unit="count", direction=1, windows=WINDOWS, fill=0.0,
    en="Number of income payments received in the last {w} days",
    es="Número de ingresos recibidos en los últimos {w} días",
)  # fmt: skip
def income_payments(w: int) -> pl.Expr:
    return (within(w) & cat(*INCOME)).sum()


@feature(
    "days_since_last_income",
    family=F, unit="days", direction=-1,
    en="Days since the last income payment",
    es="Días desde el último ingreso",
)  # fmt: skip
def days_since_last_income() -> pl.Expr:
    return pl.col("db").filter(cat(*INCOME)).min()


@feature(
    "income_share_salary_180d",
    family=F, unit="share", direction=1,
    en="Share of the income of the last 180 days that is salary or pension",
    es="Parte de los ingresos de los últimos 180 días que es salario o pensión",
)  # fmt: skip
def income_share_salary() -> pl.Expr:
    income = pl.col("amount").filter(within(180) & cat(*INCOME)).sum()
    salary = pl.col("amount").filter(within(180) & cat("income.salary", "income.pension")).sum()
    return ratio(salary, income)


# --- over the 30-day buckets of the last 180 days (source "monthly") ---------------------


@feature(
    "months_with_income_180d",
    family=F, unit="months", direction=1, source="monthly", fill=0.0,
    en="Months with some income among the last 6",
    es="Meses con algún ingreso entre los últimos 6",
)  # fmt: skip
def months_with_income() -> pl.Expr:
    return (pl.col("income") > 0).sum()


@feature(
    "income_cv_180d",
    family=F, unit="ratio", direction=-1, source="monthly",
    en="Variability of monthly income over the last 6 months (coefficient of variation)",
    es="Variabilidad del ingreso mensual en los últimos 6 meses (coeficiente de variación)",
)  # fmt: skip
def income_cv() -> pl.Expr:
    return ratio(pl.col("income").std(ddof=0), pl.col("income").mean())


@feature(
    "income_min_month_180d",
    family=F, unit="currency", direction=1, source="monthly",
    en="Lowest monthly income of the last 6 months",
    es="Ingreso mensual más bajo de los últimos 6 meses",
)  # fmt: skip
def income_min_month() -> pl.Expr:
    return pl.col("income").min()


@feature(
    "income_trend_180d",
    family=F, unit="share", direction=1, source="monthly",
    en="Trend of monthly income over the last 6 months, as a share of the average per month",
    es="Tendencia del ingreso mensual en los últimos 6 meses, como parte del promedio por mes",
)  # fmt: skip
def income_trend() -> pl.Expr:
    t = -pl.col("m").cast(pl.Float64)  # later months have larger t
    y = pl.col("income")
    cov = ((t - t.mean()) * (y - y.mean())).sum()
    var = ((t - t.mean()) ** 2).sum()
    return ratio(ratio(cov, var), y.mean())


@feature(
    "income_drop_last_month",
    family=F, unit="share", direction=-1, source="monthly",
    en="Drop of last month's income against the median of the 3 months before",
    es="Caída del ingreso del último mes frente a la mediana de los 3 meses anteriores",
)  # fmt: skip
def income_drop() -> pl.Expr:
    last = pl.col("income").filter(pl.col("m") == 0).first()
    before = pl.col("income").filter(pl.col("m").is_between(1, 3)).median()
    return ratio(before - last, before)


# --- from the recurring flows (source "flows") ------------------------------------------

_INCOME_FLOW = pl.col("direction") == "income"


@feature(
    "recurring_income_streams",
    family=F, unit="count", direction=1, source="flows", fill=0.0,
    en="Number of recurring income streams (salary, pension, benefits...)",
    es="Número de ingresos recurrentes (salario, pensión, subsidios...)",
)  # fmt: skip
def recurring_income_streams() -> pl.Expr:
    return _INCOME_FLOW.sum()


@feature(
    "main_income_interval_cv",
    family=F, unit="ratio", direction=-1, source="flows",
    en="Irregularity of the main income's timing (coefficient of variation of the gaps)",
    es="Irregularidad de las fechas del ingreso principal (coeficiente de variación)",
)  # fmt: skip
def main_income_interval_cv() -> pl.Expr:
    return (
        pl.col("interval_cv")
        .filter(_INCOME_FLOW)
        .sort_by(pl.col("typical_amount").filter(_INCOME_FLOW), descending=True)
        .first()
    )


@feature(
    "main_income_missed",
    family=F, unit="flag", direction=-1, source="flows", fill=0.0,
    en="The main recurring income is overdue",
    es="El ingreso recurrente principal está atrasado",
)  # fmt: skip
def main_income_missed() -> pl.Expr:
    return (
        pl.col("missed").filter(_INCOME_FLOW)
        .sort_by(pl.col("typical_amount").filter(_INCOME_FLOW), descending=True)
        .first()
        .cast(pl.Float64)
    )  # fmt: skip


@feature(
    "recurring_income_monthly",
    family=F, unit="currency", direction=1, source="flows", fill=0.0,
    en="Expected monthly amount of the recurring income streams",
    es="Monto mensual esperado de los ingresos recurrentes",
)  # fmt: skip
def recurring_income_monthly() -> pl.Expr:
    active = _INCOME_FLOW & ~pl.col("missed")
    return (pl.col("typical_amount") * 30.0 / pl.col("period_days")).filter(active).sum()


@feature(
    "days_until_next_income",
    family=F, unit="days", direction=0, source="flows",
    en="Days until the next expected income",
    es="Días hasta el próximo ingreso esperado",
)  # fmt: skip
def days_until_next_income() -> pl.Expr:
    return pl.col("days_until_next").filter(_INCOME_FLOW & ~pl.col("missed")).min()
