"""The decision per debtor: champions, strategy and rule packs together."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from collectscore import read_dir, validate_dataset
from collectscore.rules import pack_for, violations
from collectscore.scoring import DECISION_COLUMNS, decide
from collectscore.tracking import TrackingConfig
from collectscore.training import (
    ContactTrainConfig,
    ContractData,
    PromoteConfig,
    TrainConfig,
    TuningConfig,
    promote_model,
    train_contact,
    train_propensity,
)

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


@pytest.fixture(scope="module")
def decided(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, object, pd.Timestamp]:
    root = tmp_path_factory.mktemp("decide-store")
    tracking = TrackingConfig(root=root)
    tuning = TuningConfig(trials=2)
    train_propensity(TrainConfig(source=ContractData(SAMPLE), tuning=tuning, tracking=tracking))
    promote_model(PromoteConfig(tracking=tracking))
    train_contact(ContactTrainConfig(folder=SAMPLE, tuning=tuning, tracking=tracking))
    promote_model(PromoteConfig(registered_name="contact", tracking=tracking))
    data, _ = validate_dataset(read_dir(SAMPLE))
    now = pd.Timestamp(data.debtors["as_of"].max()) + pd.Timedelta(days=2, hours=9)
    return decide(data, now, config=tracking), data, now


def test_every_debtor_gets_one_decision_with_the_documented_columns(decided: tuple) -> None:
    table, data, _ = decided
    assert list(table.columns) == list(DECISION_COLUMNS)
    assert table["debtor_id"].is_unique
    assert set(table["debtor_id"]) == set(data.debtors["debtor_id"])
    assert set(table["decision"]) <= {"contact", "no_contact", "human_review"}
    assert table["reason"].str.len().gt(20).all()


def test_debtors_for_pre_legal_review_are_never_contacted_automatically(decided: tuple) -> None:
    table, _, _ = decided
    review = table[table["human_review"]]
    assert len(review) and (review["decision"] == "human_review").all()
    assert review["channel"].isna().all() and review["send_at"].isna().all()
    assert (table.loc[table["segment"] == "neither", "decision"] == "human_review").all()


def test_every_recommended_contact_is_inside_the_debtors_rule_pack(decided: tuple) -> None:
    table, data, now = decided
    contacts = table[table["decision"] == "contact"]
    assert len(contacts) > 0
    snapshots = (
        data.debtors.sort_values("as_of").groupby("debtor_id").tail(1).set_index("debtor_id")
    )
    history = data.contacts
    for row in contacts.itertuples():
        debtor = snapshots.loc[row.debtor_id]
        consent = {
            c.removeprefix("consent_"): debtor[c]
            for c in snapshots.columns
            if c.startswith("consent_")
        }
        past = history[history["debtor_id"] == row.debtor_id][["channel", "sent_at", "success"]]
        pack = pack_for(debtor.get("country"))
        assert violations(pack, (row.channel, row.send_at), past, consent) == [], row.debtor_id
        assert row.send_at >= now.normalize()
        assert json.loads(row.alternatives)  # ranked alternatives come with the choice


def test_a_firm_reminder_waits_for_payday(decided: tuple) -> None:
    table, _, now = decided
    firm = table[(table["segment"] == "able_unwilling") & (table["decision"] == "contact")]
    assert len(firm) > 0
    assert (firm["strategy_action"] == "firm_reminder_after_payday").all()
    after = pd.to_datetime(firm["contact_after"])
    assert (firm["send_at"] >= after.where(after > now.normalize(), now.normalize())).all()
    assert (after > now.normalize()).any()  # some wait for a payday after today
