"""The rule engine over many debtors at once: each debtor's candidates, history and consent.

Same verdicts, rules and reasons as :func:`allowed_slots` called once per debtor, computed
for all candidates together: per-debtor lookups use keys that cannot cross debtors, and
each reason sentence is written once per distinct value it depends on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._contract import CHANNELS, CONSENT_PREFIX
from .._errors import ConfigError
from ._engine import (
    _CODE,
    _DAY_NS,
    _FIX_LOCAL,
    _MINUTE_NS,
    _days_to_text,
    _stamp,
    _weeks,
    holiday_names,
)
from ._inputs import _consent_value, check_frame, check_success, zone
from ._packs import CONSENT, LOCAL_TIME, WEEKDAY_NAMES, Cap, Gap, Rule, RulePack, channels_text

_CHANNEL_NAMES = np.array(CHANNELS, dtype=object)


@dataclass(frozen=True)
class Contacts:
    """Contacts as arrays: debtor position, channel code (``CHANNELS`` order), time (ns)."""

    debtor: np.ndarray
    code: np.ndarray
    ns: np.ndarray


@dataclass
class Verdicts:
    """Per candidate: index of the excluding rule in ``rules`` (``len(rules)``: allowed)."""

    rule: np.ndarray
    reason: np.ndarray
    rules: list[Rule]

    @property
    def allowed(self) -> np.ndarray:
        return self.rule == len(self.rules)

    def rule_ids(self) -> np.ndarray:
        ids = np.array([r.id for r in self.rules] + [None], dtype=object)
        return ids[self.rule]


def allowed_slots_batch(
    pack: RulePack,
    candidates: pd.DataFrame,
    history: pd.DataFrame,
    debtors: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """:func:`allowed_slots` for the candidate contacts of many debtors under one pack.

    ``candidates``: ``debtor_id``, ``channel``, ``send_at`` (naive debtor-local);
    ``history``: ``debtor_id``, ``channel``, ``sent_at`` (naive local), ``success``;
    ``debtors``: one row per debtor with optional ``consent_<channel>`` (true, false or
    missing) and ``timezone`` (IANA; missing: wall time only, no daylight-saving check).
    Debtors not listed have no stated consent and no time zone. Returns the candidates
    with ``allowed``, ``rule`` and ``reason``, row for row what ``allowed_slots`` gives for
    each debtor's own candidates, history, consent and time zone.
    """
    cand = check_frame(
        candidates, "candidates", ("debtor_id", "channel", "send_at"), "send_at", _FIX_LOCAL
    )
    hist = check_frame(
        history, "history", ("debtor_id", "channel", "sent_at", "success"), "sent_at", _FIX_LOCAL
    )
    success = check_success(history, "history")
    ids = pd.Index(pd.unique(np.concatenate([cand["debtor_id"].astype(str).to_numpy(), hist["debtor_id"].astype(str).to_numpy()])))  # fmt: skip
    consent, zones = _debtor_table(debtors, ids)
    verdicts = check_batch(
        pack,
        _contacts(cand, "send_at", ids),
        _contacts(hist, "sent_at", ids),
        success,
        consent,
        zones,
    )
    out = candidates.copy()
    out["allowed"] = verdicts.allowed
    out["rule"] = pd.Series(verdicts.rule_ids(), index=candidates.index, dtype=object)
    out["reason"] = pd.Series(verdicts.reason, index=candidates.index, dtype=object)
    return out


def _contacts(frame: pd.DataFrame, time_column: str, ids: pd.Index) -> Contacts:
    return Contacts(
        debtor=ids.get_indexer(frame["debtor_id"].astype(str).to_numpy()).astype(np.int64),
        code=pd.Series(frame["channel"].to_numpy()).map(_CODE).to_numpy(dtype=np.int64),
        ns=frame[time_column].to_numpy().astype("datetime64[ns]").astype(np.int64),
    )


def _debtor_table(debtors: pd.DataFrame | None, ids: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """Consent per (debtor, channel) as 1 (true), 0 (false) or -1 (not stated); zones."""
    consent = np.full((len(ids), len(CHANNELS)), -1, dtype=np.int8)
    zones = np.full(len(ids), None, dtype=object)
    if debtors is None:
        return consent, zones
    if not isinstance(debtors, pd.DataFrame) or "debtor_id" not in debtors.columns:
        raise ConfigError(
            "debtors must be a DataFrame with debtor_id (and optionally consent_<channel>, "
            "timezone), one row per debtor"
        )
    at = ids.get_indexer(debtors["debtor_id"].astype(str).to_numpy())
    known = at >= 0
    for i, c in enumerate(CHANNELS):
        name = CONSENT_PREFIX + c
        if name in debtors.columns:
            stated = [_consent_value(v, name) for v in debtors[name].to_numpy(dtype=object)]
            values = np.array([-1 if v is None else int(v) for v in stated], dtype=np.int8)
            consent[at[known], i] = values[known]
    if "timezone" in debtors.columns:
        tz = debtors["timezone"].astype(object).to_numpy()
        tz = np.where(pd.isna(tz), None, tz).astype(object)
        for name in pd.unique(tz[known & (tz != None)]):  # noqa: E711 - elementwise
            zone(str(name), "candidates")
        zones[at[known]] = np.array(
            [None if v is None else str(v) for v in tz[known]], dtype=object
        )
    return consent, zones


def check_batch(
    pack: RulePack,
    cand: Contacts,
    hist: Contacts,
    success: np.ndarray,
    consent: np.ndarray,
    zones: np.ndarray,
) -> Verdicts:
    """The first rule of ``pack`` excluding each candidate (debtor positions index
    ``consent``, a (debtors x channels) table of 1/0/-1, and ``zones``, IANA names or None)."""
    n = len(cand.ns)
    rules: list[Rule] = []
    rule = np.full(n, -1, dtype=np.int64)
    reason = np.full(n, None, dtype=object)
    free = np.ones(n, dtype=bool)

    def mark(found: Rule, mask: np.ndarray, text: Callable[[np.ndarray], np.ndarray]) -> None:
        """Record ``found`` where it excludes a candidate not yet excluded."""
        new = mask & free
        if not new.any():
            return
        if found not in rules:
            rules.append(found)
        rule[new] = rules.index(found)
        free[new] = False
        cite = f" ({found.citation})." if found.citation else "."
        reason[new] = _add(np.asarray(text(new), dtype=object), cite)

    t_ns, code, who = cand.ns, cand.code, cand.debtor
    days = t_ns // _DAY_NS
    minute = (t_ns - days * _DAY_NS) // _MINUTE_NS
    weekday = (days + 3) % 7

    # each debtor's history in time order (ties keep their order)
    order = np.lexsort((hist.ns, hist.debtor))
    h_who, h_code, h_ns = hist.debtor[order], hist.code[order], hist.ns[order]
    h_days = h_ns // _DAY_NS
    h_success = success[order]

    mine = consent[who, code] if n else np.zeros(0, np.int8)
    mark(
        CONSENT,
        mine == 0,
        lambda m: _by(
            code[m],
            lambda c: _add(
                _CHANNEL_NAMES[c], " was refused by the debtor (consent_", _CHANNEL_NAMES[c], " is false)"
            ),
        ),
    )  # fmt: skip
    if pack.consent == "opt_in" and pack.consent_rule is not None:
        mark(
            pack.consent_rule,
            mine != 1,
            lambda m: _by(
                code[m],
                lambda c: _add(
                    _CHANNEL_NAMES[c],
                    f" is not authorised by the debtor; the {pack.name} pack uses only channels "
                    "with consent_<channel> true",
                ),
            ),
        )
    if n:
        zone_of = zones[who]
        gone = np.zeros(n, dtype=bool)
        for name in pd.unique(zone_of[zone_of != None]):  # noqa: E711 - elementwise
            rows = np.flatnonzero(zone_of == name)
            unique, back = np.unique(t_ns[rows], return_inverse=True)
            local = pd.Series(unique.astype("datetime64[ns]"))
            aware = local.dt.tz_localize(
                str(name), ambiguous=np.ones(len(unique), bool), nonexistent="NaT"
            )
            gone[rows] = aware.isna().to_numpy()[back]
        mark(
            LOCAL_TIME,
            gone,
            lambda m: _add(
                _by(t_ns[m], _stamp),
                " does not exist in ",
                zone_of[m],
                " (clocks skip it at a daylight-saving change)",
            ),
        )
    if pack.holiday_rule is not None and n:
        years = np.unique(days.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970)
        names = holiday_names(pack, years.tolist())
        if names:
            h_keys = np.array([(d - pd.Timestamp(0).date()).days for d in names], dtype=np.int64)
            h_text = pd.Series(list(names.values()), index=h_keys)
            mark(
                pack.holiday_rule,
                np.isin(days, h_keys),
                lambda m: _by(
                    days[m],
                    lambda d: _add(
                        _days_to_text(d), " is a public holiday (", h_text.reindex(d), ")"
                    ),
                ),
            )
    inside = np.zeros(n, dtype=bool)
    for wd, spans in enumerate(pack.windows):
        for w in spans:
            inside |= (weekday == wd) & (minute >= w.start) & (minute < w.end)
    hours_text = np.array([pack.hours_text(wd) for wd in range(7)], dtype=object)
    weekday_names = np.array(WEEKDAY_NAMES, dtype=object)

    def outside(t: np.ndarray) -> np.ndarray:
        wd = ((t // _DAY_NS) + 3) % 7
        return _add(
            weekday_names[wd],
            " ",
            _stamp(t, "%H:%M"),
            " is outside the allowed hours (",
            hours_text[wd],
            ")",
        )

    mark(pack.hours_rule, ~inside, lambda m: _by(t_ns[m], outside))

    # per-debtor searches: times ranked among the history's, keyed by debtor
    h_unique = np.unique(h_ns)
    width = len(h_unique) + 1
    h_key = h_who * width + np.searchsorted(h_unique, h_ns)
    before_key = who * width + np.searchsorted(h_unique, t_ns, side="left")  # history < t
    upto_key = who * width + np.searchsorted(h_unique, t_ns, side="right")  # history <= t
    low = min(int(days.min()) if n else 0, int(h_days.min()) if len(h_days) else 0)
    high = max(int(days.max()) if n else 0, int(h_days.max()) if len(h_days) else 0)
    spans = [int(c.period) for c in pack.caps if c.period not in ("day", "week")]
    pad = max([7, *spans]) + 1
    base, span = low - pad, high - low + 2 * pad + 1
    keys = _DayKeys(base, span)

    for gap in pack.gaps:
        _gap(gap, mark, code, days, who, before_key, upto_key, h_code, h_days, h_key, h_who, h_success)  # fmt: skip
    for cap in pack.caps:
        _cap(cap, mark, code, days, who, h_code, h_days, h_who, keys)
    if pack.one_channel_per_week is not None:
        weeks = _weeks(days)
        other = np.full(n, -1, dtype=np.int64)
        used = np.zeros(n, dtype=bool)
        if len(h_days) and n:
            # which channels each (debtor, week) of the history used
            hw_keys, row = np.unique(keys(h_who, _weeks(h_days)), return_inverse=True)
            seen = np.zeros((len(hw_keys), len(CHANNELS)), dtype=bool)
            seen[row, h_code] = True
            wk = keys(who, weeks)
            at = np.clip(np.searchsorted(hw_keys, wk), 0, len(hw_keys) - 1)
            others = seen[at] & (hw_keys[at] == wk)[:, None]
            others[np.arange(n), code] = False
            used = others.any(axis=1)
            other = np.where(used, others.argmax(axis=1), -1)
        mark(
            pack.one_channel_per_week,
            used,
            lambda m: _by2(
                other[m],
                weeks[m],
                lambda o, w: _add(
                    "the debtor was already contacted by ",
                    _CHANNEL_NAMES[o],
                    " in the week of ",
                    _days_to_text(w),
                    "; one channel a week",
                ),
            ),
        )
    return Verdicts(rule=np.where(free, len(rules), rule), reason=reason, rules=rules)


class _DayKeys:
    """Day numbers keyed by debtor: ``debtor * span + (day - base)``, never crossing debtors."""

    def __init__(self, base: int, span: int) -> None:
        self.base, self.span = base, span

    def __call__(self, debtor: np.ndarray, days: np.ndarray) -> np.ndarray:
        return debtor * self.span + (days - self.base)


def _members(channels: frozenset[str] | None, codes: np.ndarray) -> np.ndarray:
    if channels is None:
        return np.ones(len(codes), dtype=bool)
    return np.isin(codes, [_CODE[c] for c in channels])


def _gap(
    gap: Gap,
    mark: Callable[..., None],
    code: np.ndarray,
    days: np.ndarray,
    who: np.ndarray,
    before_key: np.ndarray,
    upto_key: np.ndarray,
    h_code: np.ndarray,
    h_days: np.ndarray,
    h_key: np.ndarray,
    h_who: np.ndarray,
    h_success: np.ndarray,
) -> None:
    n = len(days)
    kind = "conversation" if gap.after == "conversation" else "contact"
    # the candidate as the blocked contact: the debtor's latest trigger before it (a
    # conversation strictly before, any other contact at or before)
    is_trigger = _members(gap.triggers, h_code)
    if gap.after == "conversation":
        is_trigger &= h_success
    t_key, t_days, t_code, t_who = (
        h_key[is_trigger],
        h_days[is_trigger],
        h_code[is_trigger],
        h_who[is_trigger],
    )
    blocked = np.zeros(n, dtype=bool)
    when = np.zeros(n, dtype=np.int64)
    which = np.full(n, -1, dtype=np.int64)
    if len(t_key):
        query = before_key if gap.after == "conversation" else upto_key
        i = np.searchsorted(t_key, query, side="left") - 1
        j = np.where(i >= 0, i, 0)
        has = (i >= 0) & (t_who[j] == who)
        blocked = _members(gap.channels, code) & has & (days - t_days[j] < gap.days)
        when, which = t_days[j], t_code[j]
    # the candidate as a trigger: the debtor's earliest blocked-channel contact at or after it
    if gap.after == "contact":
        is_blocked = _members(gap.channels, h_code)
        b_key, b_days, b_code, b_who = (
            h_key[is_blocked],
            h_days[is_blocked],
            h_code[is_blocked],
            h_who[is_blocked],
        )
        if len(b_key):
            i = np.searchsorted(b_key, before_key, side="left")
            j = np.where(i < len(b_key), i, 0)
            has = (i < len(b_key)) & (b_who[j] == who)
            ahead = _members(gap.triggers, code) & has & (b_days[j] - days < gap.days) & ~blocked
            blocked = blocked | ahead
            when = np.where(ahead, b_days[j], when)
            which = np.where(ahead, b_code[j], which)
    tail = (
        f" is less than {gap.days} days away; {channels_text(gap.channels)} must keep "
        f"{gap.days} days after a {kind}"
    )
    mark(
        gap.rule,
        blocked,
        lambda m: _by2(
            which[m],
            when[m],
            lambda c, d: _add(f"a {kind} by ", _CHANNEL_NAMES[c], " on ", _days_to_text(d), tail),
        ),
    )


def _cap(
    cap: Cap,
    mark: Callable[..., None],
    code: np.ndarray,
    days: np.ndarray,
    who: np.ndarray,
    h_code: np.ndarray,
    h_days: np.ndarray,
    h_who: np.ndarray,
    keys: _DayKeys,
) -> None:
    on_cap = _members(cap.channels, h_code)
    counted = np.sort(keys(h_who[on_cap], h_days[on_cap]))
    applies = _members(cap.channels, code)
    rows = np.flatnonzero(applies)
    count = np.zeros(len(days), dtype=np.int64)
    d, k = days[rows], who[rows]
    if len(counted) and len(rows):
        if cap.period == "day":
            count[rows] = _between(counted, keys(k, d), keys(k, d))
        elif cap.period == "week":
            start = _weeks(d)
            count[rows] = _between(counted, keys(k, start), keys(k, start + 6))
        else:
            span = int(cap.period)
            starts = keys(k, d)[:, None] - np.arange(span)[None, :]
            count[rows] = _between(counted, starts, starts + span - 1).max(axis=1)
    full = applies & (count >= cap.max)
    what = f" {channels_text(cap.channels)} contact(s) already"
    limit = f"; at most {cap.max}"

    def text(c: np.ndarray, d: np.ndarray) -> np.ndarray:
        if cap.period == "day":
            where = _add(" on ", _days_to_text(d))
        elif cap.period == "week":
            where = _add(" in the week of ", _days_to_text(_weeks(d)))
        else:
            where = _add(f" within {int(cap.period)} consecutive days of ", _days_to_text(d))
        return _add(pd.Series(c).astype(str), what, where, limit)

    mark(cap.rule, full, lambda m: _by2(count[m], days[m], text))


def _between(sorted_keys: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return np.searchsorted(sorted_keys, hi, side="right") - np.searchsorted(
        sorted_keys, lo, side="left"
    )


# ------------------------------------------------------------------ reason texts
def _add(*parts: object) -> np.ndarray:
    """Concatenate strings and string arrays elementwise into an object array."""
    out: object = ""
    for part in parts:
        if isinstance(part, pd.Series | pd.Index):
            part = part.to_numpy(dtype=object)
        out = np.add(np.asarray(out, dtype=object), np.asarray(part, dtype=object))
    return np.asarray(out, dtype=object)


def _by(values: np.ndarray, text: Callable[[np.ndarray], object]) -> np.ndarray:
    """``text`` of each value, written once per distinct value."""
    unique, back = np.unique(values, return_inverse=True)
    return np.asarray(_as_objects(text(unique)), dtype=object)[back]


def _by2(
    a: np.ndarray, b: np.ndarray, text: Callable[[np.ndarray, np.ndarray], object]
) -> np.ndarray:
    """``text`` of each (a, b) pair, written once per distinct pair."""
    pairs = pd.MultiIndex.from_arrays([a, b])
    codes, unique = pd.factorize(pairs)
    ua = unique.get_level_values(0).to_numpy()
    ub = unique.get_level_values(1).to_numpy()
    return np.asarray(_as_objects(text(ua, ub)), dtype=object)[codes]


def _as_objects(values: object) -> np.ndarray:
    if isinstance(values, pd.Series | pd.Index):
        return values.to_numpy(dtype=object)
    return np.asarray(values, dtype=object)
