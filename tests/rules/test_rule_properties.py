"""Property tests: no allowed contact ever breaks a rule of its pack.

Random histories and candidates around daylight-saving changes and holidays, in the
time zones of the packs' countries, generated as UTC instants and turned into debtor-local
wall-clock times with ``local_times`` (plus raw local times, some skipped by DST). The
vectorised ``allowed_slots`` is compared with the independent per-contact ``violations``.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

import pandas as pd
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from collectscore._contract import CHANNELS
from collectscore.rules import (
    CL,
    CO,
    DEFAULT,
    MX,
    US,
    allowed_slots,
    local_times,
    pack_from_dict,
    violations,
)

CUSTOM = pack_from_dict(
    {
        "name": "ODD",
        "consent": "opt_in",
        "one_channel_per_week": True,
        "windows": {
            "weekdays": ["00:00-02:45", "09:30-12:00", "13:00-21:30"],
            "sat": "10:00-14:00",
            "sun": ["00:00-03:00", "23:00-24:00"],
        },
        "holidays": {"country": "CL", "dates": ["2026-03-09", "2026-11-02"]},
        "caps": [
            {"id": "voice_3d", "channels": "voice", "period": 3, "max": 2},
            {"id": "week", "channels": "all", "period": "week", "max": 4},
            {"id": "whatsapp_day", "channels": ["whatsapp"], "period": "day", "max": 0},
        ],
        "gaps": [
            {
                "id": "talk",
                "after": "conversation",
                "channels": "all",
                "trigger": ["call"],
                "days": 2,
            },
            {
                "id": "sms_after_email",
                "after": "contact",
                "channels": ["sms"],
                "trigger": ["email"],
                "days": 3,
            },
        ],
    }
)
PACKS = {"US": US, "CO": CO, "MX": MX, "CL": CL, "DEFAULT": DEFAULT, "ODD": CUSTOM}
ZONES = ["America/New_York", "America/Santiago", "America/Mexico_City", "America/Bogota", "UTC"]
# DST changes (New York, Santiago), Colombian and Chilean holidays, a year end
ANCHORS = [
    # (day, its zone, minute after midnight at which an hour is skipped by DST)
    (datetime(2026, 3, 8), "America/New_York", 120),  # springs forward 02:00 -> 03:00
    (datetime(2026, 11, 1), "America/New_York", None),  # falls back 02:00 -> 01:00
    (datetime(2026, 4, 5), "America/Santiago", None),  # falls back 00:00 -> 23:00
    (datetime(2026, 9, 6), "America/Santiago", 0),  # springs forward 00:00 -> 01:00
    (datetime(2026, 12, 25), "America/Bogota", None),
    (datetime(2026, 8, 17), "America/Bogota", None),
    (datetime(2026, 12, 31), "America/Mexico_City", None),
]
ANCHORS += [a for a in ANCHORS if a[2] is not None]  # skipped hours twice as often
#: Property examples per pack; each checks 8-46 candidates (some 2,500-3,000 candidate checks
#: per pack; the whole rules test set stays well under a minute).
EXAMPLES = 400

#: Calls drawn more often, so that call caps and conversation gaps are reached.
channel = st.sampled_from((*CHANNELS, "call", "call", "call"))
minutes = st.integers(min_value=-21 * 24 * 60, max_value=14 * 24 * 60)


def daytime(days_before: int, days_after: int) -> st.SearchStrategy[int]:
    """Minutes after the anchor (UTC) falling roughly in American local daytime (05-23 h)."""
    return st.builds(
        lambda day, hour, minute: day * 24 * 60 + (hour + 5) * 60 + minute,
        st.integers(min_value=-days_before, max_value=days_after),
        st.integers(min_value=5, max_value=23),
        st.sampled_from([0, 0, 0, 30, 59]),
    )


@st.composite
def cases(draw: st.DrawFn) -> dict:
    anchor, own_zone, gap = draw(st.sampled_from(ANCHORS))
    zone = draw(st.one_of(st.just(own_zone), st.sampled_from(ZONES)))
    when = st.one_of(daytime(10, 3), minutes)
    past = draw(st.lists(st.tuples(channel, when, st.booleans()), max_size=24))
    # a burst of unanswered contacts on one channel group, a day or two apart
    group = draw(st.sampled_from([("call", "ivr"), ("sms", "email", "whatsapp", "push")]))
    start, spacing = draw(st.integers(-9, -1)), draw(st.sampled_from([1, 1, 2]))
    for k in range(draw(st.sampled_from([0, 3, 7, 8, 9]))):
        past.append((group[k % len(group)], (start + k * spacing) * 24 * 60 + 15 * 60, False))
    cands = draw(
        st.lists(st.tuples(channel, st.one_of(daytime(2, 5), minutes)), min_size=8, max_size=40)
    )
    # naive wall times as given, often in the hour skipped by DST (02:xx New York, 00:xx Santiago)
    skipped = st.integers(min_value=-2 * 60, max_value=6 * 60)
    if gap is not None:
        skipped = st.one_of(st.integers(min_value=gap, max_value=gap + 59), skipped)
    raw_local = draw(st.lists(st.tuples(channel, skipped), max_size=6))
    consent = {c: draw(st.sampled_from([True, True, True, True, False, None])) for c in CHANNELS}
    return {
        "anchor": anchor,
        "zone": zone,
        "past": past,
        "cands": cands,
        "raw_local": raw_local,
        "consent": consent,
    }


def localised(anchor: datetime, zone: str, rows: list[tuple]) -> pd.DataFrame:
    """Contacts at UTC instants ``anchor + minutes``, as debtor-local naive times."""
    frame = pd.DataFrame(
        {
            "debtor_id": "d",
            "channel": [r[0] for r in rows],
            "sent_at": pd.to_datetime([anchor + timedelta(minutes=r[1]) for r in rows])
            .tz_localize("UTC")
            .astype("datetime64[us, UTC]"),
            "success": [bool(r[2]) if len(r) > 2 else False for r in rows],
        }
    )
    debtors = pd.DataFrame(
        {"debtor_id": ["d"], "as_of": [pd.Timestamp("2026-01-01")], "timezone": [zone]}
    )
    frame["sent_at"] = local_times(frame, debtors)
    return frame


def build(case: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    both = localised(case["anchor"], case["zone"], [*case["past"], *case["cands"]])
    hist = both.iloc[: len(case["past"])][["channel", "sent_at", "success"]]
    cands = both.iloc[len(case["past"]) :][["channel", "sent_at"]]
    raw = pd.DataFrame(
        {
            "channel": [c for c, _ in case["raw_local"]],
            "sent_at": [case["anchor"] + timedelta(minutes=m) for _, m in case["raw_local"]],
        }
    )
    cands = pd.concat([cands, raw], ignore_index=True).rename(columns={"sent_at": "send_at"})
    cands["send_at"] = pd.to_datetime(cands["send_at"]).astype("datetime64[us]")
    return cands, hist


def check_agreement(pack_name: str, case: dict) -> Counter:
    """Every candidate's verdict matches the checker; returns the rules seen broken."""
    pack = PACKS[pack_name]
    cands, hist = build(case)
    out = allowed_slots(pack, cands, hist, case["consent"], timezone=case["zone"])
    seen: Counter = Counter(checked=len(out))
    for row in out.itertuples():
        found = violations(
            pack, (row.channel, row.send_at), hist, case["consent"], timezone=case["zone"]
        )
        seen.update(found)
        if row.allowed:
            assert found == [], (row, found)
        else:
            assert found and found[0] == row.rule, (row, found)
            assert row.reason
    return seen


