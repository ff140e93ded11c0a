"""The batch rule engine: many debtors at once, the same verdicts as one debtor at a time.

Generated cases (the property tests' strategies) are split between three debtors with
their own history, consent and time zone; ``allowed_slots_batch`` must give, row for row,
what ``allowed_slots`` gives for each debtor alone.
"""

from __future__ import annotations

import zlib

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from rulecases import ALL_CONSENT, candidates, history
from test_rule_properties import PACKS, build, cases

from collectscore import ContractError
from collectscore._contract import CHANNELS
from collectscore.rules import CO, US, allowed_slots, allowed_slots_batch

#: Generated portfolios per pack (three debtors each, 8-46 candidates per debtor).
EXAMPLES = 20


def _per_debtor(pack, cands, hist, debtors) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    parts = []
    for row in debtors.itertuples(index=False):
        mine = cands[cands["debtor_id"] == row.debtor_id]
        past = hist[hist["debtor_id"] == row.debtor_id]
        consent = {c: getattr(row, f"consent_{c}") for c in CHANNELS}
        parts.append(
            allowed_slots(
                pack,
                mine[["channel", "send_at"]],
                past[["channel", "sent_at", "success"]],
                {k: None if pd.isna(v) else bool(v) for k, v in consent.items()},
                timezone=row.timezone,
            ).assign(debtor_id=row.debtor_id)
        )
    return pd.concat(parts).loc[cands.index]


def _portfolio(draws: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Each case becomes one debtor; candidates interleaved across debtors."""
    cands, hists, rows = [], [], []
    for i, case in enumerate(draws):
        c, h = build(case)
        cands.append(c.assign(debtor_id=f"d{i}"))
        hists.append(h.assign(debtor_id=f"d{i}"))
        rows.append(
            {"debtor_id": f"d{i}", "timezone": case["zone"]}
            | {f"consent_{k}": v for k, v in case["consent"].items()}
        )
    cand = pd.concat(cands, ignore_index=True).sample(frac=1.0, random_state=0)
    debtors = pd.DataFrame(rows)
    for c in CHANNELS:
        debtors[f"consent_{c}"] = debtors[f"consent_{c}"].astype(object)
    return cand, pd.concat(hists, ignore_index=True), debtors


def _agreement(name: str):  # type: ignore[no-untyped-def]
    @seed(zlib.crc32(f"batch:{name}".encode()))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(draws=st.lists(cases(), min_size=3, max_size=3))
    def test(draws: list[dict]) -> None:
        pack = PACKS[name]
        cand, hist, debtors = _portfolio(draws)
        batch = allowed_slots_batch(pack, cand, hist, debtors)
        alone = _per_debtor(pack, cand, hist, debtors)
        assert list(batch.index) == list(cand.index)
        pd.testing.assert_series_equal(batch["allowed"], alone["allowed"])
        assert batch["rule"].tolist() == alone["rule"].tolist()
        assert batch["reason"].tolist() == alone["reason"].tolist()

    return test


test_us_batch_agrees_with_one_debtor_at_a_time = _agreement("US")
test_co_batch_agrees_with_one_debtor_at_a_time = _agreement("CO")
test_mx_batch_agrees_with_one_debtor_at_a_time = _agreement("MX")
test_cl_batch_agrees_with_one_debtor_at_a_time = _agreement("CL")
test_default_batch_agrees_with_one_debtor_at_a_time = _agreement("DEFAULT")
test_custom_batch_agrees_with_one_debtor_at_a_time = _agreement("ODD")


def test_one_debtors_history_never_blocks_another_debtor() -> None:
    cands = pd.concat(
        [
            candidates(("call", "2026-06-02 10:00")).assign(debtor_id="a"),
            candidates(("call", "2026-06-02 10:00")).assign(debtor_id="b"),
        ],
        ignore_index=True,
    )
    # a conversation with debtor a the day before: Regulation F blocks calls to a only
    hist = history(("call", "2026-06-01 10:00", True)).assign(debtor_id="a")
    out = allowed_slots_batch(US, cands, hist)
    assert out["allowed"].tolist() == [False, True]
    assert out["rule"].tolist() == ["US.call_after_conversation", None]
    assert "a conversation by call on 2026-06-01" in out["reason"].iloc[0]


def test_consent_and_time_zone_are_read_per_debtor_from_the_debtors_table() -> None:
    cands = pd.concat(
        [
            candidates(("sms", "2026-06-02 10:00")).assign(debtor_id=d)
            for d in ("yes", "no", "unsaid")
        ],
        ignore_index=True,
    )
    debtors = pd.DataFrame(
        {
            "debtor_id": ["yes", "no", "unsaid"],
            "consent_sms": [True, False, None],
            "timezone": ["America/Bogota", None, "America/Bogota"],
        }
    )
    out = allowed_slots_batch(
        CO, cands, history().assign(debtor_id=pd.Series([], dtype=str)), debtors
    )
    assert out["rule"].tolist() == [None, "consent", "CO.consent"]
    one = allowed_slots(CO, cands.iloc[:1][["channel", "send_at"]], history(), ALL_CONSENT)
    assert bool(one["allowed"].iloc[0]) and bool(out["allowed"].iloc[0])


def test_an_unknown_time_zone_or_channel_is_a_clear_error() -> None:
    cands = candidates(("sms", "2026-06-02 10:00")).assign(debtor_id="a")
    no_history = history().assign(debtor_id=pd.Series([], dtype=str))
    with pytest.raises(ContractError, match="timezone"):
        allowed_slots_batch(
            US, cands, no_history, pd.DataFrame({"debtor_id": ["a"], "timezone": ["Mars/Base"]})
        )
    with pytest.raises(ContractError, match="channel"):
        allowed_slots_batch(US, cands.assign(channel="fax"), no_history)
