"""Small expression helpers shared by the feature families."""

from __future__ import annotations

import polars as pl

from .._frame import INCOME, OBLIGATIONS

__all__ = [
    "INCOME",
    "OBLIGATIONS",
    "cat",
    "held",
    "inflow",
    "monthly",
    "outflow",
    "ratio",
    "within",
]


def within(w: int) -> pl.Expr:
    """The row was booked in the ``w`` days up to and including ``as_of``."""
    return pl.col("db") < w


def cat(*categories: str) -> pl.Expr:
    return pl.col("category").is_in(categories)


def inflow() -> pl.Expr:
    return pl.col("amount") > 0


def outflow() -> pl.Expr:
    return pl.col("amount") < 0


def held(w: int) -> pl.Expr:
    """Days inside the window during which the row's balance was the end-of-day balance."""
    return (pl.min_horizontal(pl.col("db"), pl.lit(w - 1)) - pl.col("next_db")).clip(lower_bound=0)


def monthly(total: pl.Expr, w: int) -> pl.Expr:
    """A total over ``w`` days expressed per 30 days."""
    return total * (30.0 / w)


def ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    """``num / den``, missing where ``den`` is not positive."""
    return pl.when(den > 0).then(num / den).otherwise(None)
