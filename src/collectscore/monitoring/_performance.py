"""Realised performance of served scores and recommendations, once outcomes are known."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._contract import CHANNELS, DEFAULT_HORIZON_DAYS
from .._data import Dataset
from .._errors import ConfigError, ContractError, Problem
from .._labels import paid_within_horizon
from ..models._evaluation import brier, lift_table, roc_auc
from ..policy._estimators import Estimate, doubly_robust, ips, snips
from ._kpis import (
    _check_unique,
    _check_values,
    _dates,
    _horizon,
    _observed_until,
    _payments,
    _periods,
    _require,
)

#: Table name used in messages about the served scores.
SCORES_TABLE = "scores"

#: Table name used in messages about the served recommendations.
RECOMMENDED_TABLE = "recommended"

#: Groups of the lift reported by :func:`realised_performance` (top decile).
LIFT_GROUPS = 10

#: Columns of :func:`realised_performance`.
PERFORMANCE_COLUMNS: tuple[str, ...] = (
    "period",
    "n",
    "pending",
    "pay_rate",
    "mean_p_pay",
    "auc",
    "brier",
    "calibration_gap",
    "top_decile_lift",
)

#: Columns of :func:`contact_performance`.
CONTACT_PERFORMANCE_COLUMNS: tuple[str, ...] = (
    "n",
    "value",
    "std_error",
    "ci_low",
    "ci_high",
    "description",
)


def realised_performance(
    scores: pd.DataFrame,
    data: Dataset,
    *,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    by: str = "M",
    observed_until: Any = None,
) -> pd.DataFrame:
    """How the served ``p_pay`` scores did once their outcomes arrived, per period of ``as_of``.

    ``scores`` holds ``debtor_id``, ``as_of`` and ``p_pay`` (what was served), one row
    per snapshot of ``data.debtors``. The outcome is the contract label
    (``paid_within_horizon`` on ``data.payments``). A score counts only when its horizon
    has fully elapsed: ``as_of + horizon_days <= observed_until`` (default: the last
    payment day of ``data.payments``); the others are counted in ``pending``.

    One row per period (``by``: a pandas period frequency) and a last row ``"all"``
    (``period`` is text): ``n`` (scores with an outcome), ``pending``, ``pay_rate``,
    ``mean_p_pay``, ``auc`` (NaN unless both payers and non-payers), ``brier``,
    ``calibration_gap`` (mean p_pay - pay rate), ``top_decile_lift`` (pay rate of the
    highest-scored tenth over the pay rate; NaN with fewer than 10 scores or no payer).
    """
    if not isinstance(data, Dataset):
        raise ConfigError(
            f"data must be a Dataset (e.g. collectscore.validate(DIR)); got {type(data).__name__}"
        )
    horizon = _horizon(horizon_days)
    scores = _require(scores, SCORES_TABLE, ("debtor_id", "as_of", "p_pay"))
    if data.payments is None:
        raise ContractError(
            [
                Problem(
                    "payments",
                    None,
                    "the payments table (outcomes of the scored snapshots)",
                    "no payments table",
                    "add payments.parquet or payments.csv to the data folder",
                )
            ]
        )
    payments = _payments(data.payments)
    if payments is None:  # pragma: no cover - data.payments was checked above
        raise ConfigError("data.payments is missing")
    debtors = _require(data.debtors, "debtors", ("debtor_id", "as_of", "outstanding"))
    p = pd.to_numeric(scores["p_pay"], errors="coerce").to_numpy(float)
    _check_values(
        scores,
        SCORES_TABLE,
        "p_pay",
        ~(np.isfinite(p) & (p >= 0) & (p <= 1)),
        expected="a probability in [0, 1]",
        fix="pass the served calibrated probabilities (p_pay of the score output)",
    )
    as_of = _dates(scores["as_of"], SCORES_TABLE, "as_of")
    _check_unique_scores(scores, as_of)

    debtor_as_of = _dates(debtors["as_of"], "debtors", "as_of")
    _check_unique(debtors, debtor_as_of)
    snap = debtors.assign(as_of=debtor_as_of.to_numpy(), _row=np.arange(len(debtors)))
    snap["debtor_id"] = snap["debtor_id"].astype(str)
    served = pd.DataFrame(
        {"debtor_id": scores["debtor_id"].astype(str).to_numpy(), "as_of": as_of.to_numpy()}
    )
    matched = served.merge(
        snap[["debtor_id", "as_of", "_row"]], on=["debtor_id", "as_of"], how="left"
    )
    _check_values(
        scores,
        SCORES_TABLE,
        "debtor_id",
        matched["_row"].isna().to_numpy(),
        expected="a snapshot (debtor_id, as_of) of data.debtors for every score",
        fix="score the snapshots of data.debtors, or add the missing snapshots to debtors",
    )
    rows = matched["_row"].to_numpy(int)
    label = paid_within_horizon(snap.iloc[rows], payments, horizon).to_numpy(int)

    until = _observed_until(observed_until, payments, as_of)
    elapsed = (as_of + pd.Timedelta(days=horizon) <= until).to_numpy()
    period = _periods(as_of, by).astype(str).to_numpy()

    records = []
    for name in sorted(pd.unique(period)):
        mask = period == name
        records.append(_metrics(str(name), label[mask & elapsed], p[mask & elapsed], mask))
    records.append(_metrics("all", label[elapsed], p[elapsed], np.ones(len(p), dtype=bool)))
    out = pd.DataFrame.from_records(records, columns=list(PERFORMANCE_COLUMNS))
    return out


def _metrics(name: str, y: np.ndarray, p: np.ndarray, scope: np.ndarray) -> dict[str, Any]:
    n = int(y.size)
    rec: dict[str, Any] = {"period": name, "n": n, "pending": int(scope.sum()) - n}
    if n == 0:
        return rec | dict.fromkeys(PERFORMANCE_COLUMNS[3:], np.nan)
    payers = int(y.sum())
    rate = payers / n
    rec["pay_rate"] = rate
    rec["mean_p_pay"] = float(p.mean())
    rec["auc"] = roc_auc(y, p) if 0 < payers < n else np.nan
    rec["brier"] = brier(y, p)
    rec["calibration_gap"] = float(p.mean()) - rate
    if n >= LIFT_GROUPS and payers > 0:
        rec["top_decile_lift"] = float(lift_table(y, p, deciles=LIFT_GROUPS)["lift"].iloc[0])
    else:
        rec["top_decile_lift"] = np.nan
    return rec


def _check_unique_scores(scores: pd.DataFrame, as_of: pd.Series) -> None:
    dup = pd.DataFrame({"d": scores["debtor_id"].to_numpy(), "a": as_of.to_numpy()}).duplicated(
        keep=False
    )
    _check_values(
        scores,
        SCORES_TABLE,
        "debtor_id",
        dup.to_numpy(),
        expected="one score per (debtor_id, as_of)",
        fix="keep the score that was served (one per snapshot)",
    )


# ---------------------------------------------------------------------- contacts
def contact_performance(
    contacts: pd.DataFrame,
    *,
    recommended: pd.DataFrame | None = None,
    model_column: str = "p_success",
    level: float = 0.95,
) -> pd.DataFrame:
    """Realised success of contacts that followed the recommendation vs the others.

    ``recommended``: the served recommendations (``recommend(...).best`` rows kept over
    time): ``debtor_id``, ``channel`` and ``send_at`` (debtor-local), or ``send_at_utc``
    when ``contacts.sent_at`` is tz-aware. A contact *followed* the recommendation when
    the debtor had one on the contact's day with the same channel and hour; it is
    *not followed* when the day's recommendation differed (another channel or hour, or
    ``no_contact``), and *no recommendation* when none was served for that day.

    Rows (index ``group``): ``all``, and with ``recommended``: ``followed``,
    ``not_followed``, ``no_recommendation`` (observed success rates with a normal
    interval), then ``ips``, ``snips`` and ``dr``: off-policy estimates of the success
    rate had every contact on a recommended day followed the recommendation
    (deterministic target policy), from the contacts with a logged ``propensity``. DR
    also needs ``model_column`` in both tables (predicted success of the logged and the
    recommended action); rows that cannot be computed are NaN and say why.
    """
    contacts = _require(contacts, "contacts", ("debtor_id", "channel", "sent_at", "success"))
    success = contacts["success"].astype("boolean")
    _check_values(contacts, "contacts", "success", success.isna().to_numpy())
    reward = success.to_numpy(bool).astype(float)
    if len(contacts) == 0:
        raise ContractError(
            [Problem("contacts", None, "at least one contact", "no rows", "pass logged contacts")]
        )
    rows: dict[str, dict[str, Any]] = {
        "all": _observed(reward, level, "every logged contact (observed success rate)")
    }
    if recommended is None:
        return _table(rows)

    channel = contacts["channel"].astype("str").to_numpy()
    _check_values(contacts, "contacts", "channel", ~np.isin(channel, CHANNELS))
    sent = _sent(contacts)
    aware = isinstance(sent.dtype, pd.DatetimeTZDtype)
    rec_time = "send_at_utc" if aware else "send_at"
    recommended = _require(recommended, RECOMMENDED_TABLE, ("debtor_id", "channel", rec_time))
    when = pd.to_datetime(recommended[rec_time], errors="coerce")
    if aware:  # compare instants in UTC, as naive values
        sent = sent.dt.tz_convert("UTC").dt.tz_localize(None)
        if isinstance(when.dtype, pd.DatetimeTZDtype):
            when = when.dt.tz_convert("UTC").dt.tz_localize(None)
    elif isinstance(when.dtype, pd.DatetimeTZDtype):
        raise ConfigError(
            "recommended.send_at must be debtor-local wall time (naive), like contacts.sent_at"
        )
    rec = pd.DataFrame(
        {
            "debtor_id": recommended["debtor_id"].astype(str).to_numpy(),
            "day": when.dt.floor("D").to_numpy().astype("datetime64[ns]"),
            "rec_channel": recommended["channel"].astype("str").to_numpy(),
            "rec_hour": when.dt.floor("h").to_numpy().astype("datetime64[ns]"),
            "served": True,
        }
    )
    if model_column in recommended.columns:
        rec["q_target"] = pd.to_numeric(recommended[model_column], errors="coerce").to_numpy(float)
    rec = rec[rec["day"].notna().to_numpy()]  # no send time (no_contact): matches no day
    dup = rec.duplicated(["debtor_id", "day"], keep=False).to_numpy()
    if dup.any():
        raise ConfigError(
            f"recommended has {int(dup.sum())} rows sharing a debtor and day; keep the one "
            "recommendation served per debtor and day"
        )
    log = pd.DataFrame(
        {
            "debtor_id": contacts["debtor_id"].astype(str).to_numpy(),
            "day": sent.dt.floor("D").to_numpy().astype("datetime64[ns]"),
            "channel": channel,
            "hour": sent.dt.floor("h").to_numpy().astype("datetime64[ns]"),
        }
    )
    joined = log.merge(rec, on=["debtor_id", "day"], how="left", validate="many_to_one")
    has_rec = joined["served"].notna().to_numpy()
    followed = (
        has_rec
        & (joined["channel"].to_numpy() == joined["rec_channel"].to_numpy())
        & (joined["hour"].to_numpy() == joined["rec_hour"].to_numpy())
    )
    rows["followed"] = _observed(
        reward[followed], level, "contacts that followed the recommendation"
    )
    rows["not_followed"] = _observed(
        reward[has_rec & ~followed], level, "contacts on a recommended day with another action"
    )
    rows["no_recommendation"] = _observed(
        reward[~has_rec], level, "contacts on a day without a served recommendation"
    )
    rows.update(_off_policy(contacts, joined, reward, has_rec, followed, model_column, level))
    return _table(rows)


def _off_policy(
    contacts: pd.DataFrame,
    joined: pd.DataFrame,
    reward: np.ndarray,
    has_rec: np.ndarray,
    followed: np.ndarray,
    model_column: str,
    level: float,
) -> dict[str, dict[str, Any]]:
    names = ("ips", "snips", "dr")
    if "propensity" not in contacts.columns:
        why = "not computed: contacts have no propensity column (logging probabilities)"
        return {k: _missing(why) for k in names}
    propensity = pd.to_numeric(contacts["propensity"], errors="coerce").to_numpy(float)
    known = np.isfinite(propensity)
    _check_values(
        contacts, "contacts", "propensity", known & ~((propensity > 0) & (propensity <= 1))
    )
    use = has_rec & known
    if not use.any():
        why = "not computed: no contact on a recommended day has a logged propensity"
        return {k: _missing(why) for k in names}
    left = int((has_rec & ~known).sum())
    note = f" ({left} contacts without propensity left out)" if left else ""
    r, p = reward[use], propensity[use]
    target = followed[use].astype(float)
    text = "success rate had the recommendations been followed"
    out = {
        "ips": _row(ips(r, p, target, level=level), f"IPS estimate: {text}{note}"),
        "snips": _row(snips(r, p, target, level=level), f"SNIPS estimate: {text}{note}"),
    }
    if model_column in contacts.columns and "q_target" in joined.columns:
        q_logged = pd.to_numeric(contacts[model_column], errors="coerce").to_numpy(float)[use]
        q_target = joined["q_target"].to_numpy(float)[use]
        q_target = np.where(np.isnan(q_target), 0.0, q_target)  # no_contact: no success
        if np.isfinite(q_logged).all():
            out["dr"] = _row(
                doubly_robust(r, p, target, q_logged, q_target, level=level),
                f"doubly robust estimate: {text}{note}",
            )
            return out
    out["dr"] = _missing(
        f"not computed: needs {model_column!r} (predicted success) in contacts and recommended"
    )
    return out


def _observed(reward: np.ndarray, level: float, text: str) -> dict[str, Any]:
    if reward.size == 0:
        return _missing(f"{text}: none")
    ones = np.ones(reward.size)
    return _row(ips(reward, ones, ones, level=level), text)


def _row(e: Estimate, text: str) -> dict[str, Any]:
    return {
        "n": e.n,
        "value": e.estimate,
        "std_error": e.std_error,
        "ci_low": e.ci_low,
        "ci_high": e.ci_high,
        "description": text,
    }


def _missing(text: str) -> dict[str, Any]:
    return {"n": 0, **dict.fromkeys(CONTACT_PERFORMANCE_COLUMNS[1:5], np.nan), "description": text}


def _table(rows: dict[str, dict[str, Any]]) -> pd.DataFrame:
    out = pd.DataFrame.from_dict(rows, orient="index", columns=list(CONTACT_PERFORMANCE_COLUMNS))
    out.index.name = "group"
    out["n"] = out["n"].astype("int64")
    return out


def _sent(contacts: pd.DataFrame) -> pd.Series:
    sent = contacts["sent_at"]
    if not pd.api.types.is_datetime64_any_dtype(sent):
        sent = pd.to_datetime(sent, errors="coerce")
    _check_values(contacts, "contacts", "sent_at", sent.isna().to_numpy())
    return sent
