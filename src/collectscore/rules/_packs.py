"""Contact-rule packs declared as data: windows, holidays, consent, caps and gaps."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import pandas as pd

from .._contract import CHANNELS, RULE_PACK_COUNTRIES
from .._errors import ConfigError

ConsentMode = Literal["opt_in", "opt_out"]
#: ``"day"`` (local calendar day), ``"week"`` (ISO week, Monday to Sunday, local) or a
#: whole number of consecutive local calendar days (a rolling period).
Period = Literal["day", "week"] | int

#: Digital channels (written messages); the others are voice channels.
DIGITAL: frozenset[str] = frozenset({"sms", "email", "whatsapp", "push"})
#: Voice channels: a live call and an automated (IVR, prerecorded) call are both telephone calls.
VOICE: frozenset[str] = frozenset({"call", "ivr"})

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES: tuple[str, ...] = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)


@dataclass(frozen=True)
class Rule:
    """One rule a contact can break: a stable id, what it says and where it comes from."""

    id: str
    description: str
    citation: str = ""


#: Any pack: a channel whose ``consent_<channel>`` is false is never used.
CONSENT = Rule(
    "consent",
    "A channel the debtor refused (consent_<channel> is false) is never used.",
    "Debtor's stated consent (debtors.consent_<channel>)",
)
#: Any pack, when the debtor's time zone is known: the wall-clock time must exist.
LOCAL_TIME = Rule(
    "local_time",
    "The local wall-clock time does not exist in the debtor's time zone "
    "(skipped by a daylight-saving change).",
    "IANA time-zone database",
)

_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class Window:
    """A local time window ``[start, end)`` in minutes after midnight (end may be 24:00).

    A contact may start at ``start`` and must start before ``end``: a contact at exactly
    the closing time is refused (the conservative reading of "no contact after 21:00").
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        if not (0 <= self.start < self.end <= 24 * 60):
            raise ConfigError(
                f"time window {_clock(self.start)}-{_clock(self.end)} is empty or outside "
                "00:00-24:00; write it as 'HH:MM-HH:MM' with the start before the end"
            )

    @classmethod
    def parse(cls, text: str) -> Window:
        """``Window.parse("08:00-21:00")``."""
        match = _CLOCK.match(text) if isinstance(text, str) else None
        if match is None:
            raise ConfigError(
                f"time window {text!r} is not written as 'HH:MM-HH:MM' (e.g. '08:00-21:00')"
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2 != 0):
            raise ConfigError(
                f"time window {text!r} has an impossible clock time; hours run 00-23 "
                "(24:00 allowed as an end) and minutes 00-59"
            )
        return cls(h1 * 60 + m1, h2 * 60 + m2)

    def __str__(self) -> str:
        return f"{_clock(self.start)}-{_clock(self.end)}"


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Cap:
    """At most ``max`` contacts on ``channels`` (``None``: all channels) per ``period``.

    Counts the debtor's contact history plus the candidate itself, over every period
    that contains the candidate; a candidate on another channel is not limited by it.
    """

    rule: Rule
    channels: frozenset[str] | None
    period: Period
    max: int

    def __post_init__(self) -> None:
        _check_channels(self.channels, f"cap {self.rule.id!r}")
        if not (self.period in ("day", "week") or (_whole(self.period) and self.period >= 1)):
            raise ConfigError(
                f"cap {self.rule.id!r}: period {self.period!r} is not 'day', 'week' or a "
                "whole number of days >= 1"
            )
        if not (_whole(self.max) and self.max >= 0):
            raise ConfigError(f"cap {self.rule.id!r}: max {self.max!r} is not a whole number >= 0")

    def applies_to(self, channel: str) -> bool:
        return self.channels is None or channel in self.channels


