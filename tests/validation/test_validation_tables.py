"""Table and dataset rules: duplicates, currencies, empty tables, one error for everything."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from collectscore._data import Dataset
from collectscore._errors import ConfigError, ContractError
from collectscore._validation import (
    ContractWarning,
    ValidationReport,
    validate,
    validate_dataset,
    validate_table,
)


def problems_of(df: pd.DataFrame, table: str) -> ContractError:
    with pytest.raises(ContractError) as info:
        validate_table(df, table)
    return info.value


def test_exact_duplicate_transactions_are_dropped_with_a_warning_and_counted(transactions):
    doubled = pd.concat([transactions, transactions.iloc[[1, 1, 3]]], ignore_index=True)
    out, report, warns = validate_table(doubled, "transactions")
    assert report.rows_in == 8 and report.rows_out == 5
    assert report.duplicates_dropped == 3
    assert out["transaction_id"].tolist() == ["T1", "T2", "T3", "T4", "T5"]
    (warning,) = warns
    assert warning.startswith("transactions: dropped 3 exact duplicate rows")
    assert "'T2'" in warning and "'T4'" in warning


def test_duplicates_are_compared_after_coercion(transactions):
    again = transactions.iloc[[0]].assign(amount="1500.00", booked_at="2026-03-01T00:00:00")
    out, report, _ = validate_table(pd.concat([transactions, again]), "transactions")
    assert report.duplicates_dropped == 1 and len(out) == 5


def test_a_transaction_id_shared_by_different_rows_is_an_error(transactions):
    clash = transactions.iloc[[1]].assign(amount=-99.0)
    err = problems_of(pd.concat([transactions, clash]), "transactions")
    (problem,) = err.problems
    assert (problem.table, problem.column) == ("transactions", "transaction_id")
    assert problem.rows == (1, 5)
    assert "'T2'" in problem.received and "amount" in problem.received


def test_rows_without_transaction_id_are_never_deduplicated(transactions):
    transactions["transaction_id"] = None
    same = pd.concat([transactions, transactions.iloc[[0]]], ignore_index=True)
    out, report, warns = validate_table(same, "transactions")
    assert len(out) == 6 and report.duplicates_dropped == 0 and warns == []


def test_an_account_with_two_currencies_is_an_error_naming_account_and_currencies(
    transactions,
):
    transactions["currency"] = ["EUR", "USD", "EUR", "USD", "USD"]
    err = problems_of(transactions, "transactions")
    (problem,) = err.problems
    assert (problem.table, problem.column) == ("transactions", "currency")
    assert "account_id 'A1' uses EUR, USD" in problem.received
    assert problem.rows == (0, 1, 2)


def test_an_empty_table_is_an_error(debtors):
    err = problems_of(debtors.iloc[0:0], "debtors")
    assert "table 'debtors' has no rows" in str(err)
    assert err.columns() == {("debtors", None)}


def test_a_debtor_repeated_at_the_same_date_is_an_error(debtors):
    debtors["debtor_id"] = ["D1", "D1"]
    err = problems_of(debtors, "debtors")
    (problem,) = err.problems
    assert problem.column == "debtor_id, as_of" and problem.rows == (0, 1)
    assert "'D1'" in problem.received


def test_the_same_debtor_at_two_dates_is_fine(debtors):
    debtors["debtor_id"] = ["D1", "D1"]
    debtors["as_of"] = ["2026-02-28", "2026-03-31"]
    out, _, _ = validate_table(debtors, "debtors")
    assert len(out) == 2


def test_several_problems_in_two_tables_come_in_one_sorted_error(transactions, debtors):
    transactions["amount"] = ["abc", -1.0, -2.0, 3.0, 4.0]
    transactions = transactions.drop(columns="account_id")
    debtors["outstanding"] = [-1.0, 2.0]
    debtors["days_past_due"] = [1, None]
    with pytest.raises(ContractError) as info:
        validate_dataset(Dataset(transactions, debtors))
    err = info.value
    assert [(p.table, p.column) for p in err.problems] == [
        ("transactions", "account_id"),
        ("transactions", "amount"),
        ("debtors", "days_past_due"),
        ("debtors", "outstanding"),
    ]
    text = str(err)
    assert text.startswith("4 problems with the input data:")
    assert "table 'transactions', column 'amount'" in text
    assert "table 'debtors', column 'outstanding'" in text


def test_a_clean_dataset_validates_with_a_report(transactions, debtors, payments, contacts):
    transactions["tag"] = "x"
    data, report = validate_dataset(Dataset(transactions, debtors, payments, contacts))
    assert isinstance(report, ValidationReport)
    assert report.warnings == []
    assert set(report.tables) == {"transactions", "debtors", "payments", "contacts"}
    assert data.contacts["success"].dtype == bool
    assert data.payments["paid_at"].dtype == "datetime64[us]"
    rows = {r["table"]: r for r in report.summary_rows()}
    assert rows["transactions"]["rows_in"] == 5 and rows["transactions"]["extra_columns"] == "tag"
    assert "booked_at" in rows["transactions"]["coerced"]


def test_unmatched_debtors_payments_and_contacts_are_warnings(
    transactions, debtors, payments, contacts
):
    debtors.loc[1, "account_id"] = "A9"
    payments.loc[0, "debtor_id"] = "D7"
    contacts.loc[2, "debtor_id"] = "D8"
    _, report = validate_dataset(Dataset(transactions, debtors, payments, contacts))
    assert len(report.warnings) == 3
    lonely, unpaid, uncontacted = report.warnings
    assert lonely.startswith("debtors: 1 debtor has no transactions") and "'D2'" in lonely
    assert unpaid.startswith("payments: 1 row") and "'D7'" in unpaid
    assert uncontacted.startswith("contacts: 1 row") and "'D8'" in uncontacted


def test_validate_accepts_a_dict_of_frames_and_warns_with_contract_warnings(transactions, debtors):
    doubled = pd.concat([transactions, transactions.iloc[[0]]])
    with pytest.warns(ContractWarning, match="dropped 1 exact duplicate row"):
        data = validate({"transactions": doubled, "debtors": debtors})
    assert isinstance(data, Dataset) and len(data.transactions) == 5


def test_validate_accepts_a_dataset_and_keeps_its_ground_truth(transactions, debtors):
    truth = {"debtors": pd.DataFrame({"debtor_id": ["D1"], "will_pay": [True]})}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = validate(Dataset(transactions, debtors, truth=truth))
    assert data.truth["debtors"] is truth["debtors"]


def test_validate_rejects_unknown_table_names_and_missing_scoring_tables(transactions):
    with pytest.raises(ConfigError, match="did you mean 'transactions'"):
        validate({"transaction": transactions, "debtors": transactions})
    with pytest.raises(ContractError) as info:
        validate({"transactions": transactions})
    assert info.value.tables() == {"debtors"}


def test_an_unknown_table_name_is_a_config_error(debtors):
    with pytest.raises(ConfigError, match="did you mean 'debtors'"):
        validate_table(debtors, "debtor")
