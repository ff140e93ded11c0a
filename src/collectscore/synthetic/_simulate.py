"""Simulate one block of debtors: traits, daily account flows, snapshots, contacts, payments.

All money is handled in integer minor units of the account currency (cents, or
whole pesos) so that the running balance is exact; it becomes a float only in the
output tables. The only Python loop runs over the days of the calendar, with numpy
operations across all accounts of the block inside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from collectscore._contract import CHANNELS
from collectscore.synthetic import _behaviour as bh
from collectscore.synthetic._calendar import Calendar
from collectscore.synthetic._config import BLOCK_DEBTORS, SampleConfig
from collectscore.synthetic._tables import build_tables
from collectscore.synthetic._vocab import (
    CATEGORY_CODE,
    COUNTRIES,
    COUNTRY_CODES,
    KIND,
    KINDS,
    description_codes,
)

# Phases order the flows of one day (their booking times lie in these windows).
P_INFLOW, P_DEBIT, P_RETURN, P_NSF, P_SPEND, P_BANK, P_OVERDRAFT = range(7)
_PHASE_SECONDS = np.array(
    [
        (3600, 6 * 3600),
        (6 * 3600, 7 * 3600),
        (7 * 3600, 7 * 3600 + 1800),
        (7 * 3600 + 1800, 8 * 3600),
        (8 * 3600, 22 * 3600),
        (23 * 3600, 23 * 3600 + 1800),
        (23 * 3600 + 1800, 24 * 3600),
    ]
)

#: Monthly rates: penalty interest on overdrawn balances, interest on positive ones,
#: late interest on the debt in collection.
PENALTY_RATE_MONTH = 0.025
CREDIT_RATE_MONTH = 0.001
LATE_RATE_MONTH = 0.015

#: Propensity to pay (logit) = intercept + weights x drivers; see the docs.
PAY_INTERCEPT = -1.45
PAY_W_CAPACITY = 0.7
PAY_W_WILLINGNESS = 1.2
PAY_W_DPD = -0.5
PAY_W_GAMBLER = -0.4
PAY_W_RECENT_SHOCK = -0.6
PAY_W_SENIOR = 0.25
PAY_W_PAYDAY_LOANS = -0.3


def block_rng(seed: int, block: int) -> np.random.Generator:
    """The random stream of one block of debtors (independent of chunking)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block,)))


def income_drift(cfg: SampleConfig, cal: Calendar, block: int, n: int) -> tuple:
    """(first day, income factor) of the ``income_shock`` drift switch, per debtor.

    Who is hit comes from a stream of its own, so the block's main stream, and hence
    every other draw, is the same with the switch on or off.
    """
    never = np.full(n, cal.n_days + 1, dtype=np.int64)
    if cfg.income_shock <= 0:
        return never, np.ones(n)
    rng = np.random.default_rng(np.random.SeedSequence(cfg.seed, spawn_key=(block, 1)))
    hit = rng.random(n) < cfg.income_shock
    first = max(cal.day_index(cfg.income_shock_date()), 0)
    return np.where(hit, first, never), np.where(hit, 1.0 - cfg.income_shock_size, 1.0)


def _choice(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One draw per row of a (n, k) probability matrix."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs))[:, None] * cum[:, -1:]
    return np.minimum((u >= cum).sum(axis=1), probs.shape[1] - 1)


def _approx_cdf(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-1.702 * x))


@dataclass
class Traits:
    """Latent traits and budget of each debtor of a block (money in minor units)."""

    country: np.ndarray
    timezone: list[str]
    scale: np.ndarray  # minor units per currency unit
    age: np.ndarray
    income_type: np.ndarray
    income_level: np.ndarray
    income: np.ndarray  # monthly, before any shock
    style: np.ndarray
    spend_ratio: np.ndarray
    overdraft_prone: np.ndarray
    limit: np.ndarray
    loans: np.ndarray
    payday_user: np.ndarray
    gambler: np.ndarray
    renter: np.ndarray
    shock: np.ndarray
    shock_day: np.ndarray
    shock_factor: np.ndarray
    #: The drift switch (``SampleConfig.income_shock``): every income x ``drift_factor``
    #: from ``drift_day`` on (never, x 1 when off).
    drift_day: np.ndarray
    drift_factor: np.ndarray
    unemployment_day: np.ndarray
    unemployment: np.ndarray
    willingness_z: np.ndarray
    consent: np.ndarray  # (n, channels) bool
    start: np.ndarray  # first grid day of the account
    opening: np.ndarray
    fixed_costs: np.ndarray
    spend_budget: np.ndarray
    installment: np.ndarray
    outstanding: np.ndarray
    dpd: np.ndarray


