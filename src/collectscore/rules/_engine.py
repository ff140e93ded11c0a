"""Checking contacts against a rule pack: vectorised over candidates, and a simple checker."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import holidays as _holidays
import numpy as np
import pandas as pd

from .._contract import CHANNELS
from .._errors import ConfigError
from ._inputs import check_consent, check_frame, check_success, zone
from ._packs import CONSENT, LOCAL_TIME, WEEKDAY_NAMES, Cap, Gap, Rule, RulePack, channels_text

_DAY_NS = 86_400 * 10**9
_CODE = {c: i for i, c in enumerate(CHANNELS)}
_MINUTE_NS = 60 * 10**9
_FIX_LOCAL = (
    "give naive debtor-local times; convert tz-aware ones with collectscore.rules.local_times"
)


@functools.lru_cache(maxsize=512)
def _holiday_year(country: str, subdiv: str | None, year: int) -> dict[date, str]:
    return dict(_holidays.country_holidays(country, subdiv=subdiv, years=year).items())


def holiday_names(pack: RulePack, years: range | list[int]) -> dict[date, str]:
    """The pack's holidays in ``years``: date -> name."""
    out: dict[date, str] = {}
    if pack.holiday_country is not None:
        for year in years:
            out.update(_holiday_year(pack.holiday_country, pack.holiday_subdiv, int(year)))
    for day in pack.holiday_dates:
        if day.year in years:
            out.setdefault(day, "holiday listed in the pack")
    return out


def _days_to_text(days: np.ndarray) -> pd.Series:
    return pd.Series(days.astype("datetime64[D]")).astype(str)


def _weeks(days: np.ndarray) -> np.ndarray:
    """Day number of the Monday starting the ISO week (1970-01-01 was a Thursday)."""
    return days - (days + 3) % 7


