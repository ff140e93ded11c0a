"""Training data from either source: a contract data folder or a bring-your-own feature table.

Both give a :class:`TrainingData`: numeric model features, the label (1 = pays), the
observation dates when there are any, identifiers, protected columns kept apart, and notes
that say everything that was done to the rows (nothing is dropped without being counted).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from collectscore._errors import EXAMPLE_ROWS, ConfigError, ContractError, Problem, did_you_mean

from ._config import ContractData, FeatureTable

#: The table name bring-your-own problems are reported under.
TABLE = "features"
_READABLE = (".parquet", ".csv", ".csv.gz")


@dataclass(frozen=True)
class TrainingData:
    """What the pipeline trains on; every frame has a RangeIndex aligned with ``y``."""

    X: pd.DataFrame
    y: np.ndarray
    keys: pd.DataFrame
    as_of: pd.Series | None
    protected: pd.DataFrame
    days_past_due: str | None
    source: str
    feature_set: str
    feature_set_version: str
    notes: list[str] = field(default_factory=list)
    #: Row-aligned columns that describe the rows without reaching the model (e.g. country).
    context: pd.DataFrame = field(default_factory=pd.DataFrame)


def load_training_data(source: ContractData | FeatureTable) -> TrainingData:
    """Read, validate and label ``source``; a ContractError lists every problem found."""
    if isinstance(source, ContractData):
        return _from_contract(source)
    if isinstance(source, FeatureTable):
        return _from_table(source)
    raise ConfigError(f"source must be ContractData or FeatureTable; got {type(source).__name__}")


# ----------------------------------------------------------------- contract data folder
def _from_contract(source: ContractData) -> TrainingData:
    from collectscore import build_features, paid_within_horizon
    from collectscore._io import read_dir
    from collectscore._validation import validate_dataset

    data, report = validate_dataset(
        read_dir(source.folder, require=("transactions", "debtors", "payments"))
    )
    notes = [str(w) for w in report.warnings]
    assert data.payments is not None
    debtors = data.debtors
    covered = max(
        pd.to_datetime(data.transactions["booked_at"]).max(),
        pd.to_datetime(data.payments["paid_at"]).max(),
    ).normalize()
    horizon_end = pd.to_datetime(debtors["as_of"]).dt.normalize() + pd.Timedelta(
        days=source.horizon_days
    )
    censored = (horizon_end > covered).to_numpy()
    if censored.all():
        raise ContractError(
            [
                Problem(
                    "debtors",
                    "as_of",
                    f"snapshots whose {source.horizon_days}-day horizon ends by the last date "
                    f"the data covers ({covered.date()})",
                    "no snapshot with a complete horizon",
                    "add later payments and transactions, or train on earlier snapshots",
                    source=str(source.folder),
                )
            ]
        )
    if censored.any():
        notes.append(
            f"left out {int(censored.sum()):,} of {len(debtors):,} debtor snapshots whose "
            f"{source.horizon_days}-day horizon ends after {covered.date()}, the last date the "
            "data covers: their label is not known yet"
        )
        debtors = debtors.loc[~censored].reset_index(drop=True)
    features = build_features(
        data.transactions, debtors, contacts=data.contacts, payments=data.payments
    )
    y = paid_within_horizon(debtors, data.payments, source.horizon_days).to_numpy(np.int8)
    keys = features.index.to_frame(index=False)
    X = features.reset_index(drop=True)
    version = _digest(catalogue_rows(list(X.columns)).astype(str).to_dict("list"))
    context = _debtor_context(keys, debtors)
    return TrainingData(
        X=X,
        y=y,
        keys=keys,
        as_of=pd.to_datetime(keys["as_of"]),
        protected=pd.DataFrame(index=X.index),
        days_past_due="days_past_due" if "days_past_due" in X else None,
        source=source.describe(),
        feature_set="collectscore catalogue",
        feature_set_version=version,
        notes=notes,
        context=context,
    )


def _debtor_context(keys: pd.DataFrame, debtors: pd.DataFrame) -> pd.DataFrame:
    """The debtors' ``country`` per feature row (empty when the table has no country)."""
    if "country" not in debtors.columns:
        return pd.DataFrame(index=keys.index)
    left = pd.DataFrame(
        {"debtor_id": keys["debtor_id"].astype(str), "as_of": pd.to_datetime(keys["as_of"])}
    )
    right = pd.DataFrame(
        {
            "debtor_id": debtors["debtor_id"].astype(str),
            "as_of": pd.to_datetime(debtors["as_of"]),
            "country": debtors["country"],
        }
    ).drop_duplicates(["debtor_id", "as_of"])
    merged = left.merge(right, on=["debtor_id", "as_of"], how="left", validate="many_to_one")
    return pd.DataFrame({"country": merged["country"].to_numpy()}, index=keys.index)


