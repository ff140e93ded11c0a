"""Recommend, per debtor, the contact worth the most now: which channel, when, or none.

For each debtor snapshot and a moment ``now``, every (channel, hourly slot) of the next
``days`` days (``candidate_frame``) goes through the debtor's rule pack
(``allowed_slots``); the allowed ones are scored by the contact model (snapshot +
history + action features, ``predict_proba``) and valued as

    value = outstanding x P(success) x uplift(p_pay) - cost[channel]
    uplift(p_pay) = sigmoid(logit(p_pay) + reach_effect) - p_pay

the expected extra amount recovered because the debtor was reached, minus what the
contact costs. Not contacting is an action worth 0, so a debtor who will pay anyway
(uplift near 0) or whose best contact costs more than it brings is left alone.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._contract import CHANNELS, CONSENT_PREFIX, DEBTORS
from .._errors import EXAMPLE_ROWS, ConfigError, ContractError, Problem, did_you_mean

Exploration = Literal["epsilon", "thompson"]

#: The "do not contact" action's name in the outputs.
NO_CONTACT = "no_contact"

#: Default cost of one contact attempt per channel, in the debt's currency units.
DEFAULT_COSTS: dict[str, float] = {
    "sms": 0.05,
    "email": 0.01,
    "whatsapp": 0.03,
    "push": 0.01,
    "call": 1.50,
    "ivr": 0.30,
}


@dataclass(frozen=True)
class RecommendConfig:
    """How recommendations are searched, valued and (optionally) explored.

    - ``days`` / ``hours``: slots of the next ``days`` days at these whole local hours;
    - ``costs``: cost per contact by channel (debt currency; unlisted channels cost 0);
    - ``reach_effect``: log-odds by which reaching the debtor raises p_pay;
    - ``exploration``: ``None`` (always the best), ``"epsilon"`` (a uniformly random
      allowed action with probability ``epsilon``) or ``"thompson"`` (the best action
      under P(success) drawn from Beta(p s, (1 - p) s) with s = ``thompson_strength``;
      its choice probability estimated from ``thompson_draws`` draws);
    - ``top_k``: alternatives listed per debtor; ``seed``: exploration's random seed;
    - ``packs``: custom rule packs by country code (``collectscore.rules.load_pack``).
    """

    days: int = 7
    hours: tuple[int, ...] = tuple(range(7, 22))
    costs: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_COSTS))
    reach_effect: float = 1.1
    exploration: Exploration | None = None
    epsilon: float = 0.1
    thompson_strength: float = 50.0
    thompson_draws: int = 1000
    top_k: int = 5
    seed: int = 0
    packs: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        def bad(key: str, expected: str, fix: str) -> ConfigError:
            return ConfigError(
                f"RecommendConfig.{key} must be {expected}; got {getattr(self, key)!r}. Fix: {fix}"
            )

        if not _whole(self.days) or self.days < 1:
            raise bad("days", "a whole number of days >= 1", "e.g. days=7")
        hours = tuple(self.hours)
        if not hours or not all(_whole(h) and 0 <= h <= 23 for h in hours):
            raise bad("hours", "whole local hours 0-23", "e.g. hours=range(7, 22)")
        object.__setattr__(self, "hours", tuple(int(h) for h in hours))
        unknown = [c for c in self.costs if c not in CHANNELS]
        if unknown:
            raise ConfigError(
                f"RecommendConfig.costs names an unknown channel {unknown[0]!r}"
                f"{did_you_mean(str(unknown[0]), CHANNELS)}. Channels: {', '.join(CHANNELS)}"
            )
        if not all(_real(v) and v >= 0 for v in self.costs.values()):
            raise bad("costs", "numbers >= 0 per channel", "e.g. costs={'call': 1.5, 'sms': 0.05}")
        if not _real(self.reach_effect):
            raise bad("reach_effect", "a number (log-odds)", "e.g. reach_effect=1.1")
        if self.exploration not in (None, "epsilon", "thompson"):
            raise ConfigError(
                f"RecommendConfig.exploration must be None, 'epsilon' or 'thompson'; got "
                f"{self.exploration!r}{did_you_mean(str(self.exploration), ('epsilon', 'thompson'))}"
            )
        if not (_real(self.epsilon) and 0 <= self.epsilon <= 1):
            raise bad("epsilon", "a probability in [0, 1]", "e.g. epsilon=0.1")
        if not (_real(self.thompson_strength) and self.thompson_strength > 0):
            raise bad("thompson_strength", "a number > 0 (pseudo-contacts)", "e.g. 50")
        if not _whole(self.thompson_draws) or self.thompson_draws < 10:
            raise bad("thompson_draws", "a whole number >= 10", "e.g. 1000")
        if not _whole(self.top_k) or self.top_k < 0:
            raise bad("top_k", "a whole number >= 0", "e.g. top_k=5")
        if not _whole(self.seed) or self.seed < 0:
            raise bad("seed", "a whole number >= 0", "e.g. seed=0")

    def cost(self, channel: pd.Series | np.ndarray) -> np.ndarray:
        """Cost of each channel of ``channel`` (0 for unlisted ones)."""
        return pd.Series(channel).map(dict(self.costs)).fillna(0.0).to_numpy(float)


@dataclass
class Recommendations:
    """What to do with each debtor.

    - ``best``: one row per debtor: ``action`` (``"contact"`` or ``"no_contact"``),
      ``channel``, ``send_at`` (debtor-local), ``send_at_utc``, ``p_success``, ``value``,
      ``choice_probability`` (probability with which this action was chosen: 1 without
      exploration), ``explored``, ``pack`` and a ``reason`` sentence;
    - ``alternatives``: the next ``top_k`` actions per debtor (``rank`` 2, 3, ...);
    - ``excluded``: per debtor, channel and rule, how many slots the rule pack excluded,
      the first such slot and the rule's reason.
    """

    best: pd.DataFrame
    alternatives: pd.DataFrame
    excluded: pd.DataFrame


def uplift(p_pay: Any, reach_effect: float) -> np.ndarray:
    """Extra probability to pay when the debtor is reached: ``sigmoid(logit p + effect) - p``."""
    p = np.clip(np.asarray(p_pay, dtype=float), 1e-9, 1 - 1e-9)
    reached = 1.0 / (1.0 + np.exp(-(np.log(p / (1 - p)) + reach_effect)))
    return reached - p


def recommend(
    debtors: pd.DataFrame,
    now: Any,
    model: Any,
    *,
    features: pd.DataFrame | None = None,
    contacts: pd.DataFrame | None = None,
    paydays: pd.DataFrame | None = None,
    config: RecommendConfig | None = None,
) -> Recommendations:
    """The best contact (or none) for each debtor snapshot, within its rule pack.

    ``debtors``: one row per debtor (its latest snapshot) with ``debtor_id``,
    ``outstanding``, ``p_pay`` (calibrated probability to pay) and optionally ``as_of``,
    ``country`` (selects the pack; others get ``DEFAULT``), ``timezone`` and
    ``consent_<channel>``. ``now``: the moment of the decision (tz-aware; a naive one
    is read as debtor-local). ``model``: a fitted ``ContactModel`` (or any classifier
    with ``predict_proba`` and ``feature_names_in_``). ``features``: the snapshot
    features (``build_features``), indexed by (debtor_id, as_of) or in ``debtors``'
    row order. ``contacts``: the contact history (caps, gaps and history features).
    ``paydays``: a ``payday_calendar`` for the payday features; each slot reads the
    calendar of the debtor's latest ``as_of`` on or before its day, so one built at the
    day before ``now`` (``debtors.assign(as_of=...)``) uses the freshest income.
    """
    from ..models._contact import candidate_grid
    from ..rules import to_utc

    config = config or RecommendConfig()
    frame = _check_debtors(debtors)
    snap = _snapshot_features(frame, features)
    history = _history(contacts, frame)
    n = len(frame)
    ids = frame["debtor_id"].to_numpy(dtype=object)
    zones = _zones(frame)
    packs, pack_of = _packs(frame, config.packs, now, config)

    # every (debtor, slot, channel), by debtor, then time, then channel
    slot_pos, slot_at = candidate_grid(ids, pd.Series(zones), now, config.days, config.hours)
    n_ch = len(CHANNELS)
    pos = np.repeat(slot_pos, n_ch)
    code = np.tile(np.arange(n_ch, dtype=np.int64), len(slot_pos))
    send_at = np.repeat(slot_at, n_ch)

    consent = _consent_table(frame)
    rule, reason, rule_ids = _rules(
        packs, pack_of, pos, code, send_at, history, ids, consent, zones
    )
    allowed = rule < 0

    a_pos, a_code, a_at = pos[allowed], code[allowed], send_at[allowed]
    p = _score(a_pos, a_code, a_at, ids, snap, history, paydays, model)
    cost_of = config.cost(pd.Series(CHANNELS))
    a_cost = cost_of[a_code]
    lift = uplift(frame["p_pay"].to_numpy(float), config.reach_effect)
    out_amt = frame["outstanding"].to_numpy(float)[a_pos]
    a_value = out_amt * p * lift[a_pos] - a_cost

    # the actions: allowed contacts, then not contacting (worth 0) per debtor, best first
    act = _Actions(
        pos=np.concatenate([a_pos, np.arange(n)]),
        code=np.concatenate([a_code, np.full(n, -1)]),
        send_at=np.concatenate([a_at, np.full(n, np.datetime64("NaT"), "datetime64[us]")]),
        p=np.concatenate([p, np.full(n, np.nan)]),
        value=np.concatenate([a_value, np.zeros(n)]),
        cost=np.concatenate([a_cost, np.zeros(n)]),
    ).ranked()

    chosen, prob, explored = _choose(act, n, config)
    best = act.frame(chosen, ids)
    best["choice_probability"] = prob
    best["explored"] = explored
    best["exploration"] = config.exploration or "greedy"
    best["pack"] = [packs[k].name for k in pack_of]
    best["p_pay"] = frame["p_pay"].to_numpy(float)
    best["outstanding"] = frame["outstanding"].to_numpy(float)
    if "as_of" in frame.columns:
        best["as_of"] = frame["as_of"].to_numpy()
    stated = (
        frame["timezone"] if "timezone" in frame.columns else pd.Series("UTC", index=frame.index)
    )
    best["timezone"] = stated.astype(object).where(stated.notna(), "UTC").to_numpy()
    best["send_at_utc"] = to_utc(best["send_at"], pd.Series(best["timezone"].to_numpy()))
    n_allowed = np.bincount(a_pos, minlength=n)
    best["reason"] = _reasons(best, n_allowed, lift, config)

    # a recommendation outside its pack is a bug: every chosen contact is checked again,
    # by a plain reading of the rules independent of the engine that allowed it
    _recheck(best, packs, pack_of, history, ids, consent, zones)

    best_cols = [
        "debtor_id",
        *(["as_of"] if "as_of" in best.columns else []),
        "pack",
        "action",
        "channel",
        "send_at",
        "timezone",
        "send_at_utc",
        "p_success",
        "p_pay",
        "outstanding",
        "value",
        "choice_probability",
        "exploration",
        "explored",
        "reason",
    ]
    alternatives = act.frame(_alternatives(act, chosen, config.top_k), ids)
    alternatives = alternatives[
        ["debtor_id", "rank", "action", "channel", "send_at", "p_success", "value"]
    ].reset_index(drop=True)
    return Recommendations(
        best=best[best_cols],
        alternatives=alternatives,
        excluded=_excluded(pos, code, send_at, rule, reason, rule_ids, ids),
    )


# ---------------------------------------------------------------------- steps
_CHANNEL_NAMES = np.array(CHANNELS, dtype=object)
#: Payday features: the only action features that depend on the calendar (per debtor and day).
_PAYDAY_COLUMNS = ("days_since_payday", "days_until_payday")
#: Rows per ``predict_proba`` call (bounds the memory of the feature matrix).
_CHUNK = 1 << 17


def _rules(
    packs: list[Any],
    pack_of: np.ndarray,
    pos: np.ndarray,
    code: np.ndarray,
    send_at: np.ndarray,
    history: pd.DataFrame,
    ids: np.ndarray,
    consent: np.ndarray,
    zones: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Per candidate the excluding rule (index into the returned ids, -1: allowed) and reason."""
    from ..rules._batch import Contacts, check_batch
    from ..rules._engine import _FIX_LOCAL
    from ..rules._inputs import check_frame

    check_frame(history, "history", ("channel", "sent_at", "success"), "sent_at", _FIX_LOCAL)
    h_pos = pd.Index(ids).get_indexer(history["debtor_id"].to_numpy(dtype=object))
    h_code = pd.Index(CHANNELS).get_indexer(history["channel"].to_numpy(dtype=object))
    h_ns = history["sent_at"].to_numpy().astype("datetime64[ns]").astype(np.int64)
    h_success = history["success"].to_numpy(dtype=bool)
    t_ns = send_at.astype("datetime64[ns]").astype(np.int64)
    rule = np.full(len(pos), -1, dtype=np.int64)
    reason = np.full(len(pos), None, dtype=object)
    rule_ids: list[str] = []
    group = pack_of[pos]
    h_group = pack_of[h_pos]
    for k, pack in enumerate(packs):
        rows = np.flatnonzero(group == k)
        if not rows.size:
            continue
        mine = h_group == k
        verdicts = check_batch(
            pack,
            Contacts(pos[rows], code[rows], t_ns[rows]),
            Contacts(h_pos[mine], h_code[mine], h_ns[mine]),
            h_success[mine],
            consent,
            zones,
        )
        index = []
        for r in verdicts.rules:
            if r.id not in rule_ids:
                rule_ids.append(r.id)
            index.append(rule_ids.index(r.id))
        glob = np.array([*index, -1], dtype=np.int64)[verdicts.rule]
        rule[rows] = glob
        reason[rows] = verdicts.reason
    return rule, reason, rule_ids


