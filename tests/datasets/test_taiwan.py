"""The UCI Taiwan credit-card default set: loading, decoding, checks and the contract mapping.

Tests on the real file use the ``taiwan_dir`` fixture (``../shared/data/taiwan_default``
relative to the repository root): skipped when it is absent, failed when ``CI`` is set.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from collectscore._contract import DEBTORS, PAYMENTS
from collectscore._errors import ContractError
from collectscore._validation import validate_table
from collectscore.datasets import taiwan

FILE_NAME = "default_of_credit_card_clients.csv.gz"
MONTH_ENDS = pd.to_datetime(
    ["2005-04-30", "2005-05-31", "2005-06-30", "2005-07-31", "2005-08-31", "2005-09-30"]
)


@pytest.fixture(scope="module")
def frame(taiwan_dir: Path) -> pd.DataFrame:
    return taiwan.load(taiwan_dir)


@pytest.fixture(scope="module")
def raw(taiwan_dir: Path) -> pd.DataFrame:
    """The file as published, read without any decoding."""
    return pd.read_csv(taiwan_dir / FILE_NAME)


@pytest.fixture(scope="module")
def history(frame: pd.DataFrame) -> taiwan.TaiwanHistory:
    return taiwan.to_contract(frame)


@pytest.fixture(scope="module")
def lines(taiwan_dir: Path) -> list[str]:
    """The file's text lines (header first), to write altered copies from."""
    return gzip.decompress((taiwan_dir / FILE_NAME).read_bytes()).decode().splitlines()


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def hand_built(**columns: list[object]) -> pd.DataFrame:
    """A small frame shaped like ``load``'s output: two clients, everything 0 unless given."""
    n = len(next(iter(columns.values()))) if columns else 2
    data: dict[str, list[object]] = {c.name: [0] * n for c in taiwan.COLUMNS}
    data["client_id"] = list(range(1, n + 1))
    data.update(columns)
    return pd.DataFrame(data)


# ------------------------------------------------------------------------- load


def test_the_real_file_gives_30000_clients_with_exactly_the_documented_columns(
    frame: pd.DataFrame,
) -> None:
    assert len(frame) == 30_000
    assert list(frame.columns) == [c.name for c in taiwan.COLUMNS]
    assert frame["client_id"].is_unique
    assert (frame["client_id"].min(), frame["client_id"].max()) == (1, 30_000)
    assert not frame.isna().any().any()


def test_months_are_named_not_numbered_like_pay_0_and_pay_2() -> None:
    names = [c.name for c in taiwan.COLUMNS]
    assert taiwan.MONTHS == ("sep", "aug", "jul", "jun", "may", "apr")
    for prefix in ("repayment_status", "bill_amount", "paid_amount"):
        assert [n for n in names if n.startswith(prefix)] == [
            f"{prefix}_{m}" for m in taiwan.MONTHS
        ]
    by_name = {c.name: c for c in taiwan.COLUMNS}
    assert by_name["repayment_status_sep"].source == "PAY_0"
    assert by_name["repayment_status_aug"].source == "PAY_2"
    assert by_name["bill_amount_apr"].source == "BILL_AMT6"
    assert all(n == n.lower() and " " not in n for n in names)


def test_every_column_is_documented_with_source_meaning_and_unit(raw: pd.DataFrame) -> None:
    assert [c.source for c in taiwan.COLUMNS] == list(raw.columns)
    table = pd.DataFrame(list(taiwan.COLUMNS))
    assert list(table.columns[:4]) == ["name", "source", "meaning", "unit"]
    assert (table["meaning"].str.len() > 0).all() and (table["unit"].str.len() > 0).all()
    money = table.loc[table["unit"] == "NT$", "name"]
    assert set(money) == {"credit_limit"} | {
        f"{p}_{m}" for p in ("bill_amount", "paid_amount") for m in taiwan.MONTHS
    }


def test_paid_next_month_is_one_minus_the_uci_default_flag(
    frame: pd.DataFrame, raw: pd.DataFrame
) -> None:
    assert taiwan.TARGET == "paid_next_month"
    assert frame[taiwan.TARGET].mean() == pytest.approx(1 - 6_636 / 30_000)
    assert frame[taiwan.TARGET].sum() == 23_364
    np.testing.assert_array_equal(
        frame[taiwan.TARGET].to_numpy(), 1 - raw["default payment next month"].to_numpy()
    )


