"""The contact-success model: training rows from logged contacts, the model, candidate slots."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from collectscore._contract import CHANNELS
from collectscore._data import Dataset
from collectscore._errors import ConfigError, ContractError
from collectscore._validation import ContractWarning
from collectscore.features import build_features
from collectscore.features._contact import ACTION_FEATURES, HISTORY_FEATURES
from collectscore.models import (
    ContactModel,
    candidate_frame,
    contact_training_frame,
    log_loss,
    roc_auc,
    tune_contact,
)
from collectscore.models._contact import META_COLUMNS
from collectscore.synthetic import SampleConfig, generate

FAST = {"n_estimators": 300, "learning_rate": 0.05, "early_stopping_rounds": 30}


@pytest.fixture(scope="module")
def data() -> Dataset:
    return generate(SampleConfig(debtors=400, seed=3))


@pytest.fixture(scope="module")
def frame(data: Dataset) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    return contact_training_frame(data)


@pytest.fixture(scope="module")
def fitted(frame: tuple[pd.DataFrame, np.ndarray, pd.DataFrame]) -> ContactModel:
    X, y, _ = frame
    return ContactModel(**FAST).fit(X, y)


def _tiny(n: int = 600, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Hand-built contacts: calls succeed in the morning, WhatsApp in the evening."""
    rng = np.random.default_rng(seed)
    call = rng.integers(0, 2, n).astype(float)
    hour = rng.integers(8, 21, n).astype(float)
    X = pd.DataFrame({"channel_call": call, "hour": hour, "noise": rng.normal(size=n)})
    good = np.where(call == 1, hour < 12, hour >= 18)
    y = (rng.random(n) < np.where(good, 0.6, 0.1)).astype(int)
    return X, y


# ------------------------------------------------------------------ training rows
def test_one_training_row_per_logged_contact_with_all_three_feature_groups(
    data: Dataset, frame: tuple[pd.DataFrame, np.ndarray, pd.DataFrame]
) -> None:
    X, y, meta = frame
    assert len(X) == len(y) == len(meta) == len(data.contacts)
    snapshot_columns = list(build_features(data.transactions, data.debtors.head(1)).columns)
    assert list(X.columns) == [*snapshot_columns, *HISTORY_FEATURES, *ACTION_FEATURES]
    assert X.columns.is_unique and all(X.dtypes == "float64")
    assert y.tolist() == data.contacts["success"].astype(int).tolist()
    assert tuple(meta.columns) == META_COLUMNS
    assert meta["contact"].tolist() == list(range(len(data.contacts)))
    assert (meta["channel"].to_numpy() == data.contacts["channel"].to_numpy()).all()
    assert meta["propensity"].equals(data.contacts["propensity"].rename("propensity"))
    assert meta.attrs["dropped"] == {"unknown_debtor": 0, "before_first_snapshot": 0}


def test_each_contact_gets_its_debtors_latest_snapshot_on_or_before_the_contact_day(
    data: Dataset, frame: tuple[pd.DataFrame, np.ndarray, pd.DataFrame]
) -> None:
    X, _, meta = frame
    snaps = data.debtors.iloc[meta["snapshot"].to_numpy()]
    assert (snaps["debtor_id"].to_numpy() == meta["debtor_id"].to_numpy()).all()
    assert (snaps["as_of"].to_numpy() == meta["as_of"].to_numpy()).all()
    assert (meta["as_of"] <= meta["sent_at"].dt.normalize()).all()
    # no later snapshot of the same debtor is also on or before the contact day
    later = meta.merge(data.debtors[["debtor_id", "as_of"]], on="debtor_id", suffixes=("", "_2"))
    newer = (later["as_of_2"] > later["as_of"]) & (
        later["as_of_2"] <= later["sent_at"].dt.normalize()
    )
    assert not newer.any()
    # the snapshot features are exactly that snapshot's
    features = build_features(
        data.transactions, data.debtors, contacts=data.contacts, payments=data.payments
    )
    expected = features.iloc[meta["snapshot"].to_numpy()].reset_index(drop=True)
    assert X[features.columns].equals(expected)


