"""The contact-success model: P(a contact through this channel at this time succeeds).

``contact_training_frame`` turns logged contacts into one training row each (debtor
snapshot features + contact-history features + action features, all point in time),
``ContactModel`` is a calibrated LightGBM classifier on those rows, and
``candidate_frame`` lists the (channel, send_at) actions to score for one debtor.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from .._contract import CHANNELS, CONTACTS, DEBTORS
from .._data import Dataset
from .._errors import EXAMPLE_ROWS, ConfigError, ContractError, Problem
from .._validation import ContractWarning, validate_table
from ..features._contact import (
    _str_ids,
    action_features,
    contact_history_features,
    payday_calendar,
)
from ._inputs import BinaryFrameClassifier, _labels
from ._propensity import Calibration, PropensityModel
from ._tuning import Metric, TuningResult, tune_propensity

__all__ = [
    "ContactModel",
    "candidate_frame",
    "candidate_frames",
    "contact_training_frame",
    "tune_contact",
]

#: PropensityModel settings the contact model always uses: no monotone constraints (the
#: catalogue's directions are about paying, not about being reached) and no class weights
#: (the success rate is learnt as it is, then calibrated).
_FIXED: dict[str, object] = {"monotone": False, "class_weight": None}

#: Columns of the ``meta`` frame of ``contact_training_frame``.
META_COLUMNS: tuple[str, ...] = (
    "debtor_id",
    "as_of",
    "channel",
    "sent_at",
    "propensity",
    "snapshot",
    "contact",
)


# ------------------------------------------------------------------ the model
class ContactModel(BinaryFrameClassifier):
    """Probability that a contact succeeds (class 1 = success, e.g. a promise within 72 h).

    A ``PropensityModel(monotone=False, class_weight=None, ...)`` underneath: LightGBM with
    early stopping on held-out rows (``validation_fraction`` or ``eval_set``) and a Platt
    (``"sigmoid"``) calibrator fitted on those rows by default. Parameters are stored as
    given; the same data and ``random_state`` give identical predictions. The defaults
    (slow, shallow, column-sampled trees) suit the weak, interaction-heavy signal of contact
    outcomes better than the propensity model's.
    """

    def __init__(
        self,
        *,
        n_estimators: int = 1500,
        learning_rate: float = 0.02,
        num_leaves: int = 15,
        max_depth: int = 4,
        min_child_samples: int = 50,
        subsample: float = 0.8,
        colsample_bytree: float = 0.5,
        reg_lambda: float = 1.0,
        calibration: Calibration = "sigmoid",
        validation_fraction: float = 0.2,
        early_stopping_rounds: int | None = 100,
        random_state: int = 0,
        n_jobs: int = 1,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.max_depth = max_depth
        self.min_child_samples = min_child_samples
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_lambda = reg_lambda
        self.calibration = calibration
        self.validation_fraction = validation_fraction
        self.early_stopping_rounds = early_stopping_rounds
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(
        self,
        X: pd.DataFrame,
        y: Any,
        *,
        eval_set: tuple[pd.DataFrame, Any] | None = None,
        callbacks: Sequence[Callable[..., Any]] | None = None,
    ) -> ContactModel:
        """Fit on one row per contact (e.g. ``contact_training_frame``) and its 0/1 outcome."""
        inner = PropensityModel(**_FIXED, **self.get_params())  # type: ignore[arg-type]
        inner._check_params()
        if isinstance(X, pd.DataFrame):
            labels = _labels(y, len(X))
            classes = np.unique(labels)
            if len(classes) != 2:
                raise ConfigError(
                    f"y must hold exactly two outcomes (failed / succeeded); got {len(classes)} "
                    f"({', '.join(repr(c) for c in classes[:EXAMPLE_ROWS])}). Fix: fit on "
                    "contacts with both outcomes, e.g. a longer period or more debtors."
                )
        inner.fit(X, y, eval_set=eval_set, callbacks=callbacks)
        self.model_ = inner
        self.booster_ = inner.booster_
        self.best_iteration_ = inner.best_iteration_
        self.classes_ = inner.classes_
        self.feature_names_in_ = inner.feature_names_in_
        self.n_features_in_ = inner.n_features_in_
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """``(n, 2)`` probabilities; column 1 is the calibrated chance the contact succeeds."""
        self._fitted()
        return self.model_.predict_proba(X)

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """The raw LightGBM margin (log-odds before calibration)."""
        self._fitted()
        return self.model_.decision_function(X)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The more likely outcome of each row (``classes_[1]`` when P(success) >= 0.5)."""
        self._fitted()
        return self.model_.predict(X)

    def _fitted(self) -> None:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "model_")