def test_codes_are_decoded_to_readable_categories(frame: pd.DataFrame, raw: pd.DataFrame) -> None:
    assert list(frame["sex"].cat.categories) == ["male", "female"]
    assert list(frame["education"].cat.categories) == [
        "graduate_school",
        "university",
        "high_school",
        "other",
        "unknown",
    ]
    assert list(frame["marital_status"].cat.categories) == ["married", "single", "other", "unknown"]
    # Every row decodes as the README says, including the undocumented codes.
    sex = raw["SEX"].map({1: "male", 2: "female"})
    education = raw["EDUCATION"].map(
        {1: "graduate_school", 2: "university", 3: "high_school", 4: "other"}
    )
    marital = raw["MARRIAGE"].map({1: "married", 2: "single", 3: "other"})
    assert (frame["sex"].astype(str) == sex).all()
    assert (frame["education"].astype(str) == education.fillna("unknown")).all()
    assert (frame["marital_status"].astype(str) == marital.fillna("unknown")).all()
    assert (frame["education"] == "unknown").sum() == raw["EDUCATION"].isin([0, 5, 6]).sum() > 0
    assert (frame["marital_status"] == "unknown").sum() == (raw["MARRIAGE"] == 0).sum() > 0


def test_client_1_reads_as_in_the_file(frame: pd.DataFrame) -> None:
    first = frame.iloc[0]
    assert first["client_id"] == 1
    assert first["credit_limit"] == 20_000.0
    assert (first["sex"], first["education"], first["marital_status"], first["age"]) == (
        "female",
        "university",
        "married",
        24,
    )
    assert [first[f"repayment_status_{m}"] for m in taiwan.MONTHS] == [2, 2, -1, -1, -2, -2]
    assert [first[f"bill_amount_{m}"] for m in taiwan.MONTHS] == [3913, 3102, 689, 0, 0, 0]
    assert [first[f"paid_amount_{m}"] for m in taiwan.MONTHS] == [0, 689, 0, 0, 0, 0]
    assert first[taiwan.TARGET] == 0


def test_protected_attributes_are_flagged_on_the_frame(frame: pd.DataFrame) -> None:
    assert taiwan.PROTECTED == ("sex", "marital_status", "age")
    assert frame.attrs["protected"] == taiwan.PROTECTED
    assert frame.attrs["target"] == taiwan.TARGET
    assert {c.name for c in taiwan.COLUMNS if c.protected} == set(taiwan.PROTECTED)


def test_the_folder_the_gz_file_and_a_plain_csv_copy_all_load(
    taiwan_dir: Path, lines: list[str], tmp_path: Path
) -> None:
    plain = write_lines(tmp_path / "copy.csv", lines)
    by_file = taiwan.load(taiwan_dir / FILE_NAME)
    by_csv = taiwan.load(plain)
    assert by_file.equals(taiwan.load(taiwan_dir))
    assert by_csv.equals(by_file)
    assert by_csv.attrs["source"] == str(plain)


