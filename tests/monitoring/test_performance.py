"""Realised performance of served scores and of followed recommendations, by hand.

Scores: ten January snapshots (two payers holding the two highest scores), two February
snapshots (one payer, tied scores) and one March snapshot whose 30-day horizon has not
elapsed when outcomes are known only up to the last payment (2024-04-05).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from collectscore._data import Dataset
from collectscore._errors import ConfigError, ContractError
from collectscore.monitoring import (
    CONTACT_PERFORMANCE_COLUMNS,
    PERFORMANCE_COLUMNS,
    contact_performance,
    realised_performance,
)

JAN_P = [0.95, 0.85, 0.4, 0.3, 0.3, 0.2, 0.2, 0.1, 0.1, 0.1]


def _scored() -> tuple[pd.DataFrame, Dataset]:
    ids = [f"j{i}" for i in range(10)] + ["f0", "f1", "m0"]
    as_of = ["2024-01-31"] * 10 + ["2024-02-29"] * 2 + ["2024-03-31"]
    debtors = pd.DataFrame(
        {
            "debtor_id": ids,
            "account_id": [i + "-acc" for i in ids],
            "as_of": pd.to_datetime(as_of),
            "outstanding": 100.0,
            "days_past_due": 10,
        }
    )
    payments = pd.DataFrame(
        {
            "debtor_id": ["j0", "j1", "f0", "j2"],
            # j0, j1 pay in full in their window; f0 too; j2's payment on Apr 5 is outside
            # its window (Feb 1 - Mar 1) but sets the last known payment day
            "paid_at": pd.to_datetime(["2024-02-03", "2024-02-20", "2024-03-10", "2024-04-05"]),
            "amount": [100.0, 100.0, 100.0, 1.0],
        }
    )
    scores = debtors[["debtor_id", "as_of"]].assign(p_pay=[*JAN_P, 0.6, 0.6, 0.5])
    return scores, Dataset(transactions=pd.DataFrame(), debtors=debtors, payments=payments)


@pytest.fixture(scope="module")
def performance() -> pd.DataFrame:
    scores, data = _scored()
    return realised_performance(scores, data).set_index("period")


def test_one_row_per_month_and_an_overall_row(performance: pd.DataFrame) -> None:
    assert list(performance.reset_index().columns) == list(PERFORMANCE_COLUMNS)
    assert list(performance.index) == ["2024-01", "2024-02", "2024-03", "all"]


def test_a_perfect_ranking_has_auc_one_and_the_hand_computed_brier(
    performance: pd.DataFrame,
) -> None:
    jan = performance.loc["2024-01"]
    assert (jan["n"], jan["pending"]) == (10, 0)
    assert jan["auc"] == 1.0
    assert jan["pay_rate"] == pytest.approx(0.2)
    assert jan["mean_p_pay"] == pytest.approx(0.35)
    # (0.05^2 + 0.15^2 + 0.4^2 + 2 x 0.3^2 + 2 x 0.2^2 + 3 x 0.1^2) / 10
    assert jan["brier"] == pytest.approx(0.0475)
    assert jan["calibration_gap"] == pytest.approx(0.35 - 0.2)
    # top tenth = j0 (a payer): pay rate 1 over 0.2
    assert jan["top_decile_lift"] == pytest.approx(5.0)


def test_tied_scores_give_auc_one_half_and_small_months_no_lift(
    performance: pd.DataFrame,
) -> None:
    feb = performance.loc["2024-02"]
    assert feb["n"] == 2 and feb["auc"] == 0.5
    assert feb["brier"] == pytest.approx((0.4**2 + 0.6**2) / 2)
    assert feb["calibration_gap"] == pytest.approx(0.1)
    assert math.isnan(feb["top_decile_lift"])  # fewer than 10 scores


def test_a_snapshot_whose_horizon_has_not_elapsed_is_pending(performance: pd.DataFrame) -> None:
    # last payment Apr 5 < Mar 31 + 30 days: m0's outcome is not known yet
    mar = performance.loc["2024-03"]
    assert (mar["n"], mar["pending"]) == (0, 1)
    assert mar[["pay_rate", "auc", "brier"]].isna().all()
    overall = performance.loc["all"]
    assert (overall["n"], overall["pending"]) == (12, 1)
    assert overall["pay_rate"] == pytest.approx(3 / 12)
    # payers .95, .85, .6 vs nine others: 2 x 9 wins + f0 beats 8 and ties f1 (8.5) of 27
    assert overall["auc"] == pytest.approx(26.5 / 27)


def test_a_later_observed_until_lets_the_snapshot_count() -> None:
    scores, data = _scored()
    out = realised_performance(scores, data, observed_until="2024-05-31").set_index("period")
    mar = out.loc["2024-03"]
    assert (mar["n"], mar["pending"], mar["pay_rate"]) == (1, 0, 0.0)
    assert math.isnan(mar["auc"])  # one class only
    assert out.loc["all", "n"] == 13


def test_the_horizon_is_a_parameter() -> None:
    scores, data = _scored()
    # with 10 days, j1 (paid on day 20) no longer counts as a payer
    jan = realised_performance(scores, data, horizon_days=10).set_index("period").loc["2024-01"]
    assert jan["pay_rate"] == pytest.approx(0.1)


def test_quarterly_periods() -> None:
    scores, data = _scored()
    out = realised_performance(scores, data, by="Q")
    assert list(out["period"]) == ["2024Q1", "all"]


def test_a_missing_score_column_is_named() -> None:
    scores, data = _scored()
    with pytest.raises(ContractError) as err:
        realised_performance(scores.drop(columns="p_pay"), data)
    assert err.value.columns() == {("scores", "p_pay")}


def test_a_score_outside_zero_one_is_rejected_with_its_row() -> None:
    scores, data = _scored()
    scores.loc[3, "p_pay"] = 1.5
    with pytest.raises(ContractError, match=r"rows 3") as err:
        realised_performance(scores, data)
    assert err.value.columns() == {("scores", "p_pay")}


def test_a_score_of_an_unknown_snapshot_is_rejected() -> None:
    scores, data = _scored()
    scores.loc[0, "as_of"] = pd.Timestamp("2023-12-31")
    with pytest.raises(ContractError, match="snapshot"):
        realised_performance(scores, data)


def test_without_payments_the_error_names_the_table() -> None:
    scores, data = _scored()
    data.payments = None
    with pytest.raises(ContractError) as err:
        realised_performance(scores, data)
    assert err.value.tables() == {"payments"}


# ---------------------------------------------------------------------- contacts
def _contacts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "debtor_id": ["a", "a", "b", "b", "c"],
            "channel": ["sms", "call", "sms", "sms", "email"],
            "sent_at": pd.to_datetime(
                [
                    "2024-02-01 10:15",  # a: recommended sms 10h -> followed, success
                    "2024-02-02 11:00",  # a: no recommendation that day, failed
                    "2024-02-01 10:40",  # b: recommended call, sent sms -> not followed, success
                    "2024-02-03 09:00",  # b: no recommendation that day, failed
                    "2024-02-01 10:00",  # c: recommended email 10h -> followed, failed
                ]
            ),
            "success": [True, False, True, False, False],
            "propensity": [0.5, 0.5, 0.25, 0.5, 0.5],
            "p_success": [0.6, 0.3, 0.5, 0.4, 0.2],
        }
    )


def _recommended() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "debtor_id": ["a", "b", "c"],
            "channel": ["sms", "call", "email"],
            "send_at": pd.to_datetime(["2024-02-01 10:00"] * 3),
            "p_success": [0.6, 0.5, 0.2],
        }
    )


def test_followed_recommendations_vs_other_actions() -> None:
    out = contact_performance(_contacts(), recommended=_recommended())
    assert list(out.columns) == list(CONTACT_PERFORMANCE_COLUMNS)
    assert list(out.index) == [
        "all",
        "followed",
        "not_followed",
        "no_recommendation",
        "ips",
        "snips",
        "dr",
    ]
    assert out.loc["all", ["n", "value"]].tolist() == [5, 0.4]
    assert out.loc["followed", ["n", "value"]].tolist() == [2, 0.5]
    assert out.loc["not_followed", ["n", "value"]].tolist() == [1, 1.0]
    assert out.loc["no_recommendation", ["n", "value"]].tolist() == [2, 0.0]


def test_off_policy_estimates_of_following_the_recommendations() -> None:
    out = contact_performance(_contacts(), recommended=_recommended())
    # contexts with a recommendation: a (followed, r=1, p=.5), b (not, r=1, p=.25),
    # c (followed, r=0, p=.5)
    assert out.loc["ips", "n"] == 3
    assert out.loc["ips", "value"] == pytest.approx((1 / 0.5 + 0 + 0) / 3)
    assert out.loc["snips", "value"] == pytest.approx(2 / (2 + 2))
    # DR terms: q_target + w (r - q_logged): a .6 + 2(.4) = 1.4; b .5; c .2 + 2(-.2) = -.2
    assert out.loc["dr", "value"] == pytest.approx((1.4 + 0.5 - 0.2) / 3)
    for row in ("ips", "snips", "dr"):
        assert out.loc[row, "ci_low"] < out.loc[row, "value"] < out.loc[row, "ci_high"]


def test_without_propensities_the_estimates_say_why() -> None:
    out = contact_performance(_contacts().drop(columns="propensity"), recommended=_recommended())
    assert out.loc[["ips", "snips", "dr"], "value"].isna().all()
    assert "propensity" in out.loc["ips", "description"]
    assert out.loc["followed", "n"] == 2


def test_without_the_model_column_dr_is_not_computed() -> None:
    out = contact_performance(_contacts().drop(columns="p_success"), recommended=_recommended())
    assert not math.isnan(out.loc["ips", "value"])
    assert math.isnan(out.loc["dr", "value"])
    assert "p_success" in out.loc["dr", "description"]


def test_tz_aware_contacts_match_recommendations_in_utc() -> None:
    contacts = _contacts()
    contacts["sent_at"] = contacts["sent_at"].dt.tz_localize("America/Bogota")  # UTC-5
    recommended = _recommended().assign(
        send_at_utc=pd.to_datetime(["2024-02-01 15:00"] * 3).tz_localize("UTC")
    )
    out = contact_performance(contacts, recommended=recommended)
    assert out.loc["followed", "n"] == 2


def test_without_recommendations_only_the_overall_rate() -> None:
    out = contact_performance(_contacts())
    assert list(out.index) == ["all"]
    assert out.loc["all", "value"] == pytest.approx(0.4)


def test_two_recommendations_for_one_debtor_and_day_are_rejected() -> None:
    recommended = pd.concat([_recommended(), _recommended().iloc[[0]]], ignore_index=True)
    with pytest.raises(ConfigError, match="per debtor and day"):
        contact_performance(_contacts(), recommended=recommended)


def test_a_missing_recommended_column_is_named() -> None:
    with pytest.raises(ContractError) as err:
        contact_performance(_contacts(), recommended=_recommended().drop(columns="send_at"))
    assert err.value.columns() == {("recommended", "send_at")}


def test_an_unknown_channel_is_rejected() -> None:
    contacts = _contacts()
    contacts.loc[1, "channel"] = "SMS"
    with pytest.raises(ContractError) as err:
        contact_performance(contacts, recommended=_recommended())
    assert err.value.columns() == {("contacts", "channel")}
    assert "lower-case" in str(err.value)


def test_an_invalid_propensity_is_rejected() -> None:
    contacts = _contacts()
    contacts.loc[0, "propensity"] = 0.0
    with pytest.raises(ContractError) as err:
        contact_performance(contacts, recommended=_recommended())
    assert err.value.columns() == {("contacts", "propensity")}


def test_contacts_with_unknown_propensity_are_left_out_and_counted() -> None:
    contacts = _contacts()
    contacts.loc[2, "propensity"] = np.nan
    out = contact_performance(contacts, recommended=_recommended())
    assert out.loc["ips", "n"] == 2
    assert "1 contacts without propensity left out" in out.loc["ips", "description"]
