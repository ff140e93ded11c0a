"""IPS, SNIPS and doubly robust estimates on bandit data whose true value is known."""

from __future__ import annotations

import numpy as np
import pytest

from collectscore import ConfigError
from collectscore.policy import Estimate, doubly_robust, ips, snips

#: Two actions; the logging policy plays action 1 with probability 0.3.
LOGGING_P1 = 0.3
#: True success probability of action 0 and action 1.
SUCCESS = np.array([0.2, 0.6])


def bandit(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Logged actions, their logging probabilities and rewards."""
    rng = np.random.default_rng(seed)
    action = (rng.random(n) < LOGGING_P1).astype(int)
    propensity = np.where(action == 1, LOGGING_P1, 1 - LOGGING_P1)
    reward = (rng.random(n) < SUCCESS[action]).astype(float)
    return action, propensity, reward


def test_estimates_match_a_hand_computation() -> None:
    reward = [1.0, 0.0, 1.0, 0.0]
    propensity = [0.5, 0.5, 0.25, 1.0]
    target = [1.0, 0.0, 1.0, 1.0]
    # weights 2, 0, 4, 1 -> IPS = (2 + 0 + 4 + 0) / 4; SNIPS = 6 / 7
    assert ips(reward, propensity, target).estimate == pytest.approx(1.5)
    assert snips(reward, propensity, target).estimate == pytest.approx(6 / 7)
    q_logged = [0.5, 0.5, 0.5, 0.5]
    q_target = [0.4, 0.4, 0.4, 0.4]
    # DR terms: 0.4 + 2 * 0.5, 0.4 + 0, 0.4 + 4 * 0.5, 0.4 + 1 * (-0.5)
    dr = doubly_robust(reward, propensity, target, q_logged, q_target)
    assert dr.estimate == pytest.approx((1.4 + 0.4 + 2.4 - 0.1) / 4)
    assert dr.n == 4


def test_the_interval_is_the_estimate_plus_minus_1_96_standard_errors() -> None:
    _, propensity, reward = bandit(2_000, seed=1)
    e = ips(reward, propensity, np.ones_like(reward) * 0.5)
    assert isinstance(e, Estimate)
    assert e.ci_low == pytest.approx(e.estimate - 1.959964 * e.std_error, rel=1e-6)
    assert e.ci_high == pytest.approx(e.estimate + 1.959964 * e.std_error, rel=1e-6)
    wider = ips(reward, propensity, np.ones_like(reward) * 0.5, level=0.99)
    assert wider.ci_high - wider.ci_low > e.ci_high - e.ci_low


def test_on_policy_ips_is_the_observed_mean() -> None:
    _action, propensity, reward = bandit(1_000, seed=2)
    e = ips(reward, propensity, propensity)
    assert e.estimate == pytest.approx(reward.mean())


@pytest.mark.parametrize("estimator", ["ips", "snips", "dr_true_model", "dr_wrong_model"])
def test_each_estimator_recovers_the_value_of_always_playing_action_1(estimator: str) -> None:
    """The true value is 0.6; over 200 logs the 95 % intervals cover it about 95 % of the time."""
    hits, values = 0, []
    for seed in range(200):
        action, propensity, reward = bandit(600, seed)
        target = (action == 1).astype(float)
        if estimator == "ips":
            e = ips(reward, propensity, target)
        elif estimator == "snips":
            e = snips(reward, propensity, target)
        else:
            q = SUCCESS if estimator == "dr_true_model" else np.array([0.5, 0.1])
            e = doubly_robust(reward, propensity, target, q[action], np.full(len(action), q[1]))
        values.append(e.estimate)
        hits += e.covers(0.6)
    assert np.mean(values) == pytest.approx(0.6, abs=0.01)
    assert 0.90 <= hits / 200 <= 0.99


def test_a_good_outcome_model_makes_doubly_robust_tighter_than_ips() -> None:
    action, propensity, reward = bandit(3_000, seed=5)
    target = (action == 1).astype(float)
    plain = ips(reward, propensity, target)
    dr = doubly_robust(reward, propensity, target, SUCCESS[action], np.full(len(action), 0.6))
    assert dr.std_error < 0.75 * plain.std_error
    for e in (dr, plain):
        assert abs(e.estimate - 0.6) < 3 * e.std_error


def test_a_stochastic_target_policy_is_estimated_too() -> None:
    """Half action 0, half action 1: true value (0.2 + 0.6) / 2 = 0.4."""
    action, propensity, reward = bandit(20_000, seed=6)
    target = np.full(len(action), 0.5)
    for e in (ips(reward, propensity, target), snips(reward, propensity, target)):
        assert abs(e.estimate - 0.4) < 3 * e.std_error


def test_snips_is_undefined_when_the_policy_never_agrees_with_the_log() -> None:
    e = snips([1.0, 0.0], [0.5, 0.5], [0.0, 0.0])
    assert np.isnan(e.estimate)
    assert e.n == 2


def test_a_zero_propensity_is_rejected_naming_the_argument_and_positions() -> None:
    with pytest.raises(ConfigError, match=r"propensities has 2 invalid values \(positions 1, 3"):
        ips([1, 0, 1, 0], [0.5, 0.0, 0.5, np.nan], [1, 1, 1, 1])


def test_target_probabilities_outside_0_1_are_rejected() -> None:
    with pytest.raises(ConfigError, match=r"target_probs .* Fix: give the probability"):
        snips([1, 0], [0.5, 0.5], [1.5, 0])


def test_arrays_of_different_lengths_are_rejected() -> None:
    with pytest.raises(ConfigError, match="q_target has 1 values but rewards has 2"):
        doubly_robust([1, 0], [0.5, 0.5], [1, 0], [0.3, 0.3], [0.3])


def test_an_empty_log_and_a_bad_level_are_rejected() -> None:
    with pytest.raises(ConfigError, match="rewards is empty"):
        ips([], [], [])
    with pytest.raises(ConfigError, match="level must be a probability"):
        ips([1.0, 0.0], [0.5, 0.5], [1, 1], level=95)
