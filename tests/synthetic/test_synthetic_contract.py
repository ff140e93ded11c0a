"""The generated tables satisfy the data contract declared in ``_contract.TABLES``."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import numpy as np
import pandas as pd
import pytest

from collectscore._contract import (
    CATEGORIES,
    CHANNELS,
    RULE_PACK_COUNTRIES,
    TABLES,
    Column,
    consent_column,
    is_known_category,
)
from collectscore.synthetic import SampleConfig, generate

_KIND_CHECKS = {
    "string": lambda s: pd.api.types.is_string_dtype(s) and s.dropna().map(type).eq(str).all(),
    "float": lambda s: pd.api.types.is_float_dtype(s),
    "int": lambda s: pd.api.types.is_integer_dtype(s),
    "bool": lambda s: pd.api.types.is_bool_dtype(s),
    # dates are midnight timestamps, the dtype validation and reading files give
    "date": lambda s: (
        s.dtype == "datetime64[us]" and (s.dropna() == s.dropna().dt.normalize()).all()
    ),
    "datetime": lambda s: pd.api.types.is_datetime64_dtype(s),
}


def _problems(df: pd.DataFrame, column: Column) -> list[str]:
    s = df[column.name]
    found = []
    if not _KIND_CHECKS[column.kind](s):
        found.append(f"{column.name}: not {column.kind} ({s.dtype})")
    values = s.dropna()
    if column.required and len(values) != len(s):
        found.append(f"{column.name}: {len(s) - len(values)} empty cells")
    if column.min is not None:
        low = values <= column.min if column.min_exclusive else values < column.min
        if low.any():
            found.append(f"{column.name}: {int(low.sum())} values below {column.rule()}")
    if column.max is not None:
        high = values >= column.max if column.max_exclusive else values > column.max
        if high.any():
            found.append(f"{column.name}: {int(high.sum())} values above {column.rule()}")
    if column.allowed is not None and not values.isin(column.allowed).all():
        found.append(f"{column.name}: values outside {column.allowed}")
    if column.pattern is not None:
        pattern = re.compile(column.pattern)
        if not values.map(lambda v: bool(pattern.fullmatch(v))).all():
            found.append(f"{column.name}: values not matching {column.pattern}")
    return found


@pytest.mark.parametrize("name", list(TABLES))
def test_every_table_has_its_required_columns_with_valid_values(sample, name: str) -> None:
    table = TABLES[name]
    df = sample.tables()[name]
    assert len(df) > 0
    assert set(table.required) <= set(df.columns)
    problems = [p for c in table.columns if c.name in df for p in _problems(df, c)]
    assert problems == []
    if table.unique:
        assert not df.duplicated(list(table.unique)).any()


def test_transactions_carry_every_optional_column_and_unique_ids(sample) -> None:
    tx = sample.transactions
    assert set(TABLES["transactions"].optional) <= set(tx.columns)
    assert tx["transaction_id"].is_unique
    assert (tx.groupby("account_id")["currency"].nunique() == 1).all()
    assert (tx["amount"] != 0).all()


def test_categories_come_from_the_vocabulary_and_match_the_truth(sample) -> None:
    tx = sample.transactions
    assert tx["category"].isin(CATEGORIES).all()
    assert tx["category"].map(is_known_category).all()
    truth = sample.truth["transactions"]
    assert truth["transaction_id"].is_unique
    merged = tx.merge(truth, on="transaction_id", suffixes=("", "_true"), validate="1:1")
    assert len(merged) == len(tx)
    assert (merged["category"] == merged["category_true"]).all()
    # a realistic mix: every category of the vocabulary appears in 1,000 accounts
    assert set(tx["category"]) == set(CATEGORIES)


def test_the_category_column_is_written_only_on_request() -> None:
    plain = generate(SampleConfig(debtors=20, seed=1))
    assert "category" not in plain.transactions.columns
    assert "transactions" in plain.truth


def test_debtors_have_consent_per_channel_a_country_and_a_matching_timezone(sample) -> None:
    d = sample.debtors
    for channel in CHANNELS:
        assert d[consent_column(channel)].dtype == bool
    assert set(d["country"]) == set(RULE_PACK_COUNTRIES)
    zones = {
        "CO": {"America/Bogota"},
        "US": {"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"},
        "MX": {"America/Mexico_City", "America/Monterrey", "America/Tijuana"},
        "CL": {"America/Santiago"},
    }
    for country, tz in d.groupby("country")["timezone"]:
        assert set(tz) <= zones[country]
        for name in set(tz):
            zoneinfo.ZoneInfo(name)
    currency = sample.transactions.drop_duplicates("account_id").set_index("account_id")["currency"]
    pairs = set(zip(d["country"], d["account_id"].map(currency), strict=True))
    assert pairs == {("CO", "COP"), ("US", "USD"), ("MX", "MXN"), ("CL", "CLP")}


def test_whole_peso_currencies_have_no_cents(sample) -> None:
    tx = sample.transactions
    whole = tx[tx["currency"].isin(["COP", "CLP"])]
    assert np.allclose(whole["amount"], whole["amount"].round())
    assert np.allclose(whole["balance_after"], whole["balance_after"].round())
    cents = tx[tx["currency"].isin(["USD", "MXN"])]
    assert np.allclose(cents["amount"] * 100, (cents["amount"] * 100).round())


def test_a_country_subset_is_respected() -> None:
    data = generate(SampleConfig(debtors=30, seed=4, countries=("US",)))
    assert set(data.debtors["country"]) == {"US"}
    assert set(data.transactions["currency"]) == {"USD"}
    assert data.transactions["description"].str.contains("PAYROLL|DIRECT DEP|SSA|SOC SEC").any()


@pytest.mark.parametrize(
    "config",
    [
        SampleConfig(debtors=1),
        SampleConfig(debtors=5, months_min=2, months_max=2, snapshots=1),
        SampleConfig(debtors=40, horizon_days=1),
        SampleConfig(debtors=40, horizon_days=31, snapshots=5, months_min=7),
        SampleConfig(debtors=20, end_date=dt.date(2024, 2, 29), countries=("CL", "MX")),
    ],
    ids=["one-debtor", "short-history", "one-day-horizon", "long-horizon", "leap-day-end"],
)
def test_unusual_but_valid_configs_give_valid_data(config: SampleConfig) -> None:
    data = generate(config)
    for name, df in data.tables().items():
        table = TABLES[name]
        assert set(table.required) <= set(df.columns)
        assert [p for c in table.columns if c.name in df for p in _problems(df, c)] == []
    assert sorted(set(data.debtors["as_of"])) == [pd.Timestamp(d) for d in config.snapshot_dates()]
    assert data.debtors["debtor_id"].nunique() == config.debtors
    assert data.transactions["booked_at"].max() < pd.Timestamp(config.end_date) + pd.Timedelta(
        days=1
    )
