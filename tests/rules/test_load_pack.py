"""Custom rule packs from TOML and YAML files, and the errors a bad file gets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from rulecases import ALL_CONSENT, NO_HISTORY, candidates, history

from collectscore import ConfigError
from collectscore.rules import DIGITAL, VOICE, Window, allowed_slots, load_pack, pack_for

TOML = """
name = "ACME"
description = "ACME's own collection policy"
citation = "ACME policy 4.2"
consent = "opt_in"
one_channel_per_week = true

[windows]
weekdays = "08:00-20:00"
sat = ["09:00-12:00", "14:00-16:00"]

[holidays]
country = "MX"
dates = ["2026-12-24", 2026-12-31]

[[caps]]
id = "daily"
channels = "all"
period = "day"
max = 1

[[caps]]
id = "calls_10d"
channels = "voice"
period = 10
max = 2

[[gaps]]
id = "after_talk"
after = "conversation"
channels = ["call", "ivr"]
trigger = ["call"]
days = 3

[[gaps]]
id = "digital_gap"
after = "contact"
channels = "digital"
days = 2
"""

YAML = """
name: ACME
description: ACME's own collection policy
citation: ACME policy 4.2
consent: opt_in
one_channel_per_week: true
windows:
  weekdays: "08:00-20:00"
  sat: ["14:00-16:00", "09:00-12:00"]
holidays:
  country: MX
  dates: [2026-12-24, "2026-12-31"]
caps:
  - {id: daily, channels: all, period: day, max: 1}
  - {id: calls_10d, channels: voice, period: 10, max: 2}
gaps:
  - {id: after_talk, after: conversation, channels: [call, ivr], trigger: [call], days: 3}
  - {id: digital_gap, after: contact, channels: digital, days: 2}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_toml_pack_declares_windows_holidays_consent_caps_and_gaps(tmp_path: Path) -> None:
    pack = load_pack(write(tmp_path, "acme.toml", TOML))
    assert pack.name == "ACME" and pack.consent == "opt_in"
    assert pack.windows[0] == (Window.parse("08:00-20:00"),)
    assert [str(w) for w in pack.windows[5]] == ["09:00-12:00", "14:00-16:00"]
    assert pack.windows[6] == ()  # days not listed are closed
    assert pack.holiday_country == "MX"
    assert pack.holiday_dates == {date(2026, 12, 24), date(2026, 12, 31)}
    assert [(c.rule.id, c.channels, c.period, c.max) for c in pack.caps] == [
        ("ACME.daily", None, "day", 1),
        ("ACME.calls_10d", VOICE, 10, 2),
    ]
    assert [(g.rule.id, g.after, g.channels, g.triggers, g.days) for g in pack.gaps] == [
        ("ACME.after_talk", "conversation", VOICE, frozenset({"call"}), 3),
        ("ACME.digital_gap", "contact", DIGITAL, DIGITAL, 2),
    ]
    assert {r.citation for r in pack.rules if r.id.startswith("ACME.")} == {"ACME policy 4.2"}


def test_the_same_pack_in_yaml_is_the_same_pack(tmp_path: Path) -> None:
    assert load_pack(write(tmp_path, "acme.yaml", YAML)) == load_pack(
        write(tmp_path, "acme.toml", TOML)
    )


def test_a_loaded_pack_is_enforced_with_its_own_rule_ids(tmp_path: Path) -> None:
    pack = load_pack(write(tmp_path, "acme.yml", YAML))
    hist = history(("call", "2026-03-02 10:00", True))
    cands = candidates(
        ("call", "2026-03-04 10:00"),  # 3-day gap after the conversation
        ("call", "2026-03-05 10:00"),
        ("sms", "2026-03-07 12:30"),  # Saturday lunch break
        ("call", "2026-12-24 10:00"),  # listed holiday
        ("call", "2026-09-16 10:00"),  # Mexican independence day
        ("email", "2026-03-05 10:00"),  # another channel in the same week
    )
    out = allowed_slots(pack, cands, hist, ALL_CONSENT)
    assert list(out["rule"]) == [
        "ACME.after_talk",
        None,
        "ACME.hours",
        "ACME.holiday",
        "ACME.holiday",
        "ACME.one_channel_per_week",
    ]


def test_custom_packs_can_be_chosen_by_country(tmp_path: Path) -> None:
    pack = load_pack(write(tmp_path, "acme.toml", TOML))
    assert pack_for("pe", {"PE": pack}) is pack
    assert pack_for("CO", {"PE": pack}).name == "CO"


