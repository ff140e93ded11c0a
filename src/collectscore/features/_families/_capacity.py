"""Payment capacity and the debt itself, computed from the other features."""

from __future__ import annotations

import polars as pl

from .._registry import feature
from ._expr import ratio

F = "payment_capacity"


def _due() -> pl.Expr:
    """What the debtor must pay: the installment, or the whole debt when there is none."""
    return pl.coalesce(pl.col("installment"), pl.col("outstanding"))


@feature(
    "history_days",
    family="debt", unit="days", direction=0, source="snapshot",
    en="Days of account history available before the observation date",
    es="Días de historial de la cuenta disponibles antes de la fecha de observación",
)  # fmt: skip
def history_days() -> pl.Expr:
    return pl.col("history_days").cast(pl.Float64)


@feature(
    "outstanding",
    family="debt", unit="currency", direction=-1, source="snapshot",
    en="Amount owed",
    es="Monto adeudado",
)  # fmt: skip
def outstanding() -> pl.Expr:
    return pl.col("outstanding")


@feature(
    "installment",
    family="debt", unit="currency", direction=0, source="snapshot",
    en="Amount due per period",
    es="Cuota por período",
)  # fmt: skip
def installment() -> pl.Expr:
    return pl.col("installment")


@feature(
    "outstanding_to_income",
    family="debt", unit="ratio", direction=-1, source="snapshot",
    en="Amount owed compared with monthly income",
    es="Monto adeudado frente al ingreso mensual",
)  # fmt: skip
def outstanding_to_income() -> pl.Expr:
    return ratio(pl.col("outstanding"), pl.col("income_monthly_mean_90d"))


@feature(
    "free_cash_flow_monthly_90d",
    family=F, unit="currency", direction=1, source="snapshot",
    en="Monthly income left after fixed obligations (last 90 days)",
    es="Ingreso mensual que queda después de las obligaciones fijas (últimos 90 días)",
)  # fmt: skip
def free_cash_flow() -> pl.Expr:
    obligations = pl.col("obligations_to_income_90d").fill_null(0) * pl.col(
        "income_monthly_mean_90d"
    )
    return pl.col("income_monthly_mean_90d") - obligations


@feature(
    "funds_available_now",
    family=F, unit="currency", direction=1, source="snapshot",
    en="Money available in the account now",
    es="Dinero disponible en la cuenta ahora",
)  # fmt: skip
def funds_available_now() -> pl.Expr:
    return pl.col("balance_current").clip(lower_bound=0)


@feature(
    "capacity_this_month",
    family=F, unit="currency", direction=1, source="snapshot",
    en="Amount the debtor could pay this month without going negative",
    es="Monto que el deudor podría pagar este mes sin quedar en negativo",
)  # fmt: skip
def capacity_this_month() -> pl.Expr:
    # funds now + expected recurring income - expected recurring obligations - usual other spending
    other_spend = (
        pl.col("outflow_monthly_mean_90d") - pl.col("recurring_obligations_monthly")
    ).clip(lower_bound=0)
    projected = (
        pl.col("balance_current").fill_null(0)
        + pl.col("recurring_income_monthly")
        - pl.col("recurring_obligations_monthly")
        - other_spend
    )
    return projected.clip(lower_bound=0)


@feature(
    "installment_to_free_cash_flow",
    family=F, unit="ratio", direction=-1, source="snapshot",
    en="Installment due compared with monthly free cash flow",
    es="Cuota frente al flujo de caja libre mensual",
)  # fmt: skip
def installment_to_fcf() -> pl.Expr:
    due = _due()
    fcf = pl.col("free_cash_flow_monthly_90d")
    # no free cash flow at all: as bad as an installment 100 times the cash flow
    return pl.when(fcf > 0).then(due / fcf).otherwise(pl.when(due > 0).then(100.0).otherwise(0.0))


@feature(
    "capacity_covers_installment",
    family=F, unit="flag", direction=1, source="snapshot",
    en="This month's capacity covers the installment due",
    es="La capacidad de pago de este mes cubre la cuota",
)  # fmt: skip
def capacity_covers_installment() -> pl.Expr:
    due = _due()
    return (pl.col("capacity_this_month") >= due).cast(pl.Float64)


# --- currency-free versions: comparable across countries and currencies -----------------


@feature(
    "funds_to_installment",
    family=F, unit="ratio", direction=1, source="snapshot",
    en="Money available now compared with the installment due",
    es="Dinero disponible ahora frente a la cuota",
)  # fmt: skip
def funds_to_installment() -> pl.Expr:
    return ratio(pl.col("funds_available_now"), _due())


@feature(
    "capacity_to_installment",
    family=F, unit="ratio", direction=1, source="snapshot",
    en="This month's payment capacity compared with the installment due",
    es="Capacidad de pago de este mes frente a la cuota",
)  # fmt: skip
def capacity_to_installment() -> pl.Expr:
    return ratio(pl.col("capacity_this_month"), _due())


@feature(
    "balance_to_income_30d",
    family=F, unit="ratio", direction=1, source="snapshot",
    en="Average balance of the last 30 days compared with monthly income",
    es="Saldo promedio de los últimos 30 días frente al ingreso mensual",
)  # fmt: skip
def balance_to_income() -> pl.Expr:
    return ratio(pl.col("balance_mean_30d"), pl.col("income_monthly_mean_90d"))
