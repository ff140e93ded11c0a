"""The built-in packs: declared data with stable rule ids, each rule cited."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from collectscore import ConfigError
from collectscore._contract import CHANNELS, RULE_PACK_COUNTRIES
from collectscore.rules import CL, CO, DEFAULT, DIGITAL, MX, PACKS, RULES, US, VOICE, pack_for

STABLE_IDS = {
    "consent",
    "local_time",
    "US.hours",
    "US.call_cap_7d",
    "US.call_after_conversation",
    "CO.hours",
    "CO.holiday",
    "CO.consent",
    "CO.daily_cap",
    "CO.one_channel_per_week",
    "MX.hours",
    "CL.hours",
    "CL.call_week_cap",
    "CL.digital_week_cap",
    "CL.digital_gap",
    "DEFAULT.hours",
    "DEFAULT.daily_cap",
}


def test_there_is_one_pack_per_country_the_contract_names() -> None:
    assert tuple(PACKS) == RULE_PACK_COUNTRIES
    assert all(pack.name == code for code, pack in PACKS.items())


def test_rule_ids_are_the_stable_documented_ones_each_with_description_and_citation() -> None:
    assert set(RULES) == STABLE_IDS
    for rule in RULES.values():
        assert rule.description.endswith(".") and rule.citation


def test_digital_and_voice_channels_split_the_contract_channels() -> None:
    assert set(CHANNELS) == DIGITAL | VOICE and not DIGITAL & VOICE


def test_packs_are_frozen_data() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        US.name = "XX"  # type: ignore[misc]


def test_the_packs_state_what_the_laws_say() -> None:
    assert [US.hours_text(d) for d in range(7)] == ["08:00-21:00"] * 7
    assert [CO.hours_text(d) for d in range(7)] == ["07:00-19:00"] * 5 + [
        "08:00-15:00",
        "no contact",
    ]
    assert [MX.hours_text(d) for d in range(7)] == ["07:00-22:00"] * 7
    assert [CL.hours_text(d) for d in range(7)] == ["08:00-20:00"] * 6 + ["no contact"]
    assert (US.consent, CO.consent, MX.consent, CL.consent) == (
        "opt_out",
        "opt_in",
        "opt_out",
        "opt_out",
    )
    assert CO.holiday_country == "CO" and CO.one_channel_per_week is not None
    assert [(c.channels, c.period, c.max) for c in US.caps] == [(VOICE, 7, 7)]
    assert [(g.after, g.channels, g.days) for g in US.gaps] == [("conversation", VOICE, 7)]
    assert [(c.channels, c.period, c.max) for c in CO.caps] == [(None, "day", 1)]
    assert [(c.channels, c.period, c.max) for c in CL.caps] == [
        (VOICE, "week", 1),
        (DIGITAL, "week", 2),
    ]
    assert [(g.after, g.channels, g.days) for g in CL.gaps] == [("contact", DIGITAL, 2)]


def test_consent_is_checked_first_then_the_calendar_then_history() -> None:
    assert [r.id for r in CO.rules] == [
        "consent",
        "CO.consent",
        "local_time",
        "CO.holiday",
        "CO.hours",
        "CO.daily_cap",
        "CO.one_channel_per_week",
    ]
    assert CO.rule("CO.holiday").citation.startswith("Ley 2300")


@pytest.mark.parametrize("country", ["co", " CO ", "CO"])
def test_pack_for_matches_country_codes_case_insensitively(country: str) -> None:
    assert pack_for(country) is CO


@pytest.mark.parametrize("country", [None, float("nan"), np.nan, pd.NA, "FR", ""])
def test_pack_for_a_missing_or_unknown_country_is_the_default_pack(country: object) -> None:
    assert pack_for(country) is DEFAULT  # type: ignore[arg-type]


def test_pack_for_rejects_a_value_that_is_not_a_country_code() -> None:
    with pytest.raises(ConfigError, match="ISO 3166-1"):
        pack_for(57)  # type: ignore[arg-type]


def test_the_rule_pack_page_documents_every_built_in_rule(repo_root: Path) -> None:
    page = (repo_root / "docs" / "rule-packs.md").read_text(encoding="utf-8")
    assert [rule for rule in RULES if f"`{rule}`" not in page] == []
