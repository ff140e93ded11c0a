"""Recurring flows: salaries, pensions, rents, bills and loan repayments that come back.

A *flow* is every transaction of one snapshot with the same sign and the same
counterparty key (:func:`flow_key`). It is *recurring* when it has at least
``MIN_OCCURRENCES`` booking days, its gaps fit one period (weekly, biweekly or
monthly; monthly also means the same day of the month within ``DAY_TOLERANCE``
days, month ends counted as month ends) and its amounts are similar. Only inflows
of income categories, outflows of obligation categories and uncategorised flows are
considered: card spending never makes a recurring flow.

Point in time: the detector sees only the rows it is given (the engine has removed
everything booked after ``as_of``) and judges a flow as *missed* at ``as_of`` only.
"""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd
import polars as pl

from .._contract import CATEGORIES, TRANSACTIONS
from .._errors import ConfigError
from .._validation import ContractWarning, validate_table
from ._frame import to_polars_transactions

__all__ = [
    "INCOME_CATEGORIES",
    "OBLIGATION_CATEGORIES",
    "PERIODS",
    "detect_recurring",
    "flow_key",
    "recurring_flows",
]

#: Inflows of these categories (and of their extensions) can be recurring income.
INCOME_CATEGORIES: tuple[str, ...] = tuple(c for c in CATEGORIES if c.split(".")[0] == "income")
#: Outflows of these categories (and of their extensions) can be recurring obligations.
OBLIGATION_CATEGORIES: tuple[str, ...] = ("housing", "utilities", "insurance", "loan.repayment")

#: period -> (nominal days, shortest and longest gap in days that fits it).
PERIODS: dict[str, tuple[int, int, int]] = {
    "weekly": (7, 5, 9),
    "biweekly": (14, 11, 18),
    # same day of the month +-DAY_TOLERANCE: February with +-3 days gives 22-38 days
    "monthly": (30, 22, 38),
}

#: Fewest booking days a recurring flow has.
MIN_OCCURRENCES = 3
#: Largest coefficient of variation of the gaps (else most gaps must fit the period).
MAX_INTERVAL_CV = 0.25
#: Largest coefficient of variation of the amounts (else most must be near the median).
MAX_AMOUNT_CV = 0.25
#: "Near the median": within this share of it.
AMOUNT_BAND = 0.25
#: Changes of level (a pay cut, a rent rise) a flow of steady amounts may have.
MAX_AMOUNT_JUMPS = 1
#: "Most" gaps, amounts or days of the month.
MIN_SHARE = 0.75
#: A monthly flow keeps its day of the month within this many days.
DAY_TOLERANCE = 3
#: The key of a flow with neither description nor category.
UNKNOWN_KEY = "UNKNOWN"

#: Month names (Spanish, English) and words that only introduce a reference or a date.
# fmt: off
_NOISE_WORDS = (
    "ENERO", "FEBRERO", "MARZO", "ABRIL", "MAYO", "JUNIO", "JULIO", "AGOSTO", "SEPTIEMBRE",
    "SETIEMBRE", "OCTUBRE", "NOVIEMBRE", "DICIEMBRE", "JANUARY", "FEBRUARY", "MARCH", "APRIL",
    "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER", "ENE",
    "FEB", "MAR", "ABR", "JUN", "JUL", "AGO", "SEP", "SEPT", "OCT", "NOV", "DIC", "JAN", "APR",
    "AUG", "DEC",
    "REF", "REFERENCIA", "REFERENCE", "NRO", "NUM", "NO", "FOLIO", "TXN", "TRX", "TRN", "ID",
    "OP", "AUT", "AUTH", "CONF", "FECHA", "DATE",
)
# fmt: on
#: A run of words with a digit (dates, amounts, references), noise words and
#: non-letters: each run becomes one space.
_NOISE_RE = r"(?:\S*\d\S*|\b(?:" + "|".join(_NOISE_WORDS) + r")\b|[^\p{L}])+"

