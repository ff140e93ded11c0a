"""The decision for each debtor at a moment ``now``: p_pay, segment, and the contact (or not).

Puts the registered champions and the declared strategy together: each debtor's latest snapshot
on or before ``now`` is scored by the propensity champion, placed in a treatment segment, and
- in the "neither" segment, handed to a person (never contacted automatically);
- when the strategy says not to contact, left alone;
- otherwise given the best allowed contact of the contact champion (``policy.recommend``), no
  earlier than the strategy's ``contact_after`` (a firm reminder waits for payday).

``decide`` works on a whole data folder; ``decide_snapshots`` is the same decision for debtor
snapshots whose features are already built, with the models already loaded
(``load_decision_models``): the HTTP service calls it for the debtors of a request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._data import Dataset
from .._errors import ConfigError

if TYPE_CHECKING:
    from ..policy import RecommendConfig
    from ..strategy import StrategyConfig
    from ..tracking import ModelVersionInfo, TrackingConfig

#: The columns the contact policy's best action gives each decision (see ``_packaged``).
_CONTACT_DECISION: tuple[str, ...] = (
    "decision",
    "channel",
    "send_at",
    "send_at_utc",
    "p_success",
    "value",
    "choice_probability",
    "pack",
    "reason",
)

#: The columns of :func:`decide`'s result, in order.
DECISION_COLUMNS: tuple[str, ...] = (
    "debtor_id",
    "as_of",
    "p_pay",
    "risk_band",
    "expected_recovery",
    "segment",
    "stage",
    "strategy_action",
    "human_review",
    "plan_offer",
    "contact_after",
    *_CONTACT_DECISION,
    "alternatives",
    "excluded",
    "propensity_model",
    "contact_model",
)


#: ``decision`` of a debtor the strategy would contact when recommendations are switched off.
NOT_EVALUATED = "not_evaluated"


class _PyfuncClassifier:
    """A registered pyfunc model seen as a classifier (``predict_proba``, ``feature_names_in_``)."""

    def __init__(self, pyfunc: Any) -> None:
        self.pyfunc = pyfunc
        self.feature_names_in_ = np.asarray(pyfunc.metadata.get_input_schema().input_names())

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = np.asarray(self.pyfunc.predict(X[list(self.feature_names_in_)]).iloc[:, 0], float)
        return np.column_stack([1.0 - p, p])


@dataclass(frozen=True)
class DecisionModels:
    """The fitted estimators a decision uses, with their registry entries.

    ``propensity`` and ``contact`` are classifiers with ``predict_proba`` and
    ``feature_names_in_`` (the registered pyfunc models unwrapped, so predictions skip the
    pyfunc layer); ``contact`` may be ``None`` when no recommendation is wanted.
    """

    propensity: Any
    propensity_info: ModelVersionInfo
    contact: Any = None
    contact_info: ModelVersionInfo | None = None
    alias: str = "champion"

    def p_pay(self, features: pd.DataFrame) -> np.ndarray:
        """The calibrated probability to pay of each row of ``features``."""
        from ._score import require_features

        needed = [str(c) for c in self.propensity.feature_names_in_]
        require_features(
            features,
            needed,
            self.propensity_info,
            "give every feature the model was trained on (GET /model lists them), or the "
            "debtors' transactions to build them",
        )
        return np.asarray(self.propensity.predict_proba(features[needed])[:, 1], dtype=float)


def estimator_of(pyfunc: Any) -> Any:
    """The fitted estimator inside a registered pyfunc model (else the pyfunc as a classifier)."""
    try:
        inner = pyfunc.unwrap_python_model()
    except Exception:  # not a custom python model (e.g. a flavour's own pyfunc)
        inner = None
    model = getattr(inner, "model", None)
    if (
        model is not None
        and hasattr(model, "predict_proba")
        and hasattr(model, "feature_names_in_")
    ):
        return model
    return _PyfuncClassifier(pyfunc)


def load_decision_models(
    config: TrackingConfig,
    *,
    propensity: str = "propensity",
    contact: str | None = "contact",
    alias: str = "champion",
) -> DecisionModels:
    """Load the ``alias`` versions of the propensity and (unless ``None``) contact models."""
    from ._score import load_registered

    pay_model, pay_info = load_registered(propensity, config=config, alias=alias)
    contact_model, contact_info = None, None
    if contact is not None:
        loaded, contact_info = load_registered(contact, config=config, alias=alias)
        contact_model = estimator_of(loaded)
    return DecisionModels(
        propensity=estimator_of(pay_model),
        propensity_info=pay_info,
        contact=contact_model,
        contact_info=contact_info,
        alias=alias,
    )


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

    if not isinstance(data, Dataset):
        raise ConfigError(f"data must be a validated Dataset; got {type(data).__name__}")
    moment = pd.Timestamp(now)
    snapshots = latest_snapshots(data.debtors, moment).reset_index(drop=True)
    features = build_features(
        data.transactions, snapshots, contacts=data.contacts, payments=data.payments
    )
    models = load_decision_models(config, propensity=propensity, contact=contact, alias=alias)
    return decide_snapshots(
        snapshots,
        features,
        moment,
        models,
        transactions=data.transactions,
        contacts=data.contacts,
        recommend_config=recommend_config,
        strategy_config=strategy_config,
    )


def decide_snapshots(
    snapshots: pd.DataFrame,
    features: pd.DataFrame,
    now: Any,
    models: DecisionModels,
    *,
    transactions: pd.DataFrame | None = None,
    contacts: pd.DataFrame | None = None,
    recommend_config: RecommendConfig | None = None,
    strategy_config: StrategyConfig | None = None,
    p_pay: np.ndarray | None = None,
    recommend: bool = True,
) -> pd.DataFrame:
    """The decision for each row of ``snapshots``: the columns of :data:`DECISION_COLUMNS`.

    ``snapshots``: one contract ``debtors`` row per debtor (its snapshot at the moment of
    the decision; unique ``debtor_id``). ``features``: their ``build_features`` table, in
    the same row order. ``transactions`` (optional) gives the payday calendar of the contact
    features (without it they are unknown); ``contacts`` the contact history. ``p_pay``: the
    propensity model's probabilities when the caller has them already. ``recommend=False``
    stops after the strategy: debtors it would contact get the decision ``not_evaluated``.
    """
    from ..features._contact import payday_calendar
    from ..policy import RecommendConfig
    from ..policy import recommend as recommend_contacts
    from ..strategy import segment_dataset

    if not isinstance(models, DecisionModels):
        raise ConfigError(
            f"models must be DecisionModels (load_decision_models); got {type(models).__name__}"
        )
    if len(features) != len(snapshots):
        raise ConfigError(
            f"features must have one row per snapshot ({len(snapshots)}); got {len(features)}"
        )
    if recommend and models.contact is None:
        raise ConfigError(
            "recommend=True needs the contact model. Fix: load_decision_models(..., "
            "contact='contact'), or pass recommend=False."
        )
    moment = pd.Timestamp(now)
    snapshots = snapshots.reset_index(drop=True)
    p = models.p_pay(features) if p_pay is None else np.asarray(p_pay, dtype=float)
    latest = Dataset(
        transactions=transactions if transactions is not None else pd.DataFrame(),
        debtors=snapshots,
        contacts=contacts,
    )
    scores = pd.Series(p, index=features.index, name="p_pay")
    segments = segment_dataset(latest, scores, config=strategy_config, features=features)
    # the segments come in the features' order, which is the snapshots' order
    seg = {name: segments[name].to_numpy() for name in _SEGMENT_COLUMNS.values()}
    contact_rows = ~seg["human_review"].astype(bool) & (seg["action"] != "no_contact")
    if not (recommend and contact_rows.any()):
        return _without_contacts(snapshots, seg, contact_rows, recommend, models)
    frame = snapshots.assign(**{name: seg[column] for name, column in _SEGMENT_COLUMNS.items()})
    day_before = _naive(moment).normalize() - pd.Timedelta(days=1)
    calendar_as_of = pd.to_datetime(frame["as_of"]).where(
        pd.to_datetime(frame["as_of"]) > day_before, day_before
    )
    paydays_frame = frame.assign(as_of=calendar_as_of)
    paydays = (
        payday_calendar(transactions, paydays_frame)
        if transactions is not None and len(transactions)
        else None
    )
    starts = pd.to_datetime(frame["contact_after"]).where(
        lambda d: d > day_before + pd.Timedelta(days=1)
    )
    parts = []
    for start, rows in _groups_by_start(starts, contact_rows):
        when = moment if start is None else start
        rec = recommend_contacts(
            paydays_frame.iloc[rows],
            when,
            models.contact,
            features=features.iloc[rows].reset_index(drop=True),  # in row order
            contacts=contacts,
            paydays=paydays,
            config=recommend_config or RecommendConfig(),
        )
        parts.append(_packaged(rec))
    out = frame.drop(columns=[c for c in frame.columns if c.startswith("consent_")])
    out = out.merge(pd.concat(parts, ignore_index=True), on="debtor_id", how="left")
    out["decision"] = np.where(
        out["human_review"].to_numpy(bool),
        "human_review",
        np.where(contact_rows, out["decision"], "no_contact"),
    )
    out["reason"] = out["strategy_reason"] + np.where(
        out["reason"].notna(), " " + out["reason"].fillna(""), ""
    )
    out["expected_recovery"] = expected_recovery(out)
    out["propensity_model"] = _model_name(models.propensity_info)
    contact_info = models.contact_info
    out["contact_model"] = _model_name(contact_info) if contact_info is not None else None
    return out.reindex(columns=list(DECISION_COLUMNS))


#: Columns of ``decide_snapshots``'s frame taken from the segments (name: segments' column).
_SEGMENT_COLUMNS = {
    "p_pay": "p_pay",
    "risk_band": "risk_band",
    "segment": "segment",
    "stage": "stage",
    "strategy_action": "action",
    "human_review": "human_review",
    "plan_offer": "plan_offer",
    "contact_after": "contact_after",
    "strategy_reason": "reason",
}
#: Columns of a decision that only a contact recommendation fills.
_CONTACT_COLUMNS = (
    "channel", "send_at", "send_at_utc", "p_success", "value", "choice_probability", "pack",
    "alternatives", "excluded",
)  # fmt: skip


def _without_contacts(
    snapshots: pd.DataFrame,
    seg: dict[str, np.ndarray],
    contact_rows: np.ndarray,
    recommend: bool,
    models: DecisionModels,
) -> pd.DataFrame:
    """The decisions when no contact is searched for (the contact columns stay empty)."""
    n = len(snapshots)
    review = seg["human_review"].astype(bool)
    wanted = NOT_EVALUATED if not recommend else None
    decision = np.where(review, "human_review", np.where(contact_rows, wanted, "no_contact"))
    columns: dict[str, Any] = {
        "debtor_id": snapshots["debtor_id"].array,
        "as_of": snapshots["as_of"].array,
        "p_pay": seg["p_pay"],
        "risk_band": pd.array(seg["risk_band"], dtype="str"),
        "expected_recovery": _expected(snapshots, seg["p_pay"]),
        "segment": pd.array(seg["segment"], dtype="str"),
        "stage": pd.array(seg["stage"], dtype="str"),
        "strategy_action": pd.array(seg["action"], dtype="str"),
        "human_review": seg["human_review"],
        "plan_offer": seg["plan_offer"],
        "contact_after": seg["contact_after"],
        "decision": pd.array(decision.astype(object), dtype="str"),
        **{name: np.full(n, np.nan) for name in _CONTACT_COLUMNS},
        "reason": pd.array(seg["reason"], dtype="str"),
        "propensity_model": pd.array([_model_name(models.propensity_info)] * n, dtype="str"),
        "contact_model": (
            pd.array([_model_name(models.contact_info)] * n, dtype="str")
            if models.contact_info is not None
            else np.full(n, None, dtype=object)
        ),
    }
    return pd.DataFrame(columns, columns=list(DECISION_COLUMNS), copy=False)


def _model_name(info: Any) -> str:
    return f"{info.name} v{info.version}"


def _expected(snapshots: pd.DataFrame, p_pay: np.ndarray) -> np.ndarray:
    """:func:`expected_recovery` of the snapshots with ``p_pay``."""
    outstanding = _numbers(snapshots["outstanding"])
    if "installment" in snapshots.columns:
        installment = _numbers(snapshots["installment"])
        due = np.where(np.isnan(installment), outstanding, np.fmin(installment, outstanding))
    else:
        due = outstanding
    return np.asarray(p_pay, dtype=float) * due


def _numbers(values: pd.Series) -> np.ndarray:
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "fiu":
        return values.to_numpy(dtype=float)
    return pd.to_numeric(values, errors="coerce").to_numpy(float)


def expected_recovery(frame: pd.DataFrame) -> np.ndarray:
    """``p_pay`` times the amount the horizon label is about: ``min(installment,
    outstanding)``, or ``outstanding`` when there is no installment."""
    outstanding = pd.to_numeric(frame["outstanding"], errors="coerce").to_numpy(float)
    if "installment" in frame.columns:
        installment = pd.to_numeric(frame["installment"], errors="coerce").to_numpy(float)
        due = np.where(np.isnan(installment), outstanding, np.fmin(installment, outstanding))
    else:
        due = outstanding
    return frame["p_pay"].to_numpy(float) * due


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
    keep = ["debtor_id", *_CONTACT_DECISION]
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
