"""Arrears and distress: fees, penalty interest, missed obligations, risky credit."""

from __future__ import annotations

import polars as pl

from .._registry import WINDOWS, feature
from ._expr import cat, outflow, ratio, within

F = "arrears_distress"


@feature(
    "overdraft_fees_{w}d",
    family=F, unit="count", direction=-1, windows=WINDOWS, fill=0.0,
    en="Overdraft fees charged in the last {w} days",
    es="Comisiones por sobregiro cobradas en los últimos {w} días",
)  # fmt: skip
def overdraft_fees(w: int) -> pl.Expr:
    return (within(w) & cat("fee.overdraft")).sum()


@feature(
    "nsf_fees_{w}d",
    family=F, unit="count", direction=-1, windows=WINDOWS, fill=0.0,
    en="Returned payments (insufficient funds) in the last {w} days",
    es="Pagos devueltos por fondos insuficientes en los últimos {w} días",
)  # fmt: skip
def nsf_fees(w: int) -> pl.Expr:
    return (within(w) & cat("fee.nsf")).sum()


@feature(
    "penalty_interest_{w}d",
    family=F, unit="currency", direction=-1, windows=(90, 180), fill=0.0,
    en="Penalty interest charged in the last {w} days",
    es="Intereses de mora cobrados en los últimos {w} días",
)  # fmt: skip
def penalty_interest(w: int) -> pl.Expr:
    return -pl.col("amount").filter(within(w) & cat("interest.penalty")).sum()


@feature(
    "loan_disbursements_{w}d",
    family=F, unit="count", direction=-1, windows=(90, 180), fill=0.0,
    en="New loans paid into the account in the last {w} days (payday loans included)",
    es="Préstamos nuevos abonados en la cuenta en los últimos {w} días (incluye préstamos rápidos)",
)  # fmt: skip
def loan_disbursements(w: int) -> pl.Expr:
    return (within(w) & cat("loan.disbursement")).sum()


@feature(
    "collections_payments_{w}d",
    family=F, unit="currency", direction=0, windows=(90, 180), fill=0.0,
    en="Payments to debt collectors from the account in the last {w} days",
    es="Pagos a agencias de cobranza desde la cuenta en los últimos {w} días",
)  # fmt: skip
def collections_payments(w: int) -> pl.Expr:
    return -pl.col("amount").filter(within(w) & cat("collections.payment")).sum()


@feature(
    "gambling_share_{w}d",
    family=F, unit="share", direction=-1, windows=(90, 180),
    en="Share of spending that went to gambling in the last {w} days",
    es="Parte del gasto destinada a apuestas en los últimos {w} días",
)  # fmt: skip
def gambling_share(w: int) -> pl.Expr:
    spent = -pl.col("amount").filter(within(w) & outflow()).sum()
    return ratio(-pl.col("amount").filter(within(w) & outflow() & cat("gambling")).sum(), spent)


@feature(
    "missed_obligations",
    family=F, unit="count", direction=-1, source="flows", fill=0.0,
    en="Recurring bills or repayments that are overdue",
    es="Pagos recurrentes (facturas o cuotas) atrasados",
)  # fmt: skip
def missed_obligations() -> pl.Expr:
    return ((pl.col("direction") == "obligation") & pl.col("missed")).sum()


@feature(
    "missed_loan_repayments",
    family=F, unit="count", direction=-1, source="flows", fill=0.0,
    en="Recurring loan repayments that are overdue",
    es="Cuotas recurrentes de préstamos atrasadas",
)  # fmt: skip
def missed_loan_repayments() -> pl.Expr:
    return ((pl.col("category") == "loan.repayment") & pl.col("missed")).sum()


@feature(
    "promises_kept_180d",
    family=F, unit="count", direction=1, source="promises", fill=0.0,
    en="Promises to pay kept in the last 180 days",
    es="Promesas de pago cumplidas en los últimos 180 días",
)  # fmt: skip
def promises_kept() -> pl.Expr:
    return ((pl.col("state") == "kept") & (pl.col("db") < 180)).sum()


@feature(
    "promises_broken_180d",
    family=F, unit="count", direction=-1, source="promises", fill=0.0,
    en="Promises to pay broken in the last 180 days",
    es="Promesas de pago incumplidas en los últimos 180 días",
)  # fmt: skip
def promises_broken() -> pl.Expr:
    return ((pl.col("state") == "broken") & (pl.col("db") < 180)).sum()


@feature(
    "days_past_due",
    family=F, unit="days", direction=-1, source="snapshot",
    en="Days the debt is past due",
    es="Días de atraso de la deuda",
)  # fmt: skip
def days_past_due() -> pl.Expr:
    return pl.col("days_past_due")
