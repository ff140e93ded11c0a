"""Debtor-local wall-clock times, and back to UTC for sending."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._contract import TABLES
from .._errors import ContractError, Problem
from ._inputs import _positions, zone

_TIMEZONE = TABLES["debtors"].column("timezone")


def _debtor_zones(contacts: pd.DataFrame, debtors: pd.DataFrame) -> np.ndarray:
    """Per contact, the time zone of the debtor's snapshot in force (``UTC`` when missing)."""
    problems = [
        Problem(
            "debtors",
            name,
            f"a column named {name!r}",
            "no such column",
            "local_times needs debtors with debtor_id and as_of (timezone optional)",
        )
        for name in ("debtor_id", "as_of")
        if name not in debtors.columns
    ]
    if problems:
        raise ContractError(problems)
    if "timezone" not in debtors.columns:
        return np.full(len(contacts), "UTC", dtype=object)
    snaps = pd.DataFrame(
        {
            "debtor_id": pd.Series(debtors["debtor_id"].astype(str).to_numpy(), dtype="str"),
            "as_of": pd.to_datetime(debtors["as_of"]).to_numpy().astype("datetime64[ns]"),
            "timezone": debtors["timezone"].astype(object).where(debtors["timezone"].notna(), None),
        }
    )
    names = snaps["timezone"].dropna().unique()
    bad = [n for n in names if not _valid(n)]
    if bad:
        mask = snaps["timezone"].isin(bad).to_numpy()
        rows, n = _positions(mask)
        raise ContractError(
            [
                Problem(
                    "debtors",
                    "timezone",
                    "an IANA time-zone name",
                    ", ".join(repr(b) for b in bad[:5]),
                    _TIMEZONE.hint,
                    rows,
                    n,
                )
            ]
        )
    ids = pd.Series(contacts["debtor_id"].astype(str).to_numpy(), dtype="str")
    stated = snaps.dropna(subset=["timezone"])
    n_zones = stated.groupby("debtor_id")["timezone"].nunique()
    single = stated.drop_duplicates("debtor_id").set_index("debtor_id")["timezone"]
    out = ids.map(single).to_numpy(dtype=object, copy=True)
    moved = ids.isin(n_zones.index[n_zones > 1]).to_numpy()
    if moved.any():
        # a debtor whose zone changed: the latest snapshot on or before the contact's
        # (UTC) day that states a zone, else the first later one
        stated = stated.sort_values("as_of", kind="stable")
        keys = pd.DataFrame(
            {
                "debtor_id": ids[moved].to_numpy(),
                "as_of": contacts["_day"].to_numpy()[moved],
                "_pos": np.flatnonzero(moved),
            }
        ).sort_values("as_of", kind="stable")
        keys["debtor_id"] = keys["debtor_id"].astype("str")
        back = pd.merge_asof(keys, stated, on="as_of", by="debtor_id", direction="backward")
        ahead = pd.merge_asof(keys, stated, on="as_of", by="debtor_id", direction="forward")
        found = back["timezone"].where(back["timezone"].notna(), ahead["timezone"])
        out[back["_pos"].to_numpy()] = found.to_numpy(dtype=object)
    known = ids.isin(snaps["debtor_id"]).to_numpy()
    out = np.where(pd.isna(out), "UTC", out)
    return np.where(known, out, None)


def _valid(name: object) -> bool:
    try:
        zone(str(name))
    except ContractError:
        return False
    return True