def tune_contact(
    X_train: pd.DataFrame,
    y_train: Any,
    X_valid: pd.DataFrame,
    y_valid: Any,
    *,
    trials: int = 30,
    timeout: float | None = None,
    seed: int = 0,
    metric: Metric = "log_loss",
    base_params: Mapping[str, object] | None = None,
) -> TuningResult:
    """``tune_propensity`` with the contact model's fixed settings; ``best_params`` fit ``ContactModel``.

    The default metric is the log loss: the recommendation compares probabilities across
    channels and hours, so their level matters as much as their ranking.
    """
    given = dict(base_params or {})
    clash = sorted(set(given) & set(_FIXED))
    if clash:
        raise ConfigError(
            f"base_params may not set {', '.join(map(repr, clash))}: the contact model fixes "
            f"{_FIXED!r}. Fix: leave {', '.join(map(repr, clash))} out."
        )
    unknown = sorted(set(given) - set(ContactModel().get_params()))
    if unknown:
        raise ConfigError(
            f"base_params has {', '.join(map(repr, unknown))}, not ContactModel parameters; "
            f"the parameters are: {', '.join(ContactModel().get_params())}."
        )
    result = tune_propensity(
        X_train,
        y_train,
        X_valid,
        y_valid,
        trials=trials,
        timeout=timeout,
        seed=seed,
        metric=metric,
        base_params={**given, **_FIXED},
    )
    best = {k: v for k, v in result.best_params.items() if k not in _FIXED}
    return dataclasses.replace(result, best_params=best)


