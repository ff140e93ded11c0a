"""Offline evaluation of contact policies on logged contacts.

A *context* is one logged contact: the debtor, its snapshot features and contact
history, and the day it was sent. The policies choose an *action* (channel, hour)
for that day within the logging support: the channels the debtor consented to, by
the hours the logging policy used on that kind of day (Monday-Friday, Saturday,
Sunday). Every policy is scored with IPS, SNIPS and doubly robust estimates; on
synthetic data also with its true success rate and its regret against the oracle
(the truly best action of each context).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._contract import CHANNELS, CONSENT_PREFIX
from .._data import Dataset
from .._errors import EXAMPLE_ROWS, ConfigError, ContractError, Problem
from ._estimators import Estimate, doubly_robust, ips, snips
from ._truth import _truth_grid

#: Kind of day a context falls on (the logging policy's hours depend on it).
DAY_TYPES: tuple[str, ...] = ("weekday", "saturday", "sunday")


@dataclass(frozen=True)
class ActionGrid:
    """Every allowed action of every context, with the model's predicted success.

    ``support``, ``q`` (and ``truth`` on synthetic data) have shape
    ``(contexts, len(channels), len(hours))``; ``logged`` holds the logged action of
    each context as (channel position, hour position).
    """

    channels: tuple[str, ...]
    hours: tuple[int, ...]
    support: np.ndarray
    q: np.ndarray
    logged: tuple[np.ndarray, np.ndarray]
    meta: pd.DataFrame
    truth: np.ndarray | None = None

    @property
    def n(self) -> int:
        return len(self.meta)


#: A policy maps the grid to choice probabilities of shape (contexts, channels, hours),
#: summing to one over each context's support; a context whose probabilities are all NaN
#: keeps its logged action (the policy behaves like the logging policy there).
Policy = Callable[[ActionGrid], np.ndarray]


def greedy_policy(grid: ActionGrid) -> np.ndarray:
    """Pick the action with the highest predicted success in each context."""
    return _one_hot(grid, np.where(grid.support, grid.q, -np.inf))


def fixed_policy(
    ranking: Sequence[tuple[str, int]], *, otherwise: Literal["logged", "greedy"] = "logged"
) -> Policy:
    """The first (channel, hour) of ``ranking`` the context allows.

    A single pair is the "fixed action" policy. Contexts allowing none of the pairs
    keep the logged action (``otherwise="logged"``: the policy behaves like the logging
    policy there) or take the greedy choice (``"greedy"``).
    """
    pairs = [(str(c), int(h)) for c, h in ranking]
    if otherwise not in ("logged", "greedy"):
        raise ConfigError(f"otherwise must be 'logged' or 'greedy'; got {otherwise!r}")

    def policy(grid: ActionGrid) -> np.ndarray:
        score = np.full(grid.support.shape, -np.inf)
        for rank, (c, h) in enumerate(pairs):
            if c in grid.channels and h in grid.hours:
                ci, hi = grid.channels.index(c), grid.hours.index(h)
                score[:, ci, hi] = len(pairs) - rank
        score = np.where(grid.support, score, -np.inf)
        some = np.isfinite(score).any(axis=(1, 2))
        fallback = np.where(grid.support, grid.q, -np.inf)
        out = _one_hot(grid, np.where(some[:, None, None], score, fallback))
        if otherwise == "logged":
            out[~some] = np.nan  # as logged
        return out

    return policy


def oracle_policy(grid: ActionGrid) -> np.ndarray:
    """The truly best action of each context (synthetic data only)."""
    if grid.truth is None:
        raise ConfigError("the oracle policy needs the synthetic truth (pass truth=Dataset)")
    return _one_hot(grid, np.where(grid.support, grid.truth, -np.inf))


def action_grid(
    meta: pd.DataFrame,
    X: pd.DataFrame,
    model: Any,
    *,
    debtors: pd.DataFrame | None = None,
    hours: Mapping[str, Sequence[int]] | None = None,
    truth: Dataset | None = None,
) -> ActionGrid:
    """The logging support of each logged contact with predicted (and true) success.

    ``meta`` has one row per logged contact (``debtor_id``, ``channel``, ``sent_at``
    debtor-local, optionally ``as_of`` and ``consent_<channel>``), ``X`` the model's
    features of the logged action in the same row order. Consent comes from ``meta``,
    else from ``debtors`` (joined on ``debtor_id`` and ``as_of``); a channel whose
    consent is not stated counts as allowed. Without either, every channel seen in the
    log is allowed. ``hours`` overrides the hours per day type (keys ``weekday``,
    ``saturday``, ``sunday``); by default the hours logged on that day type. Hours the
    logging policy never used have no logged evidence: IPS and DR cannot see them.
    """
    _check_meta(meta, X)
    sent = pd.to_datetime(meta["sent_at"])
    hour = sent.dt.hour.to_numpy()
    day_type = _day_type(sent)
    used = {t: sorted(set(hour[day_type == t].tolist())) for t in DAY_TYPES}
    if hours is not None:
        unknown = set(hours) - set(DAY_TYPES)
        if unknown:
            raise ConfigError(
                f"hours keys must be day types {', '.join(DAY_TYPES)}; got {sorted(unknown)}"
            )
        used.update({k: sorted(int(h) for h in v) for k, v in hours.items()})
    all_hours = tuple(sorted({h for hs in used.values() for h in hs} | set(hour.tolist())))
    channels = tuple(CHANNELS)
    consent = _consent(meta, debtors, channels)

    n, C, H = len(meta), len(channels), len(all_hours)
    hour_ok = np.zeros((n, H), dtype=bool)
    for t in DAY_TYPES:
        cols = [all_hours.index(h) for h in used[t]]
        hour_ok[np.ix_(day_type == t, cols)] = True
    support = consent[:, :, None] & hour_ok[:, None, :]
    ch = pd.Index(channels).get_indexer(meta["channel"].astype(str))
    hi = pd.Index(all_hours).get_indexer(hour)
    support[np.arange(n), ch, hi] = True  # the logged action is always supported

    q = np.full((n, C, H), np.nan)
    action_cols = _action_columns(X)
    for c in range(C):
        for h in range(H):
            rows = np.flatnonzero(support[:, c, h])
            if len(rows):
                Xa = _with_action(X.iloc[rows], channels[c], all_hours[h], action_cols)
                q[rows, c, h] = _positive_proba(model, Xa)
    true = None
    if truth is not None:
        true = _truth_grid(truth, meta["debtor_id"], sent, channels, all_hours)
    return ActionGrid(channels, all_hours, support, q, (ch, hi), meta.reset_index(drop=True), true)


def evaluate_policies(
    meta: pd.DataFrame,
    X: pd.DataFrame,
    y: Any,
    model: Any,
    *,
    debtors: pd.DataFrame | None = None,
    truth: Dataset | None = None,
    fixed: tuple[str, int] | None = None,
    policies: Mapping[str, Policy] | None = None,
    hours: Mapping[str, Sequence[int]] | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Compare the logging, model-greedy, best fixed (channel, hour) and extra policies.

    Rows: ``logging`` (observed mean), ``model_greedy`` (highest predicted success in
    the logging support), ``best_fixed`` (the ``fixed`` (channel, hour) wherever allowed,
    else the logged action; by default the pair with the best doubly robust value on
    these contacts, see ``best_fixed_ranking``), any ``policies`` given, and ``oracle``
    with ``truth``. Columns: ``ips``, ``snips``,
    ``dr`` with ``_se``, ``_low``, ``_high``; ``agreement`` (share of contacts where the
    policy would have chosen the logged action); with ``truth`` (the synthetic
    ``Dataset``) ``true_success`` and ``regret`` (oracle minus the policy's true
    success). ``meta`` needs ``propensity`` for every contact.
    """
    reward = _rewards(y, len(meta))
    propensity = _propensities(meta)
    grid = action_grid(meta, X, model, debtors=debtors, hours=hours, truth=truth)
    rows = np.arange(grid.n)
    ch, hi = grid.logged
    q_logged = grid.q[rows, ch, hi]

    named: dict[str, tuple[str, Policy]] = {
        "model_greedy": ("highest predicted success in the logging support", greedy_policy),
    }
    pair = (
        (str(fixed[0]), int(fixed[1]))
        if fixed is not None
        else best_fixed_ranking(grid, reward, propensity)[0]
    )
    named["best_fixed"] = (
        f"{pair[0]} at {pair[1]:02d}h where allowed, else the logged action",
        fixed_policy([pair]),
    )
    for name, policy in (policies or {}).items():
        named[str(name)] = ("custom policy", policy)
    if grid.truth is not None:
        named["oracle"] = ("truly best action per context (synthetic truth)", oracle_policy)

    records: list[dict[str, Any]] = []
    observed = _on_policy(reward, level)
    logging = {"policy": "logging", "description": "the logged actions (observed mean)"}
    logging |= _columns(observed, observed, observed, 1.0)
    if grid.truth is not None:
        logging["true_success"] = float(np.nanmean(grid.truth[rows, ch, hi]))
    records.append(logging)
    for name, (text, policy) in named.items():
        probs = _check_probs(name, policy(grid), grid)
        as_logged = np.isnan(probs).all(axis=(1, 2))
        probs = np.nan_to_num(probs)
        # where the policy keeps the logged action it is the logging policy: weight 1
        target = np.where(as_logged, propensity, probs[rows, ch, hi])
        q_target = np.where(as_logged, q_logged, np.sum(probs * np.nan_to_num(grid.q), axis=(1, 2)))
        rec = {"policy": name, "description": text}
        rec |= _columns(
            ips(reward, propensity, target, level=level),
            snips(reward, propensity, target, level=level),
            doubly_robust(reward, propensity, target, q_logged, q_target, level=level),
            float(np.where(as_logged, 1.0, probs[rows, ch, hi]).mean()),
        )
        if grid.truth is not None:
            value = np.sum(probs * np.nan_to_num(grid.truth), axis=(1, 2))
            rec["true_success"] = float(np.where(as_logged, grid.truth[rows, ch, hi], value).mean())
        records.append(rec)
    table = pd.DataFrame.from_records(records).set_index("policy")
    if grid.truth is not None:
        table["regret"] = table.loc["oracle", "true_success"] - table["true_success"]
    return table


