"""The decision per debtor: champions, strategy and rule packs together."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from collectscore import read_dir, validate_dataset
from collectscore._errors import ConfigError
from collectscore.rules import pack_for, violations
from collectscore.scoring import DECISION_COLUMNS, decide
from collectscore.scoring._decide import decide_snapshots, latest_snapshots, load_decision_models
from collectscore.tracking import TrackingConfig
from collectscore.training import TuningConfig, train_champions

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


@pytest.fixture(scope="module")
def tracking(tmp_path_factory: pytest.TempPathFactory) -> TrackingConfig:
    root = tmp_path_factory.mktemp("decide-store")
    tracking = TrackingConfig(root=root)
    train_champions(SAMPLE, tracking, tuning=TuningConfig(trials=2))
    return tracking


@pytest.fixture(scope="module")
def decided(tracking: TrackingConfig) -> tuple[pd.DataFrame, object, pd.Timestamp]:
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


def test_without_recommendations_the_strategy_decides_and_scores_are_unchanged(
    decided: tuple, tracking: TrackingConfig
) -> None:
    from collectscore.features import build_features

    table, data, now = decided
    snapshots = latest_snapshots(data.debtors, now).reset_index(drop=True)
    features = build_features(
        data.transactions, snapshots, contacts=data.contacts, payments=data.payments
    )
    models = load_decision_models(tracking, contact=None)
    quick = decide_snapshots(snapshots, features, now, models, recommend=False)
    assert list(quick.columns) == list(DECISION_COLUMNS)
    full = table.set_index("debtor_id").loc[quick["debtor_id"]]
    assert (quick["p_pay"].to_numpy() == full["p_pay"].to_numpy()).all()
    assert (quick["segment"].to_numpy() == full["segment"].to_numpy()).all()
    would_contact = full["decision"].to_numpy() == "contact"
    assert (quick["decision"].to_numpy()[would_contact] == "not_evaluated").all()
    assert quick["channel"].isna().all()


def test_expected_recovery_is_p_pay_times_the_amount_due(decided: tuple) -> None:
    table, data, now = decided
    snapshots = latest_snapshots(data.debtors, now).set_index("debtor_id")
    rows = snapshots.loc[table["debtor_id"]]
    due = rows["installment"].where(rows["installment"].notna(), rows["outstanding"])
    due = due.clip(upper=rows["outstanding"]).to_numpy()
    np.testing.assert_allclose(table["expected_recovery"], table["p_pay"] * due)


def test_recommending_without_a_contact_model_says_how_to_fix_it(
    decided: tuple, tracking: TrackingConfig
) -> None:
    _, data, now = decided
    snapshots = latest_snapshots(data.debtors, now).reset_index(drop=True).head(2)
    from collectscore.features import build_features

    features = build_features(data.transactions, snapshots)
    models = load_decision_models(tracking, contact=None)
    with pytest.raises(ConfigError, match="contact model"):
        decide_snapshots(snapshots, features, now, models)