def draw_traits(
    rng: np.random.Generator, n: int, cfg: SampleConfig, cal: Calendar, block: int = 0
) -> Traits:
    """Draw the latent traits of ``n`` debtors (``block``: their block, for the drift switch)."""
    codes = [COUNTRY_CODES.index(c) for c in cfg.countries]
    w = np.array([COUNTRIES[COUNTRY_CODES[c]].weight for c in codes])
    country = np.array(codes)[_choice(rng, np.tile(w / w.sum(), (n, 1)))]
    zones = [COUNTRIES[code].timezones for code in COUNTRY_CODES]
    names = [name for z in zones for name, _ in z]
    share = np.zeros((len(COUNTRY_CODES), len(names)))
    col = 0
    for c, z in enumerate(zones):
        for _, w_zone in z:
            share[c, col] = w_zone
            col += 1
    timezone = [names[i] for i in _choice(rng, share[country]).tolist()]
    decimals = np.array([COUNTRIES[c].decimals for c in COUNTRY_CODES])[country]
    scale = 10.0**decimals
    median = np.array([COUNTRIES[c].income_median for c in COUNTRY_CODES])[country]
    is_us = country == COUNTRY_CODES.index("US")

    age = _choice(rng, np.tile([0.32, 0.45, 0.23], (n, 1)))
    type_by_age = np.array(
        [
            [0.35, 0.20, 0.30, 0.00, 0.08, 0.07],
            [0.42, 0.22, 0.20, 0.01, 0.08, 0.07],
            [0.10, 0.05, 0.10, 0.60, 0.10, 0.05],
        ]
    )
    itype = _choice(rng, type_by_age[age])
    to_biweekly = is_us & (itype == 0) & (rng.random(n) < 0.6)
    itype = np.where(to_biweekly, 1, itype)
    level = np.exp(rng.normal(0.0, 0.45, n))
    type_factor = np.array([1.0, 0.95, 0.75, 0.7, 0.35, 0.15])[itype]
    age_factor = np.array([0.8, 1.1, 0.9])[age]
    income = np.round(median * type_factor * age_factor * level * scale)

    style = _choice(rng, np.tile([0.3, 0.45, 0.25], (n, 1)))
    spend_ratio = np.array([0.78, 0.93, 1.06])[style] * np.exp(rng.normal(0, 0.06, n))
    prone = rng.random(n) < 0.12 + 0.18 * (style == 2) + 0.08 * (age == 0)
    limit = np.round(prone * income * rng.uniform(0.3, 0.8, n))
    loans = np.minimum(rng.poisson(0.5 + 0.4 * (style == 2) + 0.3 * (age == 1)), 3)
    payday = rng.random(n) < 0.06 + 0.12 * (style == 2) + 0.1 * np.isin(itype, (2, 5))
    gambler = rng.random(n) < 0.05 + 0.06 * (age == 0) + 0.04 * (style == 2)
    renter = rng.random(n) < np.array([0.7, 0.5, 0.25])[age]

    hist_lo, hist_hi = cfg.history_days_range()
    start = cal.n_days - rng.integers(hist_lo, hist_hi + 1, n)
    can_shock = itype <= 2
    shock = np.where(can_shock & (rng.random(n) < 0.22), np.where(rng.random(n) < 0.45, 1, 2), 0)
    shock_day = np.where(
        shock > 0,
        start + 20 + (rng.random(n) * (cal.n_days - start - 20)).astype(np.int64),
        cal.n_days + 1,
    )
    job_loss_factor = np.where(itype == 2, 0.35, 0.0)
    shock_factor = np.where(shock == 1, job_loss_factor, rng.uniform(0.55, 0.85, n))
    shock_factor = np.where(shock == 0, 1.0, shock_factor)
    gets_unemployment = (shock == 1) & (itype <= 1) & (rng.random(n) < 0.5)
    unemployment_day = np.where(
        gets_unemployment, shock_day + rng.integers(20, 51, n), cal.n_days + 1
    )
    unemployment = np.round(gets_unemployment * income * 0.45)

    drift_day, drift_factor = income_drift(cfg, cal, block, n)

    will = rng.normal(0, 1, n) + 0.35 * (age == 2) - 0.2 * (age == 0)
    consent_p = np.array(
        [
            [0.85, 0.80, 0.80, 0.60, 0.75, 0.55],
            [0.90, 0.80, 0.60, 0.40, 0.85, 0.70],
            [0.90, 0.50, 0.35, 0.15, 0.95, 0.80],
        ]
    )[age]
    consent = rng.random((n, len(CHANNELS))) < consent_p

    opening = np.round(
        np.maximum(income, scale * 50)
        * np.exp(rng.normal(-0.6, 0.9, n))
        * np.where(prone, 0.4, 1.0)
    )

    # the debt in collection: principal ~ 3x monthly income, repaid in 6-36 instalments
    principal = np.maximum(income, median * 0.3 * scale) * np.exp(rng.normal(1.0, 0.6, n))
    term = np.array([6, 12, 18, 24, 36])[rng.integers(0, 5, n)]
    installment = np.round(principal / term / scale) * scale
    outstanding = np.maximum(np.round(principal * rng.uniform(0.35, 1.0, n) / scale) * scale, scale)
    u = _approx_cdf(-0.5 * will + 0.85 * rng.normal(0, 1, n))
    edges = np.array([0, 0.05, 0.35, 0.57, 0.72, 0.90, 1.0])
    lows = np.array([0, 1, 31, 61, 91, 181])
    highs = np.array([0, 30, 60, 90, 180, 360])
    bucket = np.clip(np.searchsorted(edges, u, side="right") - 1, 0, 5)
    frac = (u - edges[bucket]) / (edges[bucket + 1] - edges[bucket])
    dpd = (lows[bucket] + np.floor(frac * (highs[bucket] - lows[bucket] + 1))).astype(np.int64)
    dpd = np.minimum(dpd, highs[bucket])

    return Traits(
        country=country,
        timezone=timezone,
        scale=scale,
        age=age,
        income_type=itype,
        income_level=level,
        income=income,
        style=style,
        spend_ratio=spend_ratio,
        overdraft_prone=prone,
        limit=limit,
        loans=loans,
        payday_user=payday,
        gambler=gambler,
        renter=renter,
        shock=shock,
        shock_day=shock_day,
        shock_factor=shock_factor,
        drift_day=drift_day,
        drift_factor=drift_factor,
        unemployment_day=unemployment_day,
        unemployment=unemployment,
        willingness_z=will,
        consent=consent,
        start=start,
        opening=opening,
        fixed_costs=np.zeros(n),
        spend_budget=np.zeros(n),
        installment=installment,
        outstanding=outstanding,
        dpd=dpd,
    )


