"""Column rules: every bad value is named by table, column and rows; safe values are coerced."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from collectscore._contract import CHANNELS, TABLES
from collectscore._errors import ContractError
from collectscore._validation import validate_table


def problems_of(df: pd.DataFrame, table: str) -> ContractError:
    with pytest.raises(ContractError) as info:
        validate_table(df, table)
    return info.value


def test_a_valid_table_passes_and_gets_contract_dtypes(transactions):
    out, report, warns = validate_table(transactions, "transactions")
    assert warns == []
    assert report.rows_in == report.rows_out == 5
    assert out["booked_at"].dtype == "datetime64[us]"
    assert out["amount"].dtype == "float64"
    assert pd.api.types.is_string_dtype(out["account_id"])
    declared = [c.name for c in TABLES["transactions"].columns]
    assert list(out.columns) == [c for c in declared if c in transactions]
    assert report.missing_optional == ("balance_after",)


def test_a_missing_required_column_is_named_with_a_did_you_mean_hint(transactions):
    err = problems_of(transactions.rename(columns={"amount": "amout"}), "transactions")
    assert err.columns() == {("transactions", "amount")}
    text = str(err)
    assert "table 'transactions', column 'amount'" in text
    assert "found 'amout'" in text and "did you mean 'amount'?" in text
    assert "rename column 'amout' to 'amount'" in text


def test_a_missing_column_that_is_the_index_says_to_reset_it(debtors):
    err = problems_of(debtors.set_index("debtor_id"), "debtors")
    assert err.columns() == {("debtors", "debtor_id")}
    assert ".reset_index()" in str(err)


def test_text_in_amount_is_rejected_naming_the_value_and_rows(transactions):
    transactions["amount"] = ["1500", "abc", "-300", "n/d", "12"]
    err = problems_of(transactions, "transactions")
    assert err.columns() == {("transactions", "amount")}
    (problem,) = err.problems
    assert problem.rows == (1, 3) and problem.n_rows == 2
    assert "'abc' (text)" in problem.received and "'n/d' (text)" in problem.received
    assert problem.expected == TABLES["transactions"].column("amount").rule()
    assert problem.fix == TABLES["transactions"].column("amount").hint


def test_nulls_in_required_columns_are_rejected_but_allowed_in_optional_ones(debtors):
    debtors["outstanding"] = [None, 350.0]
    debtors["account_id"] = ["A1", "  "]  # blank text counts as missing
    debtors["installment"] = [None, None]
    err = problems_of(debtors, "debtors")
    assert err.columns() == {("debtors", "outstanding"), ("debtors", "account_id")}
    by_column = {p.column: p for p in err.problems}
    assert by_column["outstanding"].rows == (0,)
    assert by_column["account_id"].rows == (1,)
    assert "is required" in str(err) and "empty value" in str(err)


def test_a_negative_outstanding_is_rejected_and_the_message_names_debtors_and_outstanding(
    debtors,
):
    debtors["outstanding"] = [-5.0, 350.0]
    err = problems_of(debtors, "debtors")
    (problem,) = err.problems
    assert (problem.table, problem.column, problem.rows) == ("debtors", "outstanding", (0,))
    assert "table 'debtors', column 'outstanding'" in str(err)
    assert ">= 0" in problem.expected and "-5.0" in problem.received


def test_an_unknown_channel_is_rejected_with_a_suggestion(contacts):
    contacts["channel"] = ["SMS", "call", "telegram"]
    err = problems_of(contacts, "contacts")
    (problem,) = err.problems
    assert (problem.table, problem.column, problem.rows) == ("contacts", "channel", (0, 2))
    assert "did you mean 'sms'?" in problem.received
    assert all(repr(ch) in problem.expected for ch in CHANNELS)


def test_a_category_outside_the_vocabulary_is_rejected_but_extensions_of_a_root_pass(
    transactions,
):
    transactions["category"] = ["income.salary", "grocery", "housing.rent", "food.takeaway", None]
    err = problems_of(transactions, "transactions")
    (problem,) = err.problems
    assert (problem.column, problem.rows) == ("category", (1, 3))
    assert "did you mean 'groceries'?" in problem.received


def test_a_propensity_of_zero_breaks_the_exclusive_bound(contacts):
    contacts["propensity"] = [0.0, 0.5, 1.0]
    err = problems_of(contacts, "contacts")
    (problem,) = err.problems
    assert (problem.column, problem.rows) == ("propensity", (0,))
    assert "> 0" in problem.expected and "<= 1" in problem.expected


def test_a_whole_float_is_a_valid_int_but_a_fraction_is_not(debtors):
    debtors["days_past_due"] = [3.0, 0.0]
    out, _, _ = validate_table(debtors, "debtors")
    assert out["days_past_due"].dtype == "int64"
    assert out["days_past_due"].tolist() == [3, 0]

    debtors["days_past_due"] = [3.5, 0.0]
    err = problems_of(debtors, "debtors")
    assert err.columns() == {("debtors", "days_past_due")}
    assert err.problems[0].rows == (0,)


def test_iso_date_strings_and_numeric_strings_are_coerced(debtors):
    debtors["as_of"] = ["2026-03-31", "2026-03-31T15:45:00"]
    debtors["outstanding"] = [" 1200.50 ", "350"]
    debtors["days_past_due"] = ["35", "0"]
    out, report, _ = validate_table(debtors, "debtors")
    assert out["as_of"].tolist() == [pd.Timestamp("2026-03-31")] * 2  # dates are normalized
    assert out["outstanding"].tolist() == [1200.5, 350.0]
    assert out["days_past_due"].tolist() == [35, 0]
    assert {"as_of", "outstanding", "days_past_due"} <= set(report.coerced)


def test_dates_in_another_order_are_rejected_rather_than_guessed(debtors):
    debtors["as_of"] = ["31/03/2026", "2026-03-31"]
    err = problems_of(debtors, "debtors")
    (problem,) = err.problems
    assert (problem.column, problem.rows) == ("as_of", (0,))
    assert "'31/03/2026'" in problem.received and "ISO 8601" in problem.fix


def test_numeric_ids_become_text_without_decimal_artefacts(transactions, debtors):
    transactions["account_id"] = [101.0, 101.0, 101.0, 202.0, 202.0]
    transactions["transaction_id"] = [1, 2, 3, 4, 5]
    debtors["account_id"] = pd.Series([101, 202], dtype="Int64")
    tx, _, _ = validate_table(transactions, "transactions")
    deb, _, _ = validate_table(debtors, "debtors")
    assert tx["account_id"].tolist() == ["101", "101", "101", "202", "202"]
    assert tx["transaction_id"].tolist() == ["1", "2", "3", "4", "5"]
    assert deb["account_id"].tolist() == ["101", "202"]


def test_mixed_object_ids_keep_text_and_lose_float_artefacts(debtors):
    debtors["debtor_id"] = pd.Series([7.0, "007"], dtype=object)
    out, _, _ = validate_table(debtors, "debtors")
    assert out["debtor_id"].tolist() == ["7", "007"]


def test_boolean_words_are_coerced_and_anything_else_is_rejected(contacts):
    contacts["success"] = ["yes", "FALSE", " 1 "]
    out, _, _ = validate_table(contacts, "contacts")
    assert out["success"].dtype == bool
    assert out["success"].tolist() == [True, False, True]

    contacts["success"] = ["yes", "maybe", "0"]
    err = problems_of(contacts, "contacts")
    assert err.columns() == {("contacts", "success")}
    assert err.problems[0].rows == (1,)


def test_country_and_currency_are_upper_cased_and_text_is_stripped(transactions, debtors):
    debtors["country"] = ["co", " us "]
    transactions["currency"] = ["eur", "EUR", "Eur", "usd", "USD"]
    transactions["account_id"] = [" A1", "A1 ", "A1", "A2", "A2"]
    deb, report, _ = validate_table(debtors, "debtors")
    tx, _, _ = validate_table(transactions, "transactions")
    assert deb["country"].tolist() == ["CO", "US"]
    assert "upper-cased" in report.coerced["country"]
    assert tx["currency"].tolist() == ["EUR"] * 3 + ["USD"] * 2
    assert tx["account_id"].tolist() == ["A1"] * 3 + ["A2"] * 2


def test_a_country_that_is_not_two_letters_is_rejected(debtors):
    debtors["country"] = ["Colombia", "US"]
    err = problems_of(debtors, "debtors")
    (problem,) = err.problems
    assert (problem.column, problem.rows) == ("country", (0,))
    assert "[A-Z]{2}" in problem.expected


def test_extra_columns_are_kept_untouched_reported_and_never_an_error(debtors):
    debtors["segment"] = ["gold", "silver"]
    debtors["score_v0"] = [0.1, 0.9]
    out, report, warns = validate_table(debtors, "debtors")
    assert report.extra_columns == ("segment", "score_v0")
    assert "segment" not in report.columns_used
    assert out["segment"].tolist() == ["gold", "silver"]
    assert warns == []


def test_consent_columns_are_booleans_and_unknown_ones_give_a_warning(debtors):
    debtors["consent_sms"] = ["true", "no"]
    debtors["consent_mail"] = ["yes", "yes"]
    out, report, warns = validate_table(debtors, "debtors")
    assert out["consent_sms"].tolist() == [True, False]
    assert "consent_sms" in report.columns_used
    assert report.extra_columns == ("consent_mail",)
    (warning,) = warns
    assert "'consent_mail'" in warning and "did you mean 'consent_email'?" in warning


def test_booked_at_keeps_the_wall_clock_time_of_its_own_offset(transactions):
    transactions["booked_at"] = [
        "2026-03-01T10:00:00-05:00",
        "2026-03-01T10:00:00+01:00",
        "2026-03-01T10:00:00.250Z",
        "2026-03-01 10:00",
        "2026-03-02",  # a date alone: its "-02" is no UTC offset
    ]
    out, _, _ = validate_table(transactions, "transactions")
    assert out["booked_at"].dt.tz is None
    assert out["booked_at"].tolist() == [
        pd.Timestamp("2026-03-01 10:00:00"),
        pd.Timestamp("2026-03-01 10:00:00"),
        pd.Timestamp("2026-03-01 10:00:00.250"),
        pd.Timestamp("2026-03-01 10:00"),
        pd.Timestamp("2026-03-02"),
    ]


def test_tz_aware_paid_at_is_made_naive_in_its_own_offset(payments):
    payments["paid_at"] = pd.to_datetime(["2026-04-10 08:00", "2026-04-02 09:30"]).tz_localize(
        "America/Bogota"
    )
    out, _, _ = validate_table(payments, "payments")
    assert out["paid_at"].tolist() == [
        pd.Timestamp("2026-04-10 08:00"),
        pd.Timestamp("2026-04-02 09:30"),
    ]


def test_sent_at_stays_naive_or_is_converted_to_utc_and_a_mix_is_rejected(contacts):
    naive, _, _ = validate_table(contacts, "contacts")
    assert naive["sent_at"].dt.tz is None

    contacts["sent_at"] = ["2026-04-01T10:00:00-05:00"] * 3
    aware, report, _ = validate_table(contacts, "contacts")
    assert str(aware["sent_at"].dt.tz) == "UTC"
    assert aware["sent_at"].iloc[0] == pd.Timestamp("2026-04-01T15:00:00Z")
    assert "UTC" in report.coerced["sent_at"]

    contacts["sent_at"] = ["2026-04-01T10:00:00-05:00", "2026-04-01T10:00:00", "bad"]
    err = problems_of(contacts, "contacts")
    assert err.columns() == {("contacts", "sent_at")}
    assert "offset" in str(err)


def test_numbers_in_a_date_column_are_rejected_rather_than_guessed(payments):
    payments["paid_at"] = [20260410, 1775000000]
    err = problems_of(payments, "payments")
    (problem,) = err.problems
    assert (problem.column, problem.rows) == ("paid_at", (0, 1))


def test_infinite_amounts_are_rejected(transactions):
    transactions["amount"] = [1.0, np.inf, -1.0, 2.0, 3.0]
    err = problems_of(transactions, "transactions")
    assert err.columns() == {("transactions", "amount")}
    assert err.problems[0].rows == (1,)


def test_a_repeated_column_name_is_a_problem(debtors):
    doubled = pd.concat([debtors, debtors[["outstanding"]]], axis=1)
    err = problems_of(doubled, "debtors")
    assert err.columns() == {("debtors", "outstanding")}
    assert "appears 2 times" in str(err)


def test_the_input_frame_is_not_modified(transactions):
    before = transactions.copy()
    validate_table(transactions, "transactions")
    pd.testing.assert_frame_equal(transactions, before)


def test_rows_are_positions_even_with_a_custom_index(debtors):
    debtors.index = ["x", "y"]
    debtors["outstanding"] = [1.0, -1.0]
    err = problems_of(debtors, "debtors")
    assert err.problems[0].rows == (1,)
