"""allowed_slots and violations on hand-built debtors: each rule of each pack, by example.

2026-03-02 is a Monday; 2026-03-08 a Sunday.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import pytest
from rulecases import ALL_CONSENT, NO_HISTORY, candidates, history

from collectscore import ConfigError, ContractError
from collectscore.rules import (
    CL,
    CO,
    DEFAULT,
    MX,
    US,
    RulePack,
    allowed_slots,
    pack_for,
    pack_from_dict,
    violations,
)


def verdicts(
    pack: RulePack,
    cands: pd.DataFrame,
    hist: pd.DataFrame = NO_HISTORY,
    consent: Mapping[str, bool | None] | None = ALL_CONSENT,
    **kw: Any,
) -> list[str | None]:
    """The first excluding rule per candidate (None = allowed), checked against `violations`."""
    out = allowed_slots(pack, cands, hist, consent, **kw)
    for row in out.itertuples():
        found = violations(pack, (row.channel, row.send_at), hist, consent, **kw)
        assert (found[0] if found else None) == row.rule
        assert row.allowed == (row.rule is None)
    return list(out["rule"])


# --- US: Regulation F -------------------------------------------------------------------


def test_us_contacts_only_from_0800_to_before_2100_local() -> None:
    cands = candidates(
        ("sms", "2026-03-02 07:59"),
        ("sms", "2026-03-02 08:00"),
        ("email", "2026-03-02 20:59"),
        ("email", "2026-03-02 21:00"),
        ("call", "2026-03-08 12:00"),
    )
    assert verdicts(US, cands) == ["US.hours", None, None, "US.hours", None]


def test_an_excluded_slot_explains_itself_with_the_time_the_window_and_the_citation() -> None:
    out = allowed_slots(US, candidates(("sms", "2026-03-02 07:30")), NO_HISTORY, ALL_CONSENT)
    reason = out["reason"].iloc[0]
    assert "Monday 07:30" in reason
    assert "08:00-21:00" in reason
    assert "1006.6(b)(1)(i)" in reason


def test_us_eighth_call_in_seven_days_is_refused_but_other_channels_are_not() -> None:
    seven = history(*[("call", f"2026-03-0{d} 10:00") for d in range(2, 9)])
    cands = candidates(
        ("call", "2026-03-08 15:00"),
        ("ivr", "2026-03-08 15:00"),
        ("sms", "2026-03-08 15:00"),
        ("call", "2026-03-09 10:00"),  # 2026-03-03..09 holds six calls
    )
    assert verdicts(US, cands, seven) == ["US.call_cap_7d", "US.call_cap_7d", None, None]
    reason = allowed_slots(US, cands, seven, ALL_CONSENT)["reason"].iloc[0]
    assert "7 call/ivr contact(s)" in reason and "at most 7" in reason


def test_us_automated_calls_count_towards_the_call_cap() -> None:
    seven_ivr = history(*[("ivr", f"2026-03-0{d} 10:00") for d in range(2, 9)])
    assert verdicts(US, candidates(("call", "2026-03-08 16:00")), seven_ivr) == ["US.call_cap_7d"]


def test_us_no_call_for_seven_days_after_a_conversation_the_conversation_day_being_day_one() -> (
    None
):
    talked = history(("call", "2026-03-02 10:00", True))
    cands = candidates(
        ("call", "2026-03-02 09:00"),  # before the conversation
        ("call", "2026-03-02 11:00"),
        ("call", "2026-03-08 20:00"),
        ("call", "2026-03-09 08:00"),
        ("sms", "2026-03-03 10:00"),
    )
    assert verdicts(US, cands, talked) == [
        None,
        "US.call_after_conversation",
        "US.call_after_conversation",
        None,
        None,
    ]


def test_us_an_unanswered_call_is_not_a_conversation() -> None:
    missed = history(("call", "2026-03-02 10:00", False))
    assert verdicts(US, candidates(("call", "2026-03-03 10:00")), missed) == [None]


def test_us_unstated_consent_allows_a_channel_and_a_refusal_never_does() -> None:
    cands = candidates(("sms", "2026-03-02 10:00"), ("call", "2026-03-02 10:00"))
    consent = {"sms": None, "call": False}
    assert verdicts(US, cands, consent=consent) == [None, "consent"]
    reason = allowed_slots(US, cands, NO_HISTORY, consent)["reason"].iloc[1]
    assert "call" in reason and "consent_call is false" in reason


# --- CO: Ley 2300 de 2023 ---------------------------------------------------------------


def test_co_weekday_and_saturday_windows_and_never_on_sunday() -> None:
    cands = candidates(
        ("sms", "2026-03-02 06:59"),
        ("sms", "2026-03-02 07:00"),
        ("sms", "2026-03-03 18:59"),
        ("sms", "2026-03-04 19:00"),
        ("sms", "2026-03-07 07:30"),
        ("sms", "2026-03-07 14:59"),
        ("sms", "2026-03-14 15:00"),
        ("sms", "2026-03-08 10:00"),
    )
    assert verdicts(CO, cands) == [
        "CO.hours",
        None,
        None,
        "CO.hours",
        "CO.hours",
        None,
        "CO.hours",
        "CO.hours",
    ]


def test_co_colombian_public_holidays_are_closed_and_named() -> None:
    cands = candidates(("sms", "2026-12-25 10:00"), ("sms", "2026-01-12 10:00"))
    assert verdicts(CO, cands) == ["CO.holiday", "CO.holiday"]
    reasons = allowed_slots(CO, cands, NO_HISTORY, ALL_CONSENT)["reason"]
    assert "Christmas" in reasons.iloc[0]
    assert "Ley 2300" in reasons.iloc[1]


def test_co_only_channels_the_debtor_opted_into() -> None:
    cands = candidates(
        ("sms", "2026-03-02 10:00"), ("email", "2026-03-02 10:00"), ("call", "2026-03-02 10:00")
    )
    consent = {"sms": True, "email": None, "call": False}
    assert verdicts(CO, cands, consent=consent) == [None, "CO.consent", "consent"]
    assert verdicts(CO, cands, consent=None) == ["CO.consent"] * 3


def test_co_at_most_one_contact_a_day() -> None:
    hist = history(("sms", "2026-03-02 09:00"))
    cands = candidates(("sms", "2026-03-02 15:00"), ("sms", "2026-03-03 09:00"))
    assert verdicts(CO, cands, hist) == ["CO.daily_cap", None]


def test_co_not_through_several_channels_in_the_same_week() -> None:
    hist = history(("sms", "2026-03-02 09:00"))
    cands = candidates(
        ("email", "2026-03-04 10:00"),
        ("sms", "2026-03-04 10:00"),
        ("email", "2026-03-09 10:00"),  # next ISO week
    )
    assert verdicts(CO, cands, hist) == ["CO.one_channel_per_week", None, None]
    reason = allowed_slots(CO, cands, hist, ALL_CONSENT)["reason"].iloc[0]
    assert "sms" in reason and "2026-03-02" in reason


def test_candidates_are_judged_one_at_a_time_against_the_history_only() -> None:
    cands = candidates(("sms", "2026-03-02 09:00"), ("email", "2026-03-02 10:00"))
    assert verdicts(CO, cands) == [None, None]


# --- MX and CL --------------------------------------------------------------------------


def test_mx_contacts_only_from_0700_to_before_2200_any_day() -> None:
    cands = candidates(
        ("call", "2026-03-02 06:59"),
        ("call", "2026-03-02 07:00"),
        ("call", "2026-03-02 21:59"),
        ("call", "2026-03-02 22:00"),
        ("call", "2026-03-08 12:00"),
    )
    assert verdicts(MX, cands) == ["MX.hours", None, None, "MX.hours", None]


def test_cl_monday_to_saturday_0800_to_before_2000() -> None:
    cands = candidates(
        ("sms", "2026-03-07 19:59"), ("sms", "2026-03-07 20:00"), ("sms", "2026-03-08 12:00")
    )
    assert verdicts(CL, cands) == [None, "CL.hours", "CL.hours"]


def test_cl_one_call_a_calendar_week() -> None:
    hist = history(("call", "2026-03-02 10:00"))
    cands = candidates(
        ("call", "2026-03-06 10:00"), ("ivr", "2026-03-06 10:00"), ("call", "2026-03-09 10:00")
    )
    assert verdicts(CL, cands, hist) == ["CL.call_week_cap", "CL.call_week_cap", None]


def test_cl_two_digital_contacts_a_week_at_least_two_days_apart() -> None:
    two = history(("sms", "2026-03-02 10:00"), ("email", "2026-03-04 10:00"))
    assert verdicts(CL, candidates(("whatsapp", "2026-03-06 10:00")), two) == [
        "CL.digital_week_cap"
    ]
    one = history(("sms", "2026-03-02 10:00"))
    cands = candidates(
        ("email", "2026-03-03 19:00"), ("email", "2026-03-04 08:00"), ("call", "2026-03-03 10:00")
    )
    assert verdicts(CL, cands, one) == ["CL.digital_gap", None, None]


def test_cl_a_digital_candidate_must_also_keep_the_gap_before_a_later_contact() -> None:
    later = history(("sms", "2026-03-05 10:00"))
    cands = candidates(("email", "2026-03-04 10:00"), ("email", "2026-03-03 10:00"))
    assert verdicts(CL, cands, later) == ["CL.digital_gap", None]


# --- default pack, shape of the answer --------------------------------------------------


def test_other_countries_get_the_default_pack_which_closes_sundays_and_allows_one_contact_a_day() -> (
    None
):
    assert pack_for("FR") is DEFAULT
    hist = history(("email", "2026-03-02 09:00"))
    cands = candidates(("sms", "2026-03-02 12:00"), ("sms", "2026-03-08 12:00"))
    assert verdicts(DEFAULT, cands, hist) == ["DEFAULT.daily_cap", "DEFAULT.hours"]


def test_the_answer_keeps_the_candidates_index_and_extra_columns() -> None:
    cands = candidates(("sms", "2026-03-02 10:00"), ("sms", "2026-03-02 05:00"))
    cands.index = [10, 20]
    cands["score"] = [0.3, 0.4]
    out = allowed_slots(US, cands, NO_HISTORY, ALL_CONSENT)
    assert list(out.index) == [10, 20]
    assert list(out["score"]) == [0.3, 0.4]
    assert out["allowed"].dtype == bool
    assert out.loc[10, "rule"] is None and out.loc[10, "reason"] is None
    assert list(cands.columns) == ["channel", "send_at", "score"]  # input untouched


def test_no_candidates_give_an_empty_answer_with_the_verdict_columns() -> None:
    out = allowed_slots(CO, candidates(), NO_HISTORY, ALL_CONSENT)
    assert out.empty
    assert {"allowed", "rule", "reason"} <= set(out.columns)


def test_a_local_time_skipped_by_daylight_saving_is_refused_when_the_zone_is_known() -> None:
    always = pack_from_dict({"name": "ALWAYS", "windows": {"daily": "00:00-24:00"}})
    cands = candidates(
        ("sms", "2026-03-08 02:30"),  # New York springs forward 02:00 -> 03:00
        ("sms", "2026-11-01 01:30"),  # happens twice: allowed (sent at the first)
        ("sms", "2026-03-08 03:00"),
    )
    zone = {"timezone": "America/New_York"}
    assert verdicts(always, cands, **zone) == ["local_time", None, None]
    assert verdicts(always, cands) == [None, None, None]  # without a zone: wall time only
    reason = allowed_slots(always, cands, NO_HISTORY, ALL_CONSENT, **zone)["reason"].iloc[0]
    assert "America/New_York" in reason


# --- bad input ----------------------------------------------------------------------------


def test_a_history_without_success_is_rejected_naming_table_and_column() -> None:
    hist = history(("sms", "2026-03-02 10:00")).drop(columns="success")
    with pytest.raises(ContractError) as err:
        allowed_slots(US, candidates(("sms", "2026-03-03 10:00")), hist, ALL_CONSENT)
    assert ("history", "success") in err.value.columns()


def test_an_unknown_channel_is_rejected_with_rows_and_a_suggestion() -> None:
    cands = candidates(("sms", "2026-03-02 10:00"), ("SMS", "2026-03-02 11:00"))
    with pytest.raises(ContractError) as err:
        allowed_slots(US, cands, NO_HISTORY, ALL_CONSENT)
    text = str(err.value)
    assert "'candidates', column 'channel'" in text
    assert "rows 1" in text and "did you mean 'sms'" in text


def test_tz_aware_times_are_rejected_with_the_way_to_convert_them() -> None:
    cands = candidates(("sms", "2026-03-02 10:00"))
    cands["send_at"] = cands["send_at"].dt.tz_localize("UTC")
    with pytest.raises(ContractError, match="local_times"):
        allowed_slots(US, cands, NO_HISTORY, ALL_CONSENT)


def test_missing_times_and_missing_outcomes_are_rejected_with_their_rows() -> None:
    cands = candidates(("sms", "2026-03-02 10:00"), ("sms", "2026-03-02 10:00"))
    cands.loc[1, "send_at"] = pd.NaT
    with pytest.raises(ContractError, match=r"rows 1\)"):
        allowed_slots(US, cands, NO_HISTORY, ALL_CONSENT)
    hist = history(("sms", "2026-03-01 10:00"), ("sms", "2026-03-01 11:00"))
    hist["success"] = pd.Series([True, None], dtype=object)
    with pytest.raises(ContractError) as err:
        allowed_slots(US, candidates(("sms", "2026-03-02 10:00")), hist, ALL_CONSENT)
    assert ("history", "success") in err.value.columns()


def test_consent_for_an_unknown_channel_is_a_config_error_with_a_suggestion() -> None:
    with pytest.raises(ConfigError, match="did you mean 'whatsapp'"):
        allowed_slots(US, candidates(("sms", "2026-03-02 10:00")), NO_HISTORY, {"whatsap": True})


def test_consent_accepts_the_debtors_column_names_and_missing_values() -> None:
    consent = {"consent_sms": True, "consent_call": float("nan"), "consent_email": 0}
    cands = candidates(
        ("sms", "2026-03-02 10:00"), ("call", "2026-03-02 10:00"), ("email", "2026-03-02 10:00")
    )
    assert verdicts(CO, cands, consent=consent) == [None, "CO.consent", "consent"]


def test_a_missing_timezone_checks_wall_time_only_and_a_bad_one_is_rejected() -> None:
    cands = candidates(("sms", "2026-03-08 02:30"))
    always = pack_from_dict({"name": "ALWAYS", "windows": {"daily": "00:00-24:00"}})
    assert verdicts(always, cands, timezone=float("nan")) == [None]
    with pytest.raises(ContractError, match="IANA"):
        allowed_slots(always, cands, NO_HISTORY, ALL_CONSENT, timezone="Mars/Olympus")
