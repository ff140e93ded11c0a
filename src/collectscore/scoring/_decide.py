"""The decision for each debtor at a moment ``now``: p_pay, segment, and the contact (or not).

Puts the registered champions and the declared strategy together: each debtor's latest snapshot
on or before ``now`` is scored by the propensity champion, placed in a treatment segment, and
- in the "neither" segment, handed to a person (never contacted automatically);
- when the strategy says not to contact, left alone;
- otherwise given the best allowed contact of the contact champion (``policy.recommend``), no
  earlier than the strategy's ``contact_after`` (a firm reminder waits for payday).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._data import Dataset
from .._errors import ConfigError

if TYPE_CHECKING:
    from ..policy import RecommendConfig
    from ..strategy import StrategyConfig
    from ..tracking import TrackingConfig

#: The columns of :func:`decide`'s result, in order.
DECISION_COLUMNS: tuple[str, ...] = (
    "debtor_id",
    "as_of",
    "p_pay",
    "risk_band",
    "segment",
    "stage",
    "strategy_action",
    "human_review",
    "plan_offer",
    "contact_after",
    "decision",
    "channel",
    "send_at",
    "send_at_utc",
    "p_success",
    "value",
    "choice_probability",
    "pack",
    "reason",
    "alternatives",
    "excluded",
    "propensity_model",
    "contact_model",
)


class _PyfuncClassifier:
    """A registered pyfunc model seen as a classifier (``predict_proba``, ``feature_names_in_``)."""

    def __init__(self, pyfunc: Any) -> None:
        self.pyfunc = pyfunc
        self.feature_names_in_ = np.asarray(pyfunc.metadata.get_input_schema().input_names())

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = np.asarray(self.pyfunc.predict(X[list(self.feature_names_in_)]).iloc[:, 0], float)
        return np.column_stack([1.0 - p, p])


def latest_snapshots(debtors: pd.DataFrame, now: pd.Timestamp) -> pd.DataFrame:
    """Each debtor's latest snapshot with ``as_of`` on or before the day of ``now``."""
    day = _naive(now).normalize()
    as_of = pd.to_datetime(debtors["as_of"])
    known = debtors[(as_of <= day).to_numpy()]
    if known.empty:
        raise ConfigError(
            f"no debtor snapshot has as_of on or before {day.date()} (the earliest is "
            f"{as_of.min().date()}). Fix: pass a later --now."
        )
    order = known.assign(_as_of=pd.to_datetime(known["as_of"])).sort_values(
        ["debtor_id", "_as_of"], kind="stable"
    )
    return order.groupby("debtor_id", sort=False).tail(1).drop(columns="_as_of")


