"""Policy comparison on a hand-built contact log whose true success rates are known.

Two kinds of debtor: "young" ones answer an SMS at 18 h (true 0.5), "senior" ones a
call at 09 h (true 0.8); every other (channel, hour) succeeds with 0.1-0.2. The
logging policy picks uniformly among sms/call x 09/18 h (propensity 0.25). So:
the oracle (and a good greedy model) reaches (0.5 + 0.8) / 2 = 0.65, the best fixed
action (call at 09 h) (0.1 + 0.8) / 2 = 0.45, and the logging policy about 0.29.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.tree import DecisionTreeClassifier

from collectscore import CHANNELS, ConfigError, ContractError, Dataset
from collectscore.policy import (
    action_grid,
    evaluate_policies,
    fixed_policy,
    greedy_policy,
    interval_coverage,
    true_success,
)

TRUE = {  # (young, channel, hour) -> true success
    (1, "sms", 18): 0.5,
    (1, "sms", 9): 0.2,
    (1, "call", 9): 0.1,
    (1, "call", 18): 0.2,
    (0, "sms", 18): 0.1,
    (0, "sms", 9): 0.2,
    (0, "call", 9): 0.8,
    (0, "call", 18): 0.2,
}
ACTIONS = [("sms", 9), ("sms", 18), ("call", 9), ("call", 18)]
DEBTORS = 200
CONTACTS_EACH = 20


def _logged(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, Dataset]:
    rng = np.random.default_rng(seed)
    ids = np.repeat([f"D{i:03d}" for i in range(DEBTORS)], CONTACTS_EACH)
    young = np.repeat(np.arange(DEBTORS) % 2, CONTACTS_EACH)
    n = len(ids)
    pick = rng.integers(0, len(ACTIONS), n)
    channel = np.array([ACTIONS[k][0] for k in pick])
    hour = np.array([ACTIONS[k][1] for k in pick])
    # one contact per weekday, Monday 2026-06-01 onwards (no weekends)
    weekdays = pd.bdate_range("2026-06-01", periods=CONTACTS_EACH)
    day = np.tile(weekdays.to_numpy(), DEBTORS)
    sent_at = pd.to_datetime(day) + pd.to_timedelta(hour, unit="h") + pd.Timedelta(minutes=5)
    p = np.array([TRUE[(y, c, h)] for y, c, h in zip(young, channel, hour, strict=True)])
    y = (rng.random(n) < p).astype(int)
    meta = pd.DataFrame(
        {
            "debtor_id": ids,
            "as_of": pd.Timestamp("2026-05-31"),
            "channel": channel,
            "sent_at": sent_at,
            "propensity": 0.25,
        }
    )
    X = pd.DataFrame({"young": young.astype(float)})
    for c in CHANNELS:
        X[f"channel_{c}"] = (channel == c).astype(float)
    X["hour"] = hour.astype(float)
    debtors = pd.DataFrame(
        {
            "debtor_id": [f"D{i:03d}" for i in range(DEBTORS)],
            "account_id": [f"A{i:03d}" for i in range(DEBTORS)],
            "as_of": pd.Timestamp("2026-05-31"),
        }
    )
    for c in CHANNELS:
        debtors[f"consent_{c}"] = c in ("sms", "call")
    data = Dataset(
        transactions=pd.DataFrame(
            {
                "account_id": pd.Series([], dtype=str),
                "booked_at": pd.Series([], dtype="datetime64[us]"),
                "amount": pd.Series([], dtype=float),
                "category": pd.Series([], dtype=str),
            }
        ),
        debtors=debtors,
        truth={"contact_success": _truth_table()},
    )
    return meta, X, y, data


def _truth_table() -> pd.DataFrame:
    rows = []
    for i in range(DEBTORS):
        for c in CHANNELS:
            for h in range(7, 22):
                p = TRUE.get((i % 2, c, h), 0.15)
                rows.append((f"D{i:03d}", c, h, p, p, p))
    return pd.DataFrame(
        rows,
        columns=[
            "debtor_id",
            "channel",
            "hour",
            "p_success",
            "p_success_saturday",
            "p_success_after_payday",
        ],
    )


@pytest.fixture(scope="module")
def logged() -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, Dataset]:
    return _logged()


@pytest.fixture(scope="module")
def model(logged: tuple[pd.DataFrame, pd.DataFrame, np.ndarray, Dataset]) -> object:
    _meta, X, y, _ = logged
    return DecisionTreeClassifier(max_depth=4, min_samples_leaf=50, random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def table(
    logged: tuple[pd.DataFrame, pd.DataFrame, np.ndarray, Dataset], model: object
) -> pd.DataFrame:
    meta, X, y, data = logged
    return evaluate_policies(meta, X, y, model, debtors=data.debtors, truth=data)


def test_the_table_lists_logging_greedy_best_fixed_and_oracle(table: pd.DataFrame) -> None:
    assert list(table.index) == ["logging", "model_greedy", "best_fixed", "oracle"]
    for est in ("ips", "snips", "dr"):
        assert {est, f"{est}_se", f"{est}_low", f"{est}_high"} <= set(table.columns)
    assert {"true_success", "regret", "agreement", "description"} <= set(table.columns)


def test_the_logging_row_is_the_observed_success_rate(
    logged: tuple[pd.DataFrame, pd.DataFrame, np.ndarray, Dataset], table: pd.DataFrame
) -> None:
    _, _, y, _ = logged
    row = table.loc["logging"]
    assert row["ips"] == pytest.approx(y.mean())
    assert row["dr"] == pytest.approx(y.mean())
    assert row["true_success"] == pytest.approx(0.29, abs=0.02)


def test_the_greedy_policy_finds_each_debtors_best_action(table: pd.DataFrame) -> None:
    row = table.loc["model_greedy"]
    assert row["true_success"] == pytest.approx(0.65)
    assert row["regret"] == pytest.approx(0.0)
    assert row["agreement"] == pytest.approx(0.25, abs=0.03)
    for est in ("ips", "snips", "dr"):
        assert row[f"{est}_low"] <= 0.65 <= row[f"{est}_high"]


def test_the_best_fixed_action_is_a_call_at_nine(table: pd.DataFrame) -> None:
    row = table.loc["best_fixed"]
    assert "call at 09h" in row["description"]
    assert row["true_success"] == pytest.approx(0.45)
    assert row["regret"] == pytest.approx(0.20)
    assert row["dr_low"] <= 0.45 <= row["dr_high"]


def test_the_oracle_has_no_regret(table: pd.DataFrame) -> None:
    assert table.loc["oracle", "true_success"] == pytest.approx(0.65)
    assert table.loc["oracle", "regret"] == 0.0


def test_a_custom_policy_and_a_given_fixed_ranking_are_evaluated(
    logged: tuple[pd.DataFrame, pd.DataFrame, np.ndarray, Dataset], model: object
) -> None:
    meta, X, y, data = logged

    def half_greedy(grid):  # type: ignore[no-untyped-def]
        uniform = grid.support / grid.support.sum(axis=(1, 2), keepdims=True)
        return 0.5 * greedy_policy(grid) + 0.5 * uniform

    out = evaluate_policies(
        meta,
        X,
        y,
        model,
        debtors=data.debtors,
        truth=data,
        fixed=("sms", 18),
        policies={"half_greedy": half_greedy},
    )
    assert out.loc["best_fixed", "true_success"] == pytest.approx(0.30)  # (0.5 + 0.1) / 2
    # half the time greedy (0.65), half uniform over the 4 actions (about 0.29)
    assert out.loc["half_greedy", "true_success"] == pytest.approx(0.5 * 0.65 + 0.5 * 0.2875)
    assert out.loc["half_greedy", "dr_low"] <= out.loc["half_greedy", "true_success"]


def test_the_support_is_consented_channels_by_hours_logged_on_that_kind_of_day() -> None:
    meta = pd.DataFrame(
        {
            "debtor_id": ["A", "A", "B"],
            "channel": ["sms", "call", "email"],
            "sent_at": pd.to_datetime(
                ["2026-06-01 09:10", "2026-06-06 11:00", "2026-06-02 15:30"]  # Mon, Sat, Tue
            ),
            "consent_sms": [True, True, False],
            "consent_call": [True, True, None],  # not stated: allowed
            "consent_email": [False, False, True],
            "consent_whatsapp": False,
            "consent_push": False,
            "consent_ivr": False,
        }
    )
    X = pd.DataFrame({f"channel_{c}": (meta["channel"] == c).astype(float) for c in CHANNELS})
    X["hour"] = meta["sent_at"].dt.hour.astype(float)
    model = DecisionTreeClassifier(max_depth=2).fit(pd.concat([X, X]), np.array([0, 1, 0, 1, 0, 1]))
    grid = action_grid(meta, X, model)
    assert grid.hours == (9, 11, 15)
    allowed = {
        (i, grid.channels[c], grid.hours[h])
        for i, c, h in zip(*np.nonzero(grid.support), strict=True)
    }
    assert allowed == {
        (0, "sms", 9), (0, "sms", 15), (0, "call", 9), (0, "call", 15),
        (1, "sms", 11), (1, "call", 11),
        (2, "call", 9), (2, "call", 15), (2, "email", 9), (2, "email", 15),
    }  # fmt: skip
    assert np.isfinite(grid.q[grid.support]).all()
    assert np.isnan(grid.q[~grid.support]).all()


def test_a_fixed_ranking_falls_back_to_the_next_allowed_pair(
    logged: tuple[pd.DataFrame, pd.DataFrame, np.ndarray, Dataset], model: object
) -> None:
    meta, X, _, data = logged
    grid = action_grid(meta.head(3), X.head(3), model, debtors=data.debtors)
    probs = fixed_policy([("whatsapp", 18), ("call", 18)])(grid)  # no whatsapp consent
    c, h = grid.channels.index("call"), grid.hours.index(18)
    assert (probs[:, c, h] == 1).all()
    assert np.isnan(fixed_policy([("whatsapp", 18)])(grid)).all()  # keeps the logged action


def test_a_fixed_action_the_debtors_never_allow_is_the_logging_policy(
    logged: tuple[pd.DataFrame, pd.DataFrame, np.ndarray, Dataset], model: object
) -> None:
    meta, X, y, data = logged
    out = evaluate_policies(
        meta, X, y, model, debtors=data.debtors, truth=data, fixed=("whatsapp", 18)
    )
    fixed, logging = out.loc["best_fixed"], out.loc["logging"]
    assert "where allowed, else the logged action" in fixed["description"]
    assert fixed["agreement"] == 1.0
    for col in ("ips", "snips", "dr", "dr_se", "true_success"):
        assert fixed[col] == pytest.approx(logging[col])


def test_missing_propensities_are_rejected_naming_contacts_and_rows(
    logged: tuple[pd.DataFrame, pd.DataFrame, np.ndarray, Dataset], model: object
) -> None:
    meta, X, y, _ = logged
    bad = meta.copy()
    bad.loc[[3, 7], "propensity"] = np.nan
    with pytest.raises(ContractError) as err:
        evaluate_policies(bad, X, y, model)
    text = str(err.value)
    assert "table 'contacts', column 'propensity'" in text
    assert "in 2 rows (rows 3, 7)" in text


def test_mismatched_inputs_and_tz_aware_times_are_rejected(
    logged: tuple[pd.DataFrame, pd.DataFrame, np.ndarray, Dataset], model: object
) -> None:
    meta, X, y, _ = logged
    with pytest.raises(ConfigError, match="meta has 4000 rows but X has 10"):
        evaluate_policies(meta, X.head(10), y, model)
    aware = meta.assign(sent_at=meta["sent_at"].dt.tz_localize("UTC"))
    with pytest.raises(ConfigError, match="debtor-local wall time"):
        evaluate_policies(aware, X, y, model)
    with pytest.raises(ConfigError, match="lacks the action column"):
        evaluate_policies(meta, X.drop(columns="hour"), y, model)


def test_true_success_combines_saturday_and_payday_effects_on_the_logit_scale() -> None:
    truth = pd.DataFrame(
        {
            "debtor_id": "D1",
            "channel": "sms",
            "hour": range(7, 22),
            "p_success": 0.2,
            "p_success_saturday": 0.1,
            "p_success_after_payday": 0.4,
        }
    )
    data = Dataset(
        transactions=pd.DataFrame(
            {
                "account_id": ["A1", "A1"],
                "booked_at": pd.to_datetime(["2026-06-03 08:00", "2026-06-20 09:00"]),
                "amount": [1500.0, -30.0],
                "category": ["income.salary", "income.salary"],  # an outflow is no payday
            }
        ),
        debtors=pd.DataFrame({"debtor_id": ["D1"], "account_id": ["A1"]}),
        truth={"contact_success": truth},
    )
    days = ["2026-06-02", "2026-06-03", "2026-06-06", "2026-06-07", "2026-06-08", "2026-06-22"]
    actions = pd.DataFrame(
        {"debtor_id": "D1", "channel": "sms", "sent_at": pd.to_datetime(days) + pd.Timedelta("10h")}
    )

    def logit(p: float) -> float:
        return float(np.log(p / (1 - p)))

    both = 1 / (1 + np.exp(-(logit(0.1) + logit(0.4) - logit(0.2))))
    # Tue before payday, payday Wed, Sat 3 days after, Sun 4 days after, Mon, a later Mon
    expected = [0.2, 0.4, both, 0.2, 0.2, 0.2]
    assert true_success(data, actions).to_numpy() == pytest.approx(expected)
    late = actions.assign(sent_at=pd.Timestamp("2026-06-08 23:00"))
    assert true_success(data, late.head(1)).isna().all()  # no truth after 21 h


def test_true_success_of_synthetic_logged_contacts_matches_their_success_rate() -> None:
    from collectscore.synthetic import SampleConfig, generate

    data = generate(SampleConfig(debtors=400, seed=3))
    p = true_success(data, data.contacts)
    assert p.notna().all()
    observed = data.contacts["success"].mean()
    se = np.sqrt(observed * (1 - observed) / len(p))
    assert abs(p.mean() - observed) < 3 * se


class _Recorder:
    """A contact model that answers 0.5 and keeps every frame it was asked about."""

    def __init__(self) -> None:
        self.seen: list[pd.DataFrame] = []

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        self.seen.append(X.copy())
        return np.tile([0.5, 0.5], (len(X), 1))


def test_a_counterfactual_action_is_described_as_the_feature_library_describes_it() -> None:
    """Every action column, the hour seen through each channel included, is rebuilt."""
    from collectscore.features import action_features

    candidates = pd.DataFrame(
        {
            "debtor_id": ["A", "B"],
            "channel": ["sms", "call"],
            "send_at": pd.to_datetime(["2026-06-01 09:10", "2026-06-02 15:30"]),
        }
    )
    X = action_features(candidates, None).assign(young=[1.0, 0.0])
    meta = candidates.rename(columns={"send_at": "sent_at"})
    recorder = _Recorder()
    grid = action_grid(meta, X, recorder)
    asked = pd.concat(recorder.seen)
    assert grid.support.sum() == 8  # sms and call at 09 and 15 h, for both debtors
    for c in ("sms", "call"):
        for h in (9, 15):
            moved = candidates.assign(
                channel=c, send_at=candidates["send_at"].dt.normalize() + pd.Timedelta(hours=h)
            )
            expected = action_features(moved, None).assign(young=[1.0, 0.0])
            got = asked[(asked[f"channel_{c}"] == 1) & (asked["hour"] == h)]
            pd.testing.assert_frame_equal(
                got.sort_index()[expected.columns], expected, check_dtype=False
            )


def test_the_doubly_robust_interval_covers_the_truth_in_about_95_percent_of_redrawn_logs(
    logged: tuple[pd.DataFrame, pd.DataFrame, np.ndarray, Dataset], model: object
) -> None:
    meta, X, _y, data = logged
    grid = action_grid(meta, X, model, debtors=data.debtors, truth=data)
    uniform = np.where(grid.support, 0.25, 0.0)  # the log's policy: 4 actions, 1/4 each
    found = interval_coverage(grid, uniform, greedy_policy, draws=400, seed=1)
    assert set(found) == {"ips", "snips", "dr"}
    dr = found["dr"]
    assert dr.true_value == pytest.approx(0.65, abs=0.01)
    assert 0.90 <= dr.coverage <= 0.99
    assert dr.mean_estimate == pytest.approx(dr.true_value, abs=0.01)  # unbiased
    assert dr.mean_std_error == pytest.approx(dr.sd_estimate, rel=0.2)  # honest error
    assert dr.sd_estimate < found["ips"].sd_estimate  # the model helps


def test_the_synthetic_logging_policy_is_the_one_that_wrote_the_log() -> None:
    from collectscore.models import contact_training_frame
    from collectscore.synthetic import SampleConfig, generate, logging_policy

    data = generate(SampleConfig(debtors=300, seed=5))
    X, _y, meta = contact_training_frame(data)
    grid = action_grid(meta, X, _Recorder(), debtors=data.debtors)
    probs = logging_policy(grid)
    assert probs.sum(axis=(1, 2)) == pytest.approx(np.ones(grid.n))
    ch, hi = grid.logged
    assert probs[np.arange(grid.n), ch, hi] == pytest.approx(meta["propensity"].to_numpy())


def test_coverage_needs_the_truth_and_a_logging_policy_over_the_grid(
    logged: tuple[pd.DataFrame, pd.DataFrame, np.ndarray, Dataset], model: object
) -> None:
    meta, X, _y, data = logged
    grid = action_grid(meta, X, model, debtors=data.debtors)
    with pytest.raises(ConfigError, match="truth"):
        interval_coverage(grid, np.full(grid.support.shape, 0.25), greedy_policy)
    grid = action_grid(meta, X, model, debtors=data.debtors, truth=data)
    with pytest.raises(ConfigError, match="expected the grid's"):
        interval_coverage(grid, np.full((2, 2), 0.5), greedy_policy)
    with pytest.raises(ConfigError, match="summing to 1"):
        interval_coverage(grid, np.where(grid.support, 0.5, 0.0), greedy_policy)