def test_history_features_of_a_contact_see_only_earlier_contacts(
    frame: tuple[pd.DataFrame, np.ndarray, pd.DataFrame],
) -> None:
    X, _, meta = frame
    first = meta.groupby("debtor_id")["sent_at"].transform("min") == meta["sent_at"]
    assert (X.loc[first.to_numpy(), "attempts_all_90d"] == 0).all()
    assert X.loc[first.to_numpy(), "days_since_last_contact"].isna().all()
    order = meta.sort_values(["debtor_id", "sent_at"], kind="stable")
    previous = order.groupby("debtor_id")["sent_at"].shift(1)
    gap = (order["sent_at"] - previous) / pd.Timedelta(days=1)
    later = previous.notna().to_numpy()
    got = X.loc[order.index[later], "days_since_last_contact"].to_numpy()
    assert np.allclose(got, gap[later].to_numpy())


def test_action_features_describe_the_logged_action(
    frame: tuple[pd.DataFrame, np.ndarray, pd.DataFrame],
) -> None:
    X, _, meta = frame
    for c in CHANNELS:
        assert (X[f"channel_{c}"].to_numpy() == (meta["channel"] == c).to_numpy()).all()
    assert (X["hour"].to_numpy() == meta["sent_at"].dt.hour.to_numpy()).all()
    assert (X["weekday"].to_numpy() == meta["sent_at"].dt.day_of_week.to_numpy()).all()
    assert X["days_since_payday"].notna().mean() > 0.5  # most debtors have a known payday


def test_contacts_without_a_snapshot_are_left_out_counted_and_warned(data: Dataset) -> None:
    contacts = data.contacts.head(20).copy()
    first = data.debtors.groupby("debtor_id")["as_of"].min()
    early = contacts.iloc[[0]].assign(
        sent_at=first[contacts["debtor_id"].iloc[0]] - pd.Timedelta(days=3)
    )
    stranger = contacts.iloc[[1]].assign(debtor_id="NOBODY")
    small = Dataset(
        transactions=data.transactions,
        debtors=data.debtors,
        payments=data.payments,
        contacts=pd.concat([contacts, early, stranger], ignore_index=True),
    )
    with pytest.warns(ContractWarning) as record:
        X, y, meta = contact_training_frame(small)
    assert len(X) == len(y) == len(meta) == 20
    assert meta.attrs["dropped"] == {"unknown_debtor": 1, "before_first_snapshot": 1}
    text = " ".join(str(w.message) for w in record)
    assert "1 of 22 contacts are of debtors not in the debtors table" in text
    assert "1 of 22 contacts were sent before their debtor's first snapshot" in text
    assert meta["contact"].tolist() == list(range(20))


def test_tz_aware_contacts_train_on_the_same_local_times(data: Dataset) -> None:
    contacts = data.contacts.head(40).copy()
    zones = data.debtors.drop_duplicates("debtor_id").set_index("debtor_id")["timezone"]
    aware = contacts.copy()
    aware["sent_at"] = [
        ts.tz_localize(zones[d]).tz_convert("UTC")
        for ts, d in zip(contacts["sent_at"], contacts["debtor_id"], strict=True)
    ]
    naive_ds = Dataset(data.transactions, data.debtors, data.payments, contacts)
    aware_ds = Dataset(data.transactions, data.debtors, data.payments, aware)
    X1, _, meta1 = contact_training_frame(naive_ds)
    X2, _, meta2 = contact_training_frame(aware_ds)
    assert meta1["sent_at"].equals(meta2["sent_at"])
    columns = [*HISTORY_FEATURES, *ACTION_FEATURES]
    pd.testing.assert_frame_equal(X1[columns], X2[columns])


def test_training_without_contacts_says_which_table_is_missing(data: Dataset) -> None:
    with pytest.raises(ContractError, match=r"table 'contacts'.*no contacts table"):
        contact_training_frame(Dataset(data.transactions, data.debtors, data.payments, None))
    with pytest.raises(ConfigError, match="Dataset"):
        contact_training_frame(data.contacts)  # type: ignore[arg-type]


