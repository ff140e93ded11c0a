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
    from ..models._contact import candidate_frame
    from ..rules import allowed_slots, pack_for, to_utc, violations

    config = config or RecommendConfig()
    frame = _check_debtors(debtors)
    snap = _snapshot_features(frame, features)
    history = _history(contacts, frame)
    by_debtor = {k: v for k, v in history.groupby("debtor_id", sort=False)} if len(history) else {}
    empty_history = history.iloc[:0]

    checked_parts: list[pd.DataFrame] = []
    packs: list[str] = []
    for pos, row in enumerate(frame.to_dict("records")):
        debtor_id = row["debtor_id"]
        hist = by_debtor.get(debtor_id, empty_history)
        cand = candidate_frame(row, hist, now, days=config.days, hours=config.hours)
        pack = pack_for(row.get("country"), config.packs)
        packs.append(pack.name)
        checked = allowed_slots(
            pack,
            cand[["channel", "send_at"]],
            hist[["channel", "sent_at", "success"]],
            _consent(row),
            timezone=_zone(row),
        )
        checked_parts.append(checked.assign(debtor_id=debtor_id, _pos=pos))
    checked = pd.concat(checked_parts, ignore_index=True) if checked_parts else pd.DataFrame()

    allowed = checked.loc[checked["allowed"].to_numpy(bool)].reset_index(drop=True)
    scored = _score(allowed, frame, snap, history, paydays, model)
    scored = scored.assign(
        action="contact",
        _cost=config.cost(scored["channel"]),
    )
    out_amt = frame["outstanding"].to_numpy(float)[scored["_pos"].to_numpy()]
    lift = uplift(frame["p_pay"].to_numpy(float), config.reach_effect)
    scored["value"] = (
        out_amt * scored["p_success"].to_numpy() * lift[scored["_pos"]] - scored["_cost"]
    )
    nothing = pd.DataFrame(
        {
            "debtor_id": frame["debtor_id"].to_numpy(),
            "_pos": np.arange(len(frame)),
            "action": NO_CONTACT,
            "channel": None,
            "send_at": pd.Series(pd.NaT, index=range(len(frame)), dtype="datetime64[us]"),
            "p_success": np.nan,
            "value": 0.0,
            "_cost": 0.0,
        }
    )
    actions = pd.concat([scored[nothing.columns], nothing], ignore_index=True)
    actions["_ch"] = pd.Categorical(actions["channel"], categories=list(CHANNELS)).codes
    actions = actions.sort_values(
        ["_pos", "value", "send_at", "_ch"],
        ascending=[True, False, True, True],
        na_position="last",
        kind="stable",
    ).reset_index(drop=True)

    chosen, prob, explored = _choose(actions, len(frame), config)
    best = actions.loc[chosen].reset_index(drop=True)
    best["choice_probability"] = prob
    best["explored"] = explored
    best["exploration"] = config.exploration or "greedy"
    best["pack"] = packs
    best["p_pay"] = frame["p_pay"].to_numpy(float)
    best["outstanding"] = frame["outstanding"].to_numpy(float)
    if "as_of" in frame.columns:
        best["as_of"] = frame["as_of"].to_numpy()
    zones = (
        frame["timezone"] if "timezone" in frame.columns else pd.Series("UTC", index=frame.index)
    )
    best["timezone"] = zones.astype(object).where(zones.notna(), "UTC").to_numpy()
    best["send_at_utc"] = to_utc(best["send_at"], pd.Series(best["timezone"].to_numpy()))
    n_allowed = np.bincount(allowed["_pos"].to_numpy(), minlength=len(frame))
    best["reason"] = _reasons(best, n_allowed, lift, config)

    # a recommendation outside its pack is a bug: every chosen contact is checked again
    for i in np.flatnonzero(best["action"].to_numpy() == "contact"):
        row = frame.iloc[i].to_dict()
        hist = by_debtor.get(row["debtor_id"], empty_history)
        broken = violations(
            pack_for(row.get("country"), config.packs),
            (best.at[i, "channel"], best.at[i, "send_at"]),
            hist[["channel", "sent_at", "success"]],
            _consent(row),
            timezone=_zone(row),
        )
        if broken:  # pragma: no cover - guarded by the rule engine's property tests
            raise RuntimeError(
                f"recommendation for debtor {row['debtor_id']!r} breaks {', '.join(broken)}; "
                "please report this as a bug"
            )

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
    alternatives = _alternatives(actions, chosen, config.top_k)
    alternatives = alternatives[
        ["debtor_id", "rank", "action", "channel", "send_at", "p_success", "value"]
    ].reset_index(drop=True)
    return Recommendations(
        best=best[best_cols],
        alternatives=alternatives,
        excluded=_excluded(checked),
    )


