"""SampleConfig: defaults, validation with clear messages, derived calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from collectscore._contract import DEFAULT_HORIZON_DAYS, RULE_PACK_COUNTRIES
from collectscore._errors import ConfigError
from collectscore.synthetic import SampleConfig, write_sample


def test_defaults_follow_the_contract() -> None:
    cfg = SampleConfig()
    assert cfg.horizon_days == DEFAULT_HORIZON_DAYS
    assert set(cfg.countries) == set(RULE_PACK_COUNTRIES)
    assert cfg.end_date == dt.date(2026, 9, 30)


@pytest.mark.parametrize(
    ("kwargs", "names"),
    [
        ({"debtors": 0}, ["debtors", ">= 1", "0"]),
        ({"debtors": -5}, ["debtors"]),
        ({"debtors": 2.5}, ["debtors", "whole number"]),
        ({"debtors": True}, ["debtors", "whole number"]),
        ({"seed": -1}, ["seed", ">= 0"]),
        ({"months_min": 8, "months_max": 7}, ["months_max", "months_min"]),
        ({"months_min": 1}, ["months_min"]),
        ({"horizon_days": 0}, ["horizon_days"]),
        ({"horizon_days": 45}, ["horizon_days", "between 1 and 31"]),
        ({"snapshots": 0}, ["snapshots"]),
        ({"snapshots": 6, "months_min": 6}, ["snapshots=6", "months_min=6", "Lower snapshots"]),
        ({"countries": ("CO", "ES")}, ["countries", "ES"]),
        ({"countries": ()}, ["countries"]),
        ({"end_date": "30/09/2026"}, ["end_date", "2026-09-30"]),
        ({"end_date": 20260930}, ["end_date"]),
        ({"with_categories": "yes"}, ["with_categories"]),
    ],
)
def test_a_bad_value_raises_config_error_naming_the_field(kwargs: dict, names: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        SampleConfig(**kwargs)
    for name in names:
        assert name in str(info.value)


def test_an_iso_string_end_date_is_accepted() -> None:
    assert SampleConfig(end_date="2026-06-30").end_date == dt.date(2026, 6, 30)


def test_snapshots_are_month_ends_and_the_last_leaves_the_horizon_observable() -> None:
    cfg = SampleConfig(snapshots=4)
    dates = cfg.snapshot_dates()
    assert dates == [
        dt.date(2026, 5, 31),
        dt.date(2026, 6, 30),
        dt.date(2026, 7, 31),
        dt.date(2026, 8, 31),
    ]
    assert dates[-1] + dt.timedelta(days=cfg.horizon_days) <= cfg.end_date
    # a month-end end_date one day shorter pushes the last snapshot a month back
    short = SampleConfig(end_date=dt.date(2026, 9, 29), snapshots=2)
    assert short.snapshot_dates()[-1] == dt.date(2026, 7, 31)


def test_write_sample_rejects_a_bad_chunk_size_and_a_file_as_folder(tmp_path) -> None:
    with pytest.raises(ConfigError, match="chunk_debtors"):
        write_sample(SampleConfig(debtors=10), tmp_path / "x", chunk_debtors=0)
    a_file = tmp_path / "file.txt"
    a_file.write_text("not a folder")
    with pytest.raises(ConfigError, match="folder"):
        write_sample(SampleConfig(debtors=10), a_file)
    with pytest.raises(ConfigError, match="SampleConfig"):
        write_sample({"debtors": 10}, tmp_path / "y")  # type: ignore[arg-type]
