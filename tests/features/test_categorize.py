"""Transaction categorisation: keyword rules, behaviour rules, point in time, accuracy."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectscore._contract import CATEGORIES, is_known_category
from collectscore._errors import ConfigError, ContractError
from collectscore.features import _categorize
from collectscore.features._categorize import (
    BEGIN_MARKER,
    END_MARKER,
    RULES,
    KeywordRule,
    categorization_report,
    categorize,
    normalize_description,
    rules_markdown,
)

DAY = dt.datetime(2026, 1, 5, 9, 0)


def frame(*rows: tuple, account: str = "A1") -> pl.DataFrame:
    """Transactions of one account from (days after DAY, amount, description) rows."""
    return pl.DataFrame(
        {
            "account_id": [account] * len(rows),
            "booked_at": [DAY + dt.timedelta(days=d) for d, _, _ in rows],
            "amount": [float(a) for _, a, _ in rows],
            "description": [text for _, _, text in rows],
        },
        schema={
            "account_id": pl.String,
            "booked_at": pl.Datetime("us"),
            "amount": pl.Float64,
            "description": pl.String,
        },
    )


def one(description: str | None, amount: float) -> str:
    return categorize(frame((0, amount, description))).item()


# keyword rules --------------------------------------------------------------------------

SPANISH = [
    ("Pago nómina ACME S.A. ref 000123456", 2_300_000, "income.salary"),
    ("abono sueldo", 800_000, "income.salary"),
    ("Pensión COLPENSIONES", 1_300_000, "income.pension"),
    ("Subsidio Ingreso Solidario", 160_000, "income.benefits"),
    ("Arriendo apto 301 - marzo", -900_000, "housing"),
    ("Cuota hipoteca Bco Santander", -1_200_000, "housing"),
    ("Factura energía Codensa nro 99812", -85_000, "utilities"),
    ("Recibo de agua", -40_000, "utilities"),
    ("Movistar móvil", -55_000, "utilities"),
    ("seguro de vida", -30_000, "insurance"),
    ("CUOTA PRÉSTAMO Nro 123456", -350_000, "loan.repayment"),
    ("Desembolso crédito de consumo", 3_000_000, "loan.disbursement"),
    ("Comisión descubierto", -14_000, "fee.overdraft"),
    ("cargo por sobregiro", -14_000, "fee.overdraft"),
    ("Cheque devuelto", -18_000, "fee.nsf"),
    ("Comisión de mantenimiento", -12_000, "fee.other"),
    ("Intereses de mora", -9_500, "interest.penalty"),
    ("Abono intereses cuenta de ahorros", 120, "interest.credit"),
    ("Retiro cajero automático 4421", -200_000, "cash.withdrawal"),
    ("MERCADONA VALENCIA 0032", -54.3, "groceries"),
    ("Compra Éxito Poblado", -120_000, "groceries"),
    ("Apuestas Codere", -20_000, "gambling"),
    ("Pago deuda cobranza", -100_000, "collections.payment"),
    ("Transferencia recibida de Juan Pérez", 50_000, "transfer.in"),
    ("Transferencia enviada", -50_000, "transfer.out"),
    ("PSE pago terceros", -70_000, "transfer.out"),
]

ENGLISH = [
    ("ACME PAYROLL DIRECT DEP PPD ID: 1234567890", 3_400, "income.salary"),
    ("Social Security benefit SSA", 1_450, "income.pension"),
    ("UNEMPLOYMENT BENEFIT NYS DOL", 450, "income.benefits"),
    ("Rent payment - Apt 4B", -1_500, "housing"),
    ("WELLS FARGO HOME MORTGAGE", -1_900, "housing"),
    ("AT&T Bill Payment", -85, "utilities"),
    ("PG&E WEB ONLINE", -120, "utilities"),
    ("GEICO *AUTO", -140, "insurance"),
    ("Loan payment 00045", -300, "loan.repayment"),
    ("Overdraft fee", -35, "fee.overdraft"),
    ("NSF fee returned item", -34, "fee.nsf"),
    ("Monthly service fee", -12, "fee.other"),
    ("Late interest charge", -8.5, "interest.penalty"),
    ("Interest earned", 0.42, "interest.credit"),
    ("ATM WITHDRAWAL #004512 MAIN ST", -60, "cash.withdrawal"),
    ("KROGER #0456 COLUMBUS OH", -84.12, "groceries"),
    ("WALMART SUPERCENTER 1234", -63.2, "groceries"),
    ("DRAFTKINGS", -25, "gambling"),
    ("Collection agency payment", -150, "collections.payment"),
    ("Zelle to Maria", -40, "transfer.out"),
    ("Zelle from John", 40, "transfer.in"),
    ("SPEEDY CASH ACH", -220, "loan.repayment"),
]


@pytest.mark.parametrize(("description", "amount", "expected"), SPANISH)
def test_spanish_descriptions_get_their_category_despite_accents_case_and_references(
    description: str, amount: float, expected: str
) -> None:
    assert one(description, amount) == expected


@pytest.mark.parametrize(("description", "amount", "expected"), ENGLISH)
def test_english_descriptions_get_their_category(
    description: str, amount: float, expected: str
) -> None:
    assert one(description, amount) == expected


def test_the_direction_of_the_amount_selects_the_rule() -> None:
    assert one("UBER", 300) == "income.other"  # a driver payout
    assert one("UBER", -12) == "spending.other"  # a ride
    assert one("Seguro de desempleo", 900_000) == "income.benefits"
    assert one("Seguro auto", -90_000) == "insurance"
    assert one("Renta ciudadana", 300_000) == "income.benefits"
    assert one("Renta departamento", -9_000) == "housing"
    assert one("Kueski", 2_000) == "loan.disbursement"
    assert one("Kueski", -2_300) == "loan.repayment"


def test_normalisation_strips_accents_case_punctuation_and_reference_numbers() -> None:
    texts = pl.Series(
        ["  Pago Nómina  ref: 000123456 / Cía. D1 ", "Trader Joe's #552", "12345", None]
    )
    out = pl.select(normalize_description(pl.lit(texts))).to_series().to_list()
    assert out == ["PAGO NOMINA REF CIA D1", "TRADER JOES", None, None]


def test_every_rule_names_a_vocabulary_category_and_compiles() -> None:
    assert {r.category for r in RULES} <= set(CATEGORIES)
    for rule in RULES:
        re.compile(rule.pattern)
    with pytest.raises(ConfigError, match="vocabulary"):
        KeywordRule("food.takeaway", "PIZZA")


# behaviour rules ------------------------------------------------------------------------


def test_a_monthly_inflow_from_the_same_unknown_payer_becomes_salary_after_the_first() -> None:
    tx = frame(
        (0, 1_000.0, "ACME HOLDINGS LLC"),
        (30, 1_020.0, "ACME HOLDINGS LLC"),
        (61, 990.0, "ACME HOLDINGS LLC"),
        (140, 1_000.0, "ACME HOLDINGS LLC"),  # irregular gap
        (150, 80.0, "JANE DOE"),  # first time seen
    )
    assert categorize(tx).to_list() == [
        "transfer.in",
        "income.salary",
        "income.salary",
        "income.other",
        "transfer.in",
    ]


def test_biweekly_inflows_without_description_and_similar_amounts_are_salary() -> None:
    tx = frame((0, 1_500.0, None), (14, 1_480.0, None), (28, 1_530.0, None), (40, 200.0, None))
    assert categorize(tx).to_list() == [
        "transfer.in",
        "income.salary",
        "income.salary",
        "transfer.in",
    ]


def test_unlabelled_outflows_are_cash_transfers_or_spending_by_size_and_roundness() -> None:
    tx = frame(
        (0, -40.0, None),
        (1, -61.7, None),
        (2, -200.0, None),  # round and large, no description: cash
        (3, -55.3, None),  # small: spending
        (4, -1_234.56, None),  # large, not round: transfer out
        (5, -2_000.0, "JOHN SMITH LTD"),  # described but unknown: spending
    )
    assert categorize(tx).to_list() == [
        "spending.other",
        "spending.other",
        "cash.withdrawal",
        "spending.other",
        "transfer.out",
        "spending.other",
    ]


def test_a_returned_debit_takes_the_category_of_the_debit_it_returns() -> None:
    tx = frame(
        (0, -85.0, "RECIBO LUZ ENEL"),
        (0, -300.0, "CUOTA PRESTAMO"),
        (1, 300.0, "DEVOLUCION RECIBO"),
        (1, -18.0, "COMISION DEVOLUCION RECIBO"),
        (2, 77.0, "DEVOLUCION RECIBO"),  # no debit of that amount before it
        (3, -77.0, "RECIBO AGUA"),
    )
    assert categorize(tx).to_list() == [
        "utilities",
        "loan.repayment",
        "loan.repayment",
        "fee.nsf",
        "fee.nsf",
        "utilities",
    ]


def test_accounts_do_not_see_each_other() -> None:
    tx = pl.concat(
        [
            frame((0, 1_000.0, "ACME"), account="A1"),
            frame((30, 1_000.0, "ACME"), account="A2"),
            frame((0, -300.0, "CUOTA PRESTAMO"), account="A1"),
            frame((1, 300.0, "RETURNED ITEM"), account="A2"),
        ]
    )
    assert categorize(tx).to_list() == ["transfer.in", "transfer.in", "loan.repayment", "fee.nsf"]


# input and output -----------------------------------------------------------------------


def test_given_categories_are_kept_and_only_missing_ones_are_filled() -> None:
    tx = frame((0, -900.0, "ARRIENDO"), (1, -900.0, "ARRIENDO"), (2, -5.0, "NETFLIX")).with_columns(
        category=pl.Series(["housing.rent", None, "utilities"], dtype=pl.String)
    )
    assert categorize(tx).to_list() == ["housing.rent", "housing", "utilities"]


def test_a_returned_debit_takes_a_given_category_even_outside_the_vocabulary() -> None:
    tx = frame(
        (0, -900.0, "PAGO"),
        (0, -40.0, "PAGO"),
        (1, 900.0, "DEVOLUCION"),
        (2, 40.0, "DEVOLUCION"),
        (3, 25.0, "DEVOLUCION"),
        (4, -25.0, None),
    ).with_columns(
        category=pl.Series(["housing.rent", "fee.nsf", None, None, None, "my own"], dtype=pl.String)
    )
    # a debit given as fee.nsf cannot be returned, nor can one booked later
    assert categorize(tx).to_list() == [
        "housing.rent",
        "fee.nsf",
        "housing.rent",
        "fee.nsf",
        "fee.nsf",
        "my own",
    ]


def test_a_frame_held_in_several_chunks_gives_the_same_categories() -> None:
    tx = frame(
        (0, 1_000.0, "ACME"),
        (30, 1_000.0, "ACME"),
        (31, -85.0, "RECIBO LUZ 0042"),
        (32, 85.0, "DEVOLUCION RECIBO"),
        (33, -200.0, None),
        (34, -12.5, "CAFE 12"),
    )
    chunked = pl.concat([tx[:2], tx[2:4], tx[4:]], rechunk=False)
    assert chunked.n_chunks() == 3
    assert categorize(chunked).to_list() == categorize(tx).to_list()
    given = tx.with_columns(category=pl.Series([None, "housing", None, None, None, None]))
    chunked = pl.concat([given[:3], given[3:]], rechunk=False)
    assert categorize(chunked).to_list() == categorize(given).to_list()


def test_descriptions_coded_slice_by_slice_give_the_same_categories(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tx = frame(
        (0, 1_000.0, "ACME REF 0001"),
        (30, 1_010.0, "ACME REF 0002"),
        (31, -85.0, "RECIBO LUZ 0042"),
        (32, 85.0, "DEVOLUCION RECIBO 7781"),
        (33, -200.0, None),
        (60, 990.0, "ACME REF 0003"),
        (61, -12.5, "12345"),
    )
    whole = categorize(tx).to_list()
    assert whole[:4] == ["transfer.in", "income.salary", "utilities", "utilities"]
    for rows in (1, 2, 3):
        monkeypatch.setattr(_categorize, "_SLICE_ROWS", rows)
        assert categorize(tx).to_list() == whole


def test_the_result_has_the_input_length_order_and_vocabulary() -> None:
    tx = frame(
        (3, -10.0, "STARBUCKS"),
        (0, 2_000.0, "NOMINA"),
        (1, -600.0, "ALQUILER"),
        (2, 5.0, None),
        (2, 0.0, "INFO"),
    )
    out = categorize(tx)
    assert out.name == "category"
    assert out.dtype == pl.String
    assert out.to_list() == [
        "spending.other",
        "income.salary",
        "housing",
        "transfer.in",
        "spending.other",
    ]
    assert set(out.to_list()) <= set(CATEGORIES)


def test_pandas_input_and_shuffled_rows_give_the_same_categories() -> None:
    tx = frame(
        (0, -85.0, "RECIBO LUZ"),
        (1, 85.0, "DEVOLUCION RECIBO"),
        (0, 1_000.0, "ACME"),
        (30, 1_000.0, "ACME"),
        (5, -200.0, None),
    )
    expected = categorize(tx).to_list()
    assert categorize(tx.to_pandas()).to_list() == expected
    order = [4, 2, 0, 3, 1]
    assert categorize(tx[order]).to_list() == [expected[i] for i in order]


def test_an_empty_frame_gives_an_empty_series() -> None:
    out = categorize(frame())
    assert out.len() == 0 and out.dtype == pl.String


def test_a_missing_required_column_is_a_contract_error_naming_table_and_column() -> None:
    with pytest.raises(ContractError) as info:
        categorize(frame((0, -1.0, "X")).drop("account_id"))
    assert info.value.columns() == {("transactions", "account_id")}
    assert "add a column 'account_id'" in str(info.value)


def test_empty_or_unreadable_amounts_and_dates_are_reported_with_rows() -> None:
    tx = pd.DataFrame(
        {
            "account_id": ["A1", "A1", "A1"],
            "booked_at": ["2026-01-01", "not a date", "2026-01-03"],
            "amount": [1.0, 2.0, None],
        }
    )
    with pytest.raises(ContractError) as info:
        categorize(tx)
    text = str(info.value)
    assert info.value.columns() == {("transactions", "booked_at"), ("transactions", "amount")}
    assert "rows 1)" in text and "rows 2)" in text
    assert "ISO 8601" in text


def test_something_other_than_a_frame_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="DataFrame"):
        categorize([("A1", "2026-01-01", 1.0)])  # type: ignore[arg-type]


# point in time --------------------------------------------------------------------------

_POOL = [
    "NOMINA ACME",
    "ACME HOLDINGS",
    "JANE DOE",
    "DEVOLUCION RECIBO",
    "RECIBO LUZ",
    "CUOTA PRESTAMO",
    "STARBUCKS",
    None,
    None,
]


@st.composite
def transactions(draw: st.DrawFn) -> pl.DataFrame:
    n = draw(st.integers(1, 40))
    rows = st.tuples(
        st.sampled_from(["A1", "A2"]),
        st.integers(0, 120),
        st.sampled_from([-300.0, -200.0, -85.0, -12.5, 85.0, 300.0, 1_000.0, 1_100.0, 2_500.0]),
        st.sampled_from(_POOL),
    )
    drawn = draw(st.lists(rows, min_size=n, max_size=n))
    return pl.DataFrame(
        {
            "account_id": [r[0] for r in drawn],
            "booked_at": [DAY + dt.timedelta(days=r[1]) for r in drawn],
            "amount": [r[2] for r in drawn],
            "description": [r[3] for r in drawn],
        },
        schema={
            "account_id": pl.String,
            "booked_at": pl.Datetime("us"),
            "amount": pl.Float64,
            "description": pl.String,
        },
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tx=transactions(), cut=st.integers(0, 120))
def test_adding_later_transactions_never_changes_an_earlier_category(
    tx: pl.DataFrame, cut: int
) -> None:
    full = tx.with_columns(category=categorize(tx))
    cutoff = DAY + dt.timedelta(days=cut)
    early = tx.filter(pl.col("booked_at") <= cutoff)
    expected = full.filter(pl.col("booked_at") <= cutoff)["category"]
    assert categorize(early).to_list() == expected.to_list()


# synthetic data -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic() -> tuple[pd.DataFrame, pd.Series]:
    synth = pytest.importorskip("collectscore.synthetic")
    data = synth.generate(synth.SampleConfig(debtors=150, seed=7))
    truth = data.transactions[["transaction_id"]].merge(
        data.truth["transactions"], on="transaction_id", how="left"
    )["category"]
    return data.transactions, truth


KEY_CATEGORIES = (
    "income.salary",
    "income.pension",
    "housing",
    "utilities",
    "loan.repayment",
    "fee.overdraft",
    "fee.nsf",
    "cash.withdrawal",
)


def test_synthetic_transactions_are_categorised_accurately(
    synthetic: tuple[pd.DataFrame, pd.Series],
) -> None:
    tx, truth = synthetic
    report = categorization_report(categorize(tx).to_pandas(), truth)
    assert report.loc["accuracy", "f1"] >= 0.95
    present = [c for c in KEY_CATEGORIES if c in report.index and report.loc[c, "support"] > 0]
    assert len(present) >= 6
    assert (report.loc[present, "recall"] >= 0.9).all(), report.loc[present]


def test_synthetic_categories_do_not_depend_on_later_transactions(
    synthetic: tuple[pd.DataFrame, pd.Series],
) -> None:
    tx = synthetic[0].drop(columns="description")  # behaviour rules only
    full = categorize(tx).to_pandas()
    cutoff = tx["booked_at"].quantile(0.6)
    early = tx["booked_at"] <= cutoff
    assert categorize(tx[early]).to_list() == full[early.to_numpy()].to_list()


# report ---------------------------------------------------------------------------------


def test_the_report_gives_precision_recall_f1_and_support_per_category() -> None:
    truth = ["housing", "housing", "utilities", "groceries"]
    predicted = ["housing", "utilities", "utilities", None]
    report = categorization_report(predicted, pd.Series(truth))
    assert list(report.columns) == ["support", "precision", "recall", "f1"]
    assert list(report.index) == ["housing", "utilities", "groceries", "(none)", "accuracy"]
    assert report.loc["housing"].tolist() == [2, 1.0, 0.5, pytest.approx(2 / 3)]
    assert report.loc["utilities"].tolist() == [1, 0.5, 1.0, pytest.approx(2 / 3)]
    assert report.loc["groceries"].tolist() == [1, 0.0, 0.0, 0.0]
    assert report.loc["accuracy"].tolist() == [4, 0.5, 0.5, 0.5]


def test_the_report_rejects_inputs_of_different_lengths() -> None:
    with pytest.raises(ConfigError, match="same length; got 2 and 1"):
        categorization_report(["housing", "housing"], ["housing"])


# docs -----------------------------------------------------------------------------------


def test_the_categorisation_page_matches_the_rules(
    repo_root: Path, regenerate_golden: bool
) -> None:
    page = repo_root / "docs" / "categorisation.md"
    rendered = rules_markdown()
    text = page.read_text(encoding="utf-8") if page.exists() else "# Categorisation\n\n"
    before, found, rest = text.partition(BEGIN_MARKER)
    after = rest.partition(END_MARKER)[2] if found else ""
    current = BEGIN_MARKER + rest.partition(END_MARKER)[0] + END_MARKER + "\n" if found else ""
    if regenerate_golden:
        page.parent.mkdir(exist_ok=True)
        page.write_text(before + rendered + after.removeprefix("\n"), encoding="utf-8")
        current = rendered
    assert current == rendered, (
        "docs/categorisation.md is out of date with the rules in "
        "src/collectscore/features/_categorize.py; rerun the tests with --regenerate-golden"
    )
    assert all(is_known_category(r.category) for r in RULES)