def best_fixed_ranking(grid: ActionGrid, rewards: Any, propensities: Any) -> list[tuple[str, int]]:
    """All (channel, hour) pairs, best first by the doubly robust value of their policy.

    The policy of a pair takes it wherever the context allows it and keeps the logged
    action elsewhere (``fixed_policy([pair])``); its value is estimated on ``grid``'s
    contexts with their ``rewards`` and logging ``propensities``.
    """
    r, p = _rewards(rewards, grid.n), np.asarray(propensities, dtype=float)
    rows = np.arange(grid.n)
    ch, hi = grid.logged
    q_logged = grid.q[rows, ch, hi]
    scored: list[tuple[float, str, int]] = []
    for c, name in enumerate(grid.channels):
        for h, hour in enumerate(grid.hours):
            ok = grid.support[:, c, h]
            if not ok.any():
                continue
            taken = ((ch == c) & (hi == h)).astype(float)
            terms = np.where(ok, grid.q[:, c, h] + taken / p * (r - q_logged), r)
            scored.append((float(terms.mean()), name, hour))
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))
    return [(name, hour) for _, name, hour in scored]


# ---------------------------------------------------------------------- helpers
def _columns(ips_: Estimate, snips_: Estimate, dr: Estimate, agreement: float) -> dict[str, float]:
    out: dict[str, float] = {"agreement": agreement}
    for key, e in (("ips", ips_), ("snips", snips_), ("dr", dr)):
        out[key] = e.estimate
        out[f"{key}_se"] = e.std_error
        out[f"{key}_low"] = e.ci_low
        out[f"{key}_high"] = e.ci_high
    return out