def _count_between(sorted_days: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return np.searchsorted(sorted_days, hi, side="right") - np.searchsorted(
        sorted_days, lo, side="left"
    )


def allowed_slots(
    pack: RulePack,
    candidates: pd.DataFrame,
    history: pd.DataFrame,
    consent: Mapping[str, bool | None] | None,
    *,
    timezone: str | None = None,
) -> pd.DataFrame:
    """Which candidate contacts of ONE debtor the pack allows, and why the others are not.

    ``candidates`` has ``channel`` and ``send_at`` (naive debtor-local); ``history`` the
    debtor's contacts (``channel``, ``sent_at`` naive local, ``success``). Each candidate is
    checked on its own against the history, as if it alone were sent: caps count the
    history plus the candidate over every period that contains it. Returns the candidates
    with ``allowed`` (bool), ``rule`` (id of the first rule that excludes it, ``None`` when
    allowed) and ``reason`` (a sentence, ``None`` when allowed). With ``timezone`` (IANA
    name) a local time skipped by a daylight-saving change is excluded (``local_time``).
    """
    cand = check_frame(candidates, "candidates", ("channel", "send_at"), "send_at", _FIX_LOCAL)
    hist = check_frame(history, "history", ("channel", "sent_at", "success"), "sent_at", _FIX_LOCAL)
    success = check_success(history, "history")
    stated = check_consent(consent)
    timezone = _zone_name(timezone)

    n = len(cand)
    channel = cand["channel"].astype(object).to_numpy()
    t_ns = cand["send_at"].to_numpy().astype("datetime64[ns]").astype(np.int64)
    days = t_ns // _DAY_NS
    minute = (t_ns - days * _DAY_NS) // _MINUTE_NS
    weekday = (days + 3) % 7

    order = np.argsort(hist["sent_at"].to_numpy(), kind="stable")
    h_channel = hist["channel"].astype(object).to_numpy()[order]
    h_ns = hist["sent_at"].to_numpy().astype("datetime64[ns]").astype(np.int64)[order]
    h_days = h_ns // _DAY_NS
    h_success = success[order]

    rule = np.full(n, None, dtype=object)
    reason = np.full(n, None, dtype=object)

    def mark(found: Rule, mask: np.ndarray, text: Any) -> None:
        """Record ``found`` where it excludes a candidate not yet excluded."""
        new = mask & (rule == None)  # noqa: E711 - elementwise on an object array
        if not new.any():
            return
        texts = text(new) if callable(text) else pd.Series(np.full(new.sum(), text))
        rule[new] = found.id
        cite = f" ({found.citation})." if found.citation else "."
        reason[new] = (pd.Series(np.asarray(texts, dtype=object)).astype(str) + cite).to_numpy(
            dtype=object
        )

    ch = pd.Series(channel, dtype=object)
    # consent: refused anywhere; opt-in packs also need an explicit yes
    refused = np.array([stated[c] is False for c in CHANNELS])
    granted = np.array([stated[c] is True for c in CHANNELS])
    code = ch.map(_CODE).to_numpy(dtype=np.int64)
    mark(
        CONSENT,
        refused[code],
        lambda m: (
            ch[m].to_numpy(dtype=object)
            + " was refused by the debtor (consent_"
            + ch[m].to_numpy(dtype=object)
            + " is false)"
        ),
    )
    if pack.consent == "opt_in" and pack.consent_rule is not None:
        mark(
            pack.consent_rule,
            ~granted[code],
            lambda m: (
                ch[m].to_numpy(dtype=object)
                + f" is not authorised by the debtor; the {pack.name} pack uses only channels "
                "with consent_<channel> true"
            ),
        )
    if timezone is not None and n:
        local = pd.Series(cand["send_at"].to_numpy(), dtype="datetime64[ns]")
        aware = local.dt.tz_localize(timezone, ambiguous=np.ones(n, bool), nonexistent="NaT")
        gone = aware.isna().to_numpy()
        mark(
            LOCAL_TIME,
            gone,
            lambda m: (
                _stamp(t_ns[m])
                + f" does not exist in {timezone} (clocks skip it at a daylight-saving change)"
            ),
        )
    if pack.holiday_rule is not None and n:
        years = np.unique(days.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970)
        names = holiday_names(pack, years.tolist())
        if names:
            h_keys = np.array([(d - date(1970, 1, 1)).days for d in names], dtype=np.int64)
            h_text = pd.Series(list(names.values()), index=h_keys)
            is_holiday = np.isin(days, h_keys)
            mark(
                pack.holiday_rule,
                is_holiday,
                lambda m: (
                    _days_to_text(days[m])
                    + " is a public holiday ("
                    + h_text.reindex(days[m]).to_numpy(dtype=object)
                    + ")"
                ),
            )
    inside = np.zeros(n, dtype=bool)
    for wd, spans in enumerate(pack.windows):
        for w in spans:
            inside |= (weekday == wd) & (minute >= w.start) & (minute < w.end)
    hours_text = np.array([pack.hours_text(wd) for wd in range(7)], dtype=object)
    mark(
        pack.hours_rule,
        ~inside,
        lambda m: (
            np.array(WEEKDAY_NAMES, dtype=object)[weekday[m]]
            + " "
            + _stamp(t_ns[m], "%H:%M")
            + " is outside the allowed hours ("
            + hours_text[weekday[m]]
            + ")"
        ),
    )
    for gap in pack.gaps:
        _gap(gap, mark, channel, t_ns, days, h_channel, h_ns, h_days, h_success)
    for cap in pack.caps:
        _cap(cap, mark, channel, days, h_channel, h_days)
    if pack.one_channel_per_week is not None:
        weeks = _weeks(days)
        other = np.full(n, None, dtype=object)
        used = np.zeros(n, dtype=bool)
        if len(h_days) and n:
            # which channels each week of the history used: a (week x channel) table
            h_weeks, row = np.unique(_weeks(h_days), return_inverse=True)
            seen = np.zeros((len(h_weeks), len(CHANNELS)), dtype=bool)
            h_code = pd.Series(h_channel).map(_CODE).to_numpy(dtype=np.int64)
            seen[row, h_code] = True
            at = np.clip(np.searchsorted(h_weeks, weeks), 0, len(h_weeks) - 1)
            others = seen[at] & (h_weeks[at] == weeks)[:, None]
            others[np.arange(n), code] = False
            used = others.any(axis=1)
            other = np.where(used, np.array(CHANNELS, dtype=object)[others.argmax(axis=1)], None)
        mark(
            pack.one_channel_per_week,
            used,
            lambda m: (
                "the debtor was already contacted by "
                + pd.Series(other[m], dtype=object)
                + " in the week of "
                + _days_to_text(weeks[m])
                + "; one channel a week"
            ),
        )

    out = candidates.copy()
    out["allowed"] = rule == None  # noqa: E711
    out["rule"] = pd.Series(rule, index=candidates.index, dtype=object)
    out["reason"] = pd.Series(reason, index=candidates.index, dtype=object)
    return out


def _zone_name(timezone: object) -> str | None:
    """A checked IANA name, or ``None`` when not given (``None``/NaN: wall time only)."""
    if timezone is None or (not isinstance(timezone, str) and pd.isna(timezone)):
        return None
    zone(str(timezone), "candidates")
    return str(timezone)


def _stamp(ns: np.ndarray, fmt: str = "%Y-%m-%d %H:%M") -> pd.Series:
    return pd.Series(pd.to_datetime(ns)).dt.strftime(fmt)


def _gap(
    gap: Gap,
    mark: Any,
    channel: np.ndarray,
    t_ns: np.ndarray,
    days: np.ndarray,
    h_channel: np.ndarray,
    h_ns: np.ndarray,
    h_days: np.ndarray,
    h_success: np.ndarray,
) -> None:
    def members(channels: frozenset[str] | None, values: np.ndarray) -> np.ndarray:
        if channels is None:
            return np.ones(len(values), dtype=bool)
        return np.isin(values, list(channels))

    n = len(days)
    kind = "conversation" if gap.after == "conversation" else "contact"
    # the candidate as the blocked contact: the latest trigger before it (a conversation
    # strictly before, any other contact at or before)
    is_trigger = members(gap.triggers, h_channel)
    if gap.after == "conversation":
        is_trigger &= h_success
    trig_ns, trig_days, trig_ch = h_ns[is_trigger], h_days[is_trigger], h_channel[is_trigger]
    blocked = np.zeros(n, dtype=bool)
    when = np.zeros(n, dtype=np.int64)
    which = np.full(n, None, dtype=object)
    if len(trig_ns):
        side = "left" if gap.after == "conversation" else "right"
        i = np.searchsorted(trig_ns, t_ns, side=side) - 1
        has = i >= 0
        j = np.where(has, i, 0)
        blocked = members(gap.channels, channel) & has & (days - trig_days[j] < gap.days)
        when, which = trig_days[j], trig_ch[j]
    # the candidate as a trigger: the earliest blocked-channel contact at or after it
    if gap.after == "contact":
        is_blocked = members(gap.channels, h_channel)
        b_ns, b_days, b_ch = h_ns[is_blocked], h_days[is_blocked], h_channel[is_blocked]
        if len(b_ns):
            i = np.searchsorted(b_ns, t_ns, side="left")
            has = i < len(b_ns)
            j = np.where(has, i, 0)
            ahead = members(gap.triggers, channel) & has & (b_days[j] - days < gap.days) & ~blocked
            blocked = blocked | ahead
            when = np.where(ahead, b_days[j], when)
            which = np.where(ahead, b_ch[j], which)
    mark(
        gap.rule,
        blocked,
        lambda m: (
            f"a {kind} by "
            + pd.Series(which[m], dtype=object)
            + " on "
            + _days_to_text(when[m])
            + f" is less than {gap.days} days away; {channels_text(gap.channels)} must keep "
            f"{gap.days} days after a {kind}"
        ),
    )


def _cap(
    cap: Cap,
    mark: Any,
    channel: np.ndarray,
    days: np.ndarray,
    h_channel: np.ndarray,
    h_days: np.ndarray,
) -> None:
    counted = np.sort(
        h_days if cap.channels is None else h_days[np.isin(h_channel, list(cap.channels))]
    )
    applies = (
        np.ones(len(days), bool) if cap.channels is None else np.isin(channel, list(cap.channels))
    )
    if cap.period == "day":
        count = _count_between(counted, days, days)
        where = " on " + _days_to_text(days)
    elif cap.period == "week":
        start = _weeks(days)
        count = _count_between(counted, start, start + 6)
        where = " in the week of " + _days_to_text(start)
    else:
        span = int(cap.period)
        starts = days[:, None] - np.arange(span)[None, :]
        counts = _count_between(counted, starts, starts + span - 1)
        count = counts.max(axis=1) if span else np.zeros(len(days), np.int64)
        where = f" within {span} consecutive days of " + _days_to_text(days)
    full = applies & (count >= cap.max)
    mark(
        cap.rule,
        full,
        lambda m: (
            pd.Series(count[m]).astype(str)
            + f" {channels_text(cap.channels)} contact(s) already"
            + where[m].reset_index(drop=True)
            + f"; at most {cap.max}"
        ),
    )


def _local_tuple(contact: object) -> tuple[str, datetime]:
    if isinstance(contact, Mapping):
        channel, when = contact.get("channel"), contact.get("send_at", contact.get("sent_at"))
    else:
        channel, when = contact  # type: ignore[misc]
    if channel not in CHANNELS:
        raise ConfigError(f"contact channel {channel!r} is not one of {', '.join(CHANNELS)}")
    stamp = pd.Timestamp(when)
    if stamp is pd.NaT or stamp.tzinfo is not None:
        raise ConfigError(f"contact time {when!r} must be a naive debtor-local date-time")
    return str(channel), stamp.to_pydatetime()


def violations(
    pack: RulePack,
    contact: tuple[str, object] | Mapping[str, object],
    history: pd.DataFrame,
    consent: Mapping[str, bool | None] | None,
    *,
    timezone: str | None = None,
) -> list[str]:
    """Ids of every rule of ``pack`` the contact ``(channel, send_at)`` breaks, in check order.

    A plain per-contact reading of the rules, independent of :func:`allowed_slots` (the
    property tests compare the two). Same conventions: naive local times; the history
    plus this contact must respect every cap.
    """
    channel, t = _local_tuple(contact)
    stated = check_consent(consent)
    timezone = _zone_name(timezone)
    past = [
        (str(c), pd.Timestamp(s).to_pydatetime(), bool(ok))
        for c, s, ok in zip(history["channel"], history["sent_at"], history["success"], strict=True)
    ]
    day = t.date()
    broken: list[str] = []
    if stated[channel] is False:
        broken.append(CONSENT.id)
    if pack.consent == "opt_in" and pack.consent_rule and stated[channel] is not True:
        broken.append(pack.consent_rule.id)
    if timezone is not None:
        tz = zone(timezone)
        there = t.replace(tzinfo=tz)
        back = there.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
        if back != t:
            broken.append(LOCAL_TIME.id)
    if pack.holiday_rule is not None:
        official = (
            day in _calendar(pack.holiday_country, pack.holiday_subdiv)
            if pack.holiday_country
            else False
        )
        if official or day in pack.holiday_dates:
            broken.append(pack.holiday_rule.id)
    clock = t.hour * 60 + t.minute
    if not any(w.start <= clock < w.end for w in pack.windows[t.weekday()]):
        broken.append(pack.hours_rule.id)
    for gap in pack.gaps:
        if _breaks_gap(gap, channel, t, past):
            broken.append(gap.rule.id)
    for cap in pack.caps:
        if _breaks_cap(cap, channel, day, past):
            broken.append(cap.rule.id)
    if pack.one_channel_per_week is not None:
        week = day.isocalendar()[:2]
        if any(s.date().isocalendar()[:2] == week and c != channel for c, s, _ in past):
            broken.append(pack.one_channel_per_week.id)
    return broken


@functools.lru_cache(maxsize=64)
def _calendar(country: str, subdiv: str | None) -> _holidays.HolidayBase:
    return _holidays.country_holidays(country, subdiv=subdiv)


def _has(channels: frozenset[str] | None, channel: str) -> bool:
    return channels is None or channel in channels


def _breaks_gap(gap: Gap, channel: str, t: datetime, past: list) -> bool:
    for c, s, ok in past:
        if gap.after == "conversation" and not ok:
            continue
        apart = abs((t.date() - s.date()).days)
        if apart >= gap.days:
            continue
        before = s < t if gap.after == "conversation" else s <= t
        if before and _has(gap.channels, channel) and _has(gap.triggers, c):
            return True
        later = gap.after == "contact" and s >= t
        if later and _has(gap.triggers, channel) and _has(gap.channels, c):
            return True
    return False


def _breaks_cap(cap: Cap, channel: str, day: date, past: list) -> bool:
    if not _has(cap.channels, channel):
        return False
    dates = [s.date() for c, s, _ in past if _has(cap.channels, c)]
    if cap.period == "day":
        periods = [(day, day)]
    elif cap.period == "week":
        monday = day - timedelta(days=day.weekday())
        periods = [(monday, monday + timedelta(days=6))]
    else:
        span = int(cap.period)
        periods = [
            (day - timedelta(days=k), day - timedelta(days=k) + timedelta(days=span - 1))
            for k in range(span)
        ]
    return any(sum(lo <= d <= hi for d in dates) + 1 > cap.max for lo, hi in periods)