@dataclass(frozen=True)
class Gap:
    """No contact on ``channels`` within ``days`` local calendar days of a trigger.

    ``after="conversation"``: the trigger is a successful contact on ``trigger`` channels
    strictly before the candidate (a call that reached the debtor); the day of the trigger
    counts as day 1, so a 7-day gap after a Monday conversation allows the next Monday.
    ``after="contact"``: the trigger is any contact on ``trigger`` channels, and the
    candidate must keep the gap in both roles (as the blocked contact after a trigger, and
    as a trigger before a blocked contact of the history). ``trigger=None``: same as
    ``channels``.
    """

    rule: Rule
    after: Literal["conversation", "contact"]
    channels: frozenset[str] | None
    days: int
    trigger: frozenset[str] | None = None

    def __post_init__(self) -> None:
        _check_channels(self.channels, f"gap {self.rule.id!r}")
        _check_channels(self.trigger, f"gap {self.rule.id!r} (trigger)")
        if self.after not in ("conversation", "contact"):
            raise ConfigError(
                f"gap {self.rule.id!r}: after {self.after!r} is not 'conversation' or 'contact'"
            )
        if not (_whole(self.days) and self.days >= 1):
            raise ConfigError(
                f"gap {self.rule.id!r}: days {self.days!r} is not a whole number >= 1"
            )

    @property
    def triggers(self) -> frozenset[str] | None:
        return self.channels if self.trigger is None else self.trigger


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_channels(channels: frozenset[str] | None, where: str) -> None:
    if channels is None:
        return
    unknown = sorted(set(channels) - set(CHANNELS))
    if unknown or not channels:
        raise ConfigError(
            f"{where}: channels {sorted(channels)} must be a non-empty subset of "
            f"{', '.join(CHANNELS)} (unknown: {', '.join(unknown) or 'none'})"
        )


def _in(channels: frozenset[str] | None) -> str:
    return "all channels" if channels is None else "/".join(c for c in CHANNELS if c in channels)


