"""Generate a sample in memory, or write it to a data folder chunk by chunk."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from collectscore._data import Dataset
from collectscore._errors import ConfigError
from collectscore._io import arrow_to_pandas
from collectscore.synthetic._calendar import Calendar, build_calendar
from collectscore.synthetic._config import BLOCK_DEBTORS, SampleConfig, SampleSummary
from collectscore.synthetic._simulate import simulate_block
from collectscore.synthetic._tables import (
    CONTACTS_SCHEMA,
    DEBTORS_SCHEMA,
    PAYMENTS_SCHEMA,
    TRUTH_CONTACT_SCHEMA,
    TRUTH_DEBTORS_SCHEMA,
    TRUTH_TX_SCHEMA,
    TX_SCHEMA,
    TX_SCHEMA_WITH_CATEGORY,
)

#: Contract tables, then truth tables (``truth/<name>``), in writing order.
CONTRACT_TABLES: tuple[str, ...] = ("transactions", "debtors", "payments", "contacts")
TRUTH_TABLES: tuple[str, ...] = ("debtors", "contact_success", "transactions")
TRUTH_DIR = "truth"


def _schemas(cfg: SampleConfig) -> dict[str, pa.Schema]:
    return {
        "transactions": TX_SCHEMA_WITH_CATEGORY if cfg.with_categories else TX_SCHEMA,
        "debtors": DEBTORS_SCHEMA,
        "payments": PAYMENTS_SCHEMA,
        "contacts": CONTACTS_SCHEMA,
        "truth/debtors": TRUTH_DEBTORS_SCHEMA,
        "truth/contact_success": TRUTH_CONTACT_SCHEMA,
        "truth/transactions": TRUTH_TX_SCHEMA,
    }


def _n_blocks(cfg: SampleConfig) -> int:
    return -(-cfg.debtors // BLOCK_DEBTORS)


def _chunks(
    cfg: SampleConfig, cal: Calendar, blocks_per_chunk: int
) -> Iterator[tuple[int, dict[str, pa.Table]]]:
    """(debtors done, tables) per chunk of whole blocks."""
    total = _n_blocks(cfg)
    for first in range(0, total, blocks_per_chunk):
        parts = [
            simulate_block(cfg, cal, b) for b in range(first, min(first + blocks_per_chunk, total))
        ]
        tables = {k: pa.concat_tables([p[k] for p in parts]) for k in parts[0]}
        del parts
        done = min((first + blocks_per_chunk) * BLOCK_DEBTORS, cfg.debtors)
        yield done, tables
        del tables  # free this chunk before drawing the next one


def generate(config: SampleConfig) -> Dataset:
    """The whole sample in memory (meant for small samples); ground truth in ``truth``."""
    if not isinstance(config, SampleConfig):
        raise ConfigError(f"generate expects a SampleConfig; got {type(config).__name__}")
    cal = build_calendar(config)
    _, tables = next(_chunks(config, cal, _n_blocks(config)))
    frames = {k: arrow_to_pandas(v) for k, v in tables.items()}
    return Dataset(
        transactions=frames["transactions"],
        debtors=frames["debtors"],
        payments=frames["payments"],
        contacts=frames["contacts"],
        truth={name: frames[f"{TRUTH_DIR}/{name}"] for name in TRUTH_TABLES},
    )


def write_sample(
    config: SampleConfig,
    out: str | os.PathLike[str],
    *,
    chunk_debtors: int = 20_000,
    progress: Callable[[int, int], None] | None = None,
) -> SampleSummary:
    """Write the contract tables to ``out/*.parquet`` and the truth to ``out/truth/``.

    Debtors are generated ``chunk_debtors`` at a time (rounded to whole blocks of
    1,000) and each chunk becomes one Parquet row group, so memory stays bounded.
    The content does not depend on ``chunk_debtors``; the same config and chunk size
    give byte-identical files. ``progress(done, total)`` is called after each chunk.
    """
    if not isinstance(config, SampleConfig):
        raise ConfigError(f"write_sample expects a SampleConfig; got {type(config).__name__}")
    if isinstance(chunk_debtors, bool) or not isinstance(chunk_debtors, int) or chunk_debtors < 1:
        raise ConfigError(f"chunk_debtors must be a whole number >= 1; got {chunk_debtors!r}")
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"out must be a folder; {folder} is a file")
    (folder / TRUTH_DIR).mkdir(parents=True, exist_ok=True)
    cal = build_calendar(config)
    schemas = _schemas(config)
    paths = {name: folder / f"{name}.parquet" for name in schemas}
    partial = {name: p.with_name(p.name + ".partial") for name, p in paths.items()}
    writers = {
        name: pq.ParquetWriter(partial[name], schema, compression="zstd")
        for name, schema in schemas.items()
    }
    rows = dict.fromkeys(schemas, 0)
    try:
        for done, tables in _chunks(config, cal, max(1, chunk_debtors // BLOCK_DEBTORS)):
            for name, table in tables.items():
                writers[name].write_table(table, row_group_size=max(table.num_rows, 1))
                rows[name] += table.num_rows
            del tables, table
            if progress is not None:
                progress(done, config.debtors)
    except BaseException:
        for w in writers.values():
            w.close()
        for p in partial.values():
            p.unlink(missing_ok=True)
        raise
    for w in writers.values():
        w.close()
    for name in schemas:
        partial[name].replace(paths[name])
    return SampleSummary(out=folder, debtors=config.debtors, rows=rows, files=paths)