def _on_policy(reward: np.ndarray, level: float) -> Estimate:
    ones = np.ones(len(reward))
    return ips(reward, ones, ones, level=level)


def _one_hot(grid: ActionGrid, score: np.ndarray) -> np.ndarray:
    n = grid.n
    flat = score.reshape(n, -1)
    best = flat.argmax(axis=1)
    out = np.zeros(flat.shape)
    out[np.arange(n), best] = 1.0
    return out.reshape(score.shape)


def _check_probs(name: str, probs: Any, grid: ActionGrid) -> np.ndarray:
    p = np.asarray(probs, dtype=float)
    if p.shape != grid.support.shape:
        raise ConfigError(
            f"policy {name!r} returned shape {p.shape}; expected {grid.support.shape} "
            "(contexts, channels, hours)"
        )
    as_logged = np.isnan(p).all(axis=(1, 2))
    p0 = np.nan_to_num(p)
    outside = ((p0 > 0) & ~grid.support).any(axis=(1, 2))
    total = p0.sum(axis=(1, 2))
    wrong = ~as_logged & (
        outside | ~np.isclose(total, 1.0, atol=1e-6) | np.isnan(p).any(axis=(1, 2))
    )
    if wrong.any():
        bad = np.flatnonzero(wrong)
        raise ConfigError(
            f"policy {name!r} must give probabilities summing to 1 over each context's allowed "
            f"actions (or all NaN to keep the logged action); contexts "
            f"{', '.join(str(int(i)) for i in bad[:EXAMPLE_ROWS])} do not"
        )
    return p