@dataclass(frozen=True)
class RulePack:
    """The contact rules of one jurisdiction (or of a custom policy), declared as data.

    ``windows`` holds seven tuples (Monday first) of local time windows; an empty tuple
    closes that weekday. Holidays close the whole day: the public holidays of
    ``holiday_country`` (and ``holiday_subdiv``) from the ``holidays`` library, plus
    ``holiday_dates``. ``consent="opt_in"`` allows only channels whose consent is true;
    ``"opt_out"`` allows all but those whose consent is false. A rule attribute set to
    ``None`` is not enforced.
    """

    name: str
    description: str
    windows: tuple[tuple[Window, ...], ...]
    hours_rule: Rule
    consent: ConsentMode = "opt_out"
    consent_rule: Rule | None = None
    holiday_country: str | None = None
    holiday_subdiv: str | None = None
    holiday_dates: frozenset[date] = field(default_factory=frozenset)
    holiday_rule: Rule | None = None
    caps: tuple[Cap, ...] = ()
    gaps: tuple[Gap, ...] = ()
    one_channel_per_week: Rule | None = None

    def __post_init__(self) -> None:
        if len(self.windows) != 7:
            raise ConfigError(f"pack {self.name!r}: windows must list the 7 weekdays, Monday first")
        if self.consent not in ("opt_in", "opt_out"):
            raise ConfigError(
                f"pack {self.name!r}: consent {self.consent!r} is not 'opt_in' or 'opt_out'"
            )
        if self.consent == "opt_in" and self.consent_rule is None:
            raise ConfigError(f"pack {self.name!r}: an opt-in pack needs its consent_rule")
        has_holidays = self.holiday_country is not None or bool(self.holiday_dates)
        if has_holidays and self.holiday_rule is None:
            raise ConfigError(f"pack {self.name!r}: holidays are given but no holiday_rule")
        ids = [r.id for r in self.rules]
        if len(set(ids)) != len(ids):
            raise ConfigError(f"pack {self.name!r}: rule ids must be unique, got {ids}")

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Every rule of the pack, in the order they are checked (the first breach is reported).

        ``local_time`` is only checked when the debtor's time zone is given.
        """
        out = [CONSENT]
        if self.consent == "opt_in" and self.consent_rule is not None:
            out.append(self.consent_rule)
        out.append(LOCAL_TIME)
        if self.holiday_rule is not None:
            out.append(self.holiday_rule)
        out.append(self.hours_rule)
        out += [g.rule for g in self.gaps]
        out += [c.rule for c in self.caps]
        if self.one_channel_per_week is not None:
            out.append(self.one_channel_per_week)
        return tuple(out)

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id (``consent`` and ``local_time`` included)."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(f"pack {self.name!r} has no rule {rule_id!r}")

    def hours_text(self, weekday: int) -> str:
        """``"08:00-21:00"`` (windows of that weekday, 0 = Monday) or ``"no contact"``."""
        spans = self.windows[weekday]
        return ", ".join(str(w) for w in spans) if spans else "no contact"


def _same(window: str) -> tuple[Window, ...]:
    return (Window.parse(window),)


def _week(weekdays: str | None, saturday: str | None, sunday: str | None) -> tuple:
    day = _same(weekdays) if weekdays else ()
    return (
        day,
        day,
        day,
        day,
        day,
        _same(saturday) if saturday else (),
        _same(sunday) if sunday else (),
    )


_REG_F = "Regulation F, 12 CFR 1006"
_CO = "Ley 2300 de 2023 (Colombia)"
_CL = "Ley 19.496 art. 37 as amended by Ley 21.320 (Chile)"

US = RulePack(
    name="US",
    description="United States: Regulation F (FDCPA), 12 CFR part 1006.",
    windows=_week("08:00-21:00", "08:00-21:00", "08:00-21:00"),
    hours_rule=Rule(
        "US.hours",
        "No communication before 08:00 or after 21:00 debtor-local (inconvenient times); "
        "a contact must start before 21:00.",
        f"{_REG_F}.6(b)(1)(i)",
    ),
    consent="opt_out",
    caps=(
        Cap(
            Rule(
                "US.call_cap_7d",
                "At most 7 telephone calls (live or IVR) within 7 consecutive days.",
                f"{_REG_F}.14(b)(2)(i)(A)",
            ),
            channels=VOICE,
            period=7,
            max=7,
        ),
    ),
    gaps=(
        Gap(
            Rule(
                "US.call_after_conversation",
                "No telephone call within 7 days after a telephone conversation about the "
                "debt (a successful call or IVR contact); the day of the conversation is day 1.",
                f"{_REG_F}.14(b)(2)(i)(B)",
            ),
            after="conversation",
            channels=VOICE,
            days=7,
        ),
    ),
)

CO = RulePack(
    name="CO",
    description="Colombia: Ley 2300 de 2023 ('dejen de fregar').",
    windows=_week("07:00-19:00", "08:00-15:00", None),
    hours_rule=Rule(
        "CO.hours",
        "Contact only Monday to Friday 07:00-19:00 and Saturday 08:00-15:00; never on Sundays.",
        f"{_CO}, art. 3",
    ),
    consent="opt_in",
    consent_rule=Rule(
        "CO.consent",
        "Only channels the debtor authorised (consent_<channel> true) may be used.",
        f"{_CO}, art. 2",
    ),
    holiday_country="CO",
    holiday_rule=Rule(
        "CO.holiday",
        "No contact on Colombian public holidays.",
        f"{_CO}, art. 3",
    ),
    caps=(
        Cap(
            Rule(
                "CO.daily_cap",
                "At most one contact a day, all channels together.",
                f"{_CO}, art. 2",
            ),
            channels=None,
            period="day",
            max=1,
        ),
    ),
    one_channel_per_week=Rule(
        "CO.one_channel_per_week",
        "Not contacted through several channels in the same week (ISO week, Monday to Sunday).",
        f"{_CO}, art. 2",
    ),
)

MX = RulePack(
    name="MX",
    description="Mexico: CONDUSEF rules for collection (despachos de cobranza).",
    windows=_week("07:00-22:00", "07:00-22:00", "07:00-22:00"),
    hours_rule=Rule(
        "MX.hours",
        "Contact only between 07:00 and 22:00 debtor-local.",
        "CONDUSEF, Disposiciones de carácter general en materia de despachos de cobranza",
    ),
    consent="opt_out",
)

CL = RulePack(
    name="CL",
    description="Chile: Ley 21.320 (collection practices, Ley 19.496 art. 37).",
    windows=_week("08:00-20:00", "08:00-20:00", None),
    hours_rule=Rule(
        "CL.hours", "Contact only Monday to Saturday 08:00-20:00; never on Sundays.", _CL
    ),
    consent="opt_out",
    caps=(
        Cap(
            Rule(
                "CL.call_week_cap",
                "At most one telephone call (live or IVR) a week (ISO week, Monday to Sunday).",
                _CL,
            ),
            channels=VOICE,
            period="week",
            max=1,
        ),
        Cap(
            Rule(
                "CL.digital_week_cap",
                "At most two digital contacts (sms, email, whatsapp, push) a week.",
                _CL,
            ),
            channels=DIGITAL,
            period="week",
            max=2,
        ),
    ),
    gaps=(
        Gap(
            Rule(
                "CL.digital_gap",
                "Digital contacts at least two days apart (a Monday message allows the next "
                "on Wednesday).",
                _CL,
            ),
            after="contact",
            channels=DIGITAL,
            days=2,
        ),
    ),
)

#: The pack for debtors of a country without a built-in pack: Monday to Saturday
#: 08:00-21:00 local, never Sundays, at most one contact a day, consent respected (opt-out).
DEFAULT = RulePack(
    name="DEFAULT",
    description="Conservative default for countries without a pack: Monday to Saturday "
    "08:00-21:00 local, no Sundays, at most one contact a day, refused channels never used.",
    windows=_week("08:00-21:00", "08:00-21:00", None),
    hours_rule=Rule(
        "DEFAULT.hours",
        "Contact only Monday to Saturday 08:00-21:00 debtor-local; never on Sundays.",
        "collectscore default pack (no country pack)",
    ),
    consent="opt_out",
    caps=(
        Cap(
            Rule(
                "DEFAULT.daily_cap",
                "At most one contact a day, all channels together.",
                "collectscore default pack (no country pack)",
            ),
            channels=None,
            period="day",
            max=1,
        ),
    ),
)

#: Built-in packs by ISO 3166-1 alpha-2 country code.
PACKS: dict[str, RulePack] = {p.name: p for p in (US, CO, MX, CL)}

#: Every built-in rule by id (the packs', the default pack's and the generic ones).
RULES: dict[str, Rule] = {r.id: r for pack in (*PACKS.values(), DEFAULT) for r in pack.rules}


def pack_for(country: str | None, packs: Mapping[str, RulePack] | None = None) -> RulePack:
    """The rule pack of a debtor's country (``DEFAULT`` when unknown or missing).

    ``packs`` adds or overrides packs by country code (e.g. custom packs from
    :func:`load_pack`); codes are matched case-insensitively.
    """
    table = dict(PACKS)
    if packs is not None:
        table.update({str(k).strip().upper(): v for k, v in packs.items()})
    if country is None or (isinstance(country, float) and math.isnan(country)):
        return DEFAULT
    if not isinstance(country, str):
        if country is pd.NA or country is pd.NaT:
            return DEFAULT
        raise ConfigError(
            f"country {country!r} is not a two-letter ISO 3166-1 code; use e.g. "
            + ", ".join(repr(c) for c in RULE_PACK_COUNTRIES)
        )
    return table.get(country.strip().upper(), DEFAULT)


def channels_text(channels: frozenset[str] | None) -> str:
    """``"call/ivr"`` or ``"all channels"``, in contract order."""
    return _in(channels)
