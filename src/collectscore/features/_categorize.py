"""Transaction categorisation: keyword rules, then point-in-time behaviour rules.

``categorize`` fills the contract's optional ``category`` column. Keyword rules
(``RULES``, first match wins) run once per distinct normalised description and rows
pick their result by index; the behaviour rules then settle what the keywords leave
open, looking only at the same account's transactions booked on or before each one,
so adding later transactions never changes an earlier category. Per row, only
integer codes are built (categories as a ``pl.Enum``); the strings of the result come
from one final gather.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import polars as pl

from .._contract import CATEGORIES, TRANSACTIONS
from .._errors import EXAMPLE_ROWS, ConfigError, ContractError, Problem
from .._validation import missing_column_problems

__all__ = [
    "BEHAVIOUR_RULES",
    "RULES",
    "KeywordRule",
    "categorization_report",
    "categorize",
    "normalize_description",
    "rules_markdown",
]

Sign = Literal[-1, 0, 1]


@dataclass(frozen=True)
class KeywordRule:
    """A category for descriptions matching ``pattern`` (a case-insensitive regex).

    The pattern runs on the normalised description (see ``normalize_description``).
    ``sign`` restricts the rule to inflows (+1), outflows (-1) or neither (0);
    ``languages`` says which bank feeds the keywords come from (documentation).
    """

    category: str
    pattern: str
    sign: Sign = 0
    languages: tuple[str, ...] = ("es", "en")

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ConfigError(
                f"KeywordRule category {self.category!r} is not in the contract vocabulary"
            )
        if self.sign not in (-1, 0, 1):
            raise ConfigError(f"KeywordRule sign must be -1, 0 or +1; got {self.sign!r}")


def _any(*keywords: str) -> str:
    return "|".join(keywords)


# fmt: off
_PAYDAY = _any(
    "KUESKI", "BAUBAP", "MONEYMAN", r"\bTALA\b", "RAPICREDIT", "LINERU", "AVANZO",
    "CASH AMERICA", "SPEEDY CASH", "ADVANCE AMERICA", "CHECK INTO CASH", r"\bACE CASH",
    r"\bDAVE INC\b", "EARNIN", "MONEYLION", "BRIGIT", "KOYO", "CREDITEA", "VIVUS",
)
_TRANSFER = _any(
    "TRANSFER", "TRASPASO", r"\bSPEI\b", r"\bPSE\b", r"\bTEF\b", "ZELLE", "VENMO",
    r"CASH ?APP", "PAYPAL", "NEQUI", "DAVIPLATA", r"\bMACH\b", r"\bWIRE\b", "WESTERN UNION",
    "REMESA", "REMITLY", r"\bP2P\b", "BIZUM",
)

#: Keyword rules in priority order: the first rule that matches decides.
RULES: tuple[KeywordRule, ...] = (
    # bank charges and interest first: their texts often name a loan or a bill too
    KeywordRule("interest.penalty", _any(
        r"\bINTERES(ES)?\b", r"\bINTEREST\b", "MORATORI", "EXTENDED OVERDRAFT",
        "OVERDRAFT CHARGE", "LATE CHARGE", "FINANCE CHARGE",
    ), -1),
    KeywordRule("interest.credit", _any(
        r"\bINTERES(ES)?\b", r"\bINTEREST\b", "RENDIMIENTO",
    ), +1),
    KeywordRule("fee.overdraft", _any("SOBREGIRO", "DESCUBIERTO", "OVERDRAFT", r"\bOD FEE"), -1),
    KeywordRule("fee.nsf", _any(
        r"\bNSF\b", "INSUFFICIENT FUNDS", "FONDOS INSUFICIENTES", "SIN FONDOS", "DEVOLUCION",
        r"DEVUELT[OA]", "RECHAZ", "RETURNED", "REVERSAL", "UNPAID ITEM", r"IMPAGAD[OA]",
    )),
    KeywordRule("collections.payment", _any(
        "COBRANZA", "COBRO JURIDICO", "RECAUDO", "ADEUDO", "CONVENIO DE PAGO",
        "ACUERDO DE PAGO", "REPACTACION", r"\bDEUDA", r"MOROS[AO]", r"\bEN MORA\b",
        "COLLECTION AGENC", r"\bCOLLECTIONS\b", r"\bDEBT\b", r"\bRECOVER(Y|IES)\b",
    ), -1),
    KeywordRule("fee.other", _any(
        r"\bCOMISION(ES)?\b", r"\bFEES?\b", "CUOTA DE MANEJO", "MANEJO (DE )?CUENTA",
        "MANTENCION", "SERVICE CHARGE", "CARGO POR SERVICIO",
    ), -1),
    KeywordRule("housing", _any(
        "ALQUILER", "ARRIENDO", "ARRENDAMIENTO", r"\bRENTA?\b", "HIPOTEC", "MORTGAGE",
        "INFONAVIT", "FOVISSSTE", r"\bDIVIDENDO\b", "HABITACIONAL", "GASTOS COMUNES",
        "CUOTA DE ADMINISTRACION", "LANDLORD", "PROPERTY MANAGEMENT", r"\bHOA\b",
    ), -1),
    KeywordRule("insurance", _any(
        "SEGURO", r"\bPOLIZA", "INSURANCE", r"\bINS\b", r"\bINSUR", "ASEGURADORA", r"\bPRIMA\b",
        r"\bPREM\b", "GEICO", "STATE FARM", "PROGRESSIVE", "ALLSTATE", "METLIFE", "MAPFRE",
        "ALLIANZ", r"\bAXA\b", r"\bGNP\b", "QUALITAS", r"\bSURA\b", "LIBERTY MUTUAL",
    ), -1),
    KeywordRule("loan.disbursement", _PAYDAY, +1),
    KeywordRule("loan.repayment", _PAYDAY, -1),
    KeywordRule("loan.disbursement", _any(
        "DESEMBOLSO", "PRESTAMO", r"\bLOAN\b", r"\bADVANCE\b", r"\bAVANCE\b", "INSTACASH",
    ), +1),
    KeywordRule("loan.repayment", _any(
        r"\bCUOTA\b", "PRESTAMO", "CREDITO", "LIBRANZA", r"\bLOAN\b", r"\bLN\b",
        r"CARD (PMT|PAYMENT)", "CREDIT CARD", "PAGO TARJETA", "TARJETA DE CREDITO",
        r"\bREPAY", r"\bAVANCE\b", r"\bADVANCE\b", "FINANCIERA", "AMORTIZACION", "STUDENT",
        "NAVIENT", "SALLIE MAE", "AFFIRM", "KLARNA",
    ), -1),
    KeywordRule("income.salary", _any(
        "AGUINALDO", r"\bPRIMA (DE SERVICIOS|SEMESTRAL|LEGAL)", r"\bBONUS\b",
    ), +1),
    KeywordRule("income.pension", _any(
        r"\bSSA\b", r"SOC(IAL)? SEC", "COLPENSIONES", "JUBILACION", "MESADA", "RETIREMENT",
        r"\bPGU\b", r"\bAFP\b", "ANNUITY",
    ), +1),
    KeywordRule("income.benefits", _any(
        "SUBSIDIO", "DESEMPLEO", "CESANTIA", "UNEMPLOYMENT", r"\bUI\b", r"\bDOL\b", "WORKFORCE",
        "BENEFIT", "INGRESO SOLIDARIO", "RENTA CIUDADANA", "FAMILIAS EN ACCION",
        "COLOMBIA MAYOR", "BIENESTAR", r"\bBECA\b", "ADULTOS MAYORES", "APORTE FAMILIAR",
        r"\bBONO\b", r"\bSSI\b", r"\bEBT\b", r"\bSNAP\b", r"\bCTC\b", "CHILD TAX", r"\bTANF\b",
    ), +1),
    # after the benefits: "pension" also names non-contributory benefits
    KeywordRule("income.pension", "PENSION", +1),
    KeywordRule("income.salary", _any(
        "NOMINA", "SALARIO", "SUELDO", "REMUNERACION", "PAYROLL", "DIRECT DEP", r"\bDIR DEP",
        "PAYCHEX", r"\bADP\b", r"\bWAGES?\b", "SALARY",
    ), +1),
    KeywordRule("gambling", _any(
        "APUESTA", "CASINO", "CODERE", r"\bCALIENTE\b", "WPLAY", r"\w*BET\b", r"\bBET",
        "STRENDUS", r"\bPOLLA\b", "LOTERIA", "LOTTERY", "LOTTO", "BALOTO", "DRAFTKINGS",
        "FANDUEL", "POKER", "SPORTSBOOK", "BINGO",
    )),
    KeywordRule("income.other", _any(
        "UBER", r"\bDIDI\b", "RAPPI", "LYFT", "DOORDASH", "INSTACART", "UPWORK", "FIVERR",
        "CORNERSHOP", "PEDIDOSYA", "MERQUEO", "HONORARIOS", "PAYOUT", r"\bVENTAS\b",
        "DASHER", "SHOPPER", "REPARTIDOR", "CONDUCTOR", "FREELANCE",
    ), +1),
    KeywordRule("cash.withdrawal", _any(
        "RETIRO", "CAJERO", r"\bATM\b", "WITHDRAWAL", "EFECTIVO", "DISPOSICION",
        "CAJA VECINA", "CORRESPONSAL",
    ), -1),
    KeywordRule("transfer.in", _any(
        _TRANSFER, r"RECIBID[OA]", "DE TERCEROS", r"\bDEPOSITO\b", "CONSIGNACION", "CASHOUT",
    ), +1),
    KeywordRule("transfer.out", _any(
        _TRANSFER, r"ENVIAD[OA]", r"\bENVIO\b", "A TERCEROS", r"\bGIRO\b",
    ), -1),
    KeywordRule("spending.other", _any(
        "GIMNASIO", r"\bGYM\b", "FITNESS", "NETFLIX", "SPOTIFY", "DISNEY", "HULU", r"\bHBO\b",
        "AMAZON PRIME", "PRIME VIDEO", "APPLE COM", "GOOGLE",
    ), -1),
    KeywordRule("utilities", _any(
        r"\bLUZ\b", r"\bAGUAS?\b", r"\bGAS\b", "ENERGIA", "ELECTRIC", r"\bENERGY\b", "WATER",
        "INTERNET", "TELEFON", r"\bCLARO\b", "MOVISTAR", "AT&T", "VERIZON", r"T ?MOBILE",
        "TELCEL", "TELMEX", r"\bTIGO\b", r"\bETB\b", "IZZI", "TOTALPLAY", "ENTEL", r"\bVTR\b",
        r"\bWOM\b", "COMCAST", "XFINITY", "SPECTRUM", "BANDA ANCHA", "ACUEDUCTO",
        "ALCANTARILLADO", r"\bENEL\b", "CODENSA", r"\bEPM\b", "CELSIA", r"\bAIR E\b", r"\bCFE\b",
        r"\bCGE\b", "CHILQUINTA", "SACMEX", "NATURGY", "VANTI", "METROGAS", "ESSBIO",
        "CON EDISON", r"\bCONED\b", "PG&E", r"\bFPL\b", "SOCALGAS", "NICOR", "UTILIT",
        "SERVICIOS PUBLICOS",
    ), -1),
    KeywordRule("groceries", _any(
        "SUPERMERCADO", "SUPERMARKET", r"SUPER ?MKT", "GROCER", "MINIMARKET", "MERCADONA",
        "CARREFOUR", r"\bLIDL\b", r"\bALDI\b", r"\bEXITO\b", "CARULLA", "OLIMPICA", r"\bD1\b",
        r"\bARA\b", "JUMBO", "MAKRO", "SURTIMAX", "OXXO", "WALMART", "SORIANA", "CHEDRAUI",
        "AURRERA", r"\bLA COMER\b", "SUPERAMA", "CITY MARKET", r"\bHEB\b", r"\bLIDER\b",
        "UNIMARC", "SANTA ISABEL", "TOTTUS", "ACUENTA", "KROGER", "SAFEWAY", "PUBLIX",
        "TRADER JOE", "WHOLE FOODS", "WEGMANS", "ALBERTSONS", "FOOD LION", "MEIJER", "COSTCO",
        "SAMS CLUB",
    ), -1),
    KeywordRule("spending.other", _any(
        "COMPRA", "PURCHASE", r"\bPOS\b", "RESTAUR", r"\bCAFE\b", "FARMACIA", "DROGUERIA",
        "PHARMACY", "GASOLINERA", r"\bEDS\b", r"\bFUEL\b", "AMAZON", r"MERCADO ?LIBRE",
        r"\bCINE", "THEATRE", "STARBUCKS", r"\bTRIP\b",
    ), -1),
)
# fmt: on

#: What the behaviour rules decide, in the order they apply (for the docs).
BEHAVIOUR_RULES: tuple[tuple[str, str], ...] = (
    (
        "returned debit",
        "an inflow matched by a `fee.nsf` keyword (a returned or bounced debit) takes the "
        "category of the latest outflow of the same absolute amount on the same account booked "
        "on or before it; `fee.nsf` when there is none",
    ),
    (
        "recurring income",
        "an unlabelled inflow whose counterparty (normalised description; the amount band when "
        "there is no description) paid the same account {weekly}, {biweekly} or {monthly} days "
        "earlier an amount within {tolerance:.0%} is `income.salary`; one seen before at other "
        "intervals or amounts is `income.other`; a first one is `transfer.in`",
    ),
    (
        "cash",
        "an outflow without description, of a round amount (at most two significant digits) "
        "and at least {cash:g} times the account's average earlier unlabelled outflow is "
        "`cash.withdrawal`",
    ),
    (
        "large outflow",
        "any other outflow without description at least {large:g} times that average is "
        "`transfer.out`",
    ),
    ("small outflow", "every other unlabelled outflow (and zero amounts) is `spending.other`"),
)

#: Behaviour parameters (days between payments of one counterparty, amount tolerance).
_WEEKLY = (6, 8)
_BIWEEKLY = (13, 17)
_MONTHLY = (26, 35)
_TOLERANCE = 0.25
#: An unlabelled outflow this many times the account's average earlier one is "large".
_LARGE = 3.0
#: A round unlabelled outflow without description this many times that average is cash.
_CASH = 1.0
#: Width of the amount bands (natural log) that key inflows without a description.
_BAND = float(np.log(1 + _TOLERANCE))

_COLUMNS = ("account_id", "booked_at", "amount", "description", "category")
#: Rows per slice when coding raw descriptions (bounds the memory of that hashing).
_SLICE_ROWS = 250_000


def normalize_description(descriptions: pl.Expr) -> pl.Expr:
    """Numbers and reference codes removed, upper case, accents stripped, spaces collapsed.

    A token that is a number or holds three or more digits in a row (a reference, a
    card or an account number) is removed; short brand tokens such as ``D1`` stay.
    Apostrophes vanish, other punctuation becomes a space (``&`` is kept). Empty
    results are null.
    """
    return _fold_text(_strip_numbers(descriptions))


def _strip_numbers(text: pl.Expr) -> pl.Expr:
    return text.str.replace_all(r"\b(?:\w*\d{3,}\w*|\d+)\b", " ")


def _fold_text(text: pl.Expr) -> pl.Expr:
    folded = (
        text.str.normalize("NFKD")
        .str.replace_all(r"\p{M}+", "")
        .str.to_uppercase()
        .str.replace_all(r"['’`´]", "")
        .str.replace_all(r"[^A-Z0-9&]+", " ")
        .str.strip_chars()
    )
    return pl.when(folded.str.len_bytes() > 0).then(folded)


def categorize(transactions: pl.DataFrame | pd.DataFrame) -> pl.Series:
    """A category per transaction, same length and order as the input (String).

    Uses ``account_id``, ``booked_at``, ``amount`` and, when present, ``description``;
    non-null values of an input ``category`` column are kept as they are.
    """
    tx = _prepare(transactions)
    if tx.height == 0 or tx["given"].null_count() == 0:
        return tx["given"].rename("category")
    # Per row only numbers and small enum codes are built: strings stay in the input
    # (a frame mixing them with new columns would copy them) until the final gather.
    labels = _output_labels(tx["given"])
    dtype = pl.Enum(labels)
    kw, kid = _keyword_columns(tx["description"], tx["amount"], dtype)
    work = pl.DataFrame(
        [
            _codes(tx["account_id"]).rename("acct"),
            tx["booked_at"],
            tx["amount"],
            tx["given"].cast(dtype),
            tx["description"].is_null().rename("undescribed"),
            kw,
            kid,
        ]
    )
    del tx, kw, kid
    category = _behaviour_categories(work, dtype)
    del work
    return labels.gather(category.to_physical()).rename("category")


def _output_labels(given: pl.Series) -> pl.Series:
    """The vocabulary, then the given categories outside it (in order of appearance)."""
    extra = given.drop_nulls().unique(maintain_order=True)
    extra = extra.filter(~extra.is_in(pl.Series(CATEGORIES).implode()))
    return pl.concat([pl.Series(CATEGORIES), extra])


# input ---------------------------------------------------------------------------------


def _prepare(transactions: pl.DataFrame | pd.DataFrame) -> pl.DataFrame:
    """account_id, booked_at, amount, description and given category, validated."""
    if isinstance(transactions, pd.DataFrame):
        keep = [c for c in _COLUMNS if c in transactions.columns]
        frame = pl.from_pandas(transactions[keep].reset_index(drop=True))
    elif isinstance(transactions, pl.DataFrame):
        frame = transactions
    else:
        raise ConfigError(
            "categorize expects a pandas or polars DataFrame of transactions; "
            f"got {type(transactions).__name__}"
        )
    problems = missing_column_problems(TRANSACTIONS.name, frame.columns)
    if problems:
        raise ContractError(problems)
    # column by column: a frame-wide select or with_columns would copy every column
    # of an input held in several chunks
    out = pl.DataFrame(
        [
            frame["account_id"].cast(pl.String, strict=False),
            _as_datetime(frame["booked_at"]),
            frame["amount"].cast(pl.Float64, strict=False),
            _optional(frame, "description").cast(pl.String, strict=False),
            _optional(frame, "category").cast(pl.String, strict=False).rename("given"),
        ]
    )
    problems = [
        _bad_rows(out, frame, name)
        for name in ("account_id", "booked_at", "amount")
        if out[name].null_count() or (name == "amount" and out[name].is_nan().any())
    ]
    if problems:
        raise ContractError(problems)
    return out


def _codes(values: pl.Series) -> pl.Series:
    """Dense integer codes of a string column (null stays null)."""
    return _dictionary(values)[0]


def _dictionary(values: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(codes, distinct values): ``distinct.gather(codes)`` gives ``values`` back.

    One hashing pass through a private categorical mapping; a join when that mapping
    does not hold every code.
    """
    categories = pl.Categories.random()
    categorical = values.cast(pl.Categorical(categories))
    codes = categorical.to_physical()
    distinct = categories.to_series()  # alive only while ``categorical`` is
    top = codes.max()
    if top is None or (len(distinct) > int(top) and not distinct.null_count()):  # type: ignore[arg-type]
        return codes, distinct.rename(values.name)
    distinct = values.drop_nulls().unique()
    index = distinct.to_frame("v").with_row_index("i")
    codes = values.to_frame("v").join(index, on="v", how="left", maintain_order="left")["i"]
    return codes, distinct


