"""Reading tables from DataFrames, Parquet and CSV files, and data folders."""

from __future__ import annotations

import gzip
import logging
import warnings
from pathlib import Path

import pandas as pd
import pytest

from collectscore._data import Dataset
from collectscore._errors import ConfigError, ContractError
from collectscore._io import find_table_file, read_dir, read_table, write_dir
from collectscore._validation import validate, validate_table

PLAIN_CSV = """account_id,booked_at,amount,balance_after,description
A1,2026-03-01,1234.56,2000.5,"NOMINA, MARZO"
A1,2026-03-02,-12.5,1988,Cafe
A1,2026-03-03,-1500,488,Alquiler
"""
EUROPEAN_CSV = """account_id;booked_at;amount;balance_after;description
A1;2026-03-01;1.234,56;2.000,5;NOMINA, MARZO
A1;2026-03-02;-12,5;1.988;Cafe
A1;2026-03-03;-1.500;488;Alquiler
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_csv_with_semicolons_and_decimal_commas_reads_like_the_plain_csv(tmp_path, caplog):
    plain = read_table(write(tmp_path / "plain.csv", PLAIN_CSV), "transactions")
    with caplog.at_level(logging.INFO, logger="collectscore"):
        european = read_table(write(tmp_path / "european.csv", EUROPEAN_CSV), "transactions")
    assert "separator ';'" in caplog.text and "decimal commas" in caplog.text
    clean_plain, _, _ = validate_table(plain, "transactions")
    clean_european, report, _ = validate_table(european, "transactions")
    pd.testing.assert_frame_equal(clean_european, clean_plain)
    assert clean_european["amount"].tolist() == [1234.56, -12.5, -1500.0]
    assert clean_european["description"].iloc[0] == "NOMINA, MARZO"
    assert any("decimal commas" in note for note in report.notes)


def test_csv_columns_are_read_as_text_so_ids_keep_leading_zeros(tmp_path):
    path = write(tmp_path / "debtors.csv", "debtor_id,account_id\n007,0042\n")
    df = read_table(path, "debtors")
    assert df["debtor_id"].tolist() == ["007"] and df["account_id"].tolist() == ["0042"]


def test_a_gzipped_csv_is_read(tmp_path):
    path = tmp_path / "transactions.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(EUROPEAN_CSV)
    df = read_table(path, "transactions")
    assert df["amount"].tolist() == ["1234.56", "-12.5", "-1500"]


def test_problems_in_a_csv_name_the_file_and_its_line_numbers(tmp_path):
    bad = PLAIN_CSV.replace("-12.5", "twelve")
    path = write(tmp_path / "transactions.csv", bad)
    with pytest.raises(ContractError) as info:
        validate_table(read_table(path, "transactions"), "transactions")
    text = str(info.value)
    assert "column 'amount'" in text and str(path) in text
    assert "(rows 1) [file lines 3]" in text


def test_parquet_and_dataframe_inputs_give_the_same_table(tmp_path, debtors):
    debtors.to_parquet(tmp_path / "debtors.parquet")
    from_parquet = read_table(tmp_path / "debtors.parquet", "debtors")
    from_frame = read_table(debtors, "debtors")
    assert from_frame is not debtors
    a, _, _ = validate_table(from_parquet, "debtors")
    b, _, _ = validate_table(from_frame, "debtors")
    pd.testing.assert_frame_equal(a, b)


def test_an_unknown_suffix_or_missing_file_is_an_error_naming_table_and_file(tmp_path):
    sheet = write(tmp_path / "debtors.xlsx", "not really")
    with pytest.raises(ContractError) as info:
        read_table(sheet, "debtors")
    assert info.value.tables() == {"debtors"} and "debtors.xlsx" in str(info.value)
    assert "Parquet or CSV" in str(info.value)
    with pytest.raises(ContractError, match="no such file"):
        read_table(tmp_path / "nope.csv", "debtors")


def test_a_broken_parquet_file_is_an_error_naming_table_and_file(tmp_path):
    broken = write(tmp_path / "payments.parquet", "garbage")
    with pytest.raises(ContractError) as info:
        read_table(broken, "payments")
    assert info.value.tables() == {"payments"} and "payments.parquet" in str(info.value)


def test_read_dir_reads_the_tables_and_ignores_other_files_and_folders(
    tmp_path, transactions, debtors, payments
):
    transactions.to_parquet(tmp_path / "transactions.parquet")
    debtors.to_csv(tmp_path / "debtors.csv", index=False)
    payments.to_parquet(tmp_path / "payments.parquet")
    write(tmp_path / "notes.txt", "hello")
    write(tmp_path / "old_debtors.csv", "broken,,,\n")
    (tmp_path / "archive").mkdir()
    write(tmp_path / "archive" / "contacts.csv", "broken")
    data = read_dir(tmp_path)
    assert data.contacts is None and data.truth == {}
    assert len(data.transactions) == 5 and len(data.debtors) == 2 and len(data.payments) == 2


def test_read_dir_loads_ground_truth_of_synthetic_data(tmp_path, transactions, debtors):
    truth = pd.DataFrame({"debtor_id": ["D1", "D2"], "will_pay": [True, False]})
    write_dir(Dataset(transactions, debtors, truth={"debtors": truth}), tmp_path / "sample")
    data = read_dir(tmp_path / "sample")
    pd.testing.assert_frame_equal(data.truth["debtors"], truth)
    pd.testing.assert_frame_equal(data.debtors, debtors)


def test_read_dir_of_a_missing_folder_is_an_error(tmp_path):
    with pytest.raises(ContractError) as info:
        read_dir(tmp_path / "nowhere")
    assert info.value.tables() == {"transactions", "debtors"}
    assert "no folder" in str(info.value)


def test_read_dir_lists_what_is_there_when_a_required_table_is_missing(tmp_path, debtors):
    debtors.to_parquet(tmp_path / "debtors.parquet")
    write(tmp_path / "transaction.csv", "x\n1\n")
    with pytest.raises(ContractError) as info:
        read_dir(tmp_path)
    (problem,) = info.value.problems
    assert problem.table == "transactions"
    assert "transactions.parquet" in problem.expected and "transactions.csv" in problem.expected
    assert "debtors.parquet" in problem.received and "transaction.csv" in problem.received
    assert "did you mean 'transaction.csv'" in problem.received


def test_read_dir_can_require_other_tables(tmp_path, transactions, debtors):
    write_dir(Dataset(transactions, debtors), tmp_path)
    with pytest.raises(ContractError) as info:
        read_dir(tmp_path, require=("transactions", "debtors", "payments"))
    assert info.value.tables() == {"payments"}
    with pytest.raises(ConfigError, match="did you mean 'payments'"):
        read_dir(tmp_path, require=("payment",))


def test_a_table_in_two_formats_is_ambiguous(tmp_path, debtors):
    debtors.to_parquet(tmp_path / "debtors.parquet")
    debtors.to_csv(tmp_path / "debtors.csv", index=False)
    with pytest.raises(ContractError, match=r"keep only one of debtors\.parquet, debtors\.csv"):
        find_table_file(tmp_path, "debtors")
    assert find_table_file(tmp_path, "payments") is None


def test_write_dir_refuses_to_make_a_folder_ambiguous(tmp_path, transactions, debtors):
    debtors.to_csv(tmp_path / "debtors.csv", index=False)
    with pytest.raises(ConfigError, match=r"debtors\.csv"):
        write_dir(Dataset(transactions, debtors), tmp_path)
    assert not (tmp_path / "transactions.parquet").exists()


def test_validate_reads_and_checks_a_folder_round_trip(tmp_path, transactions, debtors):
    clean = validate({"transactions": transactions, "debtors": debtors})
    write_dir(clean, tmp_path / "data")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = validate(tmp_path / "data")
    pd.testing.assert_frame_equal(again.transactions, clean.transactions)
    pd.testing.assert_frame_equal(again.debtors, clean.debtors)


def test_a_table_absent_but_not_required_passes_through_as_an_empty_table(tmp_path, debtors):
    debtors.to_parquet(tmp_path / "debtors.parquet")
    data = read_dir(tmp_path, require=("debtors",))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clean = validate(data)
    assert clean.transactions.empty
    assert clean.transactions["booked_at"].dtype == "datetime64[us]"
    assert len(clean.debtors) == 2


def test_a_csv_with_a_header_and_no_rows_is_an_empty_table(tmp_path):
    path = write(tmp_path / "payments.csv", "debtor_id,paid_at,amount\n")
    with pytest.raises(ContractError, match="table 'payments' has no rows"):
        validate_table(read_table(path, "payments"), "payments")


def test_validate_accepts_file_paths_in_a_dict(tmp_path, transactions, debtors):
    transactions.to_csv(tmp_path / "tx.csv", index=False)
    debtors.to_parquet(tmp_path / "deb.parquet")
    data = validate({"transactions": str(tmp_path / "tx.csv"), "debtors": tmp_path / "deb.parquet"})
    assert data.transactions["amount"].tolist() == transactions["amount"].tolist()


def test_arrow_backed_frames_are_coerced_like_numpy_ones(tmp_path, transactions):
    transactions["booked_at"] = pd.to_datetime(transactions["booked_at"])
    transactions.to_parquet(tmp_path / "transactions.parquet")
    arrow = pd.read_parquet(tmp_path / "transactions.parquet", dtype_backend="pyarrow")
    a, _, _ = validate_table(arrow, "transactions")
    b, _, _ = validate_table(transactions, "transactions")
    pd.testing.assert_frame_equal(a, b)


def test_an_explicit_source_is_named_in_the_message(debtors):
    debtors["outstanding"] = [-1.0, 1.0]
    with pytest.raises(ContractError, match=r"column 'outstanding' \(crm-export\)"):
        validate_table(debtors, "debtors", source="crm-export")
