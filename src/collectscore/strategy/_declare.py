"""The treatment strategy, declared once: thresholds, inputs, criteria, actions and segments.

``assign_segments``, the reason sentences, ``strategy_markdown`` (``docs/strategy.md``)
and the tests all read these declarations.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, Literal

from .._errors import ConfigError, did_you_mean

Stage = Literal["preventive", "administrative", "pre_legal"]

#: Collection stages, earliest first.
STAGES: tuple[str, ...] = Stage.__args__  # type: ignore[attr-defined]

#: When an action contacts the debtor: ``never`` (no automatic contact), ``now`` (from
#: ``as_of``), ``after_wait`` (``reminder_wait_days`` after ``as_of``) or ``after_payday``
#: (``days_after_payday`` after the next income date).
Timing = Literal["never", "now", "after_wait", "after_payday"]


def _threshold(default: float, doc: str, *, low: float, high: float, whole: bool = False) -> Any:
    return field(default=default, metadata={"doc": doc, "low": low, "high": high, "whole": whole})


@dataclass(frozen=True)
class StrategyConfig:
    """Thresholds of the treatment strategy (see ``docs/strategy.md``)."""

    willing_p_pay: float = _threshold(
        0.5, "p_pay at or above which the debtor counts as willing to pay", low=0, high=1
    )
    able_funds_to_installment: float = _threshold(
        1.0,
        "the debtor is able when the funds available now reach this many installments",
        low=0,
        high=100,
    )
    able_free_cash_flow_to_installment: float = _threshold(
        1.0,
        "... or when the monthly free cash flow reaches this many installments",
        low=0,
        high=100,
    )
    self_cure_max_days_past_due: int = _threshold(
        60,
        "a willing and able debtor at most this many days past due is likely to self-cure",
        low=0,
        high=10_000,
        whole=True,
    )
    no_contact_p_pay: float = _threshold(
        0.8,
        "a likely self-cure debtor with p_pay at or above this is not contacted at all",
        low=0,
        high=1,
    )
    reminder_wait_days: int = _threshold(
        3,
        "a light reminder goes out no earlier than this many days after as_of",
        low=0,
        high=365,
        whole=True,
    )
    days_after_payday: int = _threshold(
        1,
        "a firm reminder goes out this many days after the next payday",
        low=0,
        high=31,
        whole=True,
    )
    plan_share_of_free_cash_flow: float = _threshold(
        0.5,
        "a payment plan's monthly installment is this share of the monthly free cash flow",
        low=0,
        high=1,
    )
    plan_max_months: int = _threshold(
        60,
        "a plan that needs more months than this to repay the outstanding goes to a person",
        low=1,
        high=600,
        whole=True,
    )

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            meta = f.metadata
            kind = "a whole number" if meta["whole"] else "a number"
            ok = (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and math.isfinite(value)
                and (not meta["whole"] or float(value).is_integer())
                and meta["low"] <= value <= meta["high"]
            )
            if not ok:
                raise ConfigError(
                    f"StrategyConfig.{f.name} ({meta['doc']}) must be {kind} between "
                    f"{_num(meta['low'])} and {_num(meta['high'])}; got {value!r}. "
                    f"Fix: set {f.name} within that range (default {_num(f.default)})."
                )

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> StrategyConfig:
        """A config from a mapping (e.g. a TOML/YAML table); unknown keys are errors."""
        if not isinstance(values, Mapping):
            raise ConfigError(
                f"strategy settings must be a mapping of threshold names to values; got "
                f"{type(values).__name__}"
            )
        known = [f.name for f in fields(cls)]
        unknown = [k for k in values if k not in known]
        if unknown:
            hints = "; ".join(f"'{k}'{did_you_mean(str(k), known)}" for k in unknown)
            raise ConfigError(
                f"unknown strategy setting(s): {hints}. Fix: use only {', '.join(known)}."
            )
        return cls(**dict(values))


def thresholds() -> list[tuple[str, Any, str]]:
    """(name, default, meaning) of every ``StrategyConfig`` threshold, in declaration order."""
    out = []
    for f in fields(StrategyConfig):
        assert f.default is not MISSING
        out.append((f.name, f.default, f.metadata["doc"]))
    return out


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


@dataclass(frozen=True)
class StrategyInput:
    """A column ``assign_segments`` reads (or, for ``as_of``, an index level).

    ``alternatives`` are other accepted column names, tried in order (``days_until_next_income``
    stands for ``next_income_date`` counted from ``as_of``). ``nullable`` inputs may be
    missing on a row (unknown); ``required=False`` inputs may be absent altogether.
    """

    name: str
    kind: Literal["number", "date"]
    description: str
    required: bool = True
    nullable: bool = False
    min: float | None = None
    max: float | None = None
    alternatives: tuple[str, ...] = ()
    when_missing: str = ""

    def rule(self) -> str:
        """Plain-language statement of a valid value."""
        text = "a date" if self.kind == "date" else "a number"
        if self.min is not None and self.max is not None:
            text += f" in [{_num(self.min)}, {_num(self.max)}]"
        elif self.min is not None:
            text += f" >= {_num(self.min)}"
        elif self.max is not None:
            text += f" <= {_num(self.max)}"
        if not self.nullable:
            text += ", never missing"
        return text


#: The inputs, by name. Build them with ``build_features`` (+ ``capacity_signals``) and a
#: propensity score, or let ``segment_dataset`` do it.
INPUTS: dict[str, StrategyInput] = {
    i.name: i
    for i in (
        StrategyInput(
            "p_pay",
            "number",
            "calibrated probability of paying within the horizon (score_features)",
            min=0,
            max=1,
        ),
        StrategyInput("days_past_due", "number", "days the debt is past due", min=0),
        StrategyInput("outstanding", "number", "amount owed now", min=0),
        StrategyInput(
            "installment",
            "number",
            "amount due per period",
            required=False,
            nullable=True,
            min=0,
            when_missing="the outstanding is the amount due",
        ),
        StrategyInput(
            "free_cash_flow_monthly_90d",
            "number",
            "monthly income left after fixed obligations (feature catalogue)",
            nullable=True,
            when_missing="no free cash flow",
        ),
        StrategyInput(
            "funds_available_now",
            "number",
            "money available in the account now (feature catalogue; capacity_signals "
            "calls it funds_available)",
            nullable=True,
            alternatives=("funds_available",),
            when_missing="no funds available",
        ),
        StrategyInput(
            "next_income_date",
            "date",
            "expected date of the next income (capacity_signals)",
            nullable=True,
            alternatives=("days_until_next_income",),
            when_missing="no payday known: a firm reminder is timed from as_of",
        ),
        StrategyInput("as_of", "date", "observation date (a column or an index level)"),
    )
}


@dataclass(frozen=True)
class Criterion:
    """A yes/no question every debtor snapshot answers; segments combine the answers."""

    name: str
    question: str
    rule: str


#: The criteria, by name (their tests and sentences live in ``_assign``).
CRITERIA: dict[str, Criterion] = {
    c.name: c
    for c in (
        Criterion("willing", "Is the debtor willing to pay?", "p_pay >= willing_p_pay"),
        Criterion(
            "able",
            "Can the debtor pay the installment?",
            "funds_available_now >= able_funds_to_installment x installment, or "
            "free_cash_flow_monthly_90d >= able_free_cash_flow_to_installment x installment "
            "(the outstanding when there is no installment)",
        ),
        Criterion(
            "early_arrears",
            "Is the debt still in early arrears?",
            "days_past_due <= self_cure_max_days_past_due",
        ),
    )
}


@dataclass(frozen=True)
class Action:
    """What the collection team does with a segment."""

    name: str
    description: str
    timing: Timing
    #: Always decided by a person (never an automatic contact).
    human_review: bool = False


#: The actions, by name.
ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("no_contact", "no contact: the debtor is expected to pay unprompted", "never"),
        Action("light_reminder", "a friendly reminder of the due amount", "after_wait"),
        Action(
            "firm_reminder_after_payday",
            "a firm reminder of the debt, timed just after the next payday",
            "after_payday",
        ),
        Action(
            "payment_plan_offer",
            "a payment-plan offer with an installment sized to the free cash flow",
            "now",
        ),
        Action(
            "pre_legal_review",
            "a person reviews the case for pre-legal steps; nothing automatic",
            "never",
            human_review=True,
        ),
    )
}


@dataclass(frozen=True)
class Segment:
    """A treatment segment.

    ``when`` lists the criterion answers a snapshot must give; segments are tried in
    ``SEGMENTS`` order and the first match wins (together they cover every case).
    ``quiet_action`` replaces ``action`` when p_pay >= ``no_contact_p_pay``.
    """

    name: str
    label: str
    stage: Stage
    when: tuple[tuple[str, bool], ...]
    action: str
    description: str
    quiet_action: str | None = None


#: The segments, in the order they are tried.
SEGMENTS: tuple[Segment, ...] = (
    Segment(
        "self_cure",
        "Likely self-cure",
        "preventive",
        (("willing", True), ("able", True), ("early_arrears", True)),
        "light_reminder",
        "willing and able, early in arrears: expected to pay with at most a light nudge",
        quiet_action="no_contact",
    ),
    Segment(
        "willing_unable",
        "Willing but unable",
        "administrative",
        (("willing", True), ("able", False)),
        "payment_plan_offer",
        "wants to pay but cannot meet the installment: offer a plan sized to the free cash flow",
    ),
    Segment(
        "able_unwilling",
        "Able but unwilling",
        "administrative",
        (("able", True),),
        "firm_reminder_after_payday",
        "can pay but is not expected to on their own (low p_pay, or long past due): a firm "
        "reminder when the money has just come in",
    ),
    Segment(
        "neither",
        "Neither willing nor able",
        "pre_legal",
        (("willing", False), ("able", False)),
        "pre_legal_review",
        "neither willing nor able: a person reviews the case; never an automatic action",
    ),
)


def segment(name: str) -> Segment:
    """The declared segment called ``name``."""
    for s in SEGMENTS:
        if s.name == name:
            return s
    names = [s.name for s in SEGMENTS]
    raise ConfigError(f"unknown segment '{name}'{did_you_mean(name, names)}")