_OUTPUT_SCHEMA: dict[str, pl.DataType] = {
    "sid": pl.Int64(),
    "flow_key": pl.String(),
    "direction": pl.String(),
    "category": pl.String(),
    "period": pl.String(),
    "period_days": pl.Int32(),
    "n": pl.Int32(),
    "typical_amount": pl.Float64(),
    "amount_cv": pl.Float64(),
    "interval_cv": pl.Float64(),
    "first_day": pl.Date(),
    "last_day": pl.Date(),
    "next_due": pl.Date(),
    "missed": pl.Boolean(),
    "days_overdue": pl.Int32(),
    "days_until_next": pl.Int32(),
}


# --- the counterparty key ---------------------------------------------------------------


def _description_key(description: pl.Expr) -> pl.Expr:
    """Upper-case, accents stripped, digits / dates / references removed, spaces collapsed."""
    text = description.cast(pl.String)
    return _clean_key(text.str.normalize("NFKD").str.to_uppercase())


def _clean_key(upper: pl.Expr) -> pl.Expr:
    """The key of an upper-case (NFKD-decomposed or plain ASCII) description."""
    return (
        upper.str.replace_all(r"[\p{M}.'`´’]+", "")  # accents; S.A. -> SA
        .str.replace_all(_NOISE_RE, " ")
        .str.strip_chars()
    )


def flow_key(description: pl.Expr, category: pl.Expr) -> pl.Expr:
    """Normalised counterparty key of a transaction.

    Upper-case, accents stripped, words with digits (dates, reference numbers),
    month names and reference words removed, spaces collapsed. Falls back to the
    category when nothing is left of the description, and to ``UNKNOWN_KEY``.
    """
    key = _description_key(description)
    return (
        pl.when(key.is_null() | (key == ""))
        .then(category.cast(pl.String))
        .otherwise(key)
        .fill_null(UNKNOWN_KEY)
        .alias("flow_key")
    )


# --- the detector -------------------------------------------------------------------------


def _extends(value: str, roots: tuple[str, ...]) -> bool:
    return any(value == r or value.startswith(r + ".") for r in roots)


def _category_codes(rows: pl.DataFrame) -> tuple[list[str], pl.Expr]:
    """The category values and an expression of their integer codes (null: uncategorised)."""
    dtype = rows.schema["category"]
    if isinstance(dtype, pl.Enum):  # the engine's form: use the codes as they are
        return list(dtype.categories), pl.col("category").to_physical().cast(pl.Int32)
    text = pl.col("category").cast(pl.String)
    values = rows.select(text.unique().drop_nulls().sort()).to_series().to_list()
    return values, text.cast(pl.Enum(values)).to_physical().cast(pl.Int32)


def _check_rows(rows: pl.DataFrame) -> str:
    """The name of the description column; a clear error for a malformed rows frame."""
    if not isinstance(rows, pl.DataFrame):
        raise ConfigError(f"rows must be a polars DataFrame; got {type(rows).__name__}")
    description = "description" if "description" in rows.columns else "desc"
    needed = {
        "sid": "an integer snapshot id",
        "as_of": "the snapshot's date (pl.Date)",
        "day": "the booking day (pl.Date)",
        "amount": "the signed amount (inflow > 0)",
        description: "the bank's description (text, may be null)",
        "category": "the contract category (text, may be null)",
    }
    missing = [c for c in needed if c not in rows.columns]
    if missing:
        raise ConfigError(
            "the rows frame lacks column"
            + ("s " if len(missing) > 1 else " ")
            + ", ".join(f"'{c}' ({needed[c]})" for c in missing)
            + f"; it has {', '.join(rows.columns) or 'no columns'}"
        )
    schema = rows.schema
    wrong = []
    if not schema["sid"].is_integer():
        wrong.append(f"'sid' is {schema['sid']}, expected an integer type")
    for c in ("as_of", "day"):
        if schema[c] != pl.Date:
            wrong.append(f"'{c}' is {schema[c]}, expected Date")
    if not schema["amount"].is_numeric():
        wrong.append(f"'amount' is {schema['amount']}, expected a number")
    for c in (description, "category"):
        if not (
            schema[c] in (pl.String, pl.Categorical, pl.Null) or isinstance(schema[c], pl.Enum)
        ):
            wrong.append(f"'{c}' is {schema[c]}, expected text")
    if wrong:
        raise ConfigError("the rows frame has wrong column types: " + "; ".join(wrong))
    late = rows.filter(pl.col("day") > pl.col("as_of"))
    if late.height:
        sids = late["sid"].unique().sort().head(5).to_list()
        raise ConfigError(
            f"the rows frame holds {late.height} transactions booked after their snapshot's "
            f"as_of (sid {', '.join(map(str, sids))}); keep only rows with day <= as_of "
            "so nothing from the future reaches a feature"
        )
    return description