class _Events:
    """Accumulates booked flows as parallel arrays."""

    def __init__(self, rng: np.random.Generator, tr: Traits, n_days: int) -> None:
        self.rng = rng
        self.tr = tr
        self.n_days = n_days
        self.favourite = rng.random((len(tr.country), len(KINDS)))
        self.parts: list[dict[str, np.ndarray]] = []

    def add(
        self,
        kind: str,
        acct: np.ndarray,
        day: np.ndarray,
        amount: np.ndarray,
        phase: int,
        *,
        vary: float = 0.0,
        tod: np.ndarray | None = None,
        category: np.ndarray | None = None,
    ) -> dict[str, np.ndarray]:
        amount = np.round(amount)
        keep = (day >= 0) & (day < self.n_days) & (amount != 0)
        acct, day, amount = acct[keep], day[keep].astype(np.int64), amount[keep].astype(np.int64)
        k = KIND[kind]
        m = len(acct)
        pick = self.favourite[acct, k]
        if vary > 0:
            pick = np.where(self.rng.random(m) < vary, self.rng.random(m), pick)
        if tod is None:
            lo, hi = _PHASE_SECONDS[phase]
            tod = self.rng.integers(lo, hi, m)
        else:
            tod = tod[keep]
        cat = np.full(m, CATEGORY_CODE[k]) if category is None else category[keep]
        part = {
            "acct": acct,
            "day": day,
            "phase": np.full(m, phase),
            "tod": tod.astype(np.int64),
            "amount": amount,
            "desc": description_codes(np.full(m, k), self.tr.country[acct], pick),
            "cat": cat.astype(np.int64),
            "kind": np.full(m, k),
        }
        self.parts.append(part)
        return part

    def concat(self) -> dict[str, np.ndarray]:
        return {key: np.concatenate([p[key] for p in self.parts]) for key in self.parts[0]}


def _scheduled(table: np.ndarray, k: np.ndarray, who: np.ndarray, start: np.ndarray) -> tuple:
    """(acct, day) of monthly orders on day-of-month ``k`` for accounts ``who``."""
    days = np.arange(table.shape[1])
    mask = table[k[who]] & (days[None, :] >= start[who, None])
    rows, day = np.nonzero(mask)
    return who[rows], day


def _random_days(rng: np.random.Generator, rate_month: np.ndarray, start: np.ndarray, n_days: int):
    """Poisson event days per account at ``rate_month`` events per month of history."""
    span = n_days - start
    counts = rng.poisson(rate_month * span / 30.4375)
    acct = np.repeat(np.arange(len(start)), counts)
    day = start[acct] + (rng.random(len(acct)) * span[acct]).astype(np.int64)
    return acct, day


def _lognormal(rng: np.random.Generator, size: int, sigma: float) -> np.ndarray:
    return np.exp(rng.normal(-0.5 * sigma**2, sigma, size))


def _shock_factor(tr: Traits, acct: np.ndarray, day: np.ndarray) -> np.ndarray:
    return np.where(day >= tr.shock_day[acct], tr.shock_factor[acct], 1.0) * _drift(tr, acct, day)