def _day_type(sent: pd.Series) -> np.ndarray:
    wd = sent.dt.day_of_week.to_numpy()
    return np.where(wd == 5, "saturday", np.where(wd == 6, "sunday", "weekday"))


def _check_meta(meta: pd.DataFrame, X: pd.DataFrame) -> None:
    if not isinstance(meta, pd.DataFrame) or not isinstance(X, pd.DataFrame):
        raise ConfigError("meta and X must be pandas DataFrames (see contact_training_frame)")
    missing = [c for c in ("debtor_id", "channel", "sent_at") if c not in meta.columns]
    if missing:
        raise ConfigError(
            f"meta lacks column(s) {', '.join(missing)}; it needs debtor_id, channel and "
            "sent_at (debtor-local) per logged contact, as contact_training_frame returns"
        )
    if len(meta) != len(X):
        raise ConfigError(
            f"meta has {len(meta)} rows but X has {len(X)}; give one row each per contact"
        )
    if len(meta) == 0:
        raise ConfigError("meta is empty; off-policy evaluation needs logged contacts")
    if isinstance(meta["sent_at"].dtype, pd.DatetimeTZDtype):
        raise ConfigError(
            "meta.sent_at must be debtor-local wall time (naive); convert tz-aware times with "
            "collectscore.rules.local_times first"
        )
    unknown = ~meta["channel"].astype(str).isin(CHANNELS).to_numpy()
    if unknown.any():
        rows = tuple(int(i) for i in np.flatnonzero(unknown)[:EXAMPLE_ROWS])
        raise ContractError(
            [
                Problem(
                    "contacts",
                    "channel",
                    "one of " + ", ".join(CHANNELS),
                    repr(meta["channel"].iloc[rows[0]]),
                    "channels are lower-case: " + ", ".join(CHANNELS),
                    rows,
                    int(unknown.sum()),
                )
            ]
        )


def _propensities(meta: pd.DataFrame) -> np.ndarray:
    if "propensity" not in meta.columns:
        raise ContractError(
            [
                Problem(
                    "contacts",
                    "propensity",
                    "the logging probability of every contact",
                    "no propensity column",
                    "record with each contact the probability with which the logging policy "
                    "chose it; off-policy evaluation cannot run without it",
                )
            ]
        )
    p = pd.to_numeric(meta["propensity"], errors="coerce").to_numpy(float)
    bad = ~((p > 0) & (p <= 1))
    if bad.any():
        rows = tuple(int(i) for i in np.flatnonzero(bad)[:EXAMPLE_ROWS])
        raise ContractError(
            [
                Problem(
                    "contacts",
                    "propensity",
                    "a probability in (0, 1] for every evaluated contact",
                    f"{meta['propensity'].iloc[rows[0]]!r}",
                    "evaluate only contacts whose logging probability is known "
                    "(e.g. meta[meta.propensity.notna()])",
                    rows,
                    int(bad.sum()),
                )
            ]
        )
    return p


