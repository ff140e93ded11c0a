"""Spending and obligations: where the money goes."""

from __future__ import annotations

import polars as pl

from .._registry import WINDOWS, feature
from ._expr import INCOME, OBLIGATIONS, cat, inflow, monthly, outflow, ratio, within

F = "spending_obligations"
ESSENTIAL = ("housing", "utilities", "insurance", "groceries")
DISCRETIONARY = ("spending.other", "gambling")


def _spent(w: int, *categories: str) -> pl.Expr:
    mask = within(w) & outflow()
    if categories:
        mask = mask & cat(*categories)
    return -pl.col("amount").filter(mask).sum()


@feature(
    "outflow_monthly_mean_{w}d",
    family=F, unit="currency", direction=0, windows=WINDOWS, fill=0.0,
    en="Average monthly money going out over the last {w} days",
    es="Salidas de dinero mensuales promedio de los últimos {w} días",
)  # fmt: skip
def outflow_monthly(w: int) -> pl.Expr:
    return monthly(_spent(w), w)


@feature(
    "net_flow_monthly_{w}d",
    family=F, unit="currency", direction=1, windows=WINDOWS, fill=0.0,
    en="Average monthly money in minus money out over the last {w} days",
    es="Entradas menos salidas de dinero mensuales promedio de los últimos {w} días",
)  # fmt: skip
def net_flow(w: int) -> pl.Expr:
    return monthly(pl.col("amount").filter(within(w)).sum(), w)


@feature(
    "essential_share_{w}d",
    family=F, unit="share", direction=0, windows=(90, 180),
    en="Share of spending on essentials (housing, utilities, insurance, groceries), last {w} days",
    es="Parte del gasto en lo esencial (vivienda, servicios, seguros, mercado), últimos {w} días",
)  # fmt: skip
def essential_share(w: int) -> pl.Expr:
    return ratio(_spent(w, *ESSENTIAL), _spent(w))


@feature(
    "discretionary_share_{w}d",
    family=F, unit="share", direction=0, windows=(90, 180),
    en="Share of spending that is discretionary in the last {w} days",
    es="Parte del gasto que es discrecional en los últimos {w} días",
)  # fmt: skip
def discretionary_share(w: int) -> pl.Expr:
    return ratio(_spent(w, *DISCRETIONARY), _spent(w))


@feature(
    "cash_withdrawal_share_{w}d",
    family=F, unit="share", direction=0, windows=(90, 180),
    en="Share of money out taken as cash in the last {w} days",
    es="Parte de las salidas de dinero retirada en efectivo en los últimos {w} días",
)  # fmt: skip
def cash_share(w: int) -> pl.Expr:
    return ratio(_spent(w, "cash.withdrawal"), _spent(w))


@feature(
    "obligations_to_income_{w}d",
    family=F, unit="ratio", direction=-1, windows=(90, 180),
    en="Fixed obligations (housing, utilities, insurance, loans) as a share of income, last {w} days",
    es="Obligaciones fijas (vivienda, servicios, seguros, préstamos) frente al ingreso, últimos {w} días",
)  # fmt: skip
def obligations_to_income(w: int) -> pl.Expr:
    income = pl.col("amount").filter(within(w) & cat(*INCOME)).sum()
    return ratio(_spent(w, *OBLIGATIONS), income)


@feature(
    "loan_repayments_monthly_{w}d",
    family=F, unit="currency", direction=-1, windows=(90, 180), fill=0.0,
    en="Average monthly loan repayments over the last {w} days",
    es="Cuotas de préstamos mensuales promedio de los últimos {w} días",
)  # fmt: skip
def loan_repayments(w: int) -> pl.Expr:
    return monthly(_spent(w, "loan.repayment"), w)


@feature(
    "transfers_in_share_{w}d",
    family=F, unit="share", direction=0, windows=(90,),
    en="Share of money in that came as transfers rather than income, last {w} days",
    es="Parte de las entradas de dinero que fueron transferencias y no ingresos, últimos {w} días",
)  # fmt: skip
def transfers_in_share(w: int) -> pl.Expr:
    money_in = pl.col("amount").filter(within(w) & inflow()).sum()
    return ratio(pl.col("amount").filter(within(w) & cat("transfer.in")).sum(), money_in)


@feature(
    "transactions_{w}d",
    family=F, unit="count", direction=0, windows=(30, 90), fill=0.0,
    en="Number of transactions in the last {w} days",
    es="Número de movimientos en los últimos {w} días",
)  # fmt: skip
def transactions(w: int) -> pl.Expr:
    return within(w).sum()


@feature(
    "recurring_obligations_monthly",
    family=F, unit="currency", direction=-1, source="flows", fill=0.0,
    en="Expected monthly amount of recurring bills and repayments",
    es="Monto mensual esperado de facturas y cuotas recurrentes",
)  # fmt: skip
def recurring_obligations_monthly() -> pl.Expr:
    ob = pl.col("direction") == "obligation"
    return (pl.col("typical_amount") * 30.0 / pl.col("period_days")).filter(ob).sum()