# ---------------------------------------------------------------------- steps
def _alternatives(actions: pd.DataFrame, chosen: np.ndarray, top_k: int) -> pd.DataFrame:
    """Per debtor, the best remaining slot of each channel (and not contacting), ranked.

    The chosen action's channel is listed again only with a slot worth more than the
    chosen one (possible when exploration picked it).
    """
    group = actions["channel"].astype(object).where(actions["action"] == "contact", NO_CONTACT)
    picked = np.zeros(len(actions), dtype=bool)
    picked[chosen] = True
    pos = actions["_pos"].to_numpy()
    chosen_group = np.empty(int(pos.max()) + 1 if len(pos) else 0, dtype=object)
    chosen_value = np.zeros(len(chosen_group))
    chosen_group[pos[chosen]] = group.to_numpy()[chosen]
    chosen_value[pos[chosen]] = actions["value"].to_numpy()[chosen]
    same = (group.to_numpy() == chosen_group[pos]) & (
        actions["value"].to_numpy() <= chosen_value[pos]
    )
    rest = actions.loc[~picked & ~same].assign(_group=group)
    rest = rest.drop_duplicates(["_pos", "_group"], keep="first")  # sorted best first
    rest = rest.assign(rank=rest.groupby("_pos").cumcount() + 2)
    return rest.loc[rest["rank"] <= top_k + 1]


def _score(
    allowed: pd.DataFrame,
    frame: pd.DataFrame,
    snap: pd.DataFrame | None,
    history: pd.DataFrame,
    paydays: pd.DataFrame | None,
    model: Any,
) -> pd.DataFrame:
    """The allowed slots with the model's P(success)."""
    from ..features._contact import action_features, contact_history_features

    out = allowed[["debtor_id", "_pos", "channel", "send_at"]].copy()
    if len(out) == 0:
        out["p_success"] = np.zeros(0)
        return out
    pos = out["_pos"].to_numpy()
    parts: list[pd.DataFrame] = []
    if snap is not None:
        parts.append(snap.iloc[pos].reset_index(drop=True))
    at = pd.DataFrame({"debtor_id": out["debtor_id"].to_numpy(), "time": out["send_at"].to_numpy()})
    parts.append(contact_history_features(history, at).reset_index(drop=True))
    # each slot reads the debtor's latest payday calendar on or before its day
    cand = out[["debtor_id", "channel", "send_at"]]
    parts.append(action_features(cand, paydays).reset_index(drop=True))
    X = pd.concat(parts, axis=1)
    X = X.loc[:, ~X.columns.duplicated(keep="last")]
    names = getattr(model, "feature_names_in_", None)
    if names is not None:
        missing = [str(c) for c in names if c not in X.columns]
        if missing:
            shown = ", ".join(missing[:EXAMPLE_ROWS])
            more = f" (+{len(missing) - EXAMPLE_ROWS} more)" if len(missing) > EXAMPLE_ROWS else ""
            raise ConfigError(
                f"the contact model needs feature(s) {shown}{more} that recommend cannot build. "
                "Fix: pass features=build_features(transactions, debtors, ...) for the "
                "debtors' snapshots (the same features the model was trained on)"
            )
        X = X[[str(c) for c in names]]
    p = np.asarray(model.predict_proba(X), dtype=float)
    out["p_success"] = p[:, 1] if p.ndim == 2 else p
    return out


def _choose(
    actions: pd.DataFrame, n: int, config: RecommendConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row of ``actions`` chosen per debtor, its choice probability, and whether explored."""
    starts = np.searchsorted(actions["_pos"].to_numpy(), np.arange(n))
    ends = np.append(starts[1:], len(actions))
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
    p = actions["p_success"].to_numpy(float)
    value = actions["value"].to_numpy(float)
    cost = actions["_cost"].to_numpy(float)
    contact = actions["action"].to_numpy() == "contact"
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


def _excluded(checked: pd.DataFrame) -> pd.DataFrame:
    cols = ["debtor_id", "channel", "rule", "slots", "first_slot", "reason"]
    if len(checked) == 0:
        return pd.DataFrame(columns=cols)
    out = checked.loc[~checked["allowed"].to_numpy(bool)]
    if len(out) == 0:
        return pd.DataFrame(columns=cols)
    grouped = out.groupby(["_pos", "debtor_id", "channel", "rule"], sort=False)
    summary = grouped.agg(
        slots=("send_at", "size"), first_slot=("send_at", "min"), reason=("reason", "first")
    ).reset_index()
    summary["_ch"] = pd.Categorical(summary["channel"], categories=list(CHANNELS)).codes
    summary = summary.sort_values(["_pos", "_ch", "first_slot"], kind="stable")
    return summary[cols].reset_index(drop=True)


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


def _consent(row: Mapping[str, Any]) -> dict[str, bool | None]:
    out: dict[str, bool | None] = {}
    for c in CHANNELS:
        v = row.get(CONSENT_PREFIX + c)
        out[c] = None if v is None or (not isinstance(v, str) and pd.isna(v)) else bool(v)
    return out


def _zone(row: Mapping[str, Any]) -> str:
    tz = row.get("timezone")
    if tz is None or (not isinstance(tz, str) and pd.isna(tz)) or tz == "":
        return "UTC"
    return str(tz)


def _whole(v: object) -> bool:
    return isinstance(v, int | np.integer) and not isinstance(v, bool)


def _real(v: object) -> bool:
    return (
        isinstance(v, int | float | np.integer | np.floating)
        and not isinstance(v, bool)
        and bool(np.isfinite(v))
    )