def _rewards(y: Any, n: int) -> np.ndarray:
    r = np.asarray(y, dtype=float).reshape(-1)
    if len(r) != n:
        raise ConfigError(
            f"y has {len(r)} values but meta has {n} rows; give one outcome per contact"
        )
    if not np.isfinite(r).all():
        raise ConfigError("y has missing values; give the success (0/1) of every logged contact")
    return r


def _consent(
    meta: pd.DataFrame, debtors: pd.DataFrame | None, channels: Sequence[str]
) -> np.ndarray:
    """(n, C) allowed channels per context; unstated consent counts as allowed."""
    cols = [CONSENT_PREFIX + c for c in channels]
    source: pd.DataFrame | None = None
    if any(c in meta.columns for c in cols):
        source = meta
    elif debtors is not None and any(c in debtors.columns for c in cols):
        keys = [k for k in ("debtor_id", "as_of") if k in meta.columns and k in debtors.columns]
        present = [c for c in cols if c in debtors.columns]
        right = debtors[[*keys, *present]].drop_duplicates(keys, keep="last")
        left = meta[keys].copy()
        if "as_of" in keys:
            left["as_of"] = pd.to_datetime(left["as_of"]).astype("datetime64[us]")
            right = right.assign(as_of=pd.to_datetime(right["as_of"]).astype("datetime64[us]"))
        source = left.merge(right, on=keys, how="left")
    if source is None:
        seen = set(meta["channel"].astype(str))
        return np.tile(np.array([c in seen for c in channels]), (len(meta), 1))
    out = np.ones((len(meta), len(channels)), dtype=bool)
    for j, col in enumerate(cols):
        if col in source.columns:
            stated = source[col].astype("boolean")
            out[:, j] = stated.fillna(True).to_numpy(bool)
    return out


#: Action columns of the contact model's features (see ``features._contact``).
_HOUR_COLUMN = "hour"
_HOUR_PREFIX = "hour_"
_CHANNEL_PREFIX = "channel_"
_DAYS_SINCE_PREFIX = "days_since_last_"


def _action_columns(X: pd.DataFrame) -> list[str]:
    cols = [_CHANNEL_PREFIX + c for c in CHANNELS]
    missing = [c for c in [*cols, _HOUR_COLUMN] if c not in X.columns]
    if missing:
        raise ConfigError(
            f"X lacks the action column(s) {', '.join(missing)}; build it with "
            "collectscore.models contact_training_frame (channel one-hot and hour)"
        )
    return cols


def _with_action(X: pd.DataFrame, channel: str, hour: int, channel_cols: list[str]) -> pd.DataFrame:
    """``X`` with its action columns set to (channel, hour), same day and history."""
    out = X.copy()
    for col in channel_cols:
        out[col] = np.full(len(out), col == _CHANNEL_PREFIX + channel).astype(X[col].dtype)
    shift = (hour - X[_HOUR_COLUMN].to_numpy(float)) / 24.0
    out[_HOUR_COLUMN] = np.full(len(out), hour).astype(X[_HOUR_COLUMN].dtype)
    for c in CHANNELS:
        # the hour seen through each channel: the new hour on the new channel, NaN elsewhere
        col = _HOUR_PREFIX + c
        if col in out.columns:
            out[col] = np.full(len(out), hour if c == channel else np.nan, dtype=float)
    for col in out.columns:
        # "days since the last contact / success" are measured at the send time
        if str(col).startswith(_DAYS_SINCE_PREFIX):
            out[col] = X[col].to_numpy(float) + shift
    return out


def _positive_proba(model: Any, X: pd.DataFrame) -> np.ndarray:
    p = np.asarray(model.predict_proba(X), dtype=float)
    return p[:, 1] if p.ndim == 2 else p
