"""The HTTP service, called over HTTP like a collection system would."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import numpy as np
import pandas as pd
import pytest
from serving_helpers import KEY, Server, debtor_payload

from collectscore._contract import CHANNELS
from collectscore.features import build_features
from collectscore.scoring import risk_band
from collectscore.serving import query_audit

SCORE_FIELDS = {
    "debtor_id", "as_of", "p_pay", "risk_band", "segment", "stage", "strategy_action",
    "human_review", "expected_recovery", "decision", "contact", "reason", "top_reason",
    "reasons", "models",
}  # fmt: skip


def test_every_debtor_gets_a_score_a_decision_and_reasons(
    scored: httpx.Response, raw_request: dict
) -> None:
    body = scored.json()
    assert body["request_id"] == scored.headers["x-request-id"]
    rows = body["debtors"]
    assert [r["debtor_id"] for r in rows] == [d["debtor_id"] for d in raw_request["debtors"]]
    for row in rows:
        assert set(row) == SCORE_FIELDS
        assert 0 <= row["p_pay"] <= 1
        assert row["risk_band"] == risk_band([row["p_pay"]])[0]
        assert row["decision"] in {"contact", "no_contact", "human_review"}
        assert row["models"]["propensity"]["alias"] == "champion"
        reasons = row["reasons"]["lowering"] + row["reasons"]["raising"]
        assert reasons, "reason codes come with every score"
        assert row["top_reason"] in {r["text"] for r in reasons}
        for direction, sign in (("lowering", -1), ("raising", 1)):
            listed = row["reasons"][direction]
            assert len(listed) <= 4
            for reason in listed:
                assert reason["code"] and reason["feature"] and reason["text"]
                assert np.sign(reason["contribution"]) == sign
            strength = [abs(r["contribution"]) for r in listed]
            assert strength == sorted(strength, reverse=True)
    contacted = [r for r in rows if r["decision"] == "contact"]
    assert contacted, "the sample has debtors to contact"
    for row in contacted:
        contact = row["contact"]
        assert contact["channel"] in CHANNELS and contact["send_at"] >= body["now"][:10]
        assert contact["alternatives"] and all(a["rank"] >= 2 for a in contact["alternatives"])
        assert all(e["rule"] and e["reason"] for e in contact["excluded"])


def test_precomputed_features_give_the_same_scores_as_raw_transactions(
    server: Server, scored: httpx.Response, sample, snapshots: pd.DataFrame, now: str
) -> None:
    features = build_features(
        sample.transactions, snapshots, contacts=sample.contacts, payments=sample.payments
    )
    debtors = []
    for (_, row), values in zip(snapshots.iterrows(), features.to_dict("records"), strict=True):
        debtor = debtor_payload(sample, row, with_transactions=False)
        debtor["features"] = {k: (None if pd.isna(v) else v) for k, v in values.items()}
        debtors.append(debtor)
    response = server.post(
        "/score", {"debtors": debtors, "now": now, "options": {"recommend": False}}
    )
    assert response.status_code == 200, response.text
    given = [r["p_pay"] for r in response.json()["debtors"]]
    built = [r["p_pay"] for r in scored.json()["debtors"]]
    np.testing.assert_allclose(given, built, rtol=0, atol=1e-12)
    assert {r["decision"] for r in response.json()["debtors"]} <= {
        "not_evaluated", "no_contact", "human_review",
    }  # fmt: skip


def test_compact_features_names_once_values_per_debtor_give_the_same_scores(
    server: Server, scored: httpx.Response, sample, snapshots: pd.DataFrame, now: str
) -> None:
    features = build_features(
        sample.transactions, snapshots, contacts=sample.contacts, payments=sample.payments
    )
    names = list(features.columns)[::-1]  # any order: the names say which value is which
    debtors = []
    for i, ((_, row), values) in enumerate(
        zip(snapshots.iterrows(), features[names].to_numpy().tolist(), strict=True)
    ):
        debtor = debtor_payload(sample, row, with_transactions=i == 0)
        if i == 1:  # name -> value, in the same request
            debtor["features"] = {
                n: (None if pd.isna(v) else v) for n, v in zip(names, values, strict=True)
            }
        elif i > 1:
            debtor["feature_values"] = [None if pd.isna(v) else v for v in values]
        debtors.append(debtor)
    response = server.post(
        "/score",
        {"debtors": debtors, "feature_names": names, "now": now, "options": {"recommend": False}},
    )
    assert response.status_code == 200, response.text
    given = [r["p_pay"] for r in response.json()["debtors"]]
    built = [r["p_pay"] for r in scored.json()["debtors"]]
    np.testing.assert_allclose(given, built, rtol=0, atol=1e-12)
    reasons = [r["reasons"] for r in response.json()["debtors"]]
    assert reasons == [r["reasons"] for r in scored.json()["debtors"]]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda b: b.pop("feature_names"), "needs the request's feature_names"),
        (lambda b: b["debtors"][1]["feature_values"].pop(), "debtors[1] gives"),
        (lambda b: b["feature_names"].append(b["feature_names"][0]), "repeated"),
        (lambda b: b["debtors"][0].update(features={}), "not several"),
    ],
)
def test_compact_features_that_do_not_fit_their_names_are_a_422(
    server: Server, raw_request: dict, change, words: str
) -> None:
    names = ["outstanding", "days_past_due"]
    body = _bad(raw_request, lambda b: None)
    for debtor in body["debtors"][:2]:
        debtor.pop("transactions")
        debtor["feature_values"] = [100.0, 3.0]
    body["debtors"] = body["debtors"][:2]
    body["feature_names"] = names
    change(body)
    response = server.post("/score", body)
    assert response.status_code == 422, response.text
    assert words in response.text


def test_compact_features_missing_a_model_feature_are_a_422_naming_it(
    server: Server, raw_request: dict
) -> None:
    body = {"debtors": raw_request["debtors"][:1], "feature_names": ["outstanding"]}
    body["debtors"] = [{**body["debtors"][0], "feature_values": [10.0]}]
    body["debtors"][0].pop("transactions")
    response = server.post("/score", body)
    assert response.status_code == 422, response.text
    assert "feature_names misses" in response.json()["error"]


def test_explain_returns_contributions_that_add_up_to_the_margin(
    server: Server, scored: httpx.Response, raw_request: dict
) -> None:
    response = server.post("/explain", {"debtors": raw_request["debtors"][:3]})
    assert response.status_code == 200, response.text
    body = response.json()
    for row, score in zip(body["debtors"], scored.json()["debtors"], strict=False):
        total = row["base_value"] + sum(row["contributions"].values())
        assert total == pytest.approx(row["margin"], abs=1e-6)
        assert row["p_pay"] == pytest.approx(score["p_pay"], abs=1e-12)
        assert set(row["values"]) == set(row["contributions"])


def test_model_info_names_versions_aliases_training_dates_and_metrics(server: Server) -> None:
    info = server.get("/model").json()
    assert info["alias"] == "champion"
    for role in ("propensity", "contact"):
        card = info["models"][role]
        assert card["name"] == role and card["version"]
        assert "champion" in card["aliases"] and card["trained_at"]
        assert "test_auc" in card["metrics"] and card["features"]


def test_without_a_valid_key_the_api_answers_401_but_health_stays_open(
    server: Server, raw_request: dict
) -> None:
    assert server.post("/score", raw_request, key=None).status_code == 401
    assert server.post("/score", raw_request, key="wrong").status_code == 401
    assert server.get("/model", key=None).status_code == 401
    assert server.post("/reload", {}, key=None).status_code == 401
    assert server.get("/model", key="second-key").status_code == 200
    for path in ("/livez", "/readyz", "/metrics", "/docs.json"):
        assert server.get(path, key=None).status_code == 200, path


def _bad(raw_request: dict, change) -> dict:
    body = json.loads(json.dumps(raw_request))
    change(body)
    return body


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            lambda b: b["debtors"][1].update(outstanding=-10.0),
            "debtors[1].outstanding",
            "greater than or equal to 0",
        ),
        (
            lambda b: b["debtors"][0]["transactions"][2].update(amount="12,50"),
            "debtors[0].transactions[2].amount",
            "valid number",
        ),
        (
            lambda b: b["debtors"][0]["contacts"].append(
                {"channel": "fax", "sent_at": "2026-05-01T10:00:00", "success": False}
            ),
            "debtors[0].contacts",
            "'sms'",
        ),
        (lambda b: b["debtors"][2].update(timezone="Mars/Olympus"), "debtors[2].timezone", "IANA"),
        (lambda b: b["debtors"][0].pop("transactions"), "debtors[0]", "one of 'transactions'"),
        (lambda b: b["debtors"][0].update(country="Colombia"), "debtors[0].country", "pattern"),
        (lambda b: b["debtors"][1].update(debtor_id=b["debtors"][0]["debtor_id"]), "", "once"),
        (lambda b: b.update(options={"reasons": 99}), "options.reasons", "20"),
    ],
)
def test_invalid_input_is_a_422_naming_the_field_and_the_reason(
    server: Server, raw_request: dict, change, field: str, words: str
) -> None:
    response = server.post("/score", _bad(raw_request, change))
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["request_id"] == response.headers["x-request-id"]
    assert any(p["field"].startswith(field) for p in body["problems"]), body
    assert words in body["error"]


def test_missing_precomputed_features_are_listed_in_a_422(
    server: Server, raw_request: dict
) -> None:
    debtor = {k: v for k, v in raw_request["debtors"][0].items() if k != "transactions"}
    debtor["features"] = {"days_past_due": 3.0}
    response = server.post("/score", {"debtors": [debtor], "now": raw_request["now"]})
    assert response.status_code == 422, response.text
    problem = response.json()["problems"][0]
    assert problem["table"] == "features" and problem["loc"] == ["debtors[0]"]
    assert "income_monthly_mean_30d" in problem["received"]


def test_a_snapshot_after_now_and_malformed_json_are_422s(
    server: Server, raw_request: dict
) -> None:
    early = _bad(raw_request, lambda b: b.update(now="2020-01-01T09:00:00"))
    response = server.post("/score", early)
    assert response.status_code == 422 and "as_of" in response.text
    assert response.json()["problems"][0]["column"] == "as_of"
    broken = httpx.post(
        server.url + "/score",
        content=b'{"debtors": [',
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"},
    )
    assert broken.status_code == 422
    other = httpx.post(
        server.url + "/score",
        content=b"debtors=1",
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": "text/plain"},
    )
    assert other.status_code == 415


def test_oversized_requests_are_refused_with_413(server: Server, raw_request: dict) -> None:
    one = raw_request["debtors"][0]
    many = [dict(one, debtor_id=f"D{i}") for i in range(51)]  # the test server allows 50
    response = server.post("/score", {"debtors": many, "now": raw_request["now"]})
    assert response.status_code == 413 and "50" in response.json()["error"]
    huge = httpx.post(
        server.url + "/score",
        content=b" " * 4_000_001,  # the test server allows 4 MB bodies
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"},
    )
    assert huge.status_code == 413


def test_every_decision_is_in_the_audit_log_and_the_cli_shows_it(
    server: Server, scored: httpx.Response
) -> None:
    request_id = scored.headers["x-request-id"]
    rows = query_audit(server.audit_db, request_id=request_id)
    body = scored.json()
    assert sorted(r["debtor_id"] for r in rows) == sorted(d["debtor_id"] for d in body["debtors"])
    by_id = {d["debtor_id"]: d for d in body["debtors"]}
    for row in rows:
        assert row["p_pay"] == pytest.approx(by_id[row["debtor_id"]]["p_pay"])
        assert len(row["input_sha256"]) == 64 and row["propensity_model"].startswith("propensity")
        assert json.loads(row["output"])["decision"] == row["decision"]
        assert json.loads(row["reasons"]) == by_id[row["debtor_id"]]["reasons"]
    shown = subprocess.run(
        [sys.executable, "-m", "collectscore", "audit", "--db", str(server.audit_db),
         "--request-id", request_id, "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert len(shown.stdout.splitlines()) == len(rows)


def test_logs_hold_no_debtor_identifiers_or_amounts(
    server: Server, scored: httpx.Response, raw_request: dict
) -> None:
    server.post(
        "/score", _bad(raw_request, lambda b: b["debtors"][1].update(outstanding=-123456.0))
    )
    log = server.log.read_text()
    assert scored.headers["x-request-id"] in log
    for debtor in raw_request["debtors"]:
        assert debtor["debtor_id"] not in log
    assert "123456" not in log
