"""Hand-built accounts and debtor snapshots for feature specifications."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


def account(
    flows: Iterable[tuple[str, float, str, str]],
    *,
    account_id: str = "a1",
    opening: float = 1000.0,
) -> pd.DataFrame:
    """Transactions of one account from (date, amount, description, category) tuples.

    ``balance_after`` is the running balance from ``opening``, in booking order.
    """
    frame = pd.DataFrame(list(flows), columns=["booked_at", "amount", "description", "category"])
    frame["booked_at"] = pd.to_datetime(frame["booked_at"])
    frame = frame.sort_values("booked_at", kind="stable").reset_index(drop=True)
    frame.insert(0, "account_id", account_id)
    frame["balance_after"] = opening + frame["amount"].cumsum()
    return frame


def monthly(day: int, start: str, end: str, amount: float, description: str, category: str):
    """One flow on ``day`` of every month from ``start`` to ``end``."""
    months = pd.period_range(start, end, freq="M")
    return [(f"{m.year}-{m.month:02d}-{day:02d}", amount, description, category) for m in months]


def debtor(as_of: str, *, account_id: str = "a1", debtor_id: str = "d1", **extra: object) -> dict:
    row = {
        "debtor_id": debtor_id,
        "account_id": account_id,
        "as_of": pd.Timestamp(as_of),
        "outstanding": 1200.0,
        "days_past_due": 35,
        "installment": 200.0,
    }
    row.update(extra)
    return row
