"""Small hand-built tables that satisfy the contract; each test breaks one thing."""

from __future__ import annotations

import pandas as pd
import pytest


@pytest.fixture
def transactions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": ["A1", "A1", "A1", "A2", "A2"],
            "booked_at": ["2026-03-01", "2026-03-05", "2026-03-20", "2026-03-02", "2026-03-15"],
            "amount": [1500.0, -42.5, -300.0, 900.0, -12.99],
            "description": ["NOMINA MARZO", "Supermercado", "Alquiler", "Salary", "Coffee"],
            "category": ["income.salary", "groceries", "housing", "income.salary", None],
            "transaction_id": ["T1", "T2", "T3", "T4", "T5"],
            "currency": ["EUR", "EUR", "EUR", "USD", "USD"],
        }
    )


@pytest.fixture
def debtors() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "debtor_id": ["D1", "D2"],
            "account_id": ["A1", "A2"],
            "as_of": ["2026-03-31", "2026-03-31"],
            "outstanding": [1200.0, 350.0],
            "days_past_due": [35, 0],
            "installment": [100.0, None],
            "country": ["CO", "US"],
            "timezone": ["America/Bogota", "America/New_York"],
        }
    )


@pytest.fixture
def payments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "debtor_id": ["D1", "D2"],
            "paid_at": ["2026-04-10", "2026-04-02T09:30:00"],
            "amount": [100.0, 350.0],
        }
    )


@pytest.fixture
def contacts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "debtor_id": ["D1", "D1", "D2"],
            "channel": ["sms", "call", "email"],
            "sent_at": ["2026-04-01T10:00:00", "2026-04-03T18:30:00", "2026-04-01T09:00:00"],
            "success": [False, True, True],
        }
    )
