"""``collectscore.features.spark.build_features`` gives the pandas features, on Spark."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import pandas as pd
import pytest
from sparkhelpers import assert_same_features, features_frame, no_spark_job, to_spark

import collectscore as cs
from collectscore._data import Dataset
from collectscore.features import catalog
from collectscore.features.spark import build_features, output_schema


def test_the_sample_features_on_spark_equal_the_pandas_features(
    spark_features: pd.DataFrame, sample_features: pd.DataFrame
) -> None:
    assert_same_features(spark_features, sample_features)


def test_seven_account_groups_with_contacts_and_payments_give_the_pandas_features(
    spark: Any, sample: Dataset
) -> None:
    expected = cs.build_features(
        sample.transactions, sample.debtors, contacts=sample.contacts, payments=sample.payments
    )
    result = build_features(
        to_spark(spark, sample.transactions),
        to_spark(spark, sample.debtors),
        contacts=to_spark(spark, sample.contacts),
        payments=to_spark(spark, sample.payments),
        partitions=7,
    )
    got = features_frame(result)
    assert_same_features(got, expected)
    # the promise features do use the contacts: they are not all empty
    assert got["promises_kept_180d"].fillna(0).gt(0).any()


def test_a_transaction_booked_after_as_of_changes_nothing_on_spark(
    spark: Any, sample: Dataset
) -> None:
    debtors = sample.debtors[sample.debtors["account_id"].isin(["A00000001", "A00000002"])]
    tx = sample.transactions[sample.transactions["account_id"].isin(debtors["account_id"])]
    latest = debtors.groupby("account_id")["as_of"].max()
    late = pd.DataFrame(
        {
            "account_id": latest.index,
            "booked_at": latest.to_numpy() + pd.Timedelta(hours=30),
            "amount": 9_999_999.0,
            "balance_after": 9_999_999.0,
            "description": "NOMINA ACME",
            "transaction_id": [f"late-{a}" for a in latest.index],
            "currency": tx.groupby("account_id")["currency"].first().loc[latest.index].to_numpy(),
        }
    )
    before = build_features(to_spark(spark, tx), to_spark(spark, debtors), partitions=2)
    after = build_features(
        to_spark(spark, pd.concat([tx, late], ignore_index=True)),
        to_spark(spark, debtors),
        partitions=2,
    )
    assert_same_features(features_frame(after), features_frame(before))
    assert_same_features(features_frame(after), cs.build_features(tx, debtors))


def test_the_result_has_the_index_columns_then_every_catalog_feature_as_double(
    spark_features_frame: Any,
) -> None:
    schema = spark_features_frame.schema
    assert schema.names == ["debtor_id", "as_of", *catalog()["name"]]
    assert [f.dataType.simpleString() for f in schema.fields[:2]] == ["string", "date"]
    assert {f.dataType.simpleString() for f in schema.fields[2:]} == {"double"}
    assert schema == output_schema()


def test_a_feature_selection_returns_those_features_with_the_same_values(
    spark: Any, sample: Dataset, sample_features: pd.DataFrame
) -> None:
    wanted = ["balance_min_90d", "income_monthly_mean_90d"]
    debtors = sample.debtors.head(40)
    tx = sample.transactions[sample.transactions["account_id"].isin(debtors["account_id"])]
    result = build_features(
        to_spark(spark, tx), to_spark(spark, debtors), features=wanted, partitions=3
    )
    assert result.columns == ["debtor_id", "as_of", *wanted]
    expected = cs.build_features(tx, debtors, features=wanted)
    assert_same_features(features_frame(result), expected)


def test_a_misspelled_column_is_reported_before_any_job_with_the_hint(
    spark: Any, sample: Dataset
) -> None:
    tx = to_spark(spark, sample.transactions.head(50)).withColumnRenamed("amount", "amont")
    debtors = to_spark(spark, sample.debtors.head(5)).drop("as_of")
    with no_spark_job(spark), pytest.raises(cs.ContractError) as caught:
        build_features(tx, debtors)
    message = str(caught.value)
    assert caught.value.columns() == {("transactions", "amount"), ("debtors", "as_of")}
    assert "found 'amont': did you mean 'amount'?" in message
    assert "rename column 'amont' to 'amount'" in message


def test_a_column_spark_holds_as_text_instead_of_dates_says_how_to_parse_it(
    spark: Any, sample: Dataset
) -> None:
    debtors = to_spark(spark, sample.debtors.head(5).astype({"as_of": "str"}))
    tx = to_spark(spark, sample.transactions.head(50))
    with no_spark_job(spark), pytest.raises(cs.ContractError) as caught:
        build_features(tx, debtors, partitions=2)
    message = str(caught.value)
    assert "table 'debtors', column 'as_of'" in message
    assert "Spark type string" in message
    assert "F.to_date('as_of')" in message


def test_an_unknown_feature_or_bad_partitions_is_refused_before_any_job(
    spark: Any, sample: Dataset
) -> None:
    tx = to_spark(spark, sample.transactions.head(50))
    debtors = to_spark(spark, sample.debtors.head(5))
    with no_spark_job(spark):
        with pytest.raises(ValueError, match="did you mean 'balance_min_90d'"):
            build_features(tx, debtors, features=["balance_min_90"])
        with pytest.raises(cs.ConfigError, match="partitions must be a whole number >= 1"):
            build_features(tx, debtors, partitions=0)
        with pytest.raises(cs.ConfigError, match="must be a Spark DataFrame"):
            build_features(sample.transactions, debtors)


def test_a_bad_value_inside_a_group_names_table_column_debtor_and_fix(
    spark: Any, sample: Dataset
) -> None:
    debtors = sample.debtors.head(6).copy()
    debtors.loc[debtors.index[3], "outstanding"] = -10.0
    bad_id = debtors["debtor_id"].iloc[3]
    tx = sample.transactions[sample.transactions["account_id"].isin(debtors["account_id"])]
    result = build_features(to_spark(spark, tx), to_spark(spark, debtors), partitions=2)
    with pytest.raises(Exception) as caught:
        result.collect()
    message = str(caught.value)
    assert "ContractError: 1 problem with the input data" in message
    assert "table 'debtors', column 'outstanding'" in message
    assert f"debtor_id '{bad_id}'" in message
    assert "cannot be negative" in message  # the contract's fix


def test_importing_collectscore_needs_no_pyspark_and_the_spark_module_says_what_to_install() -> (
    None
):
    code = textwrap.dedent(
        """
        import sys
        sys.modules["pyspark"] = None  # as if pyspark were not installed
        import collectscore, collectscore.features, collectscore.scoring
        assert "collectscore.features.spark" not in sys.modules
        for module in ("collectscore.features.spark", "collectscore.scoring.spark"):
            try:
                __import__(module)
            except ImportError as exc:
                assert "pip install 'collectscore[scale]'" in str(exc), exc
            else:
                raise AssertionError(module + " imported without pyspark")
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