def _check_grace(grace_days: object) -> int:
    if isinstance(grace_days, bool) or not isinstance(grace_days, int) or grace_days < 0:
        raise ConfigError(
            "grace_days (days after a due date before a flow counts as missed) must be a "
            f"whole number >= 0; got {grace_days!r}"
        )
    return grace_days


def _key_texts(unique: pl.Series) -> pl.Series:
    """:func:`_description_key` of distinct descriptions; plain ASCII skips the Unicode step."""
    text = unique.cast(pl.String).to_frame("text").with_columns(pos=pl.int_range(pl.len()))
    ascii_only = ~pl.col("text").str.contains(r"[^\x00-\x7F]").fill_null(False)
    plain = text.filter(ascii_only).with_columns(key=_clean_key(pl.col("text").str.to_uppercase()))
    other = text.filter(~ascii_only).with_columns(key=_description_key(pl.col("text")))
    return pl.concat([plain, other]).sort("pos")["key"]


def _key_ids(desc: pl.Series, fallback: pl.Series, n_values: int) -> tuple[pl.Series, list[str]]:
    """Integer flow key per row and the key texts they index.

    Keys are computed once per distinct description. A row whose description leaves
    no key gets ``K + category code`` (``K + n_values`` when uncategorised).
    """
    if desc.dtype != pl.Categorical:
        desc = desc.cast(pl.String).cast(pl.Categorical)
    code = desc.to_physical()
    unique = desc.unique()
    keys = (
        pl.DataFrame({"code": unique.to_physical(), "key": _key_texts(unique)})
        .filter(pl.col("key").is_not_null() & (pl.col("key") != ""))
        .with_columns(kid=(pl.col("key").rank("dense") - 1).cast(pl.Int64))
    )
    texts = keys.select("key", "kid").unique("kid").sort("kid")["key"].to_list()
    top = code.max()
    if top is not None and int(top) < max(4 * len(code), 1 << 20):
        lookup = np.full(int(top) + 1, -1, dtype=np.int64)
        lookup[keys["code"].to_numpy()] = keys["kid"].to_numpy()
        found = pl.Series("kid", lookup).gather(code)
    else:  # codes of a huge global category table: join instead of a lookup array
        found = (
            code.to_frame("code")
            .join(keys.select("code", "kid"), on="code", how="left", maintain_order="left")
            .get_column("kid")
        )
    own = found.fill_null(-1)
    kid = pl.select(
        pl.when(own >= 0)
        .then(own)
        .otherwise(fallback.fill_null(n_values).cast(pl.Int64) + len(texts))
    ).to_series()
    return kid, texts


