"""local_times and to_utc: debtor-local wall clocks, deterministic across daylight saving."""

from __future__ import annotations

import pandas as pd
import pytest

from collectscore import ContractError
from collectscore.rules import local_times, to_utc


def debtors(**zones: str | None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "debtor_id": list(zones),
            "account_id": [f"a{i}" for i in range(len(zones))],
            "as_of": pd.to_datetime(["2026-01-31"] * len(zones)),
            "timezone": pd.Series(list(zones.values()), dtype=object),
        }
    )


def aware(debtor_ids: list[str], utc: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "debtor_id": debtor_ids,
            "sent_at": pd.to_datetime(utc).tz_localize("UTC").astype("datetime64[us, UTC]"),
        }
    )


def test_utc_times_become_the_debtors_wall_clock_in_summer_and_winter() -> None:
    contacts = aware(
        ["ny", "ny", "bog"], ["2026-01-15 15:00", "2026-07-15 15:00", "2026-07-15 15:00"]
    )
    out = local_times(contacts, debtors(ny="America/New_York", bog="America/Bogota"))
    assert list(out.astype(str)) == [
        "2026-01-15 10:00:00",
        "2026-07-15 11:00:00",
        "2026-07-15 10:00:00",
    ]
    assert out.dt.tz is None


def test_naive_times_are_already_local_and_kept_as_they_are() -> None:
    contacts = pd.DataFrame({"debtor_id": ["ny"], "sent_at": pd.to_datetime(["2026-03-08 02:30"])})
    out = local_times(contacts, debtors(ny="America/New_York"))
    assert out.iloc[0] == pd.Timestamp("2026-03-08 02:30")


def test_a_missing_timezone_means_utc() -> None:
    out = local_times(aware(["x"], ["2026-05-01 09:15"]), debtors(x=None))
    assert out.iloc[0] == pd.Timestamp("2026-05-01 09:15")
    no_column = debtors(x=None).drop(columns="timezone")
    assert local_times(aware(["x"], ["2026-05-01 09:15"]), no_column).iloc[0].hour == 9


def test_the_snapshot_in_force_gives_the_zone_when_a_debtor_moves() -> None:
    snaps = pd.DataFrame(
        {
            "debtor_id": ["d", "d"],
            "as_of": pd.to_datetime(["2026-01-31", "2026-06-30"]),
            "timezone": ["America/New_York", "America/Mexico_City"],
        }
    )
    contacts = aware(["d", "d", "d"], ["2026-01-10 15:00", "2026-03-10 15:00", "2026-07-10 15:00"])
    out = local_times(contacts, snaps)
    # before any snapshot: the first one; then the latest one on or before the day
    assert [t.hour for t in out] == [10, 11, 9]


def test_at_fall_back_two_instants_an_hour_apart_share_one_wall_clock_time() -> None:
    # New York, 2026-11-01: 01:30 EDT = 05:30 UTC and 01:30 EST = 06:30 UTC
    out = local_times(
        aware(["ny", "ny"], ["2026-11-01 05:30", "2026-11-01 06:30"]),
        debtors(ny="America/New_York"),
    )
    assert list(out) == [pd.Timestamp("2026-11-01 01:30")] * 2


def test_the_index_of_the_contacts_is_kept() -> None:
    contacts = aware(["ny", "ny"], ["2026-01-15 15:00", "2026-01-16 15:00"])
    contacts.index = [7, 3]
    out = local_times(contacts, debtors(ny="America/Santiago"))
    assert list(out.index) == [7, 3]


def test_an_unknown_timezone_is_rejected_naming_debtors_timezone_and_the_fix() -> None:
    with pytest.raises(ContractError) as err:
        local_times(aware(["x"], ["2026-05-01 09:15"]), debtors(x="Mars/Olympus"))
    assert ("debtors", "timezone") in err.value.columns()
    assert "IANA" in str(err.value)


def test_aware_times_of_a_debtor_missing_from_debtors_are_rejected() -> None:
    with pytest.raises(ContractError) as err:
        local_times(aware(["ghost"], ["2026-05-01 09:15"]), debtors(x="UTC"))
    assert ("contacts", "debtor_id") in err.value.columns()
    assert "ghost" in str(err.value)


def test_to_utc_moves_a_skipped_time_forward_and_takes_the_first_of_a_repeated_one() -> None:
    local = pd.Series(pd.to_datetime(["2026-03-08 02:30", "2026-11-01 01:30", "2026-07-01 09:00"]))
    out = to_utc(local, "America/New_York")
    assert list(out.astype(str)) == [
        "2026-03-08 07:00:00+00:00",  # 02:30 does not exist: 03:00 EDT
        "2026-11-01 05:30:00+00:00",  # 01:30 twice: the first, EDT
        "2026-07-01 13:00:00+00:00",
    ]


def test_to_utc_takes_one_zone_per_row_and_round_trips_through_local_times() -> None:
    local = pd.Series(pd.to_datetime(["2026-09-06 00:30", "2026-04-04 23:30", "2026-06-01 08:00"]))
    zones = pd.Series(["America/Santiago", "America/Santiago", None])
    utc = to_utc(local, zones)
    assert utc.iloc[2] == pd.Timestamp("2026-06-01 08:00", tz="UTC")
    contacts = pd.DataFrame({"debtor_id": ["s", "s"], "sent_at": utc.iloc[:2]})
    back = local_times(contacts, debtors(s="America/Santiago"))
    # Santiago springs forward at 2026-09-06 00:00 -> 01:00: 00:30 becomes 01:00
    assert list(back.astype(str)) == ["2026-09-06 01:00:00", "2026-04-04 23:30:00"]