def decide(
    data: Dataset,
    now: Any,
    *,
    config: TrackingConfig,
    recommend_config: RecommendConfig | None = None,
    strategy_config: StrategyConfig | None = None,
    propensity: str = "propensity",
    contact: str = "contact",
    alias: str = "champion",
) -> pd.DataFrame:
    """One row per debtor: the columns of :data:`DECISION_COLUMNS`."""
    from ..features import build_features
    from ..features._contact import payday_calendar
    from ..policy import RecommendConfig, recommend
    from ..strategy import segment_dataset
    from ._score import load_registered, score_features

    if not isinstance(data, Dataset):
        raise ConfigError(f"data must be a validated Dataset; got {type(data).__name__}")
    moment = pd.Timestamp(now)
    snapshots = latest_snapshots(data.debtors, moment).reset_index(drop=True)
    features = build_features(
        data.transactions, snapshots, contacts=data.contacts, payments=data.payments
    )
    pay_model, pay_info = load_registered(propensity, config=config, alias=alias)
    scores = score_features(features, pay_model, pay_info, alias=alias)
    latest = Dataset(
        transactions=data.transactions,
        debtors=snapshots,
        payments=data.payments,
        contacts=data.contacts,
    )
    segments = segment_dataset(
        latest, scores, config=strategy_config, features=features
    ).reset_index()
    contact_model, contact_info = load_registered(contact, config=config, alias=alias)
    classifier = _PyfuncClassifier(contact_model)

    frame = snapshots.merge(
        segments[["debtor_id", "as_of", "p_pay", "risk_band", "segment", "stage", "action"]]
        .rename(columns={"action": "strategy_action"})
        .assign(
            human_review=segments["human_review"].to_numpy(),
            plan_offer=segments["plan_offer"].to_numpy(),
            contact_after=segments["contact_after"].to_numpy(),
            strategy_reason=segments["reason"].to_numpy(),
        ),
        on=["debtor_id", "as_of"],
        how="left",
    )
    day_before = _naive(moment).normalize() - pd.Timedelta(days=1)
    calendar_as_of = pd.to_datetime(frame["as_of"]).where(
        pd.to_datetime(frame["as_of"]) > day_before, day_before
    )
    paydays = payday_calendar(data.transactions, frame.assign(as_of=calendar_as_of))
    paydays_frame = frame.assign(as_of=calendar_as_of)

    contact_rows = ~frame["human_review"].to_numpy(bool) & (
        frame["strategy_action"].to_numpy() != "no_contact"
    )
    parts = []
    starts = pd.to_datetime(frame["contact_after"]).where(
        lambda d: d > day_before + pd.Timedelta(days=1)
    )
    for start, rows in _groups_by_start(starts, contact_rows):
        when = moment if start is None else start
        rec = recommend(
            paydays_frame.iloc[rows],
            when,
            classifier,
            features=features.iloc[rows].reset_index(drop=True),  # in row order
            contacts=data.contacts,
            paydays=paydays,
            config=recommend_config or RecommendConfig(),
        )
        parts.append(_packaged(rec))
    decided = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["debtor_id", "decision"])
    )
    out = frame.drop(columns=[c for c in frame.columns if c.startswith("consent_")]).merge(
        decided, on="debtor_id", how="left"
    )
    out["decision"] = np.where(
        out["human_review"].to_numpy(bool),
        "human_review",
        np.where(contact_rows, out["decision"], "no_contact"),
    )
    out["reason"] = out["strategy_reason"] + np.where(
        out["reason"].notna(), " " + out["reason"].fillna(""), ""
    )
    out["propensity_model"] = f"{pay_info.name} v{pay_info.version}"
    out["contact_model"] = f"{contact_info.name} v{contact_info.version}"
    for column in DECISION_COLUMNS:
        if column not in out:
            out[column] = None
    return out[list(DECISION_COLUMNS)]


def _groups_by_start(
    starts: pd.Series, rows: np.ndarray
) -> list[tuple[pd.Timestamp | None, np.ndarray]]:
    """Positions of the rows to recommend for, grouped by the moment their search starts."""
    out: list[tuple[pd.Timestamp | None, np.ndarray]] = []
    later = starts.notna().to_numpy()
    now_rows = np.flatnonzero(rows & ~later)
    if now_rows.size:
        out.append((None, now_rows))
    for start in sorted(starts[rows & later].unique()):
        out.append(
            (pd.Timestamp(start), np.flatnonzero(rows & later & (starts == start).to_numpy()))
        )
    return out


def _packaged(rec: Any) -> pd.DataFrame:
    """The best action per debtor with its alternatives and exclusions as JSON text."""
    best = rec.best.rename(columns={"action": "decision"})
    alternatives = _as_json(rec.alternatives, "alternatives")
    excluded = _as_json(rec.excluded, "excluded")
    keep = [
        "debtor_id",
        "decision",
        "channel",
        "send_at",
        "send_at_utc",
        "p_success",
        "value",
        "choice_probability",
        "pack",
        "reason",
    ]
    return (
        best[keep]
        .merge(alternatives, left_on="debtor_id", right_index=True, how="left")
        .merge(excluded, left_on="debtor_id", right_index=True, how="left")
    )


def _as_json(table: pd.DataFrame, name: str) -> pd.Series:
    """Per debtor, its rows of ``table`` (without debtor_id) as a JSON list."""
    if table.empty:
        return pd.Series(dtype=object, name=name)
    columns = [c for c in table.columns if c != "debtor_id"]
    texts = {
        debtor: json.dumps(group[columns].to_dict("records"), default=str)
        for debtor, group in table.groupby("debtor_id", sort=False)
    }
    return pd.Series(texts, name=name, dtype=object)


def _naive(moment: pd.Timestamp) -> pd.Timestamp:
    return moment.tz_convert("UTC").tz_localize(None) if moment.tzinfo is not None else moment