# ------------------------------------------------------------------ the model
def test_the_model_learns_which_channel_works_at_which_hour() -> None:
    X, y = _tiny(seed=0)
    X_test, y_test = _tiny(seed=1)
    model = ContactModel(**FAST, min_child_samples=20).fit(X, y)
    p = model.predict_proba(X_test)
    assert p.shape == (len(X_test), 2) and np.allclose(p.sum(axis=1), 1.0)
    assert roc_auc(y_test, p[:, 1]) > 0.75
    morning_call = pd.DataFrame({"channel_call": [1.0], "hour": [9.0], "noise": [0.0]})
    evening_call = morning_call.assign(hour=19.0)
    assert model.predict_proba(morning_call)[0, 1] > model.predict_proba(evening_call)[0, 1] + 0.2


def test_probabilities_are_calibrated_to_the_success_rate(
    fitted: ContactModel, frame: tuple[pd.DataFrame, np.ndarray, pd.DataFrame]
) -> None:
    X, y, _ = frame
    p = fitted.predict_proba(X)[:, 1]
    assert abs(p.mean() - y.mean()) < 0.03
    assert list(fitted.classes_) == [0, 1]


def test_the_model_beats_the_channel_base_rate_out_of_time() -> None:
    data = generate(SampleConfig(debtors=1200, seed=6))
    X, y, meta = contact_training_frame(data)
    test = (meta["sent_at"] > meta["sent_at"].max() - pd.Timedelta(days=30)).to_numpy()
    model = ContactModel(random_state=0).fit(X[~test], y[~test])
    p = model.predict_proba(X[test])[:, 1]
    rates = pd.Series(y[~test]).groupby(meta["channel"][~test].to_numpy()).mean()
    base = meta.loc[test, "channel"].map(rates).to_numpy()
    assert roc_auc(y[test], p) > roc_auc(y[test], base) + 0.02
    assert log_loss(y[test], p) < log_loss(y[test], base)


def test_same_seed_same_predictions_and_parameters_are_kept_as_given(
    frame: tuple[pd.DataFrame, np.ndarray, pd.DataFrame], fitted: ContactModel
) -> None:
    X, y, _ = frame
    again = ContactModel(**FAST).fit(X, y)
    assert np.array_equal(again.predict_proba(X), fitted.predict_proba(X))
    params = fitted.get_params()
    assert params["n_estimators"] == 300 and params["calibration"] == "sigmoid"
    assert clone(fitted).get_params() == params
    assert fitted.model_.get_params()["monotone"] is False
    assert fitted.model_.get_params()["class_weight"] is None


def test_a_pickled_model_predicts_the_same(
    fitted: ContactModel, frame: tuple[pd.DataFrame, np.ndarray, pd.DataFrame]
) -> None:
    X = frame[0].head(50)
    restored = pickle.loads(pickle.dumps(fitted))
    assert np.array_equal(restored.predict_proba(X), fitted.predict_proba(X))
    assert list(restored.feature_names_in_) == list(X.columns)


def test_scoring_with_other_columns_names_the_missing_ones(fitted: ContactModel) -> None:
    with pytest.raises(ContractError, match="columns the model was fitted on"):
        fitted.predict_proba(pd.DataFrame({"hour": [9.0]}))
    with pytest.raises(NotFittedError):
        ContactModel().predict_proba(pd.DataFrame({"hour": [9.0]}))


def test_bad_parameters_and_one_outcome_are_refused_clearly() -> None:
    X, y = _tiny(n=100)
    with pytest.raises(ConfigError, match="learning_rate must be"):
        ContactModel(learning_rate=2.0).fit(X, y)
    with pytest.raises(ConfigError, match=r"calibration must be one of.*did you mean 'sigmoid'"):
        ContactModel(calibration="sigmod").fit(X, y)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="two outcomes"):
        ContactModel().fit(X, np.zeros(len(X), dtype=int))


def test_tuning_returns_parameters_the_contact_model_accepts() -> None:
    X, y = _tiny(n=500, seed=2)
    X_val, y_val = _tiny(n=300, seed=3)
    result = tune_contact(X, y, X_val, y_val, trials=3, seed=0, base_params={"n_estimators": 60})
    assert result.metric == "log_loss" and result.trials == 3
    assert "monotone" not in result.best_params and "class_weight" not in result.best_params
    model = ContactModel(**result.best_params).fit(X, y)  # type: ignore[arg-type]
    assert model.get_params()["n_estimators"] == 60
    with pytest.raises(ConfigError, match="may not set 'monotone'"):
        tune_contact(X, y, X_val, y_val, trials=1, base_params={"monotone": True})