def check_schedule(pack_name: str, case: dict) -> Counter:
    """Contacts accepted one by one in time order never break a rule, seen as a whole."""
    pack = PACKS[pack_name]
    cands, _ = build(case)
    cands = cands.sort_values("send_at", kind="stable").reset_index(drop=True)
    schedule = pd.DataFrame(
        {
            "channel": pd.Series([], dtype="str"),
            "sent_at": pd.Series([], dtype="datetime64[us]"),
            "success": pd.Series([], dtype=bool),
        }
    )
    for i in range(len(cands)):
        one = cands.iloc[[i]]
        verdict = allowed_slots(pack, one, schedule, case["consent"], timezone=case["zone"])
        if verdict["allowed"].iloc[0]:
            sent = pd.DataFrame(
                {
                    "channel": one["channel"].to_numpy(),
                    "sent_at": one["send_at"].to_numpy(),
                    "success": [i % 2 == 0],  # every other contact reaches the debtor
                }
            )
            schedule = pd.concat([schedule, sent], ignore_index=True)
    for i in range(len(schedule)):
        rest = schedule.drop(index=i)
        contact = (schedule["channel"].iloc[i], schedule["sent_at"].iloc[i])
        assert violations(pack, contact, rest, case["consent"], timezone=case["zone"]) == []
    return Counter(scheduled=len(schedule))


def _property(
    name: str, check: Callable[[str, dict], Counter], examples: int
) -> Callable[[], None]:
    """A hypothesis test of ``check`` on pack ``name``, with its own reproducible examples."""

    seen: Counter = Counter()

    def body(case: dict) -> None:
        seen.update(check(name, case))

    run = seed(zlib.crc32(f"{check.__name__}:{name}".encode()))(  # reproducible, per pack
        settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )(given(case=cases())(body))
    )

    def test() -> None:
        seen.clear()
        run()
        if check is check_agreement:
            # the generated cases reach every rule of the pack, and thousands of candidates
            assert {r.id for r in PACKS[name].rules} <= set(seen), seen
            assert seen["checked"] >= 4_000
        else:
            assert seen["scheduled"] >= examples

    return test


test_us_allowed_contacts_never_break_a_rule = _property("US", check_agreement, EXAMPLES)
test_co_allowed_contacts_never_break_a_rule = _property("CO", check_agreement, EXAMPLES)
test_mx_allowed_contacts_never_break_a_rule = _property("MX", check_agreement, EXAMPLES)
test_cl_allowed_contacts_never_break_a_rule = _property("CL", check_agreement, EXAMPLES)
test_default_allowed_contacts_never_break_a_rule = _property("DEFAULT", check_agreement, EXAMPLES)
test_custom_allowed_contacts_never_break_a_rule = _property("ODD", check_agreement, EXAMPLES)
test_us_schedules_hold_no_violation = _property("US", check_schedule, EXAMPLES // 5)
test_co_schedules_hold_no_violation = _property("CO", check_schedule, EXAMPLES // 5)
test_cl_schedules_hold_no_violation = _property("CL", check_schedule, EXAMPLES // 5)
test_custom_schedules_hold_no_violation = _property("ODD", check_schedule, EXAMPLES // 5)
