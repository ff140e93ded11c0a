"""The bundle of contract tables that flows through the library."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass
class Dataset:
    """The contract tables of one data folder (see ``../shared/CONTRACT.md``).

    ``payments`` and ``contacts`` are ``None`` when the folder has none.
    ``truth`` holds ground-truth tables of synthetic data (empty for real data),
    keyed by name, e.g. ``truth["debtors"]``.
    """

    transactions: pd.DataFrame
    debtors: pd.DataFrame
    payments: pd.DataFrame | None = None
    contacts: pd.DataFrame | None = None
    truth: dict[str, pd.DataFrame] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The contract tables present, by name."""
        named = {
            "transactions": self.transactions,
            "debtors": self.debtors,
            "payments": self.payments,
            "contacts": self.contacts,
        }
        return {k: v for k, v in named.items() if v is not None}