def _score(
    pos: np.ndarray,
    code: np.ndarray,
    send_at: np.ndarray,
    ids: np.ndarray,
    snap: pd.DataFrame | None,
    history: pd.DataFrame,
    paydays: pd.DataFrame | None,
    model: Any,
) -> np.ndarray:
    """The model's P(success) of each allowed slot (rows by debtor, then time, then channel).

    History and payday features depend on the debtor and the time only: they are built
    once per (debtor, time) and shared by its channels.
    """
    from ..features._contact import action_features, contact_history_features

    m = len(pos)
    if m == 0:
        return np.zeros(0)
    first = np.ones(m, dtype=bool)
    first[1:] = (pos[1:] != pos[:-1]) | (send_at[1:] != send_at[:-1])
    slot = np.cumsum(first) - 1
    u_pos, u_at = pos[first], send_at[first]
    at = pd.DataFrame({"debtor_id": ids[u_pos], "time": u_at})
    hist = contact_history_features(history, at)
    cand = pd.DataFrame(
        {"debtor_id": ids[pos], "channel": _CHANNEL_NAMES[code], "send_at": send_at}
    )
    act = action_features(cand, None)
    # each column: where its values come from and which row each slot reads (the last
    # source of a name wins, as in concatenating snapshot, history and action features)
    sources: list[tuple[str, pd.Series, np.ndarray | None]] = []
    if snap is not None:
        sources += [(str(c), snap[c], pos) for c in snap.columns]
    sources += [(str(c), hist[c], slot) for c in hist.columns]
    if paydays is not None:
        one = pd.DataFrame(
            {"debtor_id": ids[u_pos], "channel": _CHANNEL_NAMES[code[first]], "send_at": u_at}
        )
        pay = action_features(one, paydays)
    for c in act.columns:
        if paydays is not None and c in _PAYDAY_COLUMNS:
            sources.append((str(c), pay[c], slot))
        else:
            sources.append((str(c), act[c], None))
    names_all = pd.Index([name for name, _, _ in sources])
    kept = [
        src for src, dup in zip(sources, names_all.duplicated(keep="last"), strict=True) if not dup
    ]
    by_name = {name: (values, index) for name, values, index in kept}
    names = getattr(model, "feature_names_in_", None)
    if names is not None:
        missing = [str(c) for c in names if c not in by_name]
        if missing:
            shown = ", ".join(missing[:EXAMPLE_ROWS])
            more = f" (+{len(missing) - EXAMPLE_ROWS} more)" if len(missing) > EXAMPLE_ROWS else ""
            raise ConfigError(
                f"the contact model needs feature(s) {shown}{more} that recommend cannot build. "
                "Fix: pass features=build_features(transactions, debtors, ...) for the "
                "debtors' snapshots (the same features the model was trained on)"
            )
        columns = [str(c) for c in names]
    else:
        columns = [name for name, _, _ in kept]
    parts = []
    for lo in range(0, m, _CHUNK):
        rows = np.arange(lo, min(lo + _CHUNK, m))
        X = _matrix(columns, by_name, rows)
        p = np.asarray(model.predict_proba(X), dtype=float)
        parts.append(p[:, 1] if p.ndim == 2 else p)
    return np.concatenate(parts)