def test_the_default_path_works_from_any_folder_of_a_source_checkout(
    taiwan_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert taiwan.DEFAULT_PATH == "../shared/data/taiwan_default"
    monkeypatch.chdir(tmp_path)
    assert len(taiwan.load()) == 30_000


# ------------------------------------------------------------- bad files rejected


def test_a_missing_path_names_the_path_and_where_the_set_is_expected(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(ContractError) as err:
        taiwan.load(missing)
    message = str(err.value)
    assert str(missing) in message
    assert "../shared/data/taiwan_default/" in message
    assert "taiwan.load(path)" in message


def test_a_folder_without_the_file_is_rejected_naming_the_expected_file(tmp_path: Path) -> None:
    (tmp_path / "other.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ContractError) as err:
        taiwan.load(tmp_path)
    assert FILE_NAME in str(err.value)
    assert str(tmp_path) in str(err.value)


def test_a_truncated_copy_is_rejected_with_its_row_count(lines: list[str], tmp_path: Path) -> None:
    short = write_lines(tmp_path / "short.csv", lines[:11])
    with pytest.raises(ContractError) as err:
        taiwan.load(short)
    message = str(err.value)
    assert "30,000 data rows" in message and "got 10 rows" in message
    assert str(short) in message


def test_a_truncated_gzip_stream_is_rejected_as_unreadable(
    taiwan_dir: Path, tmp_path: Path
) -> None:
    data = (taiwan_dir / FILE_NAME).read_bytes()
    broken = tmp_path / FILE_NAME
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(ContractError) as err:
        taiwan.load(tmp_path)
    assert "could not be read" in str(err.value)
    assert "sha256" in str(err.value)


def test_a_line_with_too_many_fields_is_rejected_naming_the_line(
    lines: list[str], tmp_path: Path
) -> None:
    altered = list(lines)
    altered[4] += ",99"  # file line 5
    with pytest.raises(ContractError) as err:
        taiwan.load(write_lines(tmp_path / "wide.csv", altered))
    assert "could not be read" in str(err.value)
    assert "Expected 25 fields in line 5, saw 26" in str(err.value)


def test_bad_values_are_each_reported_with_column_and_file_line(
    lines: list[str], tmp_path: Path
) -> None:
    altered = list(lines)
    header = altered[0].split(",")
    row = altered[3].split(",")  # client 3, file line 4
    row[header.index("SEX")] = "3"
    altered[3] = ",".join(row)
    row = altered[7].split(",")  # client 7, file line 8
    row[header.index("LIMIT_BAL")] = "abc"
    row[header.index("PAY_AMT2")] = "-5"
    altered[7] = ",".join(row)
    altered.append(altered[1])  # client 1 twice (and 30,001 rows)
    with pytest.raises(ContractError) as err:
        taiwan.load(write_lines(tmp_path / "bad.csv", altered))
    problems = {p.column: p for p in err.value.problems}
    assert set(problems) == {"SEX", "LIMIT_BAL", "PAY_AMT2", "ID", None}
    assert problems["SEX"].rows == (2,) and "one of 1, 2" in problems["SEX"].expected
    assert "[file lines 4]" in problems["SEX"].describe()
    assert "'abc'" in problems["LIMIT_BAL"].received
    assert "[file lines 8]" in problems["LIMIT_BAL"].describe()
    assert problems["PAY_AMT2"].rows == (6,)
    assert problems["ID"].rows == (0, 30_000) and "repeated" in problems["ID"].received
    assert "got 30,001 rows" in problems[None].describe()


def test_a_renamed_header_column_is_named_with_a_suggestion(
    lines: list[str], tmp_path: Path
) -> None:
    altered = [lines[0].replace("PAY_0", "PAY_1"), *lines[1:]]
    with pytest.raises(ContractError) as err:
        taiwan.load(write_lines(tmp_path / "renamed.csv", altered))
    message = str(err.value)
    assert "'PAY_0'" in message
    assert "unexpected column 'PAY_1'; did you mean 'PAY_0'?" in message


def test_rows_with_missing_fields_are_reported_not_dropped(
    lines: list[str], tmp_path: Path
) -> None:
    altered = list(lines)
    altered[5] = ",".join(altered[5].split(",")[:20])  # client 5 cut after 20 fields
    with pytest.raises(ContractError) as err:
        taiwan.load(write_lines(tmp_path / "cut.csv", altered))
    [problem] = err.value.problems
    assert problem.column == "PAY_AMT3, PAY_AMT4, PAY_AMT5, PAY_AMT6, default payment next month"
    assert problem.rows == (4,) and "empty fields" in problem.received
    assert "[file lines 6]" in problem.describe()


# --------------------------------------------------------------- contract mapping


def test_to_contract_gives_contract_shaped_debtors_and_payments(
    frame: pd.DataFrame, history: taiwan.TaiwanHistory
) -> None:
    debtors, payments = history.debtors, history.payments
    assert set(DEBTORS.required) <= set(debtors.columns)
    assert set(PAYMENTS.required) <= set(payments.columns)
    assert set(debtors.columns) <= {c.name for c in DEBTORS.columns}
    assert len(debtors) == 6 * 30_000
    assert not debtors.duplicated(list(DEBTORS.unique)).any()
    assert sorted(debtors["as_of"].unique()) == list(MONTH_ENDS)
    assert (debtors["outstanding"] >= 0).all()
    assert pd.api.types.is_integer_dtype(debtors["days_past_due"])
    assert (debtors["days_past_due"] >= 0).all()
    assert (debtors["debtor_id"] == debtors["account_id"]).all()
    assert set(debtors["country"]) == {"TW"} and set(debtors["timezone"]) == {"Asia/Taipei"}
    assert not debtors.isna().any().any() and not payments.isna().any().any()
    # Every positive monthly amount becomes exactly one payment; nothing else does.
    paid = frame[[f"paid_amount_{m}" for m in taiwan.MONTHS]]
    assert (payments["amount"] > 0).all()
    assert len(payments) == int((paid > 0).to_numpy().sum())
    assert payments["amount"].sum() == pytest.approx(paid.to_numpy().sum())


def test_client_1_history_matches_its_hand_checked_statuses(
    history: taiwan.TaiwanHistory,
) -> None:
    one = history.debtors[history.debtors["debtor_id"] == "1"].set_index("as_of")
    # PAY_0 = 2 (two months late in Sep 2005) -> 60 days; -1/-2 -> 0.
    assert one.loc["2005-09-30", "days_past_due"] == 60
    assert list(one["days_past_due"]) == [0, 0, 0, 0, 60, 60]  # Apr .. Sep
    assert list(one["outstanding"]) == [0, 0, 0, 689, 3102, 3913]
    pays = history.payments[history.payments["debtor_id"] == "1"]
    assert list(pays["paid_at"]) == [pd.Timestamp("2005-08-01")]
    assert list(pays["amount"]) == [689.0]


def test_delay_codes_become_30_days_per_month_and_credit_balances_owe_nothing() -> None:
    frame = hand_built(
        repayment_status_sep=[-2, 1],
        repayment_status_aug=[-1, 8],
        repayment_status_jul=[0, 9],
        bill_amount_sep=[-500.0, 1200.0],
        paid_amount_sep=[0.0, 300.0],
        paid_amount_apr=[50.0, 0.0],
    )
    history = taiwan.to_contract(frame)
    dpd = history.debtors.pivot(index="as_of", columns="debtor_id", values="days_past_due")
    assert list(dpd.loc["2005-09-30"]) == [0, 30]
    assert list(dpd.loc["2005-08-31"]) == [0, 240]
    assert list(dpd.loc["2005-07-31"]) == [0, 270]
    owed = history.debtors.pivot(index="as_of", columns="debtor_id", values="outstanding")
    assert list(owed.loc["2005-09-30"]) == [0.0, 1200.0]
    expected = pd.DataFrame(
        {
            "debtor_id": ["1", "2"],
            "paid_at": pd.to_datetime(["2005-04-01", "2005-09-01"]),
            "amount": [50.0, 300.0],
        }
    )
    pd.testing.assert_frame_equal(
        history.payments.astype({"debtor_id": object}),
        expected.astype({"debtor_id": object}),
        check_dtype=False,
    )


def test_a_payment_falls_within_30_days_after_the_previous_snapshot(
    history: taiwan.TaiwanHistory,
) -> None:
    after_april = history.payments[history.payments["paid_at"] > MONTH_ENDS[0]]
    snapshot = after_april["paid_at"].dt.to_period("M").dt.to_timestamp() - pd.Timedelta(days=1)
    days = (after_april["paid_at"] - snapshot).dt.days
    assert set(snapshot.unique()) <= set(MONTH_ENDS[:-1])
    assert days.between(1, 30).all()


def test_labels_carry_the_uci_outcome_at_the_september_snapshot(
    frame: pd.DataFrame, history: taiwan.TaiwanHistory
) -> None:
    labels = history.labels
    assert list(labels.columns) == ["debtor_id", "as_of", taiwan.TARGET]
    assert set(labels["as_of"]) == {pd.Timestamp("2005-09-30")}
    assert list(labels["debtor_id"]) == [str(i) for i in frame["client_id"]]
    assert labels[taiwan.TARGET].sum() == 23_364


def test_the_contract_validator_accepts_debtors_and_payments_unchanged(
    history: taiwan.TaiwanHistory,
) -> None:
    for name in ("debtors", "payments"):
        given = getattr(history, name)
        cleaned, _, warnings = validate_table(given, name)
        assert warnings == []
        assert len(cleaned) == len(given)
        assert list(cleaned.columns) == list(given.columns)


def test_to_contract_rejects_a_frame_without_the_loaded_columns() -> None:
    frame = hand_built().rename(columns={"repayment_status_sep": "PAY_0"})
    with pytest.raises(ContractError) as err:
        taiwan.to_contract(frame)
    message = str(err.value)
    assert "'repayment_status_sep'" in message
    assert "taiwan.load()" in message


def test_to_contract_rejects_negative_payments_and_unknown_statuses_naming_rows() -> None:
    frame = hand_built(
        paid_amount_may=[0.0, -20.0], repayment_status_jun=[np.nan, 0], client_id=[7, 8]
    )
    with pytest.raises(ContractError) as err:
        taiwan.to_contract(frame)
    problems = {p.column: p for p in err.value.problems}
    assert set(problems) == {"paid_amount_may", "repayment_status_jun"}
    assert (
        problems["paid_amount_may"].rows == (1,) and ">= 0" in problems["paid_amount_may"].expected
    )
    assert problems["repayment_status_jun"].rows == (0,)
    assert "(empty)" in problems["repayment_status_jun"].received


def test_to_contract_rejects_a_client_listed_twice() -> None:
    with pytest.raises(ContractError) as err:
        taiwan.to_contract(hand_built(client_id=[5, 5]))
    assert [p.column for p in err.value.problems] == ["client_id"]
    assert err.value.problems[0].rows == (0, 1)


# ------------------------------------------------------------------------- docs


def test_the_docs_page_lists_every_column_and_the_protected_attributes(repo_root: Path) -> None:
    page = (repo_root / "docs" / "taiwan-data.md").read_text(encoding="utf-8")
    for column in taiwan.COLUMNS:
        assert f"`{column.name}`" in page, column.name
        assert f"`{column.source}`" in page, column.source
    for name in taiwan.PROTECTED:
        assert f"`{name}`" in page
    assert "CC BY 4.0" in page and "350" in page and taiwan.DEFAULT_PATH in page