def catalogue_rows(names: list[str]) -> pd.DataFrame:
    """The feature catalogue's rows of ``names``, in that order."""
    from collectscore.features import catalog

    return catalog().set_index("name").loc[names].reset_index()


# ----------------------------------------------------------------- bring your own table
def _from_table(source: FeatureTable) -> TrainingData:
    frame = read_feature_table(source.path)
    _require_columns(frame, source)
    notes: list[str] = []
    y = _target(frame, source, notes)
    roles = [source.target, *source.protected, *(c for c in (source.id, source.time) if c)]
    X = frame.drop(columns=roles)
    X = _numeric_features(X, source)
    keys = (
        frame[[source.id]].copy()
        if source.id
        else pd.DataFrame({"row": np.arange(len(frame), dtype=np.int64)})
    )
    if source.id and frame[source.id].duplicated().any():
        notes.append(
            f"column '{source.id}' repeats {int(frame[source.id].duplicated().sum()):,} values; "
            "each row is still one case"
        )
    as_of = None
    if source.time:
        as_of = _dates(frame[source.time], source.time)
        keys["as_of"] = as_of
    dpd = source.days_past_due
    if dpd is None and "days_past_due" in X:
        dpd = "days_past_due"
    if dpd is None:
        notes.append(
            "no days-past-due column (--days-past-due COLUMN), so the rule baseline "
            "'fewer days past due pays first' is left out"
        )
    version = _digest({"columns": [(c, str(t)) for c, t in X.dtypes.items()]})
    return TrainingData(
        X=X.reset_index(drop=True),
        y=y,
        keys=keys.reset_index(drop=True),
        as_of=None if as_of is None else as_of.reset_index(drop=True),
        protected=frame[list(source.protected)].reset_index(drop=True),
        days_past_due=dpd,
        source=source.describe(),
        feature_set=f"bring-your-own table {source.path.name}",
        feature_set_version=version,
        notes=notes,
    )


def read_feature_table(path: Path) -> pd.DataFrame:
    """A Parquet or CSV(.gz) file as pandas (``;`` files read with a decimal comma)."""
    from collectscore._io import _sniff, arrow_to_pandas

    path = Path(path)
    name = path.name.lower()
    if not path.is_file():
        raise _problem(
            None,
            "a readable .parquet or .csv file",
            "a folder" if path.is_dir() else "no such file",
            "check the path (file names are case-sensitive)",
            source=str(path),
        )
    try:
        if name.endswith(".parquet"):
            import pyarrow.parquet as pq

            frame = arrow_to_pandas(pq.read_table(path))
        elif name.endswith((".csv", ".csv.gz")):
            sep, encoding = _sniff(path)
            frame = pd.read_csv(
                path, sep=sep, encoding=encoding, decimal="," if sep == ";" else "."
            )
        else:
            raise _problem(
                None,
                f"a file ending in {', '.join(_READABLE)}",
                f"'{path.name}'",
                "export the table as Parquet or CSV with a header row",
                source=str(path),
            )
    except ContractError:
        raise
    except Exception as exc:  # the readers raise many types for a broken file
        raise _problem(
            None,
            "a readable table",
            f"{type(exc).__name__}: {exc}",
            "check the file is complete and has one header row",
            source=str(path),
        ) from exc
    if frame.empty:
        raise _problem(None, "at least one row", "an empty table", "export the rows too", str(path))
    frame.columns = [str(c) for c in frame.columns]
    return frame


