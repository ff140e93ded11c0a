"""Reading and writing contract tables: DataFrames, Parquet and CSV files, data folders.

Reading never validates: it only gets the cells into a DataFrame. CSV files are read
as text (every column), so that validation coerces them with messages naming the
table, column and rows. A CSV file with ``;`` separators and decimal commas
(``1.234,56``) is detected and its numeric contract columns are rewritten with a
decimal point; what was detected is logged (INFO) and kept in ``df.attrs``.
"""

from __future__ import annotations

import gzip
import logging
import os
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pyarrow
import pyarrow.parquet as pq

from collectscore._contract import FILE_SUFFIXES, TABLES
from collectscore._data import Dataset
from collectscore._errors import ConfigError, ContractError, Problem, did_you_mean

__all__ = ["find_table_file", "read_dir", "read_table", "write_dir"]

logger = logging.getLogger(__name__)

#: ``df.attrs`` keys set by :func:`read_table` (read by validation for its messages).
ATTR_SOURCE = "collectscore.source"
ATTR_LINE_OFFSET = "collectscore.line_offset"
ATTR_NOTES = "collectscore.notes"
#: Set on the empty stand-in for a table absent from a folder (validation skips it).
ATTR_ABSENT = "collectscore.absent"

#: Sub-folder of a data folder holding ground-truth tables of synthetic data.
TRUTH_FOLDER = "truth"

_CSV_SUFFIXES = (".csv", ".csv.gz")
#: Suffixes a table file may have, in order of preference (compressed CSV after CSV).
TABLE_SUFFIXES: tuple[str, ...] = (
    *FILE_SUFFIXES,
    *(s for s in _CSV_SUFFIXES if s not in FILE_SUFFIXES),
)
#: A CSV header line is line 1, so row position 0 is on line 2.
_CSV_LINE_OFFSET = 2
_SEPARATORS = (",", ";", "\t")
_NA_VALUES = ["", "NA", "N/A", "NaN", "nan", "NULL", "null", "None"]

# Decimal-comma numbers: "-12,5", "1.234,56"; with dot thousands and no decimals: "1.234".
_COMMA_DECIMAL = re.compile(r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+$")
_COMMA_FILE_NUMBER = r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$"


def _table(table: str) -> None:
    if table not in TABLES:
        raise ConfigError(
            f"unknown table {table!r}{did_you_mean(table, TABLES)}; "
            f"expected one of {', '.join(TABLES)}"
        )


def _suffix(path: Path) -> str:
    name = path.name.lower()
    return next((s for s in sorted(TABLE_SUFFIXES, key=len, reverse=True) if name.endswith(s)), "")


def _file_names(table: str) -> list[str]:
    return [table + s for s in TABLE_SUFFIXES]


def _read_error(table: str, path: Path, received: str, fix: str) -> ContractError:
    expected = "a readable " + ", ".join(TABLE_SUFFIXES) + " file"
    return ContractError([Problem(table, None, expected, received, fix, source=str(path))])


def read_table(source: pd.DataFrame | str | os.PathLike, table: str) -> pd.DataFrame:
    """Read one contract table from a DataFrame (copied), a Parquet or a CSV(.gz) file.

    CSV columns are all read as text; validation coerces them. Raises
    :class:`ContractError` naming the table and file when the file cannot be read.
    """
    _table(table)
    if isinstance(source, pd.DataFrame):
        return source.copy()
    if not isinstance(source, str | os.PathLike):
        raise ConfigError(
            f"table {table!r}: expected a pandas DataFrame or a path to a .parquet or .csv "
            f"file; got {type(source).__name__}"
        )
    path = Path(source)
    if path.is_dir():
        raise _read_error(
            table,
            path,
            "a folder",
            f"pass the file itself (e.g. {path / (table + '.parquet')}), or read the whole "
            "folder with read_dir",
        )
    if not path.is_file():
        raise _read_error(
            table, path, "no such file", "check the path; file names are case-sensitive"
        )
    suffix = _suffix(path)
    if suffix == ".parquet":
        df = _read_parquet(path, table)
    elif suffix in _CSV_SUFFIXES:
        df = _read_csv(path, table)
    else:
        raise _read_error(
            table,
            path,
            f"a file with suffix {''.join(path.suffixes) or '(none)'!r}",
            "export the table as Parquet or CSV (UTF-8, header row with the column names)",
        )
    df.attrs[ATTR_SOURCE] = str(path)
    return df


def arrow_to_pandas(arrow: pyarrow.Table) -> pd.DataFrame:
    """An Arrow table as pandas, with Arrow dates as ``datetime64[us]`` (not date objects)."""
    for i, f in enumerate(arrow.schema):
        if pyarrow.types.is_date(f.type):
            arrow = arrow.set_column(i, f.name, arrow.column(i).cast(pyarrow.timestamp("us")))
    return arrow.to_pandas()


def _read_parquet(path: Path, table: str) -> pd.DataFrame:
    try:
        return arrow_to_pandas(pq.read_table(path))
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise _read_error(
            table,
            path,
            f"a file Parquet cannot read ({type(exc).__name__}: {exc})",
            "re-export the table as Parquet, or provide it as CSV instead",
        ) from exc


def _open_text(path: Path, encoding: str):
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding=encoding, newline="")
    return open(path, encoding=encoding, newline="")


