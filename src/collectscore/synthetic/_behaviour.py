"""The behavioural parameters of the generative model (see ``docs/synthetic-data.md``).

Contact success and the historical logging policy live here so that the
simulation, the ground-truth tables and the tests share one definition.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np

from collectscore._contract import CHANNELS

AGE_BANDS: tuple[str, ...] = ("young", "middle", "senior")
INCOME_TYPES: tuple[str, ...] = (
    "salary_monthly",
    "salary_biweekly",
    "gig",
    "pension",
    "benefits",
    "none",
)
SPENDING_STYLES: tuple[str, ...] = ("frugal", "average", "spender")
SHOCK_TYPES: tuple[str, ...] = ("none", "job_loss", "pay_cut")

#: Income types with a regular payday (contact success rises just after it).
HAS_PAYDAY = np.array([True, True, False, True, True, False])

#: Hours the ground truth of contact success covers (debtor-local, inclusive).
TRUTH_HOURS = np.arange(7, 22)

CH = {c: i for i, c in enumerate(CHANNELS)}

PAYDAY_EFFECT = 0.9
WILLINGNESS_EFFECT = 0.45
#: Logit uplift of paying in the window once a contact succeeded.
CONTACT_UPLIFT = 1.1

#: Historical logging policy: channel weights (restricted to consented channels).
POLICY_CHANNEL = {
    "sms": 0.36,
    "call": 0.30,
    "email": 0.12,
    "ivr": 0.10,
    "whatsapp": 0.08,
    "push": 0.04,
}
#: Historical policy: hour weights on Monday-Friday and on Saturday (no Sundays).
POLICY_HOURS_WEEKDAY = {
    8: 0.5,
    9: 1,
    10: 1,
    11: 1,
    12: 1,
    13: 0.6,
    14: 1,
    15: 1,
    16: 1,
    17: 0.7,
    18: 0.3,
}
POLICY_HOURS_SATURDAY = {9: 1, 10: 1, 11: 1, 12: 1, 13: 0.5}


def _channel_vector(values: dict[str, float]) -> np.ndarray:
    return np.array([values.get(c, 0.0) for c in CHANNELS])


#: Contact success: logit = base[channel] + age x channel + hour effect + Saturday
#: effect + payday effect + willingness effect.
CHANNEL_BASE = _channel_vector(
    {"sms": -1.9, "email": -2.6, "whatsapp": -1.6, "push": -2.6, "call": -1.0, "ivr": -2.2}
)


@cache
def age_channel_effect() -> np.ndarray:
    """(age band, channel) logit effect."""
    return np.stack(
        [
            _channel_vector(
                {"email": -0.2, "whatsapp": 0.8, "push": 0.6, "call": -0.5, "ivr": -0.6}
            ),
            _channel_vector({"email": 0.3, "whatsapp": 0.1}),
            _channel_vector(
                {"sms": 0.2, "email": -0.4, "whatsapp": -0.9, "push": -1.2, "call": 0.5, "ivr": 0.2}
            ),
        ]
    )


@cache
def hour_effect() -> np.ndarray:
    """(age band, channel, hour 0-23) logit effect of the hour of contact."""
    eff = np.zeros((3, len(CHANNELS), 24))
    hours = np.arange(24)
    night = (hours < 8) | (hours > 20)
    for voice in ("call", "ivr"):
        eff[:, CH[voice], night] -= 0.6
    young, middle, senior = 0, 1, 2
    evening = (hours >= 18) & (hours <= 21)
    morning = (hours >= 7) & (hours <= 11)
    lunch = (hours >= 12) & (hours <= 13)
    for ch, v in {"whatsapp": 1.4, "push": 1.0, "sms": 0.6, "email": 0.3}.items():
        eff[young, CH[ch], evening] += v
    for ch, v in {"call": -0.9, "ivr": -0.7, "whatsapp": -0.3}.items():
        eff[young, CH[ch], morning] += v
    eff[young, CH["whatsapp"], lunch] += 0.4
    work = (hours >= 9) & (hours <= 16)
    eff[middle, CH["call"], work] -= 0.6
    eff[middle, CH["ivr"], work] -= 0.5
    eff[middle, :, lunch] += 0.5
    after_work = (hours >= 17) & (hours <= 20)
    for ch, v in {"call": 0.8, "whatsapp": 0.6, "sms": 0.3}.items():
        eff[middle, CH[ch], after_work] += v
    senior_morning = (hours >= 8) & (hours <= 11)
    for ch, v in {"call": 1.1, "ivr": 0.6, "sms": 0.3}.items():
        eff[senior, CH[ch], senior_morning] += v
    eff[senior, :, (hours >= 18)] -= 0.7
    return eff


@cache
def saturday_effect() -> np.ndarray:
    """(age band, channel) logit effect of a Saturday contact."""
    return np.stack(
        [
            np.full(len(CHANNELS), -0.2),
            _channel_vector({"call": 0.6, "whatsapp": 0.3}),
            np.zeros(len(CHANNELS)),
        ]
    )


def success_logit(
    age: np.ndarray,
    income_type: np.ndarray,
    willingness_z: np.ndarray,
    channel: np.ndarray,
    hour: np.ndarray,
    saturday: np.ndarray,
    after_payday: np.ndarray,
) -> np.ndarray:
    """Logit of a contact's success (promise or payment within 72 h); broadcasts."""
    return (
        CHANNEL_BASE[channel]
        + age_channel_effect()[age, channel]
        + hour_effect()[age, channel, hour]
        + saturday_effect()[age, channel] * saturday
        + PAYDAY_EFFECT * (after_payday & HAS_PAYDAY[income_type])
        + WILLINGNESS_EFFECT * willingness_z
    )


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def policy_channel_probs(consent: np.ndarray) -> np.ndarray:
    """(debtor, channel) probabilities of the logging policy; rows of zeros without consent."""
    w = _channel_vector(POLICY_CHANNEL)[None, :] * consent
    total = w.sum(axis=1, keepdims=True)
    return np.divide(w, total, out=np.zeros_like(w), where=total > 0)


def policy_hour_probs(saturday: bool) -> np.ndarray:
    """Probability of each hour 0-23 under the logging policy."""
    table = POLICY_HOURS_SATURDAY if saturday else POLICY_HOURS_WEEKDAY
    p = np.zeros(24)
    for h, w in table.items():
        p[h] = w
    return p / p.sum()


def logging_probabilities(
    channels: Sequence[str], hours: Sequence[int], consent: np.ndarray, saturday: np.ndarray
) -> np.ndarray:
    """The historical policy's probability of each (channel, hour), per context.

    ``consent`` is (contexts, channels) booleans, ``saturday`` (contexts,) booleans;
    returns (contexts, channels, hours). Hours outside ``hours`` must carry no weight.
    """
    w = np.array([POLICY_CHANNEL.get(c, 0.0) for c in channels])[None, :] * consent
    total = w.sum(axis=1, keepdims=True)
    ch = np.divide(w, total, out=np.zeros_like(w, dtype=float), where=total > 0)
    idx = list(hours)
    hour = np.where(saturday[:, None], policy_hour_probs(True)[idx], policy_hour_probs(False)[idx])
    return ch[:, :, None] * hour[:, None, :]