# ------------------------------------------------------------------ training rows
def contact_training_frame(data: Dataset) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    """One training row per logged contact: ``(X, y, meta)``, rows in ``data.contacts`` order.

    ``X``: the debtor's latest snapshot with ``as_of`` on or before the contact's (local)
    day (``build_features``), its contact history strictly before the contact
    (``contact_history_features``) and the action (``action_features``, paydays as known
    the day before the contact). ``y``: success as 0/1. ``meta``: ``META_COLUMNS`` (sent_at
    in debtor-local time, propensity NaN when not logged, snapshot = row position in
    ``data.debtors``, contact = row position in ``data.contacts``).

    Contacts of debtors absent from ``debtors`` or sent before their first snapshot have no
    features and are left out: a ``ContractWarning`` says how many, and
    ``meta.attrs["dropped"]`` / ``meta.attrs["notes"]`` keep the counts and sentences.
    """
    from ..features import build_features

    if not isinstance(data, Dataset):
        raise ConfigError(
            f"data must be a collectscore Dataset (e.g. collectscore.datasets.load_sample(...)); "
            f"got {type(data).__name__}"
        )
    if data.contacts is None or len(data.contacts) == 0:
        raise ContractError(
            [
                Problem(
                    CONTACTS.name,
                    None,
                    "the logged contacts (one row per attempt)",
                    "no contacts table" if data.contacts is None else "an empty table",
                    f"add {CONTACTS.name}.parquet or .csv to the data folder: "
                    f"{CONTACTS.needed_for} needs it",
                )
            ]
        )
    contacts = _validated(data.contacts, CONTACTS.name)
    debtors = _validated(data.debtors, DEBTORS.name)
    sent = _local_sent_at(contacts, debtors)

    ids = contacts["debtor_id"].astype("str")
    match = _match_snapshots(ids, sent, debtors)
    keep = match["snapshot"].notna().to_numpy()
    dropped = _dropped(ids, keep, set(debtors["debtor_id"].astype("str")))

    snapshot = match["snapshot"].to_numpy()[keep].astype(np.int64)
    kept = contacts.loc[keep]
    kept_sent = sent[keep].reset_index(drop=True)
    kept_ids = ids[keep].reset_index(drop=True)

    # promises as known at each as_of, on the debtors' local calendar like everything else
    features = build_features(
        data.transactions,
        data.debtors,
        contacts=contacts.assign(sent_at=sent.to_numpy()),
        payments=data.payments,
    )
    x_snap = features.iloc[snapshot].reset_index(drop=True)
    history = pd.DataFrame(
        {
            "debtor_id": _str_ids(ids),
            "channel": contacts["channel"].to_numpy(),
            "sent_at": sent.to_numpy(),
            "success": contacts["success"].to_numpy(),
        }
    )
    x_hist = contact_history_features(
        history, pd.DataFrame({"debtor_id": kept_ids, "time": kept_sent})
    )

    known = (kept_sent.dt.normalize() - pd.Timedelta(days=1)).astype("datetime64[us]")
    pseudo = debtors.iloc[snapshot].reset_index(drop=True).assign(as_of=known.to_numpy())
    pseudo = pseudo.drop_duplicates(["debtor_id", "as_of"]).reset_index(drop=True)
    calendar = payday_calendar(data.transactions, pseudo) if len(pseudo) else None
    candidates = pd.DataFrame(
        {
            "debtor_id": kept_ids,
            "channel": kept["channel"].to_numpy(),
            "send_at": kept_sent,
            "as_of": known,
        }
    )
    x_action = action_features(candidates, calendar)
    X = pd.concat([x_snap, x_hist, x_action], axis=1)

    y = kept["success"].to_numpy().astype(np.int8)
    propensity = (
        kept["propensity"].to_numpy(dtype=float, na_value=np.nan)
        if "propensity" in kept.columns
        else np.full(len(kept), np.nan)
    )
    meta = pd.DataFrame(
        {
            "debtor_id": kept_ids,
            "as_of": debtors["as_of"].to_numpy()[snapshot],
            "channel": kept["channel"].astype("str").to_numpy(),
            "sent_at": kept_sent,
            "propensity": propensity,
            "snapshot": snapshot,
            "contact": np.flatnonzero(keep),
        }
    )
    meta.attrs["dropped"] = dict(dropped)
    meta.attrs["notes"] = list(_notes(dropped, len(contacts)))
    for note in meta.attrs["notes"]:
        warnings.warn(note, ContractWarning, stacklevel=2)
    return X, y, meta