def _optional(frame: pl.DataFrame, name: str) -> pl.Series:
    if name in frame.columns:
        return frame[name]
    return pl.repeat(None, frame.height, dtype=pl.String, eager=True).rename(name)


def _as_datetime(values: pl.Series) -> pl.Series:
    dtype = values.dtype
    if dtype == pl.String:
        return values.str.to_datetime(strict=False, time_unit="us")
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
        return values.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    return values.cast(pl.Datetime("us"), strict=False)


def _bad_rows(out: pl.DataFrame, original: pl.DataFrame, name: str) -> Problem:
    bad = pl.col(name).is_null() | (pl.col(name).is_nan() if name == "amount" else False)
    rows = out.select(pl.arg_where(bad)).to_series()
    column = TRANSACTIONS.column(name)
    was_missing = original.select(
        pl.col(name).is_null()
        | (pl.col(name).cast(pl.Float64, strict=False).is_nan() if name == "amount" else False)
    ).to_series().sum() == len(rows)
    return Problem(
        table=TRANSACTIONS.name,
        column=name,
        expected=column.rule(),
        received="empty values" if was_missing else f"values that cannot be read as {column.kind}",
        fix=column.hint or f"give every transaction its {name} ({column.description})",
        rows=tuple(rows.head(EXAMPLE_ROWS).to_list()),
        n_rows=len(rows),
    )


