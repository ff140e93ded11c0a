"""Same config, same data: across runs, chunk sizes, and memory versus files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from collectscore._contract import TABLES
from collectscore._io import read_dir
from collectscore.synthetic import SampleConfig, generate, write_sample

#: Two blocks of 1,000 debtors, the second one partial.
CFG = SampleConfig(debtors=1300, seed=5, months_min=6, months_max=8, snapshots=3)
FILES = (
    "transactions",
    "debtors",
    "payments",
    "contacts",
    "truth/debtors",
    "truth/contact_success",
    "truth/transactions",
)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("samples")
    calls: list[tuple[int, int]] = []
    write_sample(CFG, root / "a", chunk_debtors=1000, progress=lambda d, t: calls.append((d, t)))
    write_sample(CFG, root / "b", chunk_debtors=1000)
    write_sample(CFG, root / "big_chunks", chunk_debtors=50_000)
    (root / "calls.txt").write_text(repr(calls))
    return {"a": root / "a", "b": root / "b", "big": root / "big_chunks", "root": root}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_two_runs_with_the_same_config_write_byte_identical_files(written) -> None:
    for name in FILES:
        assert _digest(written["a"] / f"{name}.parquet") == _digest(
            written["b"] / f"{name}.parquet"
        )


def test_the_content_does_not_depend_on_the_chunk_size(written) -> None:
    for name in FILES:
        small = pd.read_parquet(written["a"] / f"{name}.parquet")
        big = pd.read_parquet(written["big"] / f"{name}.parquet")
        pd.testing.assert_frame_equal(small, big)


def test_each_chunk_is_one_row_group_and_progress_is_reported_per_chunk(written) -> None:
    assert pq.ParquetFile(written["a"] / "transactions.parquet").num_row_groups == 2
    assert pq.ParquetFile(written["big"] / "transactions.parquet").num_row_groups == 1
    assert (written["root"] / "calls.txt").read_text() == repr([(1000, 1300), (1300, 1300)])
    assert not list(written["a"].rglob("*.partial"))


def test_generate_equals_the_files_read_back(written) -> None:
    data = generate(CFG)
    back = read_dir(written["a"])
    assert back.tables().keys() == data.tables().keys()
    assert back.truth.keys() == data.truth.keys()
    for name in FILES:
        if name.startswith("truth/"):
            key = name.split("/", 1)[1]
            in_memory, on_disk = data.truth[key], back.truth[key]
        else:
            in_memory, on_disk = getattr(data, name), getattr(back, name)
        pd.testing.assert_frame_equal(in_memory, on_disk)


def test_date_columns_are_stored_as_calendar_dates(written) -> None:
    for name, table in TABLES.items():
        schema = pq.read_schema(written["a"] / f"{name}.parquet")
        for column in table.columns:
            if column.kind == "date" and column.name in schema.names:
                assert schema.field(column.name).type == pa.date32(), (name, column.name)


def test_the_summary_counts_the_rows_written(tmp_path: Path) -> None:
    cfg = SampleConfig(debtors=40, seed=2)
    summary = write_sample(cfg, tmp_path)
    assert summary.debtors == 40
    for name in FILES:
        assert summary.rows[name] == pq.ParquetFile(tmp_path / f"{name}.parquet").metadata.num_rows
    assert summary.rows["debtors"] >= 40
    assert summary.files["transactions"] == tmp_path / "transactions.parquet"


def test_a_different_seed_gives_different_data() -> None:
    a = generate(SampleConfig(debtors=50, seed=1))
    b = generate(SampleConfig(debtors=50, seed=2))
    again = generate(SampleConfig(debtors=50, seed=1))
    pd.testing.assert_frame_equal(a.transactions, again.transactions)
    pd.testing.assert_frame_equal(a.contacts, again.contacts)
    assert not a.transactions["amount"].equals(b.transactions["amount"])
    assert not a.debtors["outstanding"].equals(b.debtors["outstanding"])


def test_the_first_debtors_do_not_depend_on_how_many_are_generated() -> None:
    few = generate(SampleConfig(debtors=1000, seed=9, months_min=6, months_max=6, snapshots=2))
    more = generate(SampleConfig(debtors=1001, seed=9, months_min=6, months_max=6, snapshots=2))
    # block 0 holds debtors 1..1000 in both runs
    same = more.debtors[more.debtors["debtor_id"] <= "D00001000"].reset_index(drop=True)
    pd.testing.assert_frame_equal(few.debtors, same)