def _drift(tr: Traits, acct: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The drift switch's income factor (exactly 1.0 when it is off)."""
    return np.where(day >= tr.drift_day[acct], tr.drift_factor[acct], 1.0)


def _planned_flows(ev: _Events, tr: Traits, cal: Calendar) -> None:
    """Income, bills, loans and spending before any balance-dependent decision."""
    rng, n, D = ev.rng, len(tr.country), cal.n_days
    start, inc = tr.start, tr.income
    everyone = np.arange(n)

    # income -----------------------------------------------------------------
    monthly = everyone[tr.income_type == 0]
    a, d = _scheduled(cal.preceding, np.full(n, 31), monthly, start)
    ev.add(
        "salary",
        a,
        d,
        inc[a] * _shock_factor(tr, a, d) * (1 + rng.normal(0, 0.01, len(a))),
        P_INFLOW,
    )
    biweekly = everyone[tr.income_type == 1]
    us = tr.country == COUNTRY_CODES.index("US")
    cycle = rng.integers(0, 2, n)
    for p in (0, 1):
        who = biweekly[us[biweekly] & (cycle[biweekly] == p)]
        mask = cal.biweekly[p][None, :] & (np.arange(D)[None, :] >= start[who, None])
        rows, d = np.nonzero(mask)
        a = who[rows]
        ev.add("salary", a, d, inc[a] * 12 / 26 * _shock_factor(tr, a, d), P_INFLOW)
    quincena = biweekly[~us[biweekly]]
    for k in (15, 31):
        a, d = _scheduled(cal.preceding, np.full(n, k), quincena, start)
        ev.add("salary", a, d, inc[a] / 2 * _shock_factor(tr, a, d), P_INFLOW)
    # mid-year and December bonuses of salaried debtors outside the US
    salaried = everyone[(tr.income_type <= 1) & ~us]
    for month_day in cal.bonus_days:
        keep = (start[salaried] <= month_day) & (tr.shock_day[salaried] > month_day)
        a = salaried[keep]
        day = np.full(len(a), month_day)
        ev.add("bonus", a, day, inc[a] * 0.5 * _drift(tr, a, day), P_INFLOW)

    for itype, kind, lo, hi in ((3, "pension", 1, 6), (4, "benefits", 1, 28)):
        who = everyone[tr.income_type == itype]
        a, d = _scheduled(cal.following, rng.integers(lo, hi + 1, n), who, start)
        ev.add(kind, a, d, inc[a] * _drift(tr, a, d), P_INFLOW)
    jobless = everyone[tr.unemployment > 0]
    a, d = _scheduled(cal.following, rng.integers(1, 29, n), jobless, start)
    keep = d >= tr.unemployment_day[a]
    a, d = a[keep], d[keep]
    ev.add("unemployment", a, d, tr.unemployment[a] * _drift(tr, a, d), P_INFLOW)

    gig = tr.income_type == 2
    a, d = _random_days(rng, np.where(gig, 9.0, 0.0), start, D)
    ev.add(
        "gig",
        a,
        d,
        inc[a] / 9 * _shock_factor(tr, a, d) * _lognormal(rng, len(a), 0.6),
        P_INFLOW,
        vary=0.3,
    )
    none = tr.income_type == 5
    a, d = _random_days(rng, np.where(none, 3.0, 0.6), start, D)
    size = np.where(none[a], inc[a] / 3 * _drift(tr, a, d), inc[a] * 0.06)
    ev.add("transfer_in", a, d, size * _lognormal(rng, len(a), 0.7), P_INFLOW, vary=0.5)

    # fixed monthly debits -------------------------------------------------------
    fixed = np.zeros(n)
    mortgage = ~tr.renter & (rng.random(n) < 0.35) & (tr.income_type <= 3)
    bills: list[tuple[str, np.ndarray, np.ndarray, float]] = [
        ("rent", tr.renter, rng.uniform(0.22, 0.38, n), 0.0),
        ("mortgage", mortgage, rng.uniform(0.20, 0.30, n), 0.0),
        ("electricity", np.ones(n, bool), rng.uniform(0.02, 0.05, n), 0.15),
        ("water", rng.random(n) < 0.8, rng.uniform(0.01, 0.03, n), 0.15),
        ("telecom", rng.random(n) < 0.9, rng.uniform(0.015, 0.04, n), 0.03),
        (
            "insurance",
            rng.random(n) < 0.35 + 0.2 * (tr.income_level > 1.2),
            rng.uniform(0.02, 0.05, n),
            0.0,
        ),
    ]
    for i in range(3):
        bills.append(("loan", tr.loans > i, rng.uniform(0.04, 0.12, n), 0.0))
    subs = np.minimum(rng.poisson(0.8 + 0.6 * (tr.age == 0)), 3)
    median = np.array([COUNTRIES[c].income_median for c in COUNTRY_CODES])[tr.country] * tr.scale
    for i in range(3):
        bills.append(
            (
                "subscription",
                subs > i,
                rng.uniform(0.003, 0.008, n) * median / np.maximum(inc, 1),
                0.0,
            )
        )
    base = np.maximum(inc, median * 0.15)
    for kind, has, share, noise in bills:
        who = everyone[has]
        k = rng.integers(1, 6, n) if kind in ("rent", "mortgage") else rng.integers(1, 29, n)
        a, d = _scheduled(cal.following, k, who, start)
        amount = base[a] * share[a] * (1 + rng.normal(0, noise, len(a)))
        ev.add(kind, a, d, -np.maximum(amount, tr.scale[a]), P_DEBIT)
        fixed += has * base * share
    fee = np.array([COUNTRIES[c].fee_monthly for c in COUNTRY_CODES])[tr.country] * tr.scale
    mask = cal.month_end[None, :] & (np.arange(D)[None, :] >= start[:, None])
    a, d = np.nonzero(mask)
    ev.add("account_fee", a, d, -fee[a], P_BANK)
    fixed += fee

    # payday loans: an advance, repaid 14-30 days later with a markup ------------------
    rate = np.where(tr.payday_user, 0.6, 0.0)
    a, d = _random_days(rng, rate, start, D)
    principal = inc[a] * rng.uniform(0.15, 0.35, len(a))
    ev.add("payday_disbursement", a, d, principal, P_INFLOW)
    ev.add(
        "payday_repayment",
        a,
        d + rng.integers(14, 31, len(a)),
        -principal * rng.uniform(1.12, 1.3, len(a)),
        P_DEBIT,
    )

    # discretionary spending (may be declined when funds run out) --------------------
    budget = np.maximum(base * tr.spend_ratio - fixed, 0.15 * base)
    tr.fixed_costs = fixed
    tr.spend_budget = budget
    for kind, share, per_month, sigma, vary in (
        ("groceries", 0.40, 6.0, 0.5, 0.35),
        ("spending", 0.38, 10.0, 0.8, 0.6),
        ("transfer_out", 0.07, 1.0, 0.6, 0.5),
    ):
        a, d = _random_days(rng, np.full(n, per_month), start, D)
        amount = budget[a] * share / per_month * _lognormal(rng, len(a), sigma)
        ev.add(kind, a, d, -np.maximum(amount, tr.scale[a]), P_SPEND, vary=vary)
    unit = np.array([COUNTRIES[c].cash_unit for c in COUNTRY_CODES])[tr.country] * tr.scale
    a, d = _random_days(rng, np.full(n, 2.5), start, D)
    cash = budget[a] * 0.15 / 2.5 * _lognormal(rng, len(a), 0.5)
    ev.add("cash", a, d, -np.maximum(np.round(cash / unit[a]), 1) * unit[a], P_SPEND, vary=0.3)
    a, d = _random_days(rng, np.where(tr.gambler, 6.0, 0.0), start, D)
    stake = inc[a] * rng.uniform(0.005, 0.02, len(a)) * _lognormal(rng, len(a), 0.7)
    ev.add("gambling", a, d, -np.maximum(stake, tr.scale[a]), P_SPEND, vary=0.3)
    a, d = _random_days(rng, np.where(tr.gambler, 0.8, 0.0), start, D)
    ev.add("gambling_win", a, d, inc[a] * rng.uniform(0.01, 0.1, len(a)), P_INFLOW, vary=0.3)


def _flow_matrix(parts: dict[str, np.ndarray], sel: np.ndarray, n: int, n_days: int) -> np.ndarray:
    idx = parts["acct"][sel] * n_days + parts["day"][sel]
    w = parts["amount"][sel].astype(np.float64)
    return np.bincount(idx, weights=w, minlength=n * n_days).reshape(n, n_days)


@dataclass
class Snapshot:
    """Everything drawn at one as_of for the debtors still in collection."""

    rows: dict[str, np.ndarray]
    truth: dict[str, np.ndarray]
    contacts: dict[str, np.ndarray]
    payments: dict[str, np.ndarray]


def simulate_block(cfg: SampleConfig, cal: Calendar, block: int) -> dict[str, pa.Table]:
    """All output tables (contract and truth) of debtors ``block * 1000 ...``."""
    first = block * BLOCK_DEBTORS
    n = min(cfg.debtors - first, BLOCK_DEBTORS)
    rng = block_rng(cfg.seed, block)
    D = cal.n_days
    tr = draw_traits(rng, n, cfg, cal, block)
    ev = _Events(rng, tr, D)
    _planned_flows(ev, tr, cal)
    planned = ev.concat()

    inflow = _flow_matrix(planned, planned["phase"] == P_INFLOW, n, D)
    debit_sel = planned["phase"] == P_DEBIT
    debit = _flow_matrix(planned, debit_sel, n, D)
    bank = _flow_matrix(planned, planned["phase"] == P_BANK, n, D)
    spend_idx = np.flatnonzero(planned["phase"] == P_SPEND)
    spend_idx = spend_idx[np.argsort(planned["day"][spend_idx], kind="stable")]
    s_acct = planned["acct"][spend_idx]
    s_amt = -planned["amount"][spend_idx].astype(np.float64)
    s_off = np.searchsorted(planned["day"][spend_idx], np.arange(D + 1))
    s_u = rng.random(len(spend_idx))
    kept = np.ones(len(spend_idx), dtype=bool)

    income_kinds = [KIND[k] for k in ("salary", "pension", "benefits", "unemployment")]
    inc_sel = np.isin(planned["kind"], income_kinds)
    payday = np.zeros((n, D), dtype=bool)
    payday[planned["acct"][inc_sel], planned["day"][inc_sel]] = True
    last_payday = np.maximum.accumulate(np.where(payday, np.arange(D)[None, :], -999), axis=1)

    fee_nsf = np.array([COUNTRIES[c].fee_nsf for c in COUNTRY_CODES])[tr.country] * tr.scale
    fee_od = np.array([COUNTRIES[c].fee_overdraft for c in COUNTRY_CODES])[tr.country] * tr.scale
    slack = 0.03 * tr.income
    collect = np.zeros((n, D))
    bounced = np.zeros((n, D), dtype=bool)
    od_fee = np.zeros((n, D), dtype=bool)
    interest: list[tuple[np.ndarray, int, np.ndarray]] = []
    snapshots: list[Snapshot] = []
    snap_at = {int(d): s for s, d in enumerate(cal.snapshot_days)}
    state = {"alive": np.ones(n, dtype=bool), "out": tr.outstanding.copy(), "dpd": tr.dpd.copy()}

    bal = tr.opening.astype(np.float64)
    prev_neg = np.zeros(n, dtype=bool)
    neg_sum = np.zeros(n)
    pos_sum = np.zeros(n)
    for d in range(D):
        active = tr.start <= d
        bal += inflow[:, d]
        x = debit[:, d]
        bounce = (x < 0) & (bal + x < -tr.limit)
        bounced[:, d] = bounce
        bal += np.where(bounce, -fee_nsf, x)
        r0, r1 = s_off[d], s_off[d + 1]
        if r1 > r0:
            acct, amt = s_acct[r0:r1], s_amt[r0:r1]
            need = np.bincount(acct, weights=amt, minlength=n)
            ratio = np.clip((bal + tr.limit + slack) / np.maximum(need, 1.0), 0.0, 1.0)
            keep = s_u[r0:r1] < ratio[acct]
            kept[r0:r1] = keep
            bal -= np.bincount(acct[keep], weights=amt[keep], minlength=n)
        bal += collect[:, d] + bank[:, d]
        neg_sum += np.minimum(bal, 0) * active
        pos_sum += np.maximum(bal, 0) * active
        if cal.month_end[d]:
            pen = np.round(-neg_sum * PENALTY_RATE_MONTH / 30.4375)
            cred = np.round(pos_sum * CREDIT_RATE_MONTH / 30.4375)
            interest.append((pen, d, cred))
            bal += cred - pen
            neg_sum[:] = 0
            pos_sum[:] = 0
        neg = (bal < 0) & active
        fee = neg & ~prev_neg
        od_fee[:, d] = fee
        bal -= fee * fee_od
        prev_neg = bal < 0
        if d in snap_at:
            s = snap_at[d]
            snap = _decide(rng, cfg, cal, tr, s, bal, state, last_payday, payday)
            collect[snap.payments["acct"], snap.payments["day"]] -= snap.payments["amount"]
            snapshots.append(snap)

    booked = _booked_flows(
        ev,
        planned,
        spend_idx,
        kept,
        bounced,
        od_fee,
        interest,
        fee_nsf,
        fee_od,
        snapshots,
        debit_sel,
    )
    return build_tables(cfg, cal, tr, first, booked, snapshots)


def _decide(
    rng: np.random.Generator,
    cfg: SampleConfig,
    cal: Calendar,
    tr: Traits,
    s: int,
    bal: np.ndarray,
    state: dict[str, np.ndarray],
    last_payday: np.ndarray,
    payday: np.ndarray,
) -> Snapshot:
    """Contacts, propensity and payments in the window after snapshot ``s``."""
    n = len(bal)
    a = int(cal.snapshot_days[s])
    w0, w1 = (int(v) for v in cal.windows[s])
    alive, out, dpd = state["alive"], state["out"], state["dpd"]
    inst = tr.installment
    due = np.maximum(np.minimum(inst, out), 1.0)

    shocked = tr.shock_day <= a
    income_now = tr.income * np.where(shocked, tr.shock_factor, 1.0) + tr.unemployment * (
        tr.unemployment_day <= a
    )
    income_now = income_now * np.where(tr.drift_day <= a, tr.drift_factor, 1.0)
    fcf = income_now - tr.fixed_costs - 0.5 * tr.spend_budget
    cap = np.log((np.maximum(bal, 0) + np.maximum(fcf, 0) + 0.05 * income_now + tr.scale) / due)
    recent_shock = shocked & (a - tr.shock_day < 90)
    logit0 = (
        PAY_INTERCEPT
        + PAY_W_CAPACITY * np.clip(cap, -4, 3)
        + PAY_W_WILLINGNESS * tr.willingness_z
        + PAY_W_DPD * np.log1p(dpd / 30)
        + PAY_W_GAMBLER * tr.gambler
        + PAY_W_RECENT_SHOCK * recent_shock
        + PAY_W_SENIOR * (tr.age == 2)
        + PAY_W_PAYDAY_LOANS * tr.payday_user
    )
    p0, p1 = bh.sigmoid(logit0), bh.sigmoid(logit0 + bh.CONTACT_UPLIFT)

    # contacts of the historical policy: up to 3, about 10 days apart, never on Sundays
    probs = bh.policy_channel_probs(tr.consent)
    lam = 0.9 + 0.5 * (dpd > 30) + 0.3 * (dpd > 90)
    k = np.where(alive & (probs.sum(axis=1) > 0), np.minimum(rng.poisson(lam), 3), 0)
    acct = np.repeat(np.arange(n), k)
    slot = np.arange(len(acct)) - np.repeat(np.cumsum(k) - k, k)
    day = a + 1 + 10 * slot + rng.integers(0, 7, len(acct))
    co = tr.country[acct] == COUNTRY_CODES.index("CO")
    for _ in range(3):
        inside = day < cal.n_days
        bad = inside & (
            (cal.weekday[np.minimum(day, cal.n_days - 1)] == 6)
            | (co & cal.co_holiday[np.minimum(day, cal.n_days - 1)])
        )
        day = day + bad
    ok = day <= w1
    acct, day = acct[ok], day[ok]
    m = len(acct)
    saturday = cal.weekday[day] == 5
    channel = _choice(rng, probs[acct]) if m else np.zeros(0, np.int64)
    hour_p = np.where(saturday[:, None], bh.policy_hour_probs(True), bh.policy_hour_probs(False))
    hour = _choice(rng, hour_p) if m else np.zeros(0, np.int64)
    propensity = probs[acct, channel] * hour_p[np.arange(m), hour]
    after_payday = (day - last_payday[acct, day]) <= 3
    p_success = bh.sigmoid(
        bh.success_logit(
            tr.age[acct],
            tr.income_type[acct],
            tr.willingness_z[acct],
            channel,
            hour,
            saturday,
            after_payday,
        )
    )
    success = rng.random(m) < p_success
    lag = rng.integers(0, 7, m)
    promise_day = np.where(success, np.minimum(day + lag, w1), -1)
    mult = np.array([1.0, 2.0, 0.5])[_choice(rng, np.tile([0.8, 0.1, 0.1], (m, 1)))]
    promise_amount = np.where(success, np.minimum(np.round(due[acct] * mult), out[acct]), np.nan)
    p_miss = np.ones(n)
    np.multiply.at(p_miss, acct, 1 - p_success)
    p_reach = 1 - p_miss
    first_success = np.full(n, cal.n_days + 1)
    np.minimum.at(first_success, acct[success], promise_day[success])
    promised = np.zeros(n)
    sel = success & (promise_day == first_success[acct])
    promised[acct[sel]] = promise_amount[sel]
    reached = first_success <= cal.n_days

    # payments: qualifying ones with the true probability, partial ones below the threshold
    pay = alive & (rng.random(n) < np.where(reached, p1, p0))
    settle = rng.random(n) < 0.08 * (cap > 1)
    double = rng.random(n) < 0.12
    amount = np.where(settle, out, np.minimum(np.where(double, 2 * inst, inst), out))
    amount = np.where(reached, np.minimum(np.maximum(promised, due), out), amount)
    amount = np.maximum(amount, due)
    future = payday[:, w0 : w1 + 1]
    has_income = future.any(axis=1)
    next_income = w0 + future.argmax(axis=1)
    span = w1 - w0 + 1
    uniform_day = w0 + (rng.random(n) * span).astype(np.int64)
    late = rng.random(n) < 0.25
    pay_day = np.where(has_income, next_income + rng.integers(0, 3, n), uniform_day)
    pay_day = np.where(reached, first_success + late * rng.integers(1, 5, n), pay_day)
    pay_day = np.clip(pay_day, w0, w1)
    partial = alive & ~pay & (rng.random(n) < 0.12 + 0.25 * p0) & (due >= 2)
    partial_amount = np.clip(np.round(due * rng.uniform(0.2, 0.8, n)), 1, due - 1)
    paid = np.where(pay, amount, np.where(partial, partial_amount, 0.0))
    payer = pay | partial
    pay_day = np.where(pay, pay_day, uniform_day)
    pay_tod = rng.integers(9 * 3600, 21 * 3600, n)

    # best contact the debtor could have had (consented channels, 08-19 on a weekday)
    hours = np.arange(8, 20)
    grid = (
        bh.sigmoid(
            bh.success_logit(
                tr.age[:, None, None],
                tr.income_type[:, None, None],
                tr.willingness_z[:, None, None],
                np.arange(len(CHANNELS))[None, :, None],
                hours[None, None, :],
                False,
                np.zeros((1, 1, 1), bool),
            )
        )
        * tr.consent[:, :, None]
    )
    flat = grid.reshape(n, -1)
    best = flat.argmax(axis=1)
    s_best = flat.max(axis=1)

    rows = {
        "idx": np.flatnonzero(alive),
        "outstanding": out[alive],
        "dpd": dpd[alive],
    }
    truth = {
        "idx": np.flatnonzero(alive),
        "p_pay": (p_reach * p1 + (1 - p_reach) * p0)[alive],
        "p_pay_no_contact": p0[alive],
        "p_pay_if_reached": p1[alive],
        "p_pay_best_contact": (s_best * p1 + (1 - s_best) * p0)[alive],
        "best_channel": np.where(s_best > 0, best // len(hours), -1)[alive],
        "best_hour": np.where(s_best > 0, hours[best % len(hours)], -1)[alive],
        "p_reach_logged": p_reach[alive],
        "reached": reached[alive],
        "paid": pay[alive],
        "balance": bal[alive].copy(),
        "monthly_income": income_now[alive],
    }
    contacts = {
        "acct": acct,
        "day": day,
        "hour": hour,
        "minute": rng.integers(0, 60, m),
        "channel": channel,
        "success": success,
        "propensity": propensity,
        "promise_amount": promise_amount,
        "promise_day": promise_day,
    }
    payments = {
        "acct": np.flatnonzero(payer),
        "day": pay_day[payer],
        "tod": pay_tod[payer],
        "amount": paid[payer],
    }

    # state at the next snapshot: late interest accrues, payments reduce the debt and
    # every whole instalment paid buys back 30 days past due
    if s + 1 < len(cal.snapshot_days):
        gap = int(cal.snapshot_days[s + 1] - a)
        accrued = np.round(out * LATE_RATE_MONTH * (dpd > 0) / tr.scale) * tr.scale
        new_out = np.maximum(out + accrued - paid, 0)
        covered = np.floor(paid / np.maximum(inst, 1)) * 30
        new_dpd = np.maximum(dpd + gap - covered, 0).astype(np.int64)
        state["alive"] = alive & (new_out > 0)
        state["out"] = np.where(alive, new_out, out)
        state["dpd"] = np.where(alive & (new_out > 0), new_dpd, dpd)
    return Snapshot(rows=rows, truth=truth, contacts=contacts, payments=payments)


def _booked_flows(
    ev: _Events,
    planned: dict[str, np.ndarray],
    spend_idx: np.ndarray,
    kept: np.ndarray,
    bounced: np.ndarray,
    od_fee: np.ndarray,
    interest: list[tuple[np.ndarray, int, np.ndarray]],
    fee_nsf: np.ndarray,
    fee_od: np.ndarray,
    snapshots: list[Snapshot],
    debit_sel: np.ndarray,
) -> dict[str, np.ndarray]:
    """Every booked row: planned flows minus declined spending, plus balance-driven ones."""
    n = len(fee_nsf)
    declined = np.zeros(len(planned["acct"]), dtype=bool)
    declined[spend_idx[~kept]] = True
    ev.parts = [{k: v[~declined] for k, v in planned.items()}]

    d_idx = np.flatnonzero(debit_sel)
    returned = d_idx[bounced[planned["acct"][d_idx], planned["day"][d_idx]]]
    ev.add(
        "reversal",
        planned["acct"][returned],
        planned["day"][returned],
        -planned["amount"][returned],
        P_RETURN,
        vary=0.3,
        category=planned["cat"][returned],
    )
    a, d = np.nonzero(bounced)
    ev.add("nsf_fee", a, d, -fee_nsf[a], P_NSF)
    for pen, day, cred in interest:
        who = np.arange(n)
        ev.add("penalty_interest", who, np.full(n, day), -pen, P_BANK)
        ev.add("credit_interest", who, np.full(n, day), cred, P_BANK)
    a, d = np.nonzero(od_fee)
    ev.add("overdraft_fee", a, d, -fee_od[a], P_OVERDRAFT)
    for snap in snapshots:
        p = snap.payments
        ev.add("collections", p["acct"], p["day"], -p["amount"], P_SPEND, tod=p["tod"])
    return ev.concat()