def _take(tx: pl.DataFrame, where: pl.Expr, *columns: str) -> pl.DataFrame:
    """``row`` (position in ``tx``) and ``columns`` of the rows where ``where`` holds."""
    rows = tx.select(pl.arg_where(where)).to_series().rename("row")
    return tx.select(pl.col(columns).gather(rows)).insert_column(0, rows)


# keyword rules --------------------------------------------------------------------------


def _rule_table(descriptions: pl.Series, dtype: pl.Enum) -> pl.DataFrame:
    """Per description: the keyword category for inflows, outflows and zero amounts, and
    ``kid``, a code of the normalised description (the counterparty)."""
    table = pl.DataFrame({"description": descriptions}).with_columns(
        key=_fold_text(pl.col("description"))
    )
    hits = [pl.col("key").str.contains("(?i)" + r.pattern) for r in RULES]

    def first_match(sign: int) -> pl.Expr:
        expr: Any = pl
        for rule, hit in zip(RULES, hits, strict=True):
            if rule.sign in (0, sign):
                expr = expr.when(hit).then(pl.lit(rule.category, dtype=dtype))
        return expr.otherwise(pl.lit(None, dtype=dtype))

    return table.with_columns(
        kw_in=first_match(1),
        kw_out=first_match(-1),
        kw_zero=first_match(0),
        kid=_codes(table["key"]),
    )