def _sniff(path: Path) -> tuple[str, str]:
    """(separator, encoding) from the header line."""
    for encoding in ("utf-8-sig", "latin-1"):
        try:
            with _open_text(path, encoding) as fh:
                header = fh.readline()
            break
        except UnicodeDecodeError:
            continue
    counts = {sep: header.count(sep) for sep in _SEPARATORS}
    sep = max(_SEPARATORS, key=lambda s: counts[s])  # ties keep ','
    return (sep if counts[sep] else ","), encoding


def _read_csv(path: Path, table: str) -> pd.DataFrame:
    notes: list[str] = []
    try:
        sep, encoding = _sniff(path)
        try:
            df = _read_csv_text(path, sep, encoding)
        except UnicodeDecodeError:
            encoding = "latin-1"
            df = _read_csv_text(path, sep, encoding)
    except (OSError, EOFError, pd.errors.ParserError, ValueError) as exc:
        raise _read_error(
            table,
            path,
            f"a file the CSV reader rejects ({type(exc).__name__}: {exc})",
            "check the file is complete, has one header row and the same number of "
            "fields on every line (quote text that contains the separator)",
        ) from exc
    if encoding == "latin-1":
        notes.append("the file is not UTF-8; read it as Latin-1")
    if sep != ",":
        notes.append(f"detected separator {sep!r}")
    comma_columns = _fix_decimal_comma(df, table)
    if comma_columns:
        notes.append(
            "detected decimal commas (e.g. '1.234,56') in "
            + ", ".join(comma_columns)
            + "; read them as numbers with a decimal point"
        )
    for note in notes:
        logger.info("%s (%s): %s", table, path, note)
    df.attrs[ATTR_LINE_OFFSET] = _CSV_LINE_OFFSET
    if notes:
        df.attrs[ATTR_NOTES] = notes
    return df


def _read_csv_text(path: Path, sep: str, encoding: str) -> pd.DataFrame:
    try:
        return pd.read_csv(
            path,
            sep=sep,
            dtype=str,
            encoding=encoding,
            keep_default_na=False,
            na_values=_NA_VALUES,
            skipinitialspace=True,
        )
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def _fix_decimal_comma(df: pd.DataFrame, table: str) -> list[str]:
    """Rewrite decimal-comma numbers of the numeric contract columns in place."""
    numeric = [c.name for c in TABLES[table].columns if c.kind in ("float", "int") and c.name in df]
    if not numeric:
        return []
    text = {name: df[name].str.strip() for name in numeric}
    found = [name for name, s in text.items() if s.str.contains(_COMMA_DECIMAL, na=False).any()]
    if not found:
        return []
    # The file writes decimal commas: every numeric column follows that convention.
    for name, s in text.items():
        ok = s.str.match(_COMMA_FILE_NUMBER, na=False)
        fixed = s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        df[name] = s.where(~ok, fixed)
    return found


def find_table_file(folder: Path, table: str) -> Path | None:
    """The file holding ``table`` in ``folder`` (``transactions.parquet``, ``.csv``, ``.csv.gz``).

    ``None`` when there is none; :class:`ContractError` when several formats are present.
    """
    _table(table)
    folder = Path(folder)
    found = [folder / name for name in _file_names(table) if (folder / name).is_file()]
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise ContractError(
            [
                Problem(
                    table,
                    None,
                    "one file per table",
                    f"{len(found)} files: {names}",
                    f"keep only one of {names} in the folder",
                    source=str(folder),
                )
            ]
        )
    return found[0] if found else None


