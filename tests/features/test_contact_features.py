"""Contact features: the debtor's contact history before a moment, the action, and paydays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from builders import account, debtor, monthly
from hypothesis import given, settings
from hypothesis import strategies as st

from collectscore._contract import CHANNELS, CONTACTS
from collectscore._errors import ConfigError, ContractError
from collectscore.features import action_features, contact_history_features, payday_calendar
from collectscore.features._contact import (
    ACTION_FEATURES,
    HISTORY_FEATURES,
    HISTORY_WINDOWS,
    PAYDAY_CATEGORIES,
)

T = pd.Timestamp


def _history(*rows: tuple[str, str, str, bool]) -> pd.DataFrame:
    """Contacts from (debtor_id, channel, sent_at, success) tuples."""
    frame = pd.DataFrame(list(rows), columns=["debtor_id", "channel", "sent_at", "success"])
    frame["sent_at"] = pd.to_datetime(frame["sent_at"], format="ISO8601").astype("datetime64[us]")
    return frame


def _at(*rows: tuple[str, str], index: list | None = None) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=["debtor_id", "time"], index=index)
    frame["time"] = pd.to_datetime(frame["time"])
    return frame


# ------------------------------------------------------------------ history features
def test_history_counts_attempts_and_successes_per_channel_and_window() -> None:
    history = _history(
        ("d1", "sms", "2026-06-01 10:00", False),  # 30 days before: in the 30-day window
        ("d1", "call", "2026-06-24 09:00", True),  # exactly 7 days before: in the 7-day window
        ("d1", "call", "2026-06-28 18:00", False),
        ("d1", "sms", "2026-03-01 10:00", True),  # 122 days before: in no window
    )
    out = contact_history_features(history, _at(("d1", "2026-07-01 09:00")))
    row = out.iloc[0]
    assert row["attempts_call_7d"] == 2 and row["successes_call_7d"] == 1
    assert row["attempts_sms_7d"] == 0 and row["attempts_sms_30d"] == 1
    assert row["attempts_sms_90d"] == 1 and row["successes_sms_90d"] == 0
    assert row["attempts_all_7d"] == 2 and row["attempts_all_30d"] == 3
    assert row["attempts_all_90d"] == 3 and row["successes_all_90d"] == 1
    assert row["success_rate_all_90d"] == pytest.approx(1 / 3)
    assert row["attempts_email_90d"] == 0


def test_history_uses_only_contacts_strictly_before_the_moment() -> None:
    history = _history(
        ("d1", "call", "2026-07-01 09:00", True),  # at the moment itself: not yet known
        ("d1", "sms", "2026-07-02 09:00", True),  # after it
    )
    row = contact_history_features(history, _at(("d1", "2026-07-01 09:00"))).iloc[0]
    assert row[[f"attempts_all_{w}d" for w in HISTORY_WINDOWS]].sum() == 0
    assert np.isnan(row["days_since_last_contact"]) and np.isnan(row["last_success_hour"])
    assert np.isnan(row["success_rate_all_90d"])
    assert row[[f"last_success_channel_{c}" for c in CHANNELS]].sum() == 0


def test_last_success_and_last_contact_describe_the_latest_ones() -> None:
    history = _history(
        ("d1", "whatsapp", "2026-06-20 19:00", True),
        ("d1", "call", "2026-06-25 11:00", True),
        ("d1", "email", "2026-06-29 12:00", False),
    )
    row = contact_history_features(history, _at(("d1", "2026-07-01 12:00"))).iloc[0]
    assert row["last_success_channel_call"] == 1
    assert row[[f"last_success_channel_{c}" for c in CHANNELS]].sum() == 1
    assert row["last_success_hour"] == 11
    assert row["days_since_last_success"] == pytest.approx(6 + 1 / 24)
    assert row["days_since_last_contact"] == pytest.approx(2.0)


def test_another_debtors_contacts_never_count() -> None:
    history = _history(("d2", "call", "2026-06-30 10:00", True))
    out = contact_history_features(
        history, _at(("d1", "2026-07-01 09:00"), ("d2", "2026-07-01 09:00"))
    )
    assert out["attempts_all_7d"].tolist() == [0.0, 1.0]
    assert out["last_success_channel_call"].tolist() == [0.0, 1.0]


def test_history_features_keep_the_at_index_order_and_columns() -> None:
    history = _history(("d1", "sms", "2026-06-30 10:00", False))
    at = _at(("d1", "2026-07-02 09:00"), ("d1", "2026-06-01 09:00"), index=["late", "early"])
    out = contact_history_features(history, at)
    assert list(out.index) == ["late", "early"]
    assert tuple(out.columns) == HISTORY_FEATURES
    assert (out.dtypes == "float64").all()
    assert out.loc["late", "attempts_sms_7d"] == 1 and out.loc["early", "attempts_sms_7d"] == 0


def test_empty_history_gives_zero_counts_and_missing_recency() -> None:
    out = contact_history_features(_history(), _at(("d1", "2026-07-01 09:00")))
    assert out["attempts_all_90d"].tolist() == [0.0]
    assert out["days_since_last_contact"].isna().all()


def _reference(contacts: list[tuple], debtor_id: str, time: pd.Timestamp) -> dict[str, float]:
    """The history features of one moment, recounted the slow, obvious way."""
    past = [(c, t, s) for d, c, t, s in contacts if d == debtor_id and t < time]
    out: dict[str, float] = {}
    for w in HISTORY_WINDOWS:
        window = [(c, s) for c, t, s in past if t >= time - pd.Timedelta(days=w)]
        for g in (*CHANNELS, "all"):
            rows = [s for c, s in window if g in ("all", c)]
            out[f"attempts_{g}_{w}d"] = float(len(rows))
            out[f"successes_{g}_{w}d"] = float(sum(rows))
    last = max((t for _, t, _ in past), default=None)
    out["days_since_last_contact"] = (
        np.nan if last is None else (time - last) / pd.Timedelta(days=1)
    )
    return out


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["d1", "d2"]),
            st.sampled_from(CHANNELS),
            st.integers(0, 200 * 24),  # hours after 2026-01-01
            st.booleans(),
        ),
        max_size=25,
    ),
    st.lists(st.tuples(st.sampled_from(["d1", "d2", "d3"]), st.integers(0, 200 * 24)), min_size=1),
)
def test_history_features_match_a_plain_recount(contacts: list, moments: list) -> None:
    start = T("2026-01-01")
    history = pd.DataFrame(
        [(d, c, start + pd.Timedelta(hours=h), s) for d, c, h, s in contacts],
        columns=["debtor_id", "channel", "sent_at", "success"],
    ).astype({"sent_at": "datetime64[us]", "success": bool})
    at = pd.DataFrame(
        [(d, start + pd.Timedelta(hours=h)) for d, h in moments], columns=["debtor_id", "time"]
    ).astype({"time": "datetime64[us]"})
    out = contact_history_features(history, at)
    rows = list(history.itertuples(index=False, name=None))
    for i, (d, t) in enumerate(zip(at["debtor_id"], at["time"], strict=True)):
        expected = _reference(rows, d, t)
        got = out.iloc[i][list(expected)]
        assert np.allclose(got.to_numpy(float), list(expected.values()), equal_nan=True)


def test_an_unknown_channel_is_named_with_the_channel_it_probably_meant() -> None:
    history = _history(("d1", "SMS", "2026-06-30 10:00", False))
    with pytest.raises(ContractError) as err:
        contact_history_features(history, _at(("d1", "2026-07-01 09:00")))
    text = str(err.value)
    assert "table 'contacts', column 'channel'" in text and "'sms'" in text
    assert CONTACTS.column("channel").hint in text and "rows 0" in text


def test_tz_aware_contact_times_are_refused_with_the_conversion_to_use() -> None:
    history = _history(("d1", "sms", "2026-06-30 10:00", False))
    history["sent_at"] = history["sent_at"].dt.tz_localize("UTC")
    with pytest.raises(ContractError, match="local_times"):
        contact_history_features(history, _at(("d1", "2026-07-01 09:00")))


def test_a_missing_at_column_names_it_and_the_likely_rename() -> None:
    at = _at(("d1", "2026-07-01 09:00")).rename(columns={"time": "times"})
    with pytest.raises(ContractError) as err:
        contact_history_features(_history(), at)
    assert "table 'at', column 'time'" in str(err.value)
    assert "rename column 'times' to 'time'" in str(err.value)


def test_missing_outcomes_are_reported_with_their_rows() -> None:
    history = _history(("d1", "sms", "2026-06-30 10:00", False), ("d1", "sms", "2026-06-30", True))
    history["success"] = history["success"].astype(object)
    history.loc[1, "success"] = None
    with pytest.raises(ContractError, match=r"column 'success'.*rows 1"):
        contact_history_features(history, _at(("d1", "2026-07-01 09:00")))


# ------------------------------------------------------------------ action features
def _candidates(*rows: tuple[str, str, str], as_of: str | None = None) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=["debtor_id", "channel", "send_at"])
    frame["send_at"] = pd.to_datetime(frame["send_at"])
    if as_of is not None:
        frame["as_of"] = T(as_of)
    return frame


def _calendar(*rows: tuple[str, str, str]) -> pd.DataFrame:
    """A payday calendar from (debtor_id, as_of, payday) tuples."""
    frame = pd.DataFrame(list(rows), columns=["debtor_id", "as_of", "payday"])
    return frame.astype({"as_of": "datetime64[us]", "payday": "datetime64[us]"})


def test_action_features_describe_channel_hour_and_weekday() -> None:
    out = action_features(
        _candidates(("d1", "whatsapp", "2026-07-04 19:00"), ("d1", "call", "2026-07-06 08:30")),
        None,
    )
    assert tuple(out.columns) == ACTION_FEATURES
    assert out["channel_whatsapp"].tolist() == [1.0, 0.0]
    assert out["channel_call"].tolist() == [0.0, 1.0]
    assert out[[f"channel_{c}" for c in CHANNELS]].sum(axis=1).tolist() == [1.0, 1.0]
    assert out["hour"].tolist() == [19.0, 8.0]
    assert out["weekday"].tolist() == [5.0, 0.0]  # Saturday, Monday
    assert out["is_saturday"].tolist() == [1.0, 0.0]
    assert out[["days_since_payday", "days_until_payday"]].isna().all().all()


def test_days_since_and_until_payday_count_whole_days_around_the_send_day() -> None:
    calendar = _calendar(
        ("d1", "2026-06-30", "2026-06-15"),
        ("d1", "2026-06-30", "2026-06-30"),
        ("d1", "2026-06-30", "2026-07-15"),
    )
    out = action_features(
        _candidates(
            ("d1", "sms", "2026-07-02 18:00"),
            ("d1", "sms", "2026-07-15 07:00"),  # on a payday: 0 days since, next one unknown
        ),
        calendar,
    )
    assert out["days_since_payday"].tolist() == [2.0, 0.0]
    assert out["days_until_payday"].iloc[0] == 13.0 and np.isnan(out["days_until_payday"].iloc[1])


def test_each_candidate_reads_only_the_calendar_known_at_its_snapshot() -> None:
    calendar = _calendar(
        ("d1", "2026-05-31", "2026-05-15"),
        ("d1", "2026-06-30", "2026-06-29"),  # known only from the June snapshot on
        ("d2", "2026-06-30", "2026-07-01"),
    )
    # no as_of column: the latest snapshot on or before the send day
    out = action_features(
        _candidates(("d1", "sms", "2026-06-20 10:00"), ("d1", "sms", "2026-07-01 10:00")),
        calendar,
    )
    assert out["days_since_payday"].tolist() == [36.0, 2.0]
    # an explicit as_of column picks that snapshot's calendar
    pinned = action_features(
        _candidates(("d1", "sms", "2026-07-01 10:00"), as_of="2026-05-31"), calendar
    )
    assert pinned["days_since_payday"].tolist() == [47.0]
    # a debtor without a calendar gets missing values, not another debtor's
    other = action_features(_candidates(("d3", "sms", "2026-07-01 10:00")), calendar)
    assert other[["days_since_payday", "days_until_payday"]].isna().all().all()


def test_an_unknown_candidate_channel_is_rejected() -> None:
    with pytest.raises(ContractError, match=r"table 'candidates', column 'channel'.*'fax'"):
        action_features(_candidates(("d1", "fax", "2026-07-01 10:00")), None)


# ------------------------------------------------------------------ payday calendar
def _salary_account() -> pd.DataFrame:
    return account(
        [
            *monthly(15, "2026-01", "2026-07", 2500.0, "NOMINA ACME SA", "income.salary"),
            *monthly(3, "2026-01", "2026-07", 300.0, "RAPPI GIG", "income.other"),
            *monthly(5, "2026-01", "2026-07", -800.0, "ARRIENDO", "housing"),
        ]
    )


def test_the_calendar_lists_booked_paydays_and_projects_the_next_ones() -> None:
    cal = payday_calendar(_salary_account(), pd.DataFrame([debtor("2026-05-20")]))
    observed = cal[cal["kind"] == "observed"]
    expected = cal[cal["kind"] == "expected"]
    assert observed["payday"].dt.strftime("%m-%d").tolist() == ["03-15", "04-15", "05-15"]
    assert expected["payday"].dt.strftime("%m-%d").tolist() == ["06-15", "07-15"]
    assert set(cal["category"]) == {"income.salary"}  # gig income is no payday
    assert set(cal["category"]) <= set(PAYDAY_CATEGORIES)
    assert cal[["debtor_id", "as_of"]].drop_duplicates().values.tolist() == [
        ["d1", T("2026-05-20")]
    ]
    assert list(cal.columns) == ["debtor_id", "as_of", "payday", "kind", "category", "amount"]


def test_the_calendar_is_point_in_time() -> None:
    """Income booked after as_of is never observed, whatever the later data holds."""
    full = payday_calendar(_salary_account(), pd.DataFrame([debtor("2026-05-20")]))
    cut = _salary_account()
    cut = cut[cut["booked_at"] <= "2026-05-20"]
    assert full.equals(payday_calendar(cut, pd.DataFrame([debtor("2026-05-20")])))
    assert (full.loc[full["kind"] == "observed", "payday"] <= T("2026-05-20")).all()
    assert (full.loc[full["kind"] == "expected", "payday"] > T("2026-05-20")).all()


def test_month_end_paydays_are_projected_to_month_ends() -> None:
    ends = [
        (str(d.date()), 1800.0, "PENSION COLPENSIONES", "income.pension")
        for d in pd.date_range("2026-01-31", "2026-05-31", freq="ME")
    ]
    cal = payday_calendar(account(ends), pd.DataFrame([debtor("2026-05-31")]))
    expected = cal.loc[cal["kind"] == "expected", "payday"]
    assert expected.dt.strftime("%Y-%m-%d").tolist() == ["2026-06-30", "2026-07-31"]


def test_calendar_settings_are_checked() -> None:
    with pytest.raises(ConfigError, match="horizon_days"):
        payday_calendar(_salary_account(), pd.DataFrame([debtor("2026-05-20")]), horizon_days=0)


def test_calendar_and_action_features_agree_with_the_synthetic_paydays(synthetic) -> None:
    """On synthetic data, 'within 3 days after payday' mostly matches the booked truth."""
    snap = synthetic.debtors
    cal = payday_calendar(synthetic.transactions, snap)
    truth = synthetic.transactions.loc[synthetic.transactions["category"].isin(PAYDAY_CATEGORIES)]
    observed = cal[cal["kind"] == "observed"]
    # every observed payday is a booked payday of that debtor's account, on or before as_of
    accounts = snap.drop_duplicates("debtor_id").set_index("debtor_id")["account_id"]
    booked = set(zip(truth["account_id"], truth["booked_at"].dt.normalize(), strict=True))
    pairs = zip(observed["debtor_id"].map(accounts), observed["payday"], strict=True)
    assert all(pair in booked for pair in pairs)
    assert (observed["payday"] <= observed["as_of"]).all()