def _require_columns(frame: pd.DataFrame, source: FeatureTable) -> None:
    wanted = {"target": [source.target], "protected": list(source.protected)}
    for role in ("id", "time", "days_past_due"):
        if getattr(source, role):
            wanted[role] = [getattr(source, role)]
    problems = [
        Problem(
            TABLE,
            name,
            f"a column '{name}' (the {role} column)",
            f"no such column{did_you_mean(name, frame.columns)}",
            f"name one of the table's columns: {', '.join(list(frame.columns)[:12])}"
            + (" ..." if frame.shape[1] > 12 else ""),
            source=str(source.path),
        )
        for role, names in wanted.items()
        for name in names
        if name not in frame.columns
    ]
    if problems:
        raise ContractError(problems)


def _target(frame: pd.DataFrame, source: FeatureTable, notes: list[str]) -> np.ndarray:
    column = frame[source.target]
    missing = np.flatnonzero(column.isna().to_numpy())
    if missing.size:
        raise _problem(
            source.target,
            "an outcome on every row",
            "missing values",
            "drop the rows without an outcome, or fill them in",
            str(source.path),
            missing,
        )
    values = pd.unique(column)
    if len(values) != 2:
        shown = ", ".join(repr(v) for v in values[:EXAMPLE_ROWS])
        raise _problem(
            source.target,
            "exactly two outcome values (e.g. 0 and 1)",
            f"{len(values)} distinct values ({shown})",
            "pass a binary column: 1 = paid (or --target-means default when 1 = did not pay)",
            str(source.path),
        )
    low, high = sorted(values, key=lambda v: (str(type(v)), v))
    pays = high if source.target_means == "pay" else low
    pays = pays.item() if isinstance(pays, np.generic) else pays
    notes.append(
        f"target '{source.target}': {pays!r} counts as paid "
        f"({'1 means paid' if source.target_means == 'pay' else '1 means did not pay'})"
    )
    return (column.to_numpy() == pays).astype(np.int8)


def _numeric_features(X: pd.DataFrame, source: FeatureTable) -> pd.DataFrame:
    if X.shape[1] == 0:
        raise _problem(
            None,
            "at least one feature column besides the target, id, time and protected columns",
            "none left",
            "add feature columns to the table",
            str(source.path),
        )
    out = X.copy()
    problems: list[Problem] = []
    for name in X.columns:
        column = X[name]
        if pd.api.types.is_bool_dtype(column):
            out[name] = column.astype("float64")
        elif not pd.api.types.is_numeric_dtype(column):
            numbers = pd.to_numeric(column, errors="coerce")
            bad = np.flatnonzero(numbers.isna().to_numpy() & column.notna().to_numpy())
            if bad.size:
                problems.append(
                    Problem(
                        TABLE,
                        name,
                        "numbers (empty for missing)",
                        f"text such as {column.iloc[bad[0]]!r}",
                        "encode it as numbers (e.g. one 0/1 column per category), or keep it "
                        "out of the model with --id or --protected",
                        rows=tuple(int(r) for r in bad[:EXAMPLE_ROWS]),
                        n_rows=int(bad.size),
                        source=str(source.path),
                    )
                )
            else:
                out[name] = numbers
    if problems:
        raise ContractError(problems)
    return out.astype("float64")


def _dates(column: pd.Series, name: str) -> pd.Series:
    parsed = pd.to_datetime(column, errors="coerce")
    bad = np.flatnonzero(parsed.isna().to_numpy())
    if bad.size:
        raise _problem(
            name,
            "an observation date on every row (e.g. 2026-03-31)",
            "missing or unreadable dates",
            "fill in the dates in ISO format, or leave out --time for a random split",
            None,
            bad,
        )
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    return parsed


def _problem(
    column: str | None,
    expected: str,
    received: str,
    fix: str,
    source: str | None = None,
    rows: np.ndarray | None = None,
) -> ContractError:
    shown = () if rows is None else tuple(int(r) for r in rows[:EXAMPLE_ROWS])
    n = 0 if rows is None else len(rows)
    return ContractError(
        [Problem(TABLE, column, expected, received, fix, rows=shown, n_rows=n, source=source)]
    )


def _digest(value: object) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]