def _keyword_columns(
    description: pl.Series, amount: pl.Series, dtype: pl.Enum
) -> tuple[pl.Series, pl.Series]:
    """``kw`` (keyword category or null, an enum code) and ``kid`` per row.

    The rules run once per distinct description once numbers are stripped (reference
    numbers make raw descriptions nearly unique); rows pick their result by index, so
    no per-row string is built.
    """
    index, distinct = _stripped_codes(description)
    table = _rule_table(distinct, dtype)
    # Series, not a frame: a frame would copy ``amount`` when it is in several chunks
    kw = (
        table["kw_in"]
        .gather(index)
        .zip_with(
            amount > 0,
            table["kw_out"].gather(index).zip_with(amount < 0, table["kw_zero"].gather(index)),
        )
    )
    return kw.rename("kw"), table["kid"].gather(index).rename("kid")


def _stripped_codes(description: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(codes, distinct): per row, the code of its description with numbers stripped.

    Slice by slice, the distinct raw descriptions are stripped and coded; the slices'
    stripped descriptions then share one dictionary. Only one slice's raw strings are
    hashed at a time, which bounds the memory when nearly every description is unique.
    """
    parts, stripped, offset = [], [], 0
    for start in range(0, description.len(), _SLICE_ROWS):
        local_code, local = _slice_codes(description.slice(start, _SLICE_ROWS))
        parts.append(local_code + offset)
        stripped.append(local)
        offset += local.len()
    if not parts:
        return pl.Series(dtype=pl.UInt32), pl.Series(dtype=pl.String)
    code, distinct = _dictionary(pl.concat(stripped))
    return code.gather(pl.concat(parts, rechunk=False)), distinct


def _slice_codes(description: pl.Series) -> tuple[pl.Series, pl.Series]:
    """``_stripped_codes`` of one slice, with its own dictionary."""
    raw_code, raw = _dictionary(description)
    stripped = raw.to_frame("d").select(_strip_numbers(pl.col("d"))).to_series()
    del raw
    code, distinct = _dictionary(stripped)
    return code.gather(raw_code), distinct


# behaviour rules ------------------------------------------------------------------------


def _behaviour_categories(tx: pl.DataFrame, dtype: pl.Enum) -> pl.Series:
    """Given, else keyword, else behaviour category; then returned debits resolved."""
    open_ = pl.col("given").is_null() & pl.col("kw").is_null()
    category = tx["given"].fill_null(tx["kw"])
    for inferred in (
        _recurring_income(tx, open_ & (pl.col("amount") > 0), dtype),
        _unlabelled_outflows(tx, open_ & (pl.col("amount") <= 0), dtype),
    ):
        if inferred.height:
            category = category.scatter(inferred["row"], inferred["behaviour"])
    matched = _returned_debits(tx.with_columns(category=category), dtype)
    if matched.height:
        category = category.scatter(matched["row"], matched["matched"])
    return category


def _recurring_income(tx: pl.DataFrame, where: pl.Expr, dtype: pl.Enum) -> pl.DataFrame:
    """income.salary / income.other / transfer.in for the inflows ``where`` selects."""
    rows = _take(tx, where, "acct", "kid", "booked_at", "amount")
    if rows.height == 0:
        return pl.DataFrame(schema={"row": pl.UInt32, "behaviour": dtype})
    log_amount = pl.col("amount").log() / _BAND
    rows = rows.with_columns(
        # two band grids half a band apart: amounts within half a band share one of them
        band_a=pl.when(pl.col("kid").is_null()).then(log_amount.floor().cast(pl.Int64)),
        band_b=pl.when(pl.col("kid").is_null()).then((log_amount + 0.5).floor().cast(pl.Int64)),
    )
    cadence = pl.lit(False)
    gap = (pl.col("booked_at") - pl.col("booked_at").shift(1)).dt.total_days()
    for low, high in (_WEEKLY, _BIWEEKLY, _MONTHLY):
        cadence = cadence | gap.is_between(low, high)
    similar = (pl.col("amount") / pl.col("amount").shift(1) - 1).abs() <= _TOLERANCE
    flags = []
    for band in ("band_a", "band_b"):
        # sorted by counterparty then time: the previous row of the same counterparty is
        # the one just above, and it was booked on or before this one
        same = (
            (pl.col("acct") == pl.col("acct").shift(1))
            & pl.col("kid").eq_missing(pl.col("kid").shift(1))
            & pl.col(band).eq_missing(pl.col(band).shift(1))
        ).fill_null(False)
        flags.append(
            rows.sort("acct", "kid", band, "booked_at", "row")
            .select("row", regular=same & (cadence & similar).fill_null(False), seen=same)
            .sort("row")
        )
    regular = flags[0]["regular"] | flags[1]["regular"]
    seen = flags[0]["seen"] | flags[1]["seen"]
    return pl.DataFrame({"row": flags[0]["row"], "regular": regular, "seen": seen}).select(
        "row",
        behaviour=pl.when("regular")
        .then(pl.lit("income.salary", dtype=dtype))
        .when("seen")
        .then(pl.lit("income.other", dtype=dtype))
        .otherwise(pl.lit("transfer.in", dtype=dtype)),
    )


def _unlabelled_outflows(tx: pl.DataFrame, where: pl.Expr, dtype: pl.Enum) -> pl.DataFrame:
    """cash.withdrawal / transfer.out / spending.other for the outflows ``where`` selects."""
    order = _take(tx, where, "acct", "booked_at").sort("acct", "booked_at", "row")
    if order.height == 0:
        return pl.DataFrame(schema={"row": pl.UInt32, "behaviour": dtype})
    # only the sort keys are sorted; the other columns are gathered in that order
    rows = order.select("row", "acct").hstack(
        tx.select(pl.col("amount", "undescribed").gather(order["row"]))
    )
    del order
    size = -pl.col("amount")
    rows = rows.select(
        "row",
        "amount",
        "undescribed",
        # sorted by account: its earlier outflows are the rows since its first one
        n_before=pl.int_range(pl.len(), dtype=pl.UInt32)
        - pl.col("acct").search_sorted(pl.col("acct"), side="left"),
        total_before=(size.cum_sum() - size).over("acct"),
    )
    before = pl.when(pl.col("n_before") > 0).then(pl.col("total_before") / pl.col("n_before"))
    large = (size >= _LARGE * before).fill_null(False) & (size > 0)
    cash_sized = (size >= _CASH * before).fill_null(False) & (size > 0)
    unit = pl.lit(10.0).pow(size.log10().floor() - 1).clip(lower_bound=1.0)
    round_ = ((size / unit) - (size / unit).round()).abs() < 1e-9
    undescribed = pl.col("undescribed")
    behaviour = (
        pl.when(cash_sized & round_ & undescribed)
        .then(pl.lit("cash.withdrawal", dtype=dtype))
        .when(large & undescribed)
        .then(pl.lit("transfer.out", dtype=dtype))
        .otherwise(pl.lit("spending.other", dtype=dtype))
    )
    # row by row from here: slices keep the floating-point temporaries small
    return pl.concat(
        [part.select("row", behaviour=behaviour) for part in rows.iter_slices(_SLICE_ROWS)]
    )


def _returned_debits(tx: pl.DataFrame, dtype: pl.Enum) -> pl.DataFrame:
    """Rows of returned debits and the category of the debit each returns."""
    returned = _take(
        tx,
        pl.col("given").is_null() & (pl.col("kw") == "fee.nsf") & (pl.col("amount") > 0),
        "acct",
        "booked_at",
        "amount",
    ).rename({"amount": "size"})
    if returned.height == 0:
        return pl.DataFrame(schema={"row": pl.UInt32, "matched": dtype})
    debits = (
        _take(
            tx,
            # candidates first (an account and an amount seen among the returns),
            # so only a few rows are copied before the exact join on both
            (pl.col("amount") < 0)
            & pl.col("acct").is_in(returned["acct"].unique().implode())
            & (-pl.col("amount")).is_in(returned["size"].unique().implode())
            & (pl.col("category") != "fee.nsf"),
            "acct",
            "category",
            "booked_at",
            "amount",
        )
        .select("acct", "category", d_at="booked_at", d_row="row", size=-pl.col("amount"))
        .join(returned.select("acct", "size").unique(), on=["acct", "size"])
    )
    return (
        returned.join(debits, on=["acct", "size"])
        .filter(pl.col("d_at") <= pl.col("booked_at"))
        .group_by("row")
        .agg(matched=pl.col("category").sort_by("d_at", "d_row").last())
    )


# evaluation -----------------------------------------------------------------------------


def categorization_report(
    predicted: Sequence[str] | pd.Series, truth: Sequence[str] | pd.Series
) -> pd.DataFrame:
    """Per category: support, precision, recall and f1; last row ``accuracy`` (overall).

    Categories are listed in vocabulary order, then any others in alphabetical order.
    A missing value counts as its own label ``(none)``, so it is never dropped. The
    ``accuracy`` row holds the share of correct predictions in precision, recall and
    f1 (their micro-averages) and the number of transactions as support.
    """
    pred = _labels(predicted, "predicted")
    true = _labels(truth, "truth")
    if len(pred) != len(true):
        raise ConfigError(
            f"predicted and truth must have the same length; got {len(pred)} and {len(true)}"
        )
    labels = sorted(
        set(pred) | set(true),
        key=lambda c: (c not in CATEGORIES, CATEGORIES.index(c) if c in CATEGORIES else 0, c),
    )
    correct = pred == true
    n_true = pd.Series(true).value_counts()
    n_pred = pd.Series(pred).value_counts()
    n_hit = pd.Series(true[correct]).value_counts()
    table = pd.DataFrame(
        {
            "support": n_true.reindex(labels, fill_value=0),
            "predicted": n_pred.reindex(labels, fill_value=0),
            "hit": n_hit.reindex(labels, fill_value=0),
        }
    )
    precision = (table["hit"] / table["predicted"].where(table["predicted"] > 0)).fillna(0.0)
    recall = (table["hit"] / table["support"].where(table["support"] > 0)).fillna(0.0)
    both = precision + recall
    f1 = (2 * precision * recall / both.where(both > 0)).fillna(0.0)
    report = pd.DataFrame(
        {
            "support": table["support"].astype("int64"),
            "precision": precision,
            "recall": recall,
            "f1": f1,
        }
    )
    accuracy = float(correct.mean()) if len(true) else float("nan")
    report.loc["accuracy"] = [len(true), accuracy, accuracy, accuracy]
    report["support"] = report["support"].astype("int64")
    report.index.name = "category"
    return report


def _labels(values: Sequence[str] | pd.Series, name: str) -> np.ndarray:
    if isinstance(values, str):
        raise ConfigError(f"{name} must be a sequence of categories, not a single string")
    series = (
        values.to_pandas()
        if isinstance(values, pl.Series)
        else pd.Series(list(values) if not isinstance(values, pd.Series) else values)
    )
    return series.astype(object).where(series.notna(), "(none)").astype(str).to_numpy()


# docs -----------------------------------------------------------------------------------

#: Markers around the generated part of ``docs/categorisation.md``.
BEGIN_MARKER = "<!-- BEGIN GENERATED: categorisation rules (edit _categorize.py, not this) -->"
END_MARKER = "<!-- END GENERATED: categorisation rules -->"

_SIGN_TEXT = {1: "inflows", -1: "outflows", 0: "any"}


def _alternatives(pattern: str) -> list[str]:
    """Top-level alternatives of a regular expression."""
    parts, depth, current = [], 0, []
    escaped = False
    for ch in pattern:
        if escaped:
            current.append(ch)
            escaped = False
            continue
        if ch == "\\":
            escaped = True
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return parts


def rules_markdown() -> str:
    """The generated part of ``docs/categorisation.md``: normalisation, keyword and behaviour rules."""
    lines = [
        BEGIN_MARKER,
        "",
        "## How a transaction gets its category",
        "",
        "1. A `category` given in the input is kept.",
        "2. Otherwise the description is normalised (upper case, accents stripped, "
        "punctuation to spaces, numbers and reference codes - tokens with three or more "
        "digits in a row - removed, spaces collapsed) and the keyword rules below are "
        "tried in order: the first rule whose pattern matches and whose direction fits "
        "the amount decides.",
        "3. What no keyword explains is settled by the behaviour rules, which look only at "
        "the same account's transactions booked on or before the transaction (adding "
        "later transactions never changes an earlier category).",
        "",
        "## Keyword rules",
        "",
        "Patterns are case-insensitive regular expressions on the normalised description "
        "(`\\b` is a word boundary); any one alternative matching is enough.",
        "",
        "| # | category | applies to | languages | keywords |",
        "|---|---|---|---|---|",
    ]
    for i, rule in enumerate(RULES, start=1):
        keywords = ", ".join(
            "`" + alt.replace("|", "\\|") + "`" for alt in _alternatives(rule.pattern)
        )
        lines.append(
            f"| {i} | `{rule.category}` | {_SIGN_TEXT[rule.sign]} | "
            f"{', '.join(rule.languages)} | {keywords} |"
        )
    params = {
        "weekly": "{}-{}".format(*_WEEKLY),
        "biweekly": "{}-{}".format(*_BIWEEKLY),
        "monthly": "{}-{}".format(*_MONTHLY),
        "tolerance": _TOLERANCE,
        "large": _LARGE,
        "cash": _CASH,
    }
    lines += ["", "## Behaviour rules", ""]
    for name, text in BEHAVIOUR_RULES:
        lines.append(f"- **{name}**: {text.format(**params)}.")
    lines += ["", END_MARKER, ""]
    return "\n".join(lines)
