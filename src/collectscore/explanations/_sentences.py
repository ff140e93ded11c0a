"""Plain-language sentences of the reason codes, in English and Spanish, declared once.

:data:`SENTENCES` maps a feature name, or a unit for every other catalogue feature, to
its English and Spanish template. Placeholders: ``{value}`` (the value with its unit),
``{description}`` (the catalogue's description), ``{window}`` (the window in days),
``{feature}`` and ``{effect}`` (bring-your-own columns only). A template with a ``below``
variant uses it when the value is under ``pivot`` and shows the value's distance from 0
(``Income rose 20 %`` rather than ``fell -20 %``). Missing values use ``"missing"``.
Spanish writes a decimal comma, a point between thousands and a space before ``%``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

Language = Literal["en", "es"]
LANGUAGES: tuple[str, ...] = Language.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Sentence:
    """English and Spanish template; the ``below`` pair applies when the value < ``pivot``."""

    en: str
    es: str
    en_below: str | None = None
    es_below: str | None = None
    pivot: float = 0.0

    def template(self, language: str, below: bool = False) -> str:
        if below and self.en_below is not None:
            return self.en_below if language == "en" else str(self.es_below)
        return self.en if language == "en" else self.es


_GENERIC = Sentence("{description}: {value}", "{description}: {value}")

#: Feature or unit -> sentence. Features listed by name win over their unit's template.
SENTENCES: dict[str, Sentence] = {
    # --- by unit: the catalogue description and the value with its unit
    "currency": _GENERIC,
    "currency_per_day": _GENERIC,
    "days": _GENERIC,
    "count": _GENERIC,
    "share": _GENERIC,
    "ratio": _GENERIC,
    "months": _GENERIC,
    "flag": _GENERIC,
    # --- a missing value, and a column outside the catalogue
    "missing": Sentence("{description}: no data", "{description}: sin datos"),
    "other": Sentence(
        "{feature} is {value}, which {effect} the chance of paying",
        "{feature} es {value}, lo que {effect} la probabilidad de pago",
    ),
    # --- hand-written where the generic sentence reads badly
    "income_drop_last_month": Sentence(
        "Income fell {value} last month compared with the previous 3 months",
        "Los ingresos cayeron un {value} el último mes frente a los 3 meses anteriores",
        "Income rose {value} last month compared with the previous 3 months",
        "Los ingresos subieron un {value} el último mes frente a los 3 meses anteriores",
    ),
    "income_trend_180d": Sentence(
        "Monthly income grew by {value} of its average per month over the last 6 months",
        "El ingreso mensual creció un {value} de su promedio por mes en los últimos 6 meses",
        "Monthly income fell by {value} of its average per month over the last 6 months",
        "El ingreso mensual cayó un {value} de su promedio por mes en los últimos 6 meses",
    ),
    "days_since_last_income": Sentence(
        "The last income arrived {value} ago", "El último ingreso llegó hace {value}"
    ),
    "main_income_missed": Sentence(
        "The main recurring income is overdue",
        "El ingreso recurrente principal está atrasado",
        "The main recurring income arrived on time",
        "El ingreso recurrente principal llegó a tiempo",
        pivot=0.5,
    ),
    **{
        f"balance_slope_{w}d": Sentence(
            "The balance grew by {value} over the last {window} days",
            "El saldo creció {value} en los últimos {window} días",
            "The balance fell by {value} over the last {window} days",
            "El saldo cayó {value} en los últimos {window} días",
        )
        for w in (90, 180)
    },
    **{
        f"days_below_zero_{w}d": Sentence(
            "The balance was negative on {value} of the last {window}",
            "El saldo fue negativo {value} de los últimos {window}",
        )
        for w in (30, 90, 180)
    },
    **{
        f"days_below_installment_{w}d": Sentence(
            "The balance was below the installment due on {value} of the last {window}",
            "El saldo estuvo por debajo de la cuota {value} de los últimos {window}",
        )
        for w in (30, 90)
    },
    **{
        f"gambling_share_{w}d": Sentence(
            "{value} of spending went to gambling in the last {window} days",
            "El {value} del gasto se fue en juegos de azar en los últimos {window} días",
        )
        for w in (90, 180)
    },
    "days_past_due": Sentence("The debt is {value} past due", "La deuda tiene {value} de atraso"),
    "capacity_covers_installment": Sentence(
        "This month's payment capacity covers the installment due",
        "La capacidad de pago de este mes cubre la cuota",
        "This month's payment capacity does not cover the installment due",
        "La capacidad de pago de este mes no cubre la cuota",
        pivot=0.5,
    ),
    "outstanding_to_income": Sentence(
        "The amount owed is {value} times the monthly income",
        "La deuda equivale a {value} veces el ingreso mensual",
    ),
    "installment_to_free_cash_flow": Sentence(
        "The installment due is {value} times the monthly free cash flow",
        "La cuota equivale a {value} veces el flujo de caja libre mensual",
    ),
}

#: How a contribution moves the chance of paying, for the ``{effect}`` placeholder.
EFFECTS: dict[str, dict[str, str]] = {
    "lowers": {"en": "lowers", "es": "reduce"},
    "raises": {"en": "raises", "es": "aumenta"},
}


def sentence_for(feature: str, unit: str | None) -> Sentence:
    """The declared sentence of a feature: by name, else its unit's, else ``"other"``."""
    if feature in SENTENCES:
        return SENTENCES[feature]
    if unit is not None and unit in SENTENCES:
        return SENTENCES[unit]
    return SENTENCES["other"]


# ----------------------------------------------------------------- value formatting
def _plural(one: str, many: str) -> Callable[[np.ndarray], list[str]]:
    def fmt(v: np.ndarray) -> list[str]:
        return [f"{_number(x, 1)} {one if x == 1 else many}" for x in v]

    return fmt


def _number(x: float, decimals: int) -> str:
    """``1,234`` for whole numbers, else up to ``decimals`` decimals (trailing zeros dropped)."""
    if float(x).is_integer():
        return f"{x:,.0f}"
    text = f"{x:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _percent(v: np.ndarray) -> list[str]:
    pct = np.asarray(v, dtype=float) * 100.0
    return [f"{_number(round(x, 1 if abs(x) < 10 else 0), 1)}%" for x in pct]


_EN_UNITS: dict[str, Callable[[np.ndarray], list[str]]] = {
    "currency": lambda v: [f"{x:,.2f}" for x in v],
    "currency_per_day": lambda v: [f"{x:,.2f} per day" for x in v],
    "days": _plural("day", "days"),
    "count": lambda v: [_number(x, 1) for x in v],
    "share": _percent,
    "ratio": lambda v: [_number(x, 2) for x in v],
    "months": _plural("month", "months"),
    "flag": lambda v: ["yes" if x >= 0.5 else "no" for x in v],
}
_ES_WORDS = {
    " per day": " por día",
    " days": " días",
    " day": " día",
    " months": " meses",
    " month": " mes",
    "yes": "sí",
}
_ES_DIGITS = str.maketrans({",": ".", ".": ","})


def format_values(values: np.ndarray, unit: str | None, language: str) -> list[str]:
    """Each value with its unit (``1,234.50``, ``45%``, ``12 days``), Spanish style for "es"."""
    fmt = _EN_UNITS.get(unit or "", lambda v: [_number(x, 2) for x in v])
    texts = fmt(np.asarray(values, dtype=float))
    if language == "en":
        return texts
    out = []
    for text in texts:
        spanish = text.translate(_ES_DIGITS).replace("%", " %")
        for en, es in _ES_WORDS.items():
            spanish = spanish.replace(en, es)
        out.append(spanish)
    return out