# ------------------------------------------------------------------ candidate slots
ROW = pd.Series(
    {"debtor_id": "d1", "timezone": "America/New_York", "as_of": pd.Timestamp("2026-03-01")}
)


def test_candidates_are_every_channel_at_every_hourly_slot_of_the_next_days() -> None:
    out = candidate_frame(ROW, None, pd.Timestamp("2026-03-02 00:00"), days=3)
    assert list(out.columns) == ["debtor_id", "channel", "send_at", "as_of"]
    assert len(out) == 3 * 15 * len(CHANNELS)
    assert out["send_at"].dt.hour.between(7, 21).all()
    assert out["send_at"].min() == pd.Timestamp("2026-03-02 07:00")
    assert out["send_at"].max() == pd.Timestamp("2026-03-04 21:00")
    assert out["channel"].iloc[: len(CHANNELS)].tolist() == list(CHANNELS)
    assert out["send_at"].is_monotonic_increasing
    assert (out["debtor_id"] == "d1").all() and (out["as_of"] == ROW["as_of"]).all()
    assert out["send_at"].dtype == "datetime64[us]"


def test_candidates_start_at_now_and_end_before_now_plus_the_days() -> None:
    out = candidate_frame(ROW, None, pd.Timestamp("2026-03-02 10:30"), days=1, hours=[9, 11, 20])
    slots = sorted(set(out["send_at"]))
    assert slots == [
        pd.Timestamp("2026-03-02 11:00"),
        pd.Timestamp("2026-03-02 20:00"),
        pd.Timestamp("2026-03-03 09:00"),
    ]


def test_a_tz_aware_now_is_read_in_the_debtors_local_time_across_dst() -> None:
    # 2026-03-08 is the spring-forward day in New York: 12:00 UTC is 08:00 local (EDT)
    out = candidate_frame(ROW, None, pd.Timestamp("2026-03-08 12:00", tz="UTC"), days=1)
    assert out["send_at"].min() == pd.Timestamp("2026-03-08 08:00")
    # the day before it was 07:00 local (EST)
    before = candidate_frame(ROW, None, pd.Timestamp("2026-03-07 12:00", tz="UTC"), days=1)
    assert before["send_at"].min() == pd.Timestamp("2026-03-07 07:00")
    # a debtor without a timezone is read in UTC
    utc = candidate_frame({"debtor_id": "d2"}, None, pd.Timestamp("2026-03-08 12:00", tz="UTC"))
    assert utc["send_at"].min() == pd.Timestamp("2026-03-08 12:00")


def test_no_slot_falls_in_the_hour_skipped_when_clocks_go_forward() -> None:
    out = candidate_frame(ROW, None, pd.Timestamp("2026-03-08 00:00"), days=1, hours=[1, 2, 3])
    assert sorted(set(out["send_at"].dt.hour)) == [1, 3]
    # the repeated hour when clocks go back is offered once
    back = candidate_frame(ROW, None, pd.Timestamp("2026-11-01 00:00"), days=1, hours=[1, 2])
    assert back["send_at"].dt.hour.value_counts().tolist() == [len(CHANNELS)] * 2


def test_candidate_arguments_are_checked() -> None:
    now = pd.Timestamp("2026-03-02 10:00")
    with pytest.raises(ConfigError, match="days must be"):
        candidate_frame(ROW, None, now, days=0)
    with pytest.raises(ConfigError, match="hours must be"):
        candidate_frame(ROW, None, now, hours=[7, 24])
    with pytest.raises(ConfigError, match="debtor_id"):
        candidate_frame({"timezone": "UTC"}, None, now)
    with pytest.raises(ContractError, match=r"column 'timezone'.*'Mars/Olympus'"):
        candidate_frame(
            {"debtor_id": "d1", "timezone": "Mars/Olympus"}, None, now.tz_localize("UTC")
        )
    other = pd.DataFrame({"debtor_id": ["d9"], "channel": ["sms"], "sent_at": [now]})
    with pytest.raises(ContractError, match="only contacts of debtor 'd1'"):
        candidate_frame(ROW, other, now)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mine = other.assign(debtor_id="d1")
        assert len(candidate_frame(ROW, mine, now, days=1)) > 0