def _matrix(
    columns: list[str], by_name: dict[str, tuple[pd.Series, np.ndarray | None]], rows: np.ndarray
) -> pd.DataFrame:
    """The feature rows ``rows`` as a DataFrame with ``columns`` (one float block when it can)."""
    picked = [
        (by_name[c][0], rows if by_name[c][1] is None else by_name[c][1][rows]) for c in columns
    ]
    if all(values.dtype == np.float64 for values, _ in picked):
        block = np.empty((len(rows), len(columns)), dtype=np.float64, order="F")
        for j, (values, index) in enumerate(picked):
            block[:, j] = values.to_numpy()[index]
        return pd.DataFrame(block, columns=columns, copy=False)
    return pd.DataFrame(
        {
            c: values.take(index).reset_index(drop=True)
            for c, (values, index) in zip(columns, picked, strict=True)
        }
    )


@dataclass
class _Actions:
    """Contacts and no-contact actions as arrays (``code`` -1: not contacting)."""

    pos: np.ndarray
    code: np.ndarray
    send_at: np.ndarray
    p: np.ndarray
    value: np.ndarray
    cost: np.ndarray

    @property
    def contact(self) -> np.ndarray:
        return self.code >= 0

    def ranked(self) -> _Actions:
        """Per debtor: highest value first, then earliest, then channel order (stable)."""
        nat = np.isnat(self.send_at)
        t = np.where(nat, 0, self.send_at.astype(np.int64))
        nan = np.isnan(self.value)
        v = np.where(nan, 0.0, -self.value)
        order = np.lexsort((self.code, t, nat, v, nan, self.pos))
        return _Actions(*(getattr(self, f)[order] for f in ("pos", "code", "send_at", "p", "value", "cost")))  # fmt: skip

    def frame(self, idx: np.ndarray, ids: np.ndarray) -> pd.DataFrame:
        """Rows ``idx`` as the columns of the outputs (``rank`` when ``idx`` carries one)."""
        rank = None
        if isinstance(idx, tuple):
            idx, rank = idx
        contact = self.contact[idx]
        channel = np.where(contact, _CHANNEL_NAMES[np.where(contact, self.code[idx], 0)], None)
        out = pd.DataFrame(
            {
                "debtor_id": pd.Series(ids[self.pos[idx]], dtype="str"),
                "_pos": self.pos[idx],
                "action": pd.Series(np.where(contact, "contact", NO_CONTACT), dtype="str"),
                "channel": pd.Series(channel, dtype=object),
                "send_at": pd.Series(self.send_at[idx], dtype="datetime64[us]"),
                "p_success": self.p[idx],
                "value": self.value[idx],
                "_cost": self.cost[idx],
            }
        )
        if rank is not None:
            out["rank"] = rank
        return out


