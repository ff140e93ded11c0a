"""Recommendations: the most valuable allowed contact per debtor, or none, with its reasons.

The contact model is a real ``ContactModel`` fitted on a hand-built log where WhatsApp
in the evening (18 h and later) succeeds 70 % of the time, a call in the morning
(8-11 h) 45 %, and anything else 8 %.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from collectscore import CHANNELS, ConfigError, ContractError
from collectscore.features._contact import action_features, contact_history_features
from collectscore.models._contact import ContactModel
from collectscore.policy import NO_CONTACT, RecommendConfig, recommend, uplift
from collectscore.rules import pack_for, violations

#: Monday 2026-06-01 12:00 UTC = 08:00 in New York (EDT).
NOW = pd.Timestamp("2026-06-01 12:00", tz="UTC")


def _true_p(channel: np.ndarray, hour: np.ndarray) -> np.ndarray:
    evening_whatsapp = (channel == "whatsapp") & (hour >= 18)
    morning_call = (channel == "call") & (hour >= 8) & (hour <= 11)
    return np.where(evening_whatsapp, 0.7, np.where(morning_call, 0.45, 0.08))


@pytest.fixture(scope="module")
def model() -> ContactModel:
    rng = np.random.default_rng(0)
    n = 6000
    channel = rng.choice(np.array(CHANNELS), n)
    hour = rng.integers(7, 22, n)
    day = pd.Timestamp("2026-01-05") + pd.to_timedelta(rng.integers(0, 120, n), unit="D")
    sent = pd.Series(day + pd.to_timedelta(hour, unit="h"))
    ids = pd.Series([f"T{i % 500:03d}" for i in range(n)])
    success = rng.random(n) < _true_p(channel, hour)
    history = pd.DataFrame(
        {"debtor_id": ids, "channel": channel, "sent_at": sent, "success": success}
    )
    X = pd.concat(
        [
            contact_history_features(history, pd.DataFrame({"debtor_id": ids, "time": sent})),
            action_features(
                pd.DataFrame({"debtor_id": ids, "channel": channel, "send_at": sent}), None
            ),
        ],
        axis=1,
    )
    params = {"num_leaves": 15, "max_depth": 4, "min_child_samples": 20, "colsample_bytree": 1.0}
    model = ContactModel(n_estimators=300, learning_rate=0.05, random_state=0, **params)
    return model.fit(X, success)


def _debtor(debtor_id: str = "D1", **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "debtor_id": debtor_id,
        "as_of": pd.Timestamp("2026-05-31"),
        "outstanding": 1000.0,
        "p_pay": 0.3,
        "country": "US",
        "timezone": "America/New_York",
    }
    row.update({f"consent_{c}": True for c in CHANNELS})
    row.update(extra)
    return row


def _no_history() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "debtor_id": pd.Series([], dtype=str),
            "channel": pd.Series([], dtype=str),
            "sent_at": pd.Series([], dtype="datetime64[us]"),
            "success": pd.Series([], dtype=bool),
        }
    )


def _assert_within_pack(result, debtors: pd.DataFrame, contacts: pd.DataFrame | None) -> None:  # type: ignore[no-untyped-def]
    """The chosen action and every listed alternative pass the independent rule checker."""
    contacts = _no_history() if contacts is None else contacts
    rows = debtors.set_index("debtor_id")
    listed = pd.concat(
        [result.best[["debtor_id", "action", "channel", "send_at"]], result.alternatives]
    )
    for _, rec in listed[listed["action"] == "contact"].iterrows():
        d = rows.loc[rec["debtor_id"]]
        consent = {c: d.get(f"consent_{c}") for c in CHANNELS}
        hist = contacts[contacts["debtor_id"] == rec["debtor_id"]]
        broken = violations(
            pack_for(d.get("country")),
            (rec["channel"], rec["send_at"]),
            hist[["channel", "sent_at", "success"]],
            {k: (None if pd.isna(v) else bool(v)) for k, v in consent.items()},
            timezone=d.get("timezone"),
        )
        assert broken == [], (rec.to_dict(), broken)


def test_the_best_contact_is_whatsapp_in_the_evening_with_its_value(model: ContactModel) -> None:
    debtors = pd.DataFrame([_debtor()])
    out = recommend(debtors, NOW, model)
    best = out.best.iloc[0]
    assert best["action"] == "contact"
    assert best["channel"] == "whatsapp"
    assert 18 <= best["send_at"].hour <= 20  # US: no contact at or after 21:00
    assert best["send_at"] >= pd.Timestamp("2026-06-01 08:00")
    assert best["send_at_utc"] == pd.Timestamp(best["send_at"], tz="America/New_York").tz_convert(
        "UTC"
    )
    expected = 1000.0 * best["p_success"] * uplift(0.3, 1.1) - 0.03
    assert best["value"] == pytest.approx(expected)
    assert best["choice_probability"] == 1.0
    assert best["pack"] == "US"
    assert best["reason"].startswith("whatsapp at Mon 2026-06-01 ")
    assert "more than not contacting (0)" in best["reason"]
    _assert_within_pack(out, debtors, None)


def test_a_refused_channel_is_never_recommended_and_is_reported_with_its_rule(
    model: ContactModel,
) -> None:
    debtors = pd.DataFrame([_debtor(consent_whatsapp=False)])
    out = recommend(debtors, NOW, model)
    best = out.best.iloc[0]
    assert best["channel"] == "call"
    assert 8 <= best["send_at"].hour <= 11
    refused = out.excluded[out.excluded["channel"] == "whatsapp"]
    assert list(refused["rule"]) == ["consent"]
    assert refused["slots"].iloc[0] > 0
    assert "consent_whatsapp is false" in refused["reason"].iloc[0]
    assert "whatsapp" not in set(out.alternatives["channel"].dropna())


def test_a_debtor_who_will_pay_anyway_is_not_contacted(model: ContactModel) -> None:
    debtors = pd.DataFrame(
        [_debtor("sure", p_pay=0.99999), _debtor("nothing_owed", outstanding=0.0)]
    )
    out = recommend(debtors, NOW, model)
    assert list(out.best["action"]) == [NO_CONTACT, NO_CONTACT]
    assert out.best["value"].tolist() == [0.0, 0.0]
    assert out.best["channel"].isna().all() and out.best["send_at"].isna().all()
    assert out.best["reason"].str.contains("is worth its cost").all()


def test_no_call_in_the_week_after_a_conversation_under_regulation_f(model: ContactModel) -> None:
    debtors = pd.DataFrame([_debtor(consent_whatsapp=False)])
    # a successful call (a conversation) on Saturday 10:00 New York time, given in UTC
    contacts = pd.DataFrame(
        {
            "debtor_id": ["D1"],
            "channel": ["call"],
            "sent_at": pd.to_datetime(["2026-05-30 14:00"]).tz_localize("UTC"),
            "success": [True],
        }
    )
    out = recommend(debtors, NOW, model, contacts=contacts, config=RecommendConfig(days=4))
    assert out.best.iloc[0]["channel"] != "call"
    calls = out.excluded[out.excluded["channel"] == "call"]
    assert "US.call_after_conversation" in set(calls["rule"])
    local = contacts.assign(sent_at=pd.to_datetime(["2026-05-30 10:00"]))
    _assert_within_pack(out, debtors, local)


def test_colombia_contacts_only_authorised_channels_within_its_hours(model: ContactModel) -> None:
    row = _debtor("CO1", country="CO", timezone="America/Bogota")
    row.update({f"consent_{c}": None for c in CHANNELS})
    row["consent_sms"] = True
    debtors = pd.DataFrame([row])
    # Saturday 2026-06-06 20:00 Bogota: Sunday is never allowed, Monday 06-08 is a holiday
    now = pd.Timestamp("2026-06-07 01:00", tz="UTC")
    out = recommend(debtors, now, model, config=RecommendConfig(days=3))
    best = out.best.iloc[0]
    assert best["channel"] == "sms"
    assert best["send_at"].date() == pd.Timestamp("2026-06-09").date()  # Tuesday
    assert 7 <= best["send_at"].hour < 19
    rules = set(out.excluded["rule"])
    assert {"CO.consent", "CO.hours", "CO.holiday"} <= rules
    _assert_within_pack(out, debtors, None)


def test_alternatives_list_the_best_slot_of_each_other_channel_and_not_contacting(
    model: ContactModel,
) -> None:
    out = recommend(pd.DataFrame([_debtor()]), NOW, model, config=RecommendConfig(top_k=10))
    alt = out.alternatives
    assert list(alt["rank"]) == list(range(2, len(alt) + 2))
    assert alt["value"].is_monotonic_decreasing
    assert set(alt["action"].where(alt["action"] == NO_CONTACT, alt["channel"])) == (
        set(CHANNELS) - {"whatsapp"}
    ) | {NO_CONTACT}
    assert out.best["value"].iloc[0] >= alt["value"].max()


def test_epsilon_exploration_records_the_probability_of_each_choice(model: ContactModel) -> None:
    debtors = pd.DataFrame([_debtor(f"D{i:02d}") for i in range(40)])
    config = RecommendConfig(exploration="epsilon", epsilon=0.5, days=1, seed=3)
    out = recommend(debtors, NOW, model, config=config)
    greedy = recommend(debtors, NOW, model, config=RecommendConfig(days=1)).best
    explored = out.best["explored"].to_numpy()
    assert 8 <= explored.sum() <= 32  # about half of 40
    # Monday 08:00-20:00 (Regulation F: before 21:00) x 6 channels, plus not contacting
    k = 13 * len(CHANNELS) + 1
    expected = np.where(explored, 0.5 / k, 0.5 + 0.5 / k)
    assert out.best["choice_probability"].to_numpy() == pytest.approx(expected)
    same = out.best["channel"].eq(greedy["channel"]) & out.best["send_at"].eq(greedy["send_at"])
    assert (same.to_numpy() == ~explored).all()
    assert out.best.loc[explored, "reason"].str.contains("epsilon exploration").all()
    again = recommend(debtors, NOW, model, config=config)
    pd.testing.assert_frame_equal(out.best, again.best)


def test_thompson_exploration_is_reproducible_and_records_choice_probabilities(
    model: ContactModel,
) -> None:
    debtors = pd.DataFrame([_debtor(f"D{i}") for i in range(5)])
    config = RecommendConfig(exploration="thompson", days=1, thompson_draws=400, seed=1)
    out = recommend(debtors, NOW, model, config=config)
    p = out.best["choice_probability"]
    assert ((p > 0) & (p <= 1)).all()
    assert (out.best["exploration"] == "thompson").all()
    assert (out.best["action"] == "contact").all()
    pd.testing.assert_frame_equal(out.best, recommend(debtors, NOW, model, config=config).best)
    _assert_within_pack(out, debtors, None)


def test_a_naive_now_is_read_as_debtor_local_time(model: ContactModel) -> None:
    row = _debtor(timezone="America/Santiago", country="CL")
    out = recommend(pd.DataFrame([row]), pd.Timestamp("2026-06-01 19:30"), model)
    assert out.best.iloc[0]["send_at"] >= pd.Timestamp("2026-06-01 20:00")


def test_debtors_without_p_pay_or_with_negative_outstanding_are_rejected(
    model: ContactModel,
) -> None:
    no_p = pd.DataFrame([_debtor()]).drop(columns="p_pay")
    with pytest.raises(ContractError, match=r"table 'debtors', column 'p_pay'.*score the debtors"):
        recommend(no_p, NOW, model)
    bad = pd.DataFrame([_debtor("A"), _debtor("B", outstanding=-5.0), _debtor("C", p_pay=1.5)])
    with pytest.raises(ContractError) as err:
        recommend(bad, NOW, model)
    assert {("debtors", "outstanding"), ("debtors", "p_pay")} <= err.value.columns()
    assert "(rows 1)" in str(err.value)
    twice = pd.DataFrame([_debtor("A"), _debtor("A")])
    with pytest.raises(ContractError, match="one row per debtor"):
        recommend(twice, NOW, model)
    with pytest.raises(ConfigError, match="debtors is empty"):
        recommend(pd.DataFrame([_debtor()]).iloc[:0], NOW, model)


def test_a_model_needing_features_that_were_not_given_is_a_clear_error(
    model: ContactModel,
) -> None:
    X = pd.DataFrame({"income": [1.0, 2.0, 3.0, 4.0] * 30, "hour": [8.0, 9.0, 18.0, 19.0] * 30})
    needy = ContactModel(n_estimators=5, calibration="none", validation_fraction=0.0).fit(
        X, [0, 1, 0, 1] * 30
    )
    with pytest.raises(ConfigError, match=r"needs feature\(s\) income .* pass features="):
        recommend(pd.DataFrame([_debtor()]), NOW, needy)
    feats = pd.DataFrame({"income": [2.0]})
    out = recommend(pd.DataFrame([_debtor()]), NOW, needy, features=feats)
    assert len(out.best) == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"days": 0}, r"RecommendConfig.days must be a whole number of days >= 1"),
        ({"hours": (7, 25)}, r"RecommendConfig.hours must be whole local hours 0-23"),
        ({"costs": {"SMS": 0.1}}, r"unknown channel 'SMS'; did you mean 'sms'\?"),
        ({"costs": {"sms": -1}}, r"costs must be numbers >= 0"),
        ({"exploration": "epsilon_greedy"}, r"did you mean 'epsilon'\?"),
        ({"epsilon": 1.5}, r"epsilon must be a probability in \[0, 1\]"),
        ({"top_k": -1}, r"top_k must be a whole number >= 0"),
    ],
)
def test_bad_settings_are_rejected_naming_the_setting(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        RecommendConfig(**kwargs)  # type: ignore[arg-type]


def test_uplift_vanishes_for_debtors_who_pay_anyway_or_never() -> None:
    u = uplift([0.0, 0.3, 0.5, 1.0], 1.1)
    assert u[0] == pytest.approx(0.0, abs=1e-6) and u[3] == pytest.approx(0.0, abs=1e-6)
    assert u[2] == pytest.approx(1 / (1 + np.exp(-1.1)) - 0.5)
    assert u[1] > 0


def test_end_to_end_on_synthetic_debtors_every_recommendation_respects_its_pack() -> None:
    from collectscore.features import build_features
    from collectscore.features._contact import payday_calendar
    from collectscore.models._contact import contact_training_frame
    from collectscore.synthetic import SampleConfig, generate

    data = generate(SampleConfig(debtors=150, seed=11))
    X, y, _ = contact_training_frame(data)
    model = ContactModel(n_estimators=60, random_state=0).fit(X, y)
    latest = data.debtors.sort_values("as_of").groupby("debtor_id").tail(1).head(25)
    debtors = latest.assign(p_pay=np.linspace(0.02, 0.98, len(latest))).reset_index(drop=True)
    features = build_features(
        data.transactions,
        debtors.drop(columns="p_pay"),
        contacts=data.contacts,
        payments=data.payments,
    )
    paydays = payday_calendar(data.transactions, debtors.drop(columns="p_pay"))
    now = pd.Timestamp("2026-09-03 15:00", tz="UTC")
    out = recommend(debtors, now, model, features=features, contacts=data.contacts, paydays=paydays)
    assert list(out.best["debtor_id"]) == list(debtors["debtor_id"])
    assert set(out.best["pack"]) <= {"US", "CO", "MX", "CL", "DEFAULT"}
    contact = out.best["action"] == "contact"
    assert contact.any()
    assert out.best.loc[contact, "p_success"].between(0, 1).all()
    local = data.contacts.assign(sent_at=data.contacts["sent_at"])  # synthetic times are local
    _assert_within_pack(out, debtors, local)


def test_send_times_across_a_daylight_saving_change_convert_to_the_right_utc_instant(
    model: ContactModel,
) -> None:
    """New York falls back on Sunday 2026-11-01: evening slots are UTC-4 before, UTC-5 after."""
    debtors = pd.DataFrame([_debtor()])
    for now, hours_behind in (
        (pd.Timestamp("2026-10-31 13:00", tz="UTC"), 4),  # Saturday 09:00 EDT
        (pd.Timestamp("2026-11-01 14:00", tz="UTC"), 5),  # Sunday 09:00 EST
    ):
        best = recommend(debtors, now, model, config=RecommendConfig(days=1)).best.iloc[0]
        assert best["channel"] == "whatsapp" and best["send_at"].hour >= 18
        utc = best["send_at_utc"].tz_localize(None)
        assert utc - best["send_at"] == pd.Timedelta(hours=hours_behind)