def local_times(contacts: pd.DataFrame, debtors: pd.DataFrame) -> pd.Series:
    """Naive debtor-local ``sent_at`` of each contact.

    Tz-aware times are converted to the debtor's ``timezone`` (from the debtor's snapshot
    in force on that day; ``UTC`` when the timezone is missing) and made naive; naive
    times are already debtor-local and kept as they are. At a daylight-saving fall-back,
    two instants an hour apart share one local wall-clock time: both are returned as that
    time. Same index as ``contacts``.
    """
    for name in ("debtor_id", "sent_at"):
        if not isinstance(contacts, pd.DataFrame) or name not in contacts.columns:
            raise ContractError(
                [
                    Problem(
                        "contacts",
                        name,
                        f"a column named {name!r}",
                        "no such column",
                        "local_times needs contacts with debtor_id and sent_at",
                    )
                ]
            )
    sent = contacts["sent_at"]
    if not pd.api.types.is_datetime64_any_dtype(sent):
        try:
            sent = pd.to_datetime(sent, utc=None)
        except (TypeError, ValueError):
            sent = None
        if sent is None or not pd.api.types.is_datetime64_any_dtype(sent):
            raise ContractError(
                [
                    Problem(
                        "contacts",
                        "sent_at",
                        "date-times, all naive or all tz-aware",
                        "values that are not date-times (or mix offsets and naive values)",
                        TABLES["contacts"].column("sent_at").hint,
                    )
                ]
            )
    if not isinstance(sent.dtype, pd.DatetimeTZDtype):
        return pd.Series(sent.to_numpy(), index=contacts.index, name="sent_at")
    utc = sent.dt.tz_convert("UTC")
    frame = pd.DataFrame(
        {
            "debtor_id": contacts["debtor_id"].to_numpy(),
            "_day": utc.dt.tz_localize(None).dt.normalize().to_numpy().astype("datetime64[ns]"),
        }
    )
    zones = _debtor_zones(frame, debtors)
    unknown = pd.isna(zones) & utc.notna().to_numpy()
    if unknown.any():
        rows, n = _positions(unknown)
        raise ContractError(
            [
                Problem(
                    "contacts",
                    "debtor_id",
                    "a debtor of the debtors table (its timezone localises tz-aware sent_at)",
                    ", ".join(repr(v) for v in contacts["debtor_id"][unknown].head(5)),
                    "add the debtor to debtors, or give sent_at as naive debtor-local time",
                    rows,
                    n,
                )
            ]
        )
    out = pd.Series(pd.NaT, index=contacts.index, dtype="datetime64[ns]", name="sent_at")
    values = out.to_numpy().copy()
    for name in pd.unique(zones[~pd.isna(zones)]):
        mask = zones == name
        values[mask] = (
            utc[mask]
            .dt.tz_convert(str(name))
            .dt.tz_localize(None)
            .to_numpy()
            .astype("datetime64[ns]")
        )
    return pd.Series(values, index=contacts.index, name="sent_at")


def to_utc(local: pd.Series, timezone: str | pd.Series) -> pd.Series:
    """Debtor-local naive times as tz-aware UTC instants, deterministically across DST.

    A wall-clock time that occurs twice (fall-back) is the first occurrence (still on
    daylight-saving time); one that does not exist (spring-forward gap) moves forward to
    the first instant after the gap (02:30 becomes 03:00 in New York). ``timezone`` is one
    IANA name or one per row (missing: ``UTC``).
    """
    times = pd.Series(pd.to_datetime(local), copy=True)
    if isinstance(times.dtype, pd.DatetimeTZDtype):
        raise ContractError(
            [
                Problem(
                    "candidates",
                    "send_at",
                    "naive debtor-local date-times",
                    f"time-zone aware values ({times.dtype})",
                    "to_utc converts local times; aware ones are already instants",
                )
            ]
        )
    zones = (
        pd.Series(timezone, index=times.index)
        if isinstance(timezone, pd.Series)
        else pd.Series(timezone, index=times.index, dtype=object)
    )
    zones = zones.astype(object).where(zones.notna(), "UTC").to_numpy(dtype=object)
    values = np.full(len(times), np.datetime64("NaT", "ns"))
    naive = times.to_numpy().astype("datetime64[ns]")
    for name in pd.unique(zones):
        zone(str(name))
        mask = zones == name
        part = pd.Series(naive[mask]).dt.tz_localize(
            str(name), ambiguous=np.ones(int(mask.sum()), dtype=bool), nonexistent="shift_forward"
        )
        values[mask] = part.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
    return pd.Series(values, index=times.index, name=times.name).dt.tz_localize("UTC")