def _validated(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    clean, _, notes = validate_table(frame, table)
    for note in notes:
        warnings.warn(note, ContractWarning, stacklevel=3)
    return clean.reset_index(drop=True)


def _local_sent_at(contacts: pd.DataFrame, debtors: pd.DataFrame) -> pd.Series:
    """``sent_at`` as naive debtor-local time (tz-aware values converted by the rules package)."""
    sent = contacts["sent_at"]
    if isinstance(sent.dtype, pd.DatetimeTZDtype):
        from ..rules import local_times

        sent = local_times(contacts, debtors)
    return pd.Series(sent.to_numpy(), dtype="datetime64[us]").reset_index(drop=True)


def _match_snapshots(ids: pd.Series, sent: pd.Series, debtors: pd.DataFrame) -> pd.DataFrame:
    """Per contact, the position of its debtor's latest snapshot with as_of <= the sent day."""
    snaps = pd.DataFrame(
        {
            "debtor_id": _str_ids(debtors["debtor_id"]),
            "_key": debtors["as_of"].dt.normalize().astype("datetime64[us]").to_numpy(),
            "snapshot": np.arange(len(debtors), dtype=float),
        }
    ).sort_values("_key", kind="stable")
    left = pd.DataFrame(
        {"debtor_id": _str_ids(ids), "_day": sent.dt.normalize().to_numpy()}
    ).assign(_row=np.arange(len(ids)))
    merged = pd.merge_asof(
        left.sort_values("_day", kind="stable"),
        snaps,
        left_on="_day",
        right_on="_key",
        by="debtor_id",
        direction="backward",
    )
    return merged.sort_values("_row").reset_index(drop=True)


def _dropped(ids: pd.Series, keep: np.ndarray, known: set[str]) -> dict[str, int]:
    unknown = ~ids.isin(known).to_numpy()
    return {
        "unknown_debtor": int((~keep & unknown).sum()),
        "before_first_snapshot": int((~keep & ~unknown).sum()),
    }


def _notes(dropped: Mapping[str, int], total: int) -> Iterable[str]:
    if dropped["unknown_debtor"]:
        yield (
            f"{dropped['unknown_debtor']} of {total} contacts are of debtors not in the debtors "
            "table and were left out of the training rows (no snapshot features); add those "
            "debtors to use them"
        )
    if dropped["before_first_snapshot"]:
        yield (
            f"{dropped['before_first_snapshot']} of {total} contacts were sent before their "
            "debtor's first snapshot (as_of) and were left out of the training rows; add an "
            "earlier snapshot to use them"
        )


# ------------------------------------------------------------------ candidate actions
def candidate_frame(
    debtor_row: pd.Series | Mapping[str, Any],
    history: pd.DataFrame | None,
    now: Any,
    days: int = 7,
    hours: Iterable[int] = range(7, 22),
) -> pd.DataFrame:
    """Every (channel, hourly slot) in ``[now, now + days)`` for one debtor, in local time.

    ``debtor_row`` needs ``debtor_id``; its ``timezone`` (IANA, UTC when missing) converts a
    tz-aware ``now`` to debtor-local wall-clock time, a naive ``now`` is already local.
    Slots are at the whole ``hours`` of each day, except wall-clock times the debtor's clocks
    skip when daylight-saving time starts (they never happen). ``history`` (the debtor's past contacts, or
    None) must be this debtor's: rows of another debtor_id are an error. Returns debtor_id,
    channel, send_at (naive ``datetime64[us]``) and ``as_of`` when the row has one, sorted by
    send_at then channel (``CHANNELS`` order); the rules decide which slots are allowed.
    """
    row = _row_mapping(debtor_row)
    debtor_id = row.get("debtor_id")
    if debtor_id is None or (not isinstance(debtor_id, str) and pd.isna(debtor_id)):
        raise ConfigError(
            "debtor_row must have a debtor_id (a row of the debtors table). "
            "Fix: pass debtors.iloc[i] or a dict with 'debtor_id'."
        )
    debtor_id = str(debtor_id)
    if isinstance(days, bool) or not isinstance(days, int | np.integer) or days < 1:
        raise ConfigError(f"days must be a whole number >= 1; got {days!r}. Fix: e.g. days=7.")
    slots = _hours(hours)
    zone = _zone(row)
    local_now = _local_now(now, zone)
    _check_history(history, debtor_id)

    times = _slots(local_now, zone, days, slots)  # skipped wall-clock times have no slot
    n_ch = len(CHANNELS)
    out = pd.DataFrame(
        {
            "debtor_id": pd.Series([debtor_id] * (len(times) * n_ch), dtype="str"),
            "channel": pd.Series(
                np.tile(np.asarray(CHANNELS, dtype=object), len(times)), dtype="str"
            ),
            "send_at": pd.Series(np.repeat(times, n_ch), dtype="datetime64[us]"),
        }
    )
    if "as_of" in row and row["as_of"] is not None and not pd.isna(row["as_of"]):
        out["as_of"] = pd.Timestamp(row["as_of"]).as_unit("us")
    return out


def candidate_frames(
    debtors: pd.DataFrame,
    now: Any,
    days: int = 7,
    hours: Iterable[int] = range(7, 22),
) -> pd.DataFrame:
    """``candidate_frame`` of every row of ``debtors``, one after the other, in row order.

    Same slots, columns and order as calling ``candidate_frame(row, None, now, ...)`` per
    row and concatenating (``as_of`` is NaT for rows without one); built per time zone.
    """
    if not isinstance(debtors, pd.DataFrame):
        raise ConfigError(
            f"debtors must be a pandas DataFrame (one row per debtor); got {type(debtors).__name__}"
        )
    if "debtor_id" not in debtors.columns:
        raise ConfigError(
            "debtors must have a debtor_id column (rows of the debtors table). "
            "Fix: pass the debtors table."
        )
    ids = debtors["debtor_id"]
    if len(debtors) and ids.isna().any():
        raise ConfigError(
            "debtor_row must have a debtor_id (a row of the debtors table). "
            f"Fix: fill debtor_id in row {int(np.flatnonzero(ids.isna().to_numpy())[0])}."
        )
    zones = debtors["timezone"] if "timezone" in debtors.columns else None
    pos, times = candidate_grid(ids.astype(str).to_numpy(dtype=object), zones, now, days, hours)
    n_ch = len(CHANNELS)
    rows = np.repeat(pos, n_ch)
    out = pd.DataFrame(
        {
            "debtor_id": pd.Series(ids.astype(str).to_numpy(dtype=object)[rows], dtype="str"),
            "channel": pd.Series(
                np.tile(np.asarray(CHANNELS, dtype=object), len(times)), dtype="str"
            ),
            "send_at": pd.Series(np.repeat(times, n_ch), dtype="datetime64[us]"),
        }
    )
    if "as_of" in debtors.columns:
        as_of = pd.to_datetime(debtors["as_of"]).astype("datetime64[us]").to_numpy()
        if pd.notna(as_of[pos]).any():
            out["as_of"] = pd.Series(as_of[rows], dtype="datetime64[us]")
    return out


def candidate_grid(
    debtor_ids: np.ndarray,
    timezones: pd.Series | None,
    now: Any,
    days: int = 7,
    hours: Iterable[int] = range(7, 22),
) -> tuple[np.ndarray, np.ndarray]:
    """The local slots of ``candidate_frame`` for many debtors: (row position, send_at).

    One entry per (debtor, slot), by row then time; each channel of ``CHANNELS`` makes a
    candidate of every slot. ``timezones`` per row (missing or empty: UTC); the slots of
    one time zone are computed once. ``debtor_ids`` name the debtor in errors.
    """
    if isinstance(days, bool) or not isinstance(days, int | np.integer) or days < 1:
        raise ConfigError(f"days must be a whole number >= 1; got {days!r}. Fix: e.g. days=7.")
    slots = _hours(hours)
    n = len(debtor_ids)
    if timezones is None:
        names = np.full(n, "UTC", dtype=object)
    else:
        raw = pd.Series(timezones).astype(object).to_numpy()
        blank = pd.isna(raw) | (raw == "")
        names = np.where(blank, "UTC", raw).astype(object)
    which, unique = pd.factorize(pd.Series(names, dtype=object).map(str))
    known = [_known_zone(str(name)) for name in unique]
    bad = np.flatnonzero(~np.asarray(known, dtype=bool)[which]) if n else np.zeros(0, int)
    # errors in row order, as row by row: the first row's zone, then ``now``, then the others
    if bad.size and bad[0] == 0:
        _zone({"timezone": names[0], "debtor_id": debtor_ids[0]})  # raises
    _local_now(now, ZoneInfo("UTC"))
    if bad.size:
        _zone({"timezone": names[bad[0]], "debtor_id": debtor_ids[bad[0]]})  # raises
    grids = [
        _slots(_local_now(now, ZoneInfo(str(name))), ZoneInfo(str(name)), days, slots)
        for name in unique
    ]
    sizes = np.array([len(g) for g in grids], dtype=np.int64)[which] if n else np.zeros(0, int)
    pos = np.repeat(np.arange(n), sizes)
    flat = np.concatenate(grids) if grids else np.zeros(0, "datetime64[us]")
    offsets = np.concatenate([[0], np.cumsum([len(g) for g in grids])[:-1]]).astype(np.int64)
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    within = np.arange(len(pos)) - starts
    times = flat[offsets[which][pos] + within] if len(pos) else np.zeros(0, "datetime64[us]")
    return pos, times.astype("datetime64[us]")


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _slots(local_now: pd.Timestamp, zone: ZoneInfo, days: int, slots: np.ndarray) -> np.ndarray:
    """The whole-hour local slots in ``[local_now, local_now + days)`` that exist in ``zone``."""
    first_day = local_now.normalize()
    day_offsets = np.arange(days + 1, dtype="timedelta64[D]").astype("timedelta64[us]")
    hour_offsets = slots.astype("timedelta64[h]").astype("timedelta64[us]")
    starts = np.datetime64(first_day.to_datetime64(), "us") + day_offsets
    times = (starts[:, None] + hour_offsets[None, :]).ravel()
    start = np.datetime64(local_now.to_datetime64(), "us")
    end = start + np.timedelta64(days, "D").astype("timedelta64[us]")
    times = times[(times >= start) & (times < end)]
    exists = pd.DatetimeIndex(times).tz_localize(zone, ambiguous=True, nonexistent="NaT").notna()
    return times[np.asarray(exists)]


def _row_mapping(debtor_row: object) -> Mapping[str, Any]:
    if isinstance(debtor_row, pd.DataFrame):
        if len(debtor_row) != 1:
            raise ConfigError(
                f"debtor_row must be one debtor's row; got a DataFrame of {len(debtor_row)} rows. "
                "Fix: call candidate_frame once per debtor, e.g. with debtors.iloc[i]."
            )
        return debtor_row.iloc[0].to_dict()
    if isinstance(debtor_row, pd.Series):
        return debtor_row.to_dict()
    if isinstance(debtor_row, Mapping):
        return debtor_row
    raise ConfigError(
        f"debtor_row must be a pandas Series or a dict; got {type(debtor_row).__name__}"
    )


def _hours(hours: Iterable[int]) -> np.ndarray:
    try:
        values = np.asarray(list(hours))
    except TypeError as exc:
        raise ConfigError(
            f"hours must be whole hours 0-23, e.g. range(7, 22); got {hours!r}"
        ) from exc
    ok = (
        values.ndim == 1
        and len(values) > 0
        and (np.issubdtype(values.dtype, np.integer))
        and ((values >= 0) & (values <= 23)).all()
    )
    if not ok:
        raise ConfigError(
            f"hours must be a non-empty list of whole hours 0-23 (local time), e.g. "
            f"range(7, 22); got {list(values)!r}"
        )
    return np.unique(values).astype(np.int64)


def _zone(row: Mapping[str, Any]) -> ZoneInfo:
    """The debtor's time zone (UTC when missing); a clear error for an unknown name."""
    tz_name = row.get("timezone")
    if tz_name is None or (not isinstance(tz_name, str) and pd.isna(tz_name)) or tz_name == "":
        tz_name = "UTC"
    try:
        return ZoneInfo(str(tz_name))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ContractError(
            [
                Problem(
                    DEBTORS.name,
                    "timezone",
                    "an IANA time-zone name",
                    f"{tz_name!r} for debtor {row.get('debtor_id')!r}",
                    DEBTORS.column("timezone").hint,
                )
            ]
        ) from exc


def _local_now(now: Any, zone: ZoneInfo) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(now)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"now must be a date-time (e.g. '2026-07-01T09:00', a datetime or a pandas "
            f"Timestamp); got {now!r}"
        ) from exc
    if stamp is pd.NaT or pd.isna(stamp):
        raise ConfigError("now must be a date-time; got a missing value (NaT)")
    if stamp.tzinfo is None:
        return stamp.as_unit("us")
    return stamp.tz_convert(zone).tz_localize(None).as_unit("us")


def _check_history(history: pd.DataFrame | None, debtor_id: str) -> None:
    if history is None:
        return
    if not isinstance(history, pd.DataFrame):
        raise ConfigError(
            f"history must be the debtor's contacts as a DataFrame, or None; got "
            f"{type(history).__name__}"
        )
    if "debtor_id" in history.columns and len(history):
        other = history["debtor_id"].astype("str") != debtor_id
        if other.any():
            rows = np.flatnonzero(other.to_numpy())
            raise ContractError(
                [
                    Problem(
                        CONTACTS.name,
                        "debtor_id",
                        f"only contacts of debtor {debtor_id!r}",
                        f"contacts of {history['debtor_id'].iloc[rows[0]]!r}",
                        "pass history[history.debtor_id == debtor_id]",
                        rows=tuple(int(r) for r in rows[:EXAMPLE_ROWS]),
                        n_rows=len(rows),
                    )
                ]
            )