def test_an_empty_day_list_closes_the_day_and_daily_sets_every_day(tmp_path: Path) -> None:
    pack = load_pack(
        write(tmp_path, "p.toml", 'name = "P"\n[windows]\ndaily = "10:00-11:00"\nsun = []\n')
    )
    assert [len(d) for d in pack.windows] == [1, 1, 1, 1, 1, 1, 0]
    assert pack.caps == () and pack.gaps == () and pack.holiday_rule is None
    out = allowed_slots(pack, candidates(("sms", "2026-03-02 10:30")), NO_HISTORY, None)
    assert out["allowed"].iloc[0]  # opt-out by default: unstated consent allows


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        (
            'name = "P"\nconsnet = "opt_in"\n[windows]\ndaily = "08:00-20:00"\n',
            "consnet",
            "consent",
        ),
        ('name = "P"\nconsent = "optin"\n[windows]\ndaily = "08:00-20:00"\n', "consent", "opt_in"),
        ('name = "P"\n', "windows", "weekdays"),
        ('name = "P"\n[windows]\nmonday = "08:00-20:00"\n', "windows.monday", "mon"),
        ('name = "P"\n[windows]\nmon = "8am-8pm"\n', "windows.mon", "HH:MM-HH:MM"),
        ('name = "P"\n[windows]\nmon = "20:00-08:00"\n', "windows.mon", "start before the end"),
        ('name = "P"\n[windows]\nmon = "08:00-25:00"\n', "windows.mon", "impossible"),
        (
            'name = "P"\n[windows]\nmon = "08:00-20:00"\n[[caps]]\nchannels = ["sms", "whatsap"]\n'
            'period = "day"\nmax = 1\n',
            "caps[0].channels",
            "did you mean 'whatsapp'",
        ),
        (
            'name = "P"\n[windows]\nmon = "08:00-20:00"\n[[caps]]\nperiod = "month"\nmax = 1\n',
            "caps[0].period",
            "'week'",
        ),
        (
            'name = "P"\n[windows]\nmon = "08:00-20:00"\n[[caps]]\nperiod = "day"\nmax = -1\n',
            "caps[0].max",
            ">= 0",
        ),
        (
            'name = "P"\n[windows]\nmon = "08:00-20:00"\n[[caps]]\nperiod = "day"\n',
            "caps[0].max",
            "missing",
        ),
        (
            'name = "P"\n[windows]\nmon = "08:00-20:00"\n[[gaps]]\nafter = "conversaton"\ndays = 2\n',
            "gaps[0].after",
            "did you mean 'conversation'",
        ),
        (
            'name = "P"\n[windows]\nmon = "08:00-20:00"\n[[gaps]]\nafter = "contact"\ndays = 0\n',
            "gaps[0].days",
            ">= 1",
        ),
        (
            'name = "P"\n[windows]\nmon = "08:00-20:00"\n[holidays]\ncountry = "XX"\n',
            "holidays.country",
            "ISO 3166",
        ),
        (
            'name = "P"\n[windows]\nmon = "08:00-20:00"\n[holidays]\ndates = ["24/12/2026"]\n',
            "holidays.dates",
            "YYYY-MM-DD",
        ),
        (
            'name = "P"\none_channel_per_week = "yes"\n[windows]\nmon = "08:00-20:00"\n',
            "one_channel_per_week",
            "true or false",
        ),
    ],
)
def test_a_bad_pack_file_names_the_key_and_the_fix(
    tmp_path: Path, text: str, key: str, words: str
) -> None:
    path = write(tmp_path, "bad.toml", text)
    with pytest.raises(ConfigError) as err:
        load_pack(path)
    message = str(err.value)
    assert f"key '{key}'" in message
    assert words in message
    assert "bad.toml" in message


def test_files_that_are_not_packs_get_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\.toml, \.yaml or \.yml"):
        load_pack(write(tmp_path, "pack.json", "{}"))
    with pytest.raises(ConfigError, match="no such rule pack file"):
        load_pack(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_pack(write(tmp_path, "broken.toml", "name = \n"))
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_pack(write(tmp_path, "broken.yaml", "windows: [unclosed\n"))


def test_the_documented_examples_load_and_describe_the_same_pack(
    repo_root: Path, tmp_path: Path
) -> None:
    page = (repo_root / "docs" / "rule-packs.md").read_text(encoding="utf-8")
    toml_block = page.split("```toml\n")[1].split("```")[0]
    yaml_block = page.split("```yaml\n")[1].split("```")[0]
    documented = load_pack(write(tmp_path, "acme.toml", toml_block))
    assert load_pack(write(tmp_path, "acme.yaml", yaml_block)) == documented
    assert documented == load_pack(write(tmp_path, "tested.toml", TOML))