def _alternatives(act: _Actions, chosen: np.ndarray, top_k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per debtor, the best remaining slot of each channel (and not contacting), ranked.

    The chosen action's channel is listed again only with a slot worth more than the
    chosen one (possible when exploration picked it). Returns rows of ``act`` and ranks.
    """
    n_groups = len(CHANNELS) + 1
    group = np.where(act.contact, act.code, len(CHANNELS))
    picked = np.zeros(len(act.pos), dtype=bool)
    picked[chosen] = True
    size = int(act.pos.max()) + 1 if len(act.pos) else 0
    chosen_group = np.full(size, -1, dtype=np.int64)
    chosen_value = np.zeros(size)
    chosen_group[act.pos[chosen]] = group[chosen]
    chosen_value[act.pos[chosen]] = act.value[chosen]
    same = (group == chosen_group[act.pos]) & (act.value <= chosen_value[act.pos])
    rest = np.flatnonzero(~picked & ~same)
    _, first = np.unique(act.pos[rest] * n_groups + group[rest], return_index=True)
    rest = rest[np.sort(first)]  # sorted best first: the first of each (debtor, group)
    starts = (
        np.flatnonzero(np.r_[True, act.pos[rest][1:] != act.pos[rest][:-1]])
        if len(rest)
        else np.zeros(0, int)
    )
    counts = np.diff(np.r_[starts, len(rest)])
    rank = np.arange(len(rest)) - np.repeat(starts, counts) + 2
    keep = rank <= top_k + 1
    return rest[keep], rank[keep]


def _choose(
    act: _Actions, n: int, config: RecommendConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row of ``act`` chosen per debtor, its choice probability, and whether explored."""
    starts = np.searchsorted(act.pos, np.arange(n))
    ends = np.append(starts[1:], len(act.pos))
    greedy = starts.copy()  # actions are sorted best first within each debtor
    if config.exploration is None:
        return greedy, np.ones(n), np.zeros(n, dtype=bool)
    rng = np.random.default_rng(config.seed)
    sizes = ends - starts
    if config.exploration == "epsilon":
        eps = float(config.epsilon)
        explore = rng.random(n) < eps
        offset = np.floor(rng.random(n) * sizes).astype(np.int64)
        chosen = np.where(explore, starts + offset, greedy)
        prob = eps / sizes + (1 - eps) * (chosen == greedy)
        return chosen, prob, chosen != greedy
    # Thompson: P(success) drawn from a Beta around the prediction, per debtor
    p = act.p
    value = act.value
    cost = act.cost
    contact = act.contact
    per_success = np.where(contact, (value + cost) / np.where(p > 0, p, 1.0), 0.0)
    s = float(config.thompson_strength)
    chosen = greedy.copy()
    prob = np.ones(n)
    for i in range(n):
        a, b = starts[i], ends[i]
        if b - a == 1:
            continue
        pi = np.clip(np.nan_to_num(p[a:b], nan=0.5), 1e-6, 1 - 1e-6)
        draws = np.where(
            contact[a:b],
            rng.beta(pi * s, (1 - pi) * s, size=(config.thompson_draws, b - a)),
            0.0,
        )
        sampled = draws * per_success[a:b] - cost[a:b]
        winner = sampled.argmax(axis=1)
        chosen[i] = a + winner[0]
        prob[i] = float(np.mean(winner == winner[0]))
    return chosen, prob, chosen != greedy


def _reasons(
    best: pd.DataFrame, n_allowed: np.ndarray, lift: np.ndarray, config: RecommendConfig
) -> np.ndarray:
    contact = best["action"].to_numpy() == "contact"
    when = pd.to_datetime(best["send_at"]).dt.strftime("%a %Y-%m-%d %H:%M").fillna("")
    ch = best["channel"].astype(object).fillna("").astype(str)
    p = best["p_success"].map(lambda v: f"{v:.2f}" if pd.notna(v) else "")
    val = best["value"].map(lambda v: f"{v:,.2f}")
    out_amt = best["outstanding"].map(lambda v: f"{v:,.0f}")
    cost = pd.Series(config.cost(best["channel"].fillna("")), index=best.index).map(
        lambda v: f"{v:g}"
    )
    up = pd.Series(lift, index=best.index).map(lambda v: f"{v:.3f}")
    text_contact = (
        ch
        + " at "
        + when
        + " (debtor-local): P(success) "
        + p
        + " x outstanding "
        + out_amt
        + " x payment uplift "
        + up
        + " - cost "
        + cost
        + " = "
        + val
        + ", more than not contacting (0)"
    )
    text_none = (
        "not contacting: "
        + pd.Series(n_allowed, index=best.index).map(
            lambda k: (
                "the rule pack allows no slot in the window"
                if k == 0
                else f"none of the {k} allowed slots is worth its cost"
            )
        )
        + " (p_pay "
        + best["p_pay"].map(lambda v: f"{v:.2f}")
        + ", payment uplift when reached "
        + up
        + ")"
    )
    text = np.where(contact, text_contact, text_none).astype(object)
    explored = best["explored"].to_numpy(bool)
    if explored.any():
        text[explored] = (
            pd.Series(text[explored]).astype(str)
            + f"; chosen by {config.exploration} exploration, not the best-valued action"
        ).to_numpy(dtype=object)
    return text


def _excluded(
    pos: np.ndarray,
    code: np.ndarray,
    send_at: np.ndarray,
    rule: np.ndarray,
    reason: np.ndarray,
    rule_ids: list[str],
    ids: np.ndarray,
) -> pd.DataFrame:
    """Per debtor, channel and rule: excluded slots, the first one and the rule's reason."""
    cols = ["debtor_id", "channel", "rule", "slots", "first_slot", "reason"]
    out = np.flatnonzero(rule >= 0)
    if len(out) == 0:
        return pd.DataFrame(columns=cols)
    key = (pos[out] * len(CHANNELS) + code[out]) * len(rule_ids) + rule[out]
    _, first, slots = np.unique(key, return_index=True, return_counts=True)
    # candidates run by debtor then time: a group's first row is its earliest slot
    rows = out[first]
    order = np.lexsort((first, send_at[rows], code[rows], pos[rows]))
    rows, slots = rows[order], slots[order]
    return pd.DataFrame(
        {
            "debtor_id": pd.Series(ids[pos[rows]], dtype="str"),
            "channel": pd.Series(_CHANNEL_NAMES[code[rows]], dtype="str"),
            "rule": pd.Series(np.array(rule_ids, dtype=object)[rule[rows]], dtype="str"),
            "slots": slots.astype(np.int64),
            "first_slot": pd.Series(send_at[rows], dtype="datetime64[us]"),
            "reason": pd.Series(reason[rows], dtype=object),
        }
    )


def _recheck(
    best: pd.DataFrame,
    packs: list[Any],
    pack_of: np.ndarray,
    history: pd.DataFrame,
    ids: np.ndarray,
    consent: np.ndarray,
    zones: np.ndarray,
) -> None:
    """Raise when a chosen contact breaks a rule of its pack (a plain reading of the rules)."""
    which = np.flatnonzero(best["action"].to_numpy() == "contact")
    if not which.size:
        return
    channel = best["channel"].to_numpy(dtype=object)[which]
    ch = pd.Index(CHANNELS).get_indexer(channel)
    when = best["send_at"].to_numpy()[which].astype("datetime64[ns]")
    day = when.astype("datetime64[D]").astype(np.int64)
    clock = (when - when.astype("datetime64[D]")).astype("timedelta64[m]").astype(np.int64)
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
    broken = np.zeros((len(which), 0), dtype=bool)
    names: list[str] = []

    def found(rule_id: str, mask: np.ndarray) -> None:
        nonlocal broken
        names.append(rule_id)
        broken = np.column_stack([broken, mask])

    mine = consent[which, ch]
    found("consent", mine == 0)
    opt_in = np.array([pack.consent == "opt_in" for pack in packs], dtype=bool)[pack_of[which]]
    found("consent (opt-in)", opt_in & (mine != 1))
    # a wall-clock time that exists goes to UTC and back unchanged
    back = np.empty(len(which), dtype="datetime64[ns]")
    for name in pd.unique(zones[which]):
        rows = np.flatnonzero(zones[which] == name)
        local = pd.Series(when[rows], dtype="datetime64[ns]")
        utc = local.dt.tz_localize(
            str(name), ambiguous=np.ones(len(rows), bool), nonexistent="shift_forward"
        ).dt.tz_convert("UTC")
        back[rows] = utc.dt.tz_convert(str(name)).dt.tz_localize(None).to_numpy()
    found("local_time", back != when)
    hol = np.zeros(len(which), dtype=bool)
    hours = np.zeros(len(which), dtype=bool)
    gaps = np.zeros(len(which), dtype=bool)
    caps = np.zeros(len(which), dtype=bool)
    week = np.zeros(len(which), dtype=bool)
    h_pos = pd.Index(ids).get_indexer(history["debtor_id"].to_numpy(dtype=object))
    h_day = history["sent_at"].to_numpy().astype("datetime64[D]").astype(np.int64)
    h_ch = history["channel"].to_numpy(dtype=object)
    h_t = history["sent_at"].to_numpy().astype("datetime64[ns]")
    h_ok = history["success"].to_numpy(dtype=bool)
    # every (chosen contact, past contact of the same debtor) pair
    order = np.argsort(h_pos, kind="stable")
    counts = np.bincount(h_pos, minlength=len(ids))
    starts = np.cumsum(counts) - counts
    per = counts[which]
    left = np.repeat(np.arange(len(which)), per)
    right = order[
        np.repeat(starts[which], per) + np.arange(per.sum()) - np.repeat(np.cumsum(per) - per, per)
    ]
    t = when[left]
    apart = np.abs(day[left] - h_day[right])
    for k, pack in enumerate(packs):
        here = pack_of[which] == k
        if not here.any():
            continue
        rows = np.flatnonzero(here)
        if pack.holiday_rule is not None:
            dates = pd.Series(day[rows].astype("datetime64[D]").astype(object), dtype=object)
            listed = set(pack.holiday_dates)
            if pack.holiday_country:
                calendar = _calendar(pack.holiday_country, pack.holiday_subdiv)
                listed |= {d for d in dates.unique() if d in calendar}
            hol[rows] = dates.isin(listed).to_numpy()
        ok = np.zeros(len(rows), dtype=bool)
        for wd, spans in enumerate(pack.windows):
            for w in spans:
                ok |= (weekday[rows] == wd) & (clock[rows] >= w.start) & (clock[rows] < w.end)
        hours[rows] = ~ok
        pair = here[left]
        c_in = channel[left]
        for gap in pack.gaps:
            triggers = gap.channels if gap.trigger is None else gap.trigger
            near = pair & (apart < gap.days) & (h_ok[right] | (gap.after != "conversation"))
            before = h_t[right] < t if gap.after == "conversation" else h_t[right] <= t
            hit = near & before & _within(gap.channels, c_in) & _within(triggers, h_ch[right])
            if gap.after == "contact":
                later = near & (h_t[right] >= t)
                hit |= later & _within(triggers, c_in) & _within(gap.channels, h_ch[right])
            gaps |= np.bincount(left[hit], minlength=len(which)) > 0
        for cap in pack.caps:
            counted = pair & _within(cap.channels, h_ch[right])
            offset = h_day[right] - day[left]
            if cap.period == "day":
                windows = [(0, 0)]
            elif cap.period == "week":
                windows = [(-weekday[left], 6 - weekday[left])]
            else:
                span = int(cap.period)
                windows = [(-j, -j + span - 1) for j in range(span)]
            for lo, hi in windows:
                inside = counted & (offset >= lo) & (offset <= hi)
                full = np.bincount(left[inside], minlength=len(which)) + 1 > cap.max
                caps |= full & here & _within(cap.channels, channel)
        if pack.one_channel_per_week is not None:
            monday = day[left] - weekday[left]
            same_week = (h_day[right] >= monday) & (h_day[right] <= monday + 6)
            other = pair & same_week & (h_ch[right] != c_in)
            week |= np.bincount(left[other], minlength=len(which)) > 0
    found("holiday", hol)
    found("hours", hours)
    found("gap", gaps)
    found("cap", caps)
    found("one channel a week", week)
    bad = broken.any(axis=1)
    if bad.any():  # pragma: no cover - guarded by the rule engine's property tests
        i = int(np.flatnonzero(bad)[0])
        rules = [name for name, hit in zip(names, broken[i], strict=True) if hit]
        raise RuntimeError(
            f"recommendation for debtor {ids[which[i]]!r} breaks {', '.join(rules)}; "
            "please report this as a bug"
        )


@functools.lru_cache(maxsize=64)
def _calendar(country: str, subdiv: str | None) -> Any:
    import holidays

    return holidays.country_holidays(country, subdiv=subdiv)


def _within(channels: frozenset[str] | None, values: np.ndarray) -> np.ndarray:
    if channels is None:
        return np.ones(len(values), dtype=bool)
    return np.isin(values, list(channels))


# ---------------------------------------------------------------------- inputs
_REQUIRED = ("debtor_id", "outstanding", "p_pay")


def _check_debtors(debtors: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(debtors, pd.DataFrame):
        raise ConfigError(
            f"debtors must be a pandas DataFrame (one row per debtor); got {type(debtors).__name__}"
        )
    problems: list[Problem] = []
    for col in _REQUIRED:
        if col not in debtors.columns:
            fix = (
                "score the debtors first and add the calibrated probability to pay as 'p_pay'"
                if col == "p_pay"
                else f"add the column{did_you_mean(col, map(str, debtors.columns))}"
            )
            problems.append(
                Problem(DEBTORS.name, col, "a column named " + repr(col), "no such column", fix)
            )
    if problems:
        raise ContractError(problems)
    if len(debtors) == 0:
        raise ConfigError("debtors is empty; give at least one debtor snapshot to recommend for")
    frame = debtors.reset_index(drop=True)
    frame["debtor_id"] = frame["debtor_id"].astype(str)
    checks = [
        ("outstanding", "a number >= 0", lambda v: v.notna() & (v >= 0), DEBTORS.column("outstanding").hint),
        ("p_pay", "a probability in [0, 1]", lambda v: v.notna() & (v >= 0) & (v <= 1), "give calibrated probabilities (PropensityModel.predict_proba[:, 1])"),
    ]  # fmt: skip
    for col, expected, ok, fix in checks:
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = ~ok(values).to_numpy(bool)
        if bad.any():
            rows = tuple(int(i) for i in np.flatnonzero(bad)[:EXAMPLE_ROWS])
            problems.append(
                Problem(
                    DEBTORS.name,
                    col,
                    expected,
                    repr(frame[col].iloc[rows[0]]),
                    fix,
                    rows,
                    int(bad.sum()),
                )
            )
        frame[col] = values
    dup = frame["debtor_id"].duplicated(keep=False).to_numpy()
    if dup.any():
        rows = tuple(int(i) for i in np.flatnonzero(dup)[:EXAMPLE_ROWS])
        problems.append(
            Problem(
                DEBTORS.name,
                "debtor_id",
                "one row per debtor (the snapshot to act on)",
                f"debtor {frame['debtor_id'].iloc[rows[0]]!r} more than once",
                "keep each debtor's latest snapshot, e.g. "
                "debtors.sort_values('as_of').groupby('debtor_id').tail(1)",
                rows,
                int(dup.sum()),
            )
        )
    if problems:
        raise ContractError(problems)
    return frame


def _snapshot_features(frame: pd.DataFrame, features: pd.DataFrame | None) -> pd.DataFrame | None:
    if features is None:
        return None
    if not isinstance(features, pd.DataFrame):
        raise ConfigError(
            f"features must be a DataFrame (build_features); got {type(features).__name__}"
        )
    names = list(features.index.names)
    if names[:2] == ["debtor_id", "as_of"] and "as_of" in frame.columns:
        keys = pd.MultiIndex.from_arrays(
            [
                frame["debtor_id"].astype(str),
                pd.to_datetime(frame["as_of"]).astype("datetime64[us]"),
            ]
        )
        idx = features.index
        idx = pd.MultiIndex.from_arrays(
            [
                idx.get_level_values(0).astype(str),
                pd.to_datetime(idx.get_level_values(1)).astype("datetime64[us]"),
            ]
        )
        pos = idx.get_indexer(keys)
        if (pos < 0).any():
            rows = tuple(int(i) for i in np.flatnonzero(pos < 0)[:EXAMPLE_ROWS])
            raise ContractError(
                [
                    Problem(
                        DEBTORS.name,
                        "debtor_id",
                        "a row of features for every (debtor_id, as_of)",
                        f"no features for debtor {frame['debtor_id'].iloc[rows[0]]!r}",
                        "build the features for these debtors: build_features(transactions, debtors)",
                        rows,
                        int((pos < 0).sum()),
                    )
                ]
            )
        return features.iloc[pos].reset_index(drop=True)
    if len(features) != len(frame):
        raise ConfigError(
            f"features has {len(features)} rows but debtors has {len(frame)}; give one row per "
            "debtor in the same order, or index them by (debtor_id, as_of) like build_features"
        )
    return features.reset_index(drop=True)


def _history(contacts: pd.DataFrame | None, frame: pd.DataFrame) -> pd.DataFrame:
    """The debtors' past contacts: debtor_id, channel, sent_at (naive local), success."""
    cols = ["debtor_id", "channel", "sent_at", "success"]
    if contacts is None:
        return pd.DataFrame(
            {
                "debtor_id": pd.Series([], dtype=str),
                "channel": pd.Series([], dtype=str),
                "sent_at": pd.Series([], dtype="datetime64[us]"),
                "success": pd.Series([], dtype=bool),
            }
        )
    if not isinstance(contacts, pd.DataFrame):
        raise ConfigError(f"contacts must be a DataFrame or None; got {type(contacts).__name__}")
    missing = [c for c in cols if c not in contacts.columns]
    if missing:
        raise ContractError(
            [
                Problem("contacts", c, f"a column named {c!r}", "no such column", "give the contact history per the contract (debtor_id, channel, sent_at, success)")
                for c in missing
            ]
        )  # fmt: skip
    ids = contacts["debtor_id"].astype(str)
    mine = ids.isin(set(frame["debtor_id"])).to_numpy()
    part = contacts.loc[mine]
    sent = part["sent_at"]
    if isinstance(sent.dtype, pd.DatetimeTZDtype) or sent.dtype == object:
        from ..rules import local_times

        zones = frame if "as_of" in frame.columns else frame.assign(as_of=pd.Timestamp(0))
        sent = local_times(part, zones)
    return pd.DataFrame(
        {
            "debtor_id": part["debtor_id"].astype(str).to_numpy(),
            "channel": part["channel"].astype(str).to_numpy(),
            "sent_at": pd.to_datetime(pd.Series(sent.to_numpy()))
            .astype("datetime64[us]")
            .to_numpy(),
            "success": part["success"].astype(bool).to_numpy(),
        }
    )


def _zones(frame: pd.DataFrame) -> np.ndarray:
    """Each debtor's IANA time zone (UTC when missing or empty)."""
    if "timezone" not in frame.columns:
        return np.full(len(frame), "UTC", dtype=object)
    raw = frame["timezone"].astype(object).to_numpy()
    blank = pd.isna(raw) | (raw == "")
    return np.array([str(v) for v in np.where(blank, "UTC", raw)], dtype=object)


def _packs(
    frame: pd.DataFrame, custom: Mapping[str, Any] | None, now: Any, config: RecommendConfig
) -> tuple[list[Any], np.ndarray]:
    """The distinct rule packs and, per debtor, the index of its pack.

    A country that names no pack is an error raised in row order with the other per-debtor
    errors (time zone, ``now``), as when the debtors are checked one by one.
    """
    from ..models._contact import _known_zone, candidate_grid
    from ..rules import pack_for

    country = (
        frame["country"].astype(object).to_numpy()
        if "country" in frame.columns
        else np.full(len(frame), None, dtype=object)
    )
    codes, unique = pd.factorize(pd.Series(country, dtype=object), use_na_sentinel=False)
    found: list[Any] = []
    failed: dict[int, ConfigError] = {}
    for k, value in enumerate(unique):
        try:
            found.append(pack_for(None if _missing(value) else value, custom))
        except ConfigError as exc:
            found.append(None)
            failed[k] = exc
    if failed:
        first = int(np.flatnonzero(np.isin(codes, list(failed)))[0])
        # what the debtors before it (and its own time zone) raise comes first
        zones = _zones(frame)[: first + 1]
        ok = np.array([_known_zone(z) for z in pd.unique(zones)])
        if not ok.all() or first == 0:
            candidate_grid(
                frame["debtor_id"].to_numpy(dtype=object)[: first + 1],
                pd.Series(zones),
                now,
                config.days,
                config.hours,
            )
        raise failed[int(codes[first])]
    packs: list[Any] = []
    index = np.zeros(len(found), dtype=np.int64)
    for k, pack in enumerate(found):
        same = [j for j, p in enumerate(packs) if p is pack]
        if same:
            index[k] = same[0]
        else:
            index[k] = len(packs)
            packs.append(pack)
    return packs, index[codes]


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _consent_table(frame: pd.DataFrame) -> np.ndarray:
    """Consent per (debtor, channel): 1 given, 0 refused, -1 not stated (missing)."""
    out = np.full((len(frame), len(CHANNELS)), -1, dtype=np.int8)
    for j, c in enumerate(CHANNELS):
        name = CONSENT_PREFIX + c
        if name not in frame.columns:
            continue
        values = frame[name]
        stated = values.notna().to_numpy()
        if pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype):
            yes = values.fillna(0).to_numpy(dtype=float) != 0
        else:
            yes = values.map(lambda v: bool(v) if not _missing(v) else False).to_numpy(dtype=bool)
        out[stated, j] = yes[stated].astype(np.int8)
    return out


def _whole(v: object) -> bool:
    return isinstance(v, int | np.integer) and not isinstance(v, bool)


def _real(v: object) -> bool:
    return (
        isinstance(v, int | float | np.integer | np.floating)
        and not isinstance(v, bool)
        and bool(np.isfinite(v))
    )
