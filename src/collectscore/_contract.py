"""The data contract, declared once.

Every table, column, allowed value and range of ``../shared/CONTRACT.md`` is written
here exactly once. Validation (pandera schemas and error messages), the sample
generator, the docs and the tests all derive from these declarations, so they
cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnKind = Literal["string", "float", "int", "bool", "date", "datetime"]

#: Contact channels a collection system can use.
CHANNELS: tuple[str, ...] = ("sms", "email", "whatsapp", "push", "call", "ivr")

#: Countries with a built-in contact-rule pack (others need a custom pack).
RULE_PACK_COUNTRIES: tuple[str, ...] = ("US", "CO", "MX", "CL")

#: Transaction category vocabulary (dotted; extendable below a known root,
#: e.g. ``spending.restaurants``).
CATEGORIES: tuple[str, ...] = (
    "income.salary",
    "income.pension",
    "income.benefits",
    "income.other",
    "transfer.in",
    "transfer.out",
    "loan.repayment",
    "loan.disbursement",
    "fee.overdraft",
    "fee.nsf",
    "fee.other",
    "interest.credit",
    "interest.penalty",
    "cash.withdrawal",
    "housing",
    "utilities",
    "insurance",
    "groceries",
    "spending.other",
    "gambling",
    "collections.payment",
)

#: The roots a user-defined category may extend (``housing.rent`` is fine,
#: ``food.takeaway`` is not).
CATEGORY_ROOTS: tuple[str, ...] = tuple(sorted({c.split(".")[0] for c in CATEGORIES}))

#: Prefix of the optional per-channel consent columns of ``debtors``.
CONSENT_PREFIX = "consent_"

#: Days after ``as_of`` within which a payment counts for the propensity label.
DEFAULT_HORIZON_DAYS = 30


@dataclass(frozen=True)
class Column:
    """One column of a contract table.

    ``min``/``max`` are inclusive bounds unless ``min_exclusive``/``max_exclusive``.
    ``allowed`` lists the only accepted values; ``pattern`` is a regular expression
    the (string) value must match in full. ``hint`` tells the user how to fix a
    value that breaks the column's rule.
    """

    name: str
    kind: ColumnKind
    required: bool
    description: str
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    max_exclusive: bool = False
    allowed: tuple[str, ...] | None = None
    pattern: str | None = None
    #: Open vocabulary: values must satisfy ``is_known_category``-style membership;
    #: the listed values feed "did you mean" hints.
    vocabulary: tuple[str, ...] | None = None
    #: For tz-aware date-times: convert to UTC and keep aware (else keep wall-clock, naive).
    utc_when_aware: bool = False
    hint: str = ""

    def rule(self) -> str:
        """Plain-language statement of what a valid value looks like."""
        parts = [_KIND_TEXT[self.kind]]
        if self.min is not None:
            parts.append(f"{'>' if self.min_exclusive else '>='} {_num(self.min)}")
        if self.max is not None:
            parts.append(f"{'<' if self.max_exclusive else '<='} {_num(self.max)}")
        if self.allowed is not None:
            parts.append("one of " + ", ".join(repr(v) for v in self.allowed))
        if self.pattern is not None:
            parts.append(f"matching {self.pattern}")
        return " ".join(parts)


@dataclass(frozen=True)
class Table:
    """One contract table: its columns and its row-level keys."""

    name: str
    description: str
    columns: tuple[Column, ...]
    #: Columns whose combination must be unique (empty: no key).
    unique: tuple[str, ...] = ()
    #: What a user needs this table for.
    needed_for: str = ""
    #: Id column: exact duplicate rows are dropped with a warning, conflicting ones rejected.
    dedupe_on: str | None = None
    #: (group, value): each group uses a single value (one currency per account).
    one_value_per: tuple[str, str] | None = None
    #: Prefix of optional dynamic columns (``consent_<channel>``, true/false).
    dynamic_prefix: str | None = None
    #: Extra rules across rows or columns, stated for docs and error messages.
    rules: tuple[str, ...] = field(default_factory=tuple)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def optional(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if not c.required)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name!r} has no column {name!r}")

    def __contains__(self, name: object) -> bool:
        return any(c.name == name for c in self.columns)


_KIND_TEXT: dict[str, str] = {
    "string": "text",
    "float": "a number",
    "int": "a whole number",
    "bool": "true/false",
    "date": "a date (YYYY-MM-DD)",
    "datetime": "a date or date-time (ISO 8601)",
}


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


TRANSACTIONS = Table(
    name="transactions",
    description="Open-banking account transactions, one row per booked transaction.",
    needed_for="scoring and training",
    columns=(
        Column("account_id", "string", True, "bank account the transaction belongs to"),
        Column(
            "booked_at",
            "datetime",
            True,
            "booking date; naive values are account-local",
            hint="write dates as ISO 8601, e.g. 2026-03-31 or 2026-03-31T14:05:00",
        ),
        Column(
            "amount",
            "float",
            True,
            "signed, account currency: inflow > 0, outflow < 0",
            hint="use a plain number with a decimal point, e.g. -1234.50",
        ),
        Column("balance_after", "float", False, "running balance after the transaction"),
        Column("description", "string", False, "bank's free text (any language)"),
        Column(
            "category",
            "string",
            False,
            "category from the contract vocabulary; inferred when absent",
            vocabulary=CATEGORIES,
            hint="use a category of the vocabulary, or extend a known root "
            "(e.g. 'spending.restaurants'); leave empty to have it inferred",
        ),
        Column("transaction_id", "string", False, "unique id; exact duplicates are dropped"),
        Column(
            "currency",
            "string",
            False,
            "ISO 4217 code; one currency per account",
            pattern=r"[A-Z]{3}",
            hint="use a three-letter ISO 4217 code such as 'EUR', 'USD' or 'COP'",
        ),
    ),
    dedupe_on="transaction_id",
    one_value_per=("account_id", "currency"),
    rules=(
        "rows sharing a transaction_id must be identical (exact duplicates are dropped "
        "with a warning; conflicting ones are an error)",
        "each account uses one currency",
    ),
)

DEBTORS = Table(
    name="debtors",
    description="The portfolio to score: one row per debtor at an observation date.",
    needed_for="scoring and training",
    unique=("debtor_id", "as_of"),
    dynamic_prefix=CONSENT_PREFIX,
    columns=(
        Column("debtor_id", "string", True, "debtor identifier"),
        Column("account_id", "string", True, "linked open-banking account (with consent)"),
        Column(
            "as_of",
            "date",
            True,
            "observation date: features use only transactions booked on or before it",
            hint="write dates as ISO 8601, e.g. 2026-03-31",
        ),
        Column(
            "outstanding",
            "float",
            True,
            "amount owed now",
            min=0,
            hint="outstanding is the amount owed and cannot be negative; "
            "record a credit balance as 0",
        ),
        Column(
            "days_past_due",
            "int",
            True,
            "days the debt is past due",
            min=0,
            hint="days_past_due counts whole days and is 0 for a current debt",
        ),
        Column("installment", "float", False, "amount due per period", min=0),
        Column(
            "country",
            "string",
            False,
            "ISO 3166-1 alpha-2 code; selects the contact-rule pack",
            pattern=r"[A-Z]{2}",
            hint="use a two-letter ISO 3166-1 code such as 'CO', 'US', 'MX' or 'CL'",
        ),
        Column(
            "timezone",
            "string",
            False,
            "IANA time-zone name for debtor-local contact windows",
            hint="use an IANA name such as 'America/Bogota' or 'America/New_York'",
        ),
    ),
    rules=(
        "one row per (debtor_id, as_of)",
        f"optional consent columns are named {CONSENT_PREFIX}<channel> with channel one of "
        + ", ".join(CHANNELS)
        + " and hold true/false",
    ),
)

PAYMENTS = Table(
    name="payments",
    description="Repayments received on the debt.",
    needed_for="training the propensity model",
    columns=(
        Column("debtor_id", "string", True, "debtor identifier"),
        Column(
            "paid_at",
            "datetime",
            True,
            "date or date-time the payment was received",
            hint="write dates as ISO 8601, e.g. 2026-03-31",
        ),
        Column(
            "amount",
            "float",
            True,
            "amount received",
            min=0,
            min_exclusive=True,
            hint="payments are positive amounts; drop reversals or record them elsewhere",
        ),
    ),
)

CONTACTS = Table(
    name="contacts",
    description="History of collection contact attempts.",
    needed_for="training the contact model",
    columns=(
        Column("debtor_id", "string", True, "debtor identifier"),
        Column(
            "channel",
            "string",
            True,
            "channel used",
            allowed=CHANNELS,
            hint="channels are lower-case: " + ", ".join(CHANNELS),
        ),
        Column(
            "sent_at",
            "datetime",
            True,
            "tz-aware (kept, in UTC), or debtor-local when naive",
            utc_when_aware=True,
            hint="write date-times as ISO 8601, e.g. 2026-03-31T18:30:00-05:00",
        ),
        Column("success", "bool", True, "the outcome being optimised"),
        Column("promise_amount", "float", False, "promise to pay taken on this contact", min=0),
        Column("promise_date", "date", False, "date promised"),
        Column(
            "propensity",
            "float",
            False,
            "probability with which the logging policy chose this action",
            min=0,
            max=1,
            min_exclusive=True,
            hint="propensity is a probability in (0, 1]; leave it empty when unknown",
        ),
    ),
)

#: All contract tables by name, in the order the docs present them.
TABLES: dict[str, Table] = {t.name: t for t in (TRANSACTIONS, DEBTORS, PAYMENTS, CONTACTS)}

#: Tables a scoring data folder must hold.
SCORING_TABLES: tuple[str, ...] = ("transactions", "debtors")

#: File formats a data folder may use, in order of preference.
FILE_SUFFIXES: tuple[str, ...] = (".parquet", ".csv")


def consent_column(channel: str) -> str:
    """Name of the consent column for ``channel`` (``consent_sms``...)."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; expected one of {', '.join(CHANNELS)}")
    return CONSENT_PREFIX + channel


def in_vocabulary(value: str, vocabulary: tuple[str, ...]) -> bool:
    """True when ``value`` is in ``vocabulary`` or extends one of its dotted roots."""
    if value in vocabulary:
        return True
    parts = value.split(".")
    roots = {v.split(".")[0] for v in vocabulary}
    return len(parts) > 1 and parts[0] in roots and all(parts)


def is_known_category(value: str) -> bool:
    """True when ``value`` is in the vocabulary or extends one of its roots."""
    return in_vocabulary(value, CATEGORIES)