def _missing_table(folder: Path, table: str, received: str) -> Problem:
    names = _file_names(table)
    return Problem(
        table,
        None,
        "a file named " + ", ".join(names[:-1]) + " or " + names[-1],
        received,
        f"put the {table} table in the folder under one of those names"
        + (f" (it is needed for {TABLES[table].needed_for})" if TABLES[table].needed_for else ""),
        source=str(folder),
    )


def read_dir(
    path: str | os.PathLike, *, require: Sequence[str] = ("transactions", "debtors")
) -> Dataset:
    """Read the contract tables of a data folder into a :class:`Dataset` (not validated).

    Other files and sub-folders are ignored; ``truth/*.parquet`` (synthetic data) goes to
    ``Dataset.truth``. A missing folder or required table raises :class:`ContractError`.
    A missing ``transactions`` or ``debtors`` that is not required is an empty stand-in
    frame (with the contract columns) that validation passes through.
    """
    if isinstance(require, str):
        require = (require,)
    for name in require:
        _table(name)
    folder = Path(path)
    if not folder.is_dir():
        received = (
            f"a file, not a folder: {folder}"
            if folder.is_file()
            else f"no folder {str(folder)!r} (working directory {Path.cwd()})"
        )
        problems = [_missing_table(folder, name, received) for name in require]
        if folder.is_file():
            fix = f"pass the folder that holds the table files ({folder.parent})"
            problems = [replace(p, fix=fix) for p in problems]
        raise ContractError(problems)

    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    present = sorted(p.name + ("/" if p.is_dir() else "") for p in folder.iterdir())
    for name in TABLES:
        try:
            file = find_table_file(folder, name)
        except ContractError as exc:
            problems.extend(exc.problems)
            continue
        if file is not None:
            try:
                frames[name] = read_table(file, name)
            except ContractError as exc:
                problems.extend(exc.problems)
        elif name in require:
            listing = ", ".join(present[:20]) + (
                f", +{len(present) - 20} more" if len(present) > 20 else ""
            )
            received = f"no {name} file; the folder holds {listing or 'nothing'}"
            hint = did_you_mean(name + ".csv", present) or did_you_mean(name + ".parquet", present)
            problems.append(_missing_table(folder, name, received + hint))
    if problems:
        raise ContractError(problems)

    truth: dict[str, pd.DataFrame] = {}
    truth_dir = folder / TRUTH_FOLDER
    if truth_dir.is_dir():
        for file in sorted(truth_dir.glob("*.parquet")):
            try:
                truth[file.stem] = arrow_to_pandas(pq.read_table(file))
            except Exception as exc:
                raise ConfigError(f"cannot read ground-truth file {file}: {exc}") from exc

    def empty(name: str) -> pd.DataFrame:
        df = pd.DataFrame(columns=[c.name for c in TABLES[name].columns])
        df.attrs[ATTR_ABSENT] = True
        return df

    return Dataset(
        transactions=frames.get("transactions", empty("transactions")),
        debtors=frames.get("debtors", empty("debtors")),
        payments=frames.get("payments"),
        contacts=frames.get("contacts"),
        truth=truth,
    )


def write_dir(data: Dataset, path: str | os.PathLike) -> None:
    """Write each table of ``data`` as ``<table>.parquet`` (and ``truth/<name>.parquet``).

    Creates the folder. Refuses (:class:`ConfigError`) when the folder already holds the
    same table in another format, which would make the folder ambiguous.
    """
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"cannot write tables to {folder}: it is a file, not a folder")
    tables = data.tables()
    clashes = [
        folder / name
        for table in tables
        for name in _file_names(table)
        if not name.endswith(".parquet") and (folder / name).exists()
    ]
    if clashes:
        raise ConfigError(
            "cannot write Parquet tables next to "
            + ", ".join(str(p) for p in clashes)
            + ": the folder would hold a table twice; remove those files or choose another folder"
        )
    folder.mkdir(parents=True, exist_ok=True)
    for table, df in tables.items():
        _clean_attrs(df).to_parquet(folder / f"{table}.parquet")
    if data.truth:
        truth_dir = folder / TRUTH_FOLDER
        truth_dir.mkdir(exist_ok=True)
        for name, df in data.truth.items():
            _clean_attrs(df).to_parquet(truth_dir / f"{name}.parquet")


def _clean_attrs(df: pd.DataFrame) -> pd.DataFrame:
    if not df.attrs:
        return df
    out = df.copy(deep=False)
    out.attrs = {}
    return out
