"""Segments of hand-built debtors: each segment, its action, timing, plan and reason."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectscore.scoring import risk_band
from collectscore.strategy import (
    ACTIONS,
    CRITERIA,
    OUTPUT_COLUMNS,
    SEGMENTS,
    STAGES,
    StrategyConfig,
    assign_segments,
    segment,
)

CFG = StrategyConfig()
AS_OF = pd.Timestamp("2026-05-31")


def debtor(**values: Any) -> dict[str, Any]:
    """One debtor snapshot with sensible defaults (willing, able, early in arrears)."""
    row: dict[str, Any] = {
        "debtor_id": "D1",
        "as_of": AS_OF,
        "p_pay": 0.65,
        "days_past_due": 10,
        "outstanding": 3000.0,
        "installment": 300.0,
        "free_cash_flow_monthly_90d": 900.0,
        "funds_available_now": 1200.0,
        "next_income_date": pd.Timestamp("2026-06-05"),
    }
    row.update(values)
    return row


def segmented(*rows: dict[str, Any], config: StrategyConfig | None = None) -> pd.DataFrame:
    return assign_segments(pd.DataFrame(list(rows)), config)


def answering(willing: bool, able: bool, early: bool, config: StrategyConfig = CFG) -> dict:
    """A debtor giving the wanted criterion answers, built from the thresholds."""
    installment = 300.0
    return debtor(
        p_pay=config.willing_p_pay + (0.05 if willing else -0.05),
        installment=installment,
        funds_available_now=installment * config.able_funds_to_installment * (2 if able else 0.5),
        free_cash_flow_monthly_90d=0.0,
        days_past_due=config.self_cure_max_days_past_due + (-5 if early else 5),
    )


# --- the declaration ----------------------------------------------------------------------


def first_match(answers: dict[str, bool]) -> str:
    return next(s.name for s in SEGMENTS if all(answers[k] == v for k, v in s.when))


COMBINATIONS = [
    dict(zip(CRITERIA, values, strict=True))
    for values in itertools.product([True, False], repeat=len(CRITERIA))
]


def test_every_combination_of_criterion_answers_has_a_segment_and_every_segment_is_reachable():
    reached = {first_match(answers) for answers in COMBINATIONS}
    assert reached == {s.name for s in SEGMENTS}


def test_segments_are_declared_with_known_stages_actions_and_criteria():
    for s in SEGMENTS:
        assert s.stage in STAGES
        assert s.action in ACTIONS
        assert s.quiet_action is None or s.quiet_action in ACTIONS
        assert {name for name, _ in s.when} <= set(CRITERIA)
        assert s.description and s.label
    assert len({s.name for s in SEGMENTS}) == len(SEGMENTS)


@pytest.mark.parametrize(
    "answers", COMBINATIONS, ids=lambda a: "-".join(f"{k}={v}" for k, v in a.items())
)
def test_a_debtor_lands_in_the_first_declared_segment_its_answers_match(answers):
    out = segmented(answering(answers["willing"], answers["able"], answers["early_arrears"]))
    row = out.iloc[0]
    assert row["segment"] == first_match(answers)
    assert row["stage"] == segment(row["segment"]).stage
    for name, value in answers.items():
        assert row[name] == value
    assert row["reason"].startswith(segment(row["segment"]).label + ": ")


# --- one specification per segment ---------------------------------------------------------


def test_a_willing_able_early_debtor_is_a_likely_self_cure_with_a_light_reminder_after_a_wait():
    row = segmented(debtor(p_pay=0.65, days_past_due=12)).iloc[0]
    assert row["segment"] == "self_cure"
    assert row["stage"] == "preventive"
    assert row["action"] == "light_reminder"
    assert row["contact_after"] == AS_OF + pd.Timedelta(days=CFG.reminder_wait_days)
    assert not row["human_review"]
    assert math.isnan(row["plan_offer"])
    assert "p_pay 0.650" in row["reason"]
    assert "funds available 1200.00 cover the installment 300.00" in row["reason"]
    assert "12 days past due" in row["reason"]
    assert "Light reminder from 2026-06-03" in row["reason"]


def test_a_self_cure_debtor_above_the_no_contact_threshold_is_not_contacted_at_all():
    row = segmented(debtor(p_pay=0.9)).iloc[0]
    assert row["segment"] == "self_cure"
    assert row["action"] == "no_contact"
    assert pd.isna(row["contact_after"])
    assert not row["human_review"]
    assert f"No contact: p_pay 0.900 is at or above {CFG.no_contact_p_pay:g}" in row["reason"]


def test_an_able_but_unwilling_debtor_gets_a_firm_reminder_the_day_after_the_next_payday():
    row = segmented(
        debtor(p_pay=0.3, next_income_date=pd.Timestamp("2026-06-10"), days_past_due=40)
    ).iloc[0]
    assert row["segment"] == "able_unwilling"
    assert row["stage"] == "administrative"
    assert row["action"] == "firm_reminder_after_payday"
    assert row["contact_after"] == pd.Timestamp("2026-06-10") + pd.Timedelta(
        days=CFG.days_after_payday
    )
    assert "below the willingness threshold 0.5" in row["reason"]
    assert "after the next payday 2026-06-10" in row["reason"]
    assert not row["human_review"]


@pytest.mark.parametrize("payday", [None, pd.Timestamp("2026-05-28")], ids=["unknown", "overdue"])
def test_without_an_upcoming_payday_the_firm_reminder_is_timed_from_as_of_and_says_so(payday):
    row = segmented(debtor(p_pay=0.3, next_income_date=payday)).iloc[0]
    assert row["action"] == "firm_reminder_after_payday"
    assert row["contact_after"] == AS_OF
    assert "no upcoming payday known" in row["reason"]


def test_a_willing_debtor_long_past_due_with_means_is_treated_as_able_but_unwilling():
    late = CFG.self_cure_max_days_past_due + 1
    row = segmented(debtor(p_pay=0.7, days_past_due=late)).iloc[0]
    assert row["segment"] == "able_unwilling"
    assert f"{late} days past due (past early arrears: more than " in row["reason"]


def test_a_willing_but_unable_debtor_is_offered_a_plan_sized_to_the_free_cash_flow():
    row = segmented(
        debtor(
            p_pay=0.7,
            funds_available_now=100.0,
            free_cash_flow_monthly_90d=201.0,
            outstanding=3000.0,
            installment=300.0,
        )
    ).iloc[0]
    assert row["segment"] == "willing_unable"
    assert row["action"] == "payment_plan_offer"
    assert row["stage"] == "administrative"
    assert row["plan_offer"] == pytest.approx(CFG.plan_share_of_free_cash_flow * 201.0)
    assert row["plan_months"] == math.ceil(3000.0 / row["plan_offer"])
    assert row["contact_after"] == AS_OF
    assert not row["human_review"]
    assert "Offer a payment plan of 100.50 a month" in row["reason"]
    assert "free cash flow 201.00" in row["reason"]
    assert "for the outstanding 3000.00" in row["reason"]


def test_a_plan_never_asks_more_than_the_installment_and_is_rounded_down_to_cents():
    config = StrategyConfig(able_free_cash_flow_to_installment=5.0, plan_share_of_free_cash_flow=1)
    row = segmented(
        debtor(p_pay=0.7, funds_available_now=0.0, free_cash_flow_monthly_90d=1000.0),
        debtor(p_pay=0.7, funds_available_now=0.0, free_cash_flow_monthly_90d=100.0 / 3),
        config=config,
    )
    assert row["plan_offer"].tolist() == [300.0, 33.33]


def test_a_plan_that_cannot_be_sized_or_runs_too_long_goes_to_a_person():
    out = segmented(
        debtor(p_pay=0.7, funds_available_now=0.0, free_cash_flow_monthly_90d=-50.0),
        debtor(p_pay=0.7, funds_available_now=0.0, free_cash_flow_monthly_90d=np.nan),
        debtor(p_pay=0.7, funds_available_now=0.0, free_cash_flow_monthly_90d=20.0),
    )
    assert (out["segment"] == "willing_unable").all()
    assert out["human_review"].tolist() == [True, True, True]
    assert out["plan_offer"].isna().tolist() == [True, True, False]
    assert "No free cash flow to size a payment plan" in out["reason"].iloc[0]
    assert "free cash flow is unknown" in out["reason"].iloc[1]
    assert out["plan_months"].iloc[2] == 300
    assert f"more than {CFG.plan_max_months} months, so a person reviews" in out["reason"].iloc[2]


def test_a_debtor_neither_willing_nor_able_goes_to_pre_legal_review_by_a_person():
    row = segmented(
        debtor(p_pay=0.1, funds_available_now=0.0, free_cash_flow_monthly_90d=50.0)
    ).iloc[0]
    assert row["segment"] == "neither"
    assert row["stage"] == "pre_legal"
    assert row["action"] == "pre_legal_review"
    assert row["human_review"]
    assert pd.isna(row["contact_after"])
    assert "no automatic contact" in row["reason"]
    assert "funds available 0.00 fall short of the installment 300.00" in row["reason"]


# --- inputs and outputs --------------------------------------------------------------------


def test_without_an_installment_the_outstanding_is_the_amount_due():
    out = segmented(
        debtor(installment=np.nan, outstanding=1000.0, funds_available_now=1500.0),
        debtor(installment=np.nan, outstanding=5000.0, funds_available_now=1500.0),
    )
    assert out["able"].tolist() == [True, False]
    assert "cover the outstanding 1000.00" in out["reason"].iloc[0]
    frame = pd.DataFrame([debtor(funds_available_now=1500.0, outstanding=1000.0)])
    no_column = assign_segments(frame.drop(columns="installment"))
    assert no_column["able"].iloc[0]


def test_unknown_funds_and_free_cash_flow_never_make_a_debtor_able():
    row = segmented(
        debtor(p_pay=0.3, funds_available_now=np.nan, free_cash_flow_monthly_90d=np.nan)
    ).iloc[0]
    assert not row["able"]
    assert row["segment"] == "neither"
    assert "funds available are unknown and free cash flow is unknown" in row["reason"]


def test_the_risk_band_comes_from_the_scoring_bands():
    p = [0.05, 0.25, 0.45, 0.65, 0.85, 1.0, 0.0]
    out = segmented(*(debtor(p_pay=x) for x in p))
    assert out["risk_band"].tolist() == list(risk_band(p))


def test_thresholds_come_from_the_config():
    row = debtor(p_pay=0.55)
    assert segmented(row).iloc[0]["willing"]
    strict = segmented(row, config=StrategyConfig(willing_p_pay=0.6)).iloc[0]
    assert not strict["willing"]
    assert "below the willingness threshold 0.6" in strict["reason"]
    waits = segmented(row, config=StrategyConfig(reminder_wait_days=7)).iloc[0]
    assert waits["contact_after"] == AS_OF + pd.Timedelta(days=7)


def test_build_features_style_input_keeps_its_index_and_accepts_the_capacity_signal_names():
    frame = pd.DataFrame([debtor(debtor_id="D1"), debtor(debtor_id="D2", p_pay=0.1)])
    frame = frame.rename(columns={"funds_available_now": "funds_available"})
    frame["days_until_next_income"] = [5.0, np.nan]
    frame = frame.drop(columns="next_income_date").set_index(["debtor_id", "as_of"])
    out = assign_segments(frame)
    assert out.index.equals(frame.index)
    assert list(out.columns) == list(OUTPUT_COLUMNS)
    assert out["contact_after"].iloc[0] == AS_OF + pd.Timedelta(days=CFG.reminder_wait_days)
    assert out["segment"].tolist() == ["self_cure", "able_unwilling"]
    assert out["contact_after"].iloc[1] == AS_OF  # no payday known for D2


def test_key_columns_are_carried_and_the_output_columns_follow_the_declaration():
    out = segmented(debtor())
    assert list(out.columns) == ["debtor_id", "as_of", *OUTPUT_COLUMNS]
    assert out["plan_months"].dtype == "Int64"
    assert out["human_review"].dtype == bool


def test_an_empty_frame_gives_an_empty_result_with_every_output_column():
    frame = pd.DataFrame([debtor()]).iloc[:0]
    out = assign_segments(frame)
    assert len(out) == 0
    assert set(OUTPUT_COLUMNS) <= set(out.columns)


# --- properties over random debtors --------------------------------------------------------

money = st.one_of(st.none(), st.floats(-1e4, 1e6, allow_nan=False))


@st.composite
def debtors(draw: st.DrawFn) -> dict[str, Any]:
    payday = draw(st.one_of(st.none(), st.integers(-10, 40)))
    return debtor(
        p_pay=draw(st.floats(0, 1)),
        days_past_due=draw(st.integers(0, 400)),
        outstanding=draw(st.floats(0, 1e6)),
        installment=draw(st.one_of(st.none(), st.floats(0, 1e5))),
        free_cash_flow_monthly_90d=draw(money),
        funds_available_now=draw(st.one_of(st.none(), st.floats(0, 1e6))),
        next_income_date=None if payday is None else AS_OF + pd.Timedelta(days=payday),
    )


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(debtors(), min_size=1, max_size=8))
def test_random_debtors_get_their_first_matching_segment_and_neither_is_never_automatic(
    rows,
):
    frame = pd.DataFrame(rows)
    out = assign_segments(frame)
    assert len(out) == len(frame)
    answers = out[list(CRITERIA)].to_dict("records")
    assert out["segment"].tolist() == [first_match(a) for a in answers]
    neither = out["segment"] == "neither"
    assert out.loc[neither, "human_review"].all()
    assert out.loc[neither, "contact_after"].isna().all()
    contacted = out["contact_after"].notna()
    assert (out.loc[contacted, "contact_after"] >= AS_OF).all()
    plan = out["plan_offer"].notna()
    assert (out.loc[~plan, "plan_months"].isna()).all()
    due = frame["installment"].fillna(frame["outstanding"])
    fcf = frame["free_cash_flow_monthly_90d"]
    assert (out.loc[plan, "plan_offer"] <= due[plan] + 1e-9).all()
    assert (
        out.loc[plan, "plan_offer"] <= CFG.plan_share_of_free_cash_flow * fcf[plan] + 1e-9
    ).all()
    assert (out.loc[plan, "plan_offer"] > 0).all()
    for label, reason in zip(out["segment"], out["reason"], strict=True):
        assert reason.startswith(segment(label).label + ": ")