def _flow_order(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` sorted by sid, direction (income first), key and day."""
    if frame.is_empty():
        return frame
    spans = frame.select(
        pl.col("sid").min().alias("s0"),
        pl.col("sid").max().alias("s1"),
        pl.col("kid").max().alias("k1"),
        pl.col("day").min().to_physical().alias("d0"),
        pl.col("day").max().to_physical().alias("d1"),
    ).row(0, named=True)
    n_sid, n_key, n_day = (
        spans["s1"] - spans["s0"] + 1,
        spans["k1"] + 1,
        spans["d1"] - spans["d0"] + 1,
    )
    if n_sid * 2 * n_key * n_day >= 2**62:  # one composite integer would overflow
        return frame.sort("sid", "income", "kid", "day", descending=[False, True, False, False])
    composite = (
        ((pl.col("sid") - spans["s0"]) * 2 + (~pl.col("income")).cast(pl.Int64)) * n_key
        + pl.col("kid")
    ) * n_day + (pl.col("day").to_physical().cast(pl.Int64) - spans["d0"])
    # stable sort of one integer: fast, and nearly free on the engine's sid-ordered rows
    order = np.argsort(frame.select(composite).to_series().to_numpy(), kind="stable")
    return frame[order]


def _with_next_due(flows: pl.DataFrame) -> pl.DataFrame:
    """Add ``next_due``: last_day + 7 or 14 days, or the usual day of the next month.

    A monthly flow is due on its usual day of the month (counted from the month's end
    when it is paid at month ends; short months clamp the day: the 31st is paid on
    February 28), in the first month that day is at least 15 days after ``last_day``.
    """
    flows = flows.with_columns(_start=pl.col("last_day").dt.month_start())
    due = pl.col("last_day") + pl.duration(days=pl.col("period_days"))
    for k in (2, 1, 0):  # the earliest month far enough wins
        month = pl.col("_start").dt.offset_by(f"{k}mo")
        length = month.dt.days_in_month().cast(pl.Int32)
        day = (
            pl.when("anchor_end")
            .then(length - pl.col("anchor"))
            .otherwise(pl.min_horizontal("anchor", length))
        )
        flows = flows.with_columns(_due=month + pl.duration(days=day.clip(1, 31) - 1))
        far = (pl.col("_due") - pl.col("last_day")).dt.total_days() >= 15
        due = pl.when((pl.col("period") == "monthly") & far).then(pl.col("_due")).otherwise(due)
        flows = flows.with_columns(next_due=due)
        due = pl.col("next_due")
    return flows.drop("_start", "_due")


def _occurrences(rows: pl.DataFrame, description: str) -> tuple[pl.DataFrame, list[str], list[str]]:
    """Eligible rows as one occurrence per (sid, direction, key, day), sorted, with ``fid``."""
    values, cat_code = _category_codes(rows)
    income = [i for i, v in enumerate(values) if _extends(v, INCOME_CATEGORIES)]
    owed = [i for i, v in enumerate(values) if _extends(v, OBLIGATION_CATEGORIES)]
    free = pl.col("cat").is_null() | pl.col("cat").is_in(
        [i for i, v in enumerate(values) if v == ""]
    )
    amount = pl.col("amount")
    eligible = rows.select(
        "sid", "as_of", "day", amount.cast(pl.Float64), desc=pl.col(description), cat=cat_code
    ).filter(
        ((amount > 0) & (free | pl.col("cat").is_in(income)))
        | ((amount < 0) & (free | pl.col("cat").is_in(owed)))
    )
    kid, texts = _key_ids(eligible["desc"], eligible["cat"], len(values))
    occ = _flow_order(eligible.drop("desc").with_columns(kid=kid, income=amount > 0))
    new_flow = (
        (pl.col("sid") != pl.col("sid").shift())
        | (pl.col("income") != pl.col("income").shift())
        | (pl.col("kid") != pl.col("kid").shift())
    ).fill_null(True)
    occ = occ.with_columns(new_flow=new_flow)
    new_day = pl.col("new_flow") | (pl.col("day") != pl.col("day").shift()).fill_null(True)
    if not occ.select(new_day.all()).item():  # several bookings on one day: one payment
        occ = (
            occ.with_columns(occ_id=new_day.cum_sum())
            .group_by("occ_id", maintain_order=True)
            .agg(pl.all().exclude("amount").first(), amount.sum())
            .drop("occ_id")
        )
    key_texts = texts + [v or UNKNOWN_KEY for v in values] + [UNKNOWN_KEY]
    return occ.with_columns(fid=pl.col("new_flow").cum_sum() - 1), key_texts, values


def _per_flow(stats: pl.DataFrame, column: str, n_flows: int, fid: pl.Series) -> pl.Series:
    """``stats[column]`` (one row per some fids) spread onto rows with flow ids ``fid``."""
    full = np.full(n_flows, np.nan)
    full[stats["fid"].to_numpy()] = stats[column].cast(pl.Float64).to_numpy()
    return pl.Series(column, full[fid.to_numpy()])


def _day_anchors(days: pl.DataFrame, n_flows: int) -> pl.DataFrame:
    """Per flow: whether most payments keep one day of the month, and that day.

    Days are read on two scales: the day of the month (cut at the month's turn) and a
    phase cut at mid-month, ``(day - 1 + 15) mod month length``, on which the last day
    of every month is 14 and the 1st is 15, so a flow paid around the month's turn
    does not straddle the cut of the phase scale. A flow keeps its day when, on either
    scale, the central ``MIN_SHARE`` of its payments span at most ``2 * DAY_TOLERANCE``
    days. The anchor (the day it is due) is the median.
    """
    length = pl.col("day").dt.days_in_month().cast(pl.Int32)
    dom = pl.col("day").dt.day().cast(pl.Int32)
    days = days.with_columns(dom=dom, phase=(dom + 14) % length)
    tail = (1 - MIN_SHARE) / 2
    stats = days.group_by("fid", maintain_order=True).agg(
        **{
            f"{scale}_{name}": pl.col(scale).quantile(q, "nearest")
            for scale in ("dom", "phase")
            for name, q in (("lo", tail), ("mid", 0.5), ("hi", 1 - tail))
        }
    )
    width = {k: pl.col(f"{k}_hi") - pl.col(f"{k}_lo") for k in ("dom", "phase")}
    phase = pl.col("phase_mid").cast(pl.Int32)
    # the phase scale wins when narrower, or as narrow for a flow paid at the turn
    use_phase = (width["phase"] < width["dom"]) | (
        (width["phase"] == width["dom"]) & phase.is_between(13, 16)
    )
    return stats.select(
        "fid",
        on_day=pl.min_horizontal(width["dom"], width["phase"]) <= 2 * DAY_TOLERANCE,
        # anchor: days before the month's end when anchor_end, else the day of the month
        anchor_end=use_phase & (phase <= 14),
        anchor=pl.when(~use_phase)
        .then(pl.col("dom_mid").cast(pl.Int32))
        .when(phase <= 14)
        .then(14 - phase)
        .otherwise(phase - 14),
    )


def _flows(occ: pl.DataFrame) -> pl.DataFrame:
    """Per-flow statistics of the occurrences (one row per ``fid``, in fid order)."""
    gap = pl.when(~pl.col("new_flow")).then((pl.col("day") - pl.col("day").shift()).dt.total_days())
    occ = occ.with_columns(gap=gap, size=pl.col("amount").abs(), fid=pl.col("fid").set_sorted())
    flows = occ.group_by("fid", maintain_order=True).agg(
        pl.col("sid", "as_of", "income", "kid").first(),
        n=pl.len().cast(pl.Int32),
        first_day=pl.col("day").first(),
        last_day=pl.col("day").last(),
        gap_median=pl.col("gap").median(),
        interval_cv=pl.col("gap").std() / pl.col("gap").mean(),
        **{
            f"fit_{p}": pl.col("gap").is_between(lo, hi).mean()
            for p, (_, lo, hi) in PERIODS.items()
        },
        typical_amount=pl.col("size").median(),
        amount_cv=pl.col("size").std() / pl.col("size").mean(),
        cat_min=pl.col("cat").min(),
        cat_max=pl.col("cat").max(),
    )
    n_flows, fid = flows.height, occ["fid"]
    candidate = pl.col("n") >= MIN_OCCURRENCES

    # day of the month, only for flows that may be monthly
    _, low, high = PERIODS["monthly"]
    monthly = flows.select(candidate & pl.col("gap_median").is_between(low, high)).to_series()
    anchors = _day_anchors(occ.filter(monthly.gather(fid)).select("fid", "day"), n_flows)

    # amounts near the median, or steady from one payment to the next but for one jump
    # (a pay cut, a rent rise), only where the amounts' cv alone does not decide
    spread = flows.select(candidate & (pl.col("amount_cv") > MAX_AMOUNT_CV)).to_series()
    sizes = occ.filter(spread.gather(fid)).select("fid", "size", "new_flow")
    median = _per_flow(flows, "typical_amount", n_flows, sizes["fid"])
    step = (pl.col("size") / pl.col("size").shift() - 1).abs() <= AMOUNT_BAND
    near = (
        sizes.with_columns(
            near=(pl.col("size") - median).abs() <= AMOUNT_BAND * median,
            steady=pl.when(~pl.col("new_flow")).then(step),
        )
        .group_by("fid", maintain_order=True)
        .agg(amount_near=pl.col("near").mean(), amount_jumps=(~pl.col("steady")).sum())
    )

    # the most frequent category, counted only where a flow mixes several
    mixed = flows.filter(candidate & (pl.col("cat_min") != pl.col("cat_max")))["fid"]
    mode = (
        occ.filter(pl.col("fid").is_in(mixed.implode()) & pl.col("cat").is_not_null())
        .group_by("fid", "cat")
        .len()
        .sort("fid", "len", "cat", descending=[False, True, False])
        .unique("fid", keep="first")
        .select("fid", cat_mode="cat")
    )
    return (
        flows.filter(candidate)
        .join(anchors, on="fid", how="left", maintain_order="left")
        .join(near, on="fid", how="left", maintain_order="left")
        .join(mode, on="fid", how="left", maintain_order="left")
        .with_columns(cat=pl.coalesce("cat_mode", "cat_min"))
    )


def detect_recurring(rows: pl.DataFrame, *, grace_days: int = 5) -> pl.DataFrame:
    """Recurring income and obligations of every snapshot of a point-in-time rows frame.

    ``rows`` holds ``sid``, ``as_of``, ``day``, ``amount``, ``description`` (or the
    engine's ``desc``) and ``category``. Returns one row per (sid, recurring flow)
    with the columns of ``_OUTPUT_SCHEMA``, sorted by sid, direction and flow_key.
    A flow is ``missed`` when ``as_of`` is more than ``grace_days`` after its due day.
    """
    description = _check_rows(rows)
    grace = _check_grace(grace_days)
    occ, key_texts, values = _occurrences(rows, description)
    if occ.height == 0:
        return pl.DataFrame(schema=_OUTPUT_SCHEMA)
    flows = _flows(occ)

    period = pl.lit(None, dtype=pl.String)
    for name, (_, low, high) in reversed(PERIODS.items()):
        period = (
            pl.when(pl.col("gap_median").is_between(low, high)).then(pl.lit(name)).otherwise(period)
        )
    fit = pl.lit(0.0)
    for name in PERIODS:
        fit = pl.when(pl.col("period") == name).then(pl.col(f"fit_{name}")).otherwise(fit)
    nominal = pl.col("period").replace_strict(
        {p: d for p, (d, _, _) in PERIODS.items()}, default=None, return_dtype=pl.Int32
    )
    regular = (pl.col("interval_cv").fill_null(0.0) <= MAX_INTERVAL_CV) | (
        pl.col("fit") >= MIN_SHARE
    )
    similar = (
        (pl.col("amount_cv").fill_null(0.0) <= MAX_AMOUNT_CV)
        | (pl.col("amount_near") >= MIN_SHARE)
        | ((pl.col("amount_jumps") <= MAX_AMOUNT_JUMPS) & (pl.col("n") > MIN_OCCURRENCES))
    )
    on_day = (pl.col("period") != "monthly") | pl.col("on_day")
    until = (pl.col("next_due") - pl.col("as_of")).dt.total_days().cast(pl.Int32)
    texts = pl.Series(key_texts, dtype=pl.String)
    cats = pl.Series([*values, None], dtype=pl.String)
    out = (
        flows.with_columns(period=period)
        .with_columns(fit=fit, period_days=nominal)
        .filter(pl.col("period").is_not_null() & regular & similar & on_day)
        .pipe(_with_next_due)
        .with_columns(days_until_next=until)
        .with_columns(
            flow_key=pl.lit(texts).gather(pl.col("kid")),
            direction=pl.when(pl.col("income"))
            .then(pl.lit("income"))
            .otherwise(pl.lit("obligation")),
            category=pl.lit(cats).gather(pl.col("cat").fill_null(len(values))),
            missed=pl.col("days_until_next") < -grace,
            days_overdue=pl.when(pl.col("days_until_next") < -grace)
            .then(-pl.col("days_until_next"))
            .otherwise(0),
        )
        .select([pl.col(c).cast(t) for c, t in _OUTPUT_SCHEMA.items()])
    )
    return out.sort("sid", "direction", "flow_key")


# --- the pandas convenience -----------------------------------------------------------------


def _parse_as_of(as_of: dt.date | str | None) -> dt.date | None:
    if as_of is None:
        return None
    if isinstance(as_of, dt.datetime):
        return as_of.date()
    if isinstance(as_of, dt.date):
        return as_of
    if isinstance(as_of, str):
        try:
            return dt.date.fromisoformat(as_of.strip())
        except ValueError:
            pass
    raise ConfigError(f"as_of must be a date such as '2026-03-31' (or None); got {as_of!r}")


def recurring_flows(
    transactions: pd.DataFrame,
    as_of: dt.date | str | None = None,
    *,
    grace_days: int = 5,
) -> pd.DataFrame:
    """Recurring income and obligations of one or many accounts, as known at ``as_of``.

    ``transactions`` is a contract ``transactions`` table (validated first; missing
    categories are inferred with ``categorize``). Only bookings on or before ``as_of``
    are used; by default ``as_of`` is each account's last booking day. Returns
    :func:`detect_recurring`'s columns with ``account_id`` and ``as_of`` instead of ``sid``
    (dates as ``datetime64[us]``, like validated tables).
    """
    if not isinstance(transactions, pd.DataFrame):
        raise ConfigError(
            f"transactions must be a pandas DataFrame; got {type(transactions).__name__}"
        )
    day = _parse_as_of(as_of)
    grace = _check_grace(grace_days)
    clean, _, notes = validate_table(transactions, TRANSACTIONS.name)
    for note in notes:
        warnings.warn(note, ContractWarning, stacklevel=2)
    # typed like the feature engine's input, missing categories inferred
    tx = to_polars_transactions(clean).with_columns(
        day=pl.col("booked_at").dt.date(),
        category=pl.col("category").cast(pl.String),
    )
    as_of_expr = (
        pl.col("day").max().over("account_id") if day is None else pl.lit(day, dtype=pl.Date)
    )
    rows = (
        tx.with_columns(
            as_of=as_of_expr,
            sid=pl.col("account_id").rank("dense").cast(pl.Int64),
        )
        .filter(pl.col("day") <= pl.col("as_of"))
        .select("sid", "account_id", "as_of", "day", "amount", "description", "category")
    )
    snapshots = rows.select("sid", "account_id", "as_of").unique("sid")
    flows = detect_recurring(rows.drop("account_id"), grace_days=grace)
    out = snapshots.join(flows, on="sid", how="inner").drop("sid")
    frame = out.sort("account_id", "direction", "flow_key").to_pandas()
    dates = ["as_of", "first_day", "last_day", "next_due"]
    frame[dates] = frame[dates].astype("datetime64[us]")  # the library's date resolution
    return frame
