"""Request and response models of the HTTP API, derived from the data contract.

Every field of a debtor, transaction, contact or payment comes from the contract's
declaration (``collectscore._contract``): its type, range, pattern and allowed values are
declared there once and turn into pydantic constraints here, so the OpenAPI schema, the
422 messages and the tests agree with the library.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections import Counter
from typing import Annotated, Any, Literal, NotRequired, Required

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    create_model,
    field_validator,
    model_validator,
)
from typing_extensions import TypedDict

from collectscore._contract import (
    CHANNELS,
    CONSENT_PREFIX,
    CONTACTS,
    DEBTORS,
    PAYMENTS,
    TRANSACTIONS,
    Column,
    Table,
)

#: Dates and times outside this range are refused (they are typing mistakes, and pandas
#: cannot hold them all).
EARLIEST = dt.date(1970, 1, 1)
LATEST = dt.date(2199, 12, 31)
#: Longest accepted identifier or free text.
MAX_TEXT = 512
#: Most features given per debtor.
MAX_FEATURES = 2000

#: Extra fields are ignored (as extra columns are); inputs never appear in error texts or logs.
_STRICT = ConfigDict(extra="ignore", allow_inf_nan=False, hide_input_in_errors=True)


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _in_range(value: Any) -> Any:
    day = value.date() if isinstance(value, dt.datetime) else value
    if day < EARLIEST or day > LATEST:
        raise ValueError(f"dates must be between {EARLIEST} and {LATEST}; got {value}")
    return value


def _openapi_30(schema: dict[str, Any]) -> None:
    """Exclusive bounds as OpenAPI 3.0 (JSON Schema draft 4) writes them: a boolean flag."""
    for part in [schema, *schema.get("anyOf", [])]:
        for bound, flag in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            value = part.get(bound)
            if isinstance(value, int | float) and not isinstance(value, bool):
                part[flag] = part.pop(bound)
                part[bound] = True


def _field(col: Column, *, row: bool = False) -> tuple[Any, Any]:
    """The pydantic type and field of a contract column (optional columns may be null).

    ``row``: a column of a many-row table (transactions...), validated in pydantic's core
    only; its date range and vocabulary are checked for the whole table afterwards.
    """
    kind: Any = {
        "string": str,
        "float": float,
        "int": int,
        "bool": bool,
        "date": dt.date if row else Annotated[dt.date, AfterValidator(_in_range)],
        "datetime": dt.datetime if row else Annotated[dt.datetime, AfterValidator(_in_range)],
    }[col.kind]
    if col.allowed is not None:
        kind = Literal[col.allowed]  # type: ignore[valid-type]
    bounds: dict[str, Any] = {}
    if col.min is not None:
        bounds["gt" if col.min_exclusive else "ge"] = col.min
    if col.max is not None:
        bounds["lt" if col.max_exclusive else "le"] = col.max
    if col.kind == "string" and col.allowed is None:
        bounds["max_length"] = MAX_TEXT
        if col.pattern is not None:
            bounds["pattern"] = f"^{col.pattern}$"
        elif col.required:
            bounds["min_length"] = 1
    description = col.description + (f" ({col.rule()})" if col.min is not None else "")
    extra = _openapi_30 if col.min_exclusive or col.max_exclusive else None
    if row:
        info = Field(description=description, json_schema_extra=extra, **bounds)
        if col.required:
            return Required[Annotated[kind, info]], None
        return NotRequired[Annotated[kind | None, info]], None
    if col.required:
        return kind, Field(..., description=description, json_schema_extra=extra, **bounds)
    return kind | None, Field(None, description=description, json_schema_extra=extra, **bounds)


def _columns(table: Table, *, skip: tuple[str, ...]) -> dict[str, tuple[Any, Any]]:
    return {c.name: _field(c) for c in table.columns if c.name not in skip}


def _rows(name: str, table: Table, skip: str, doc: str) -> Any:
    """A row of a contract table as a TypedDict (validated in pydantic's core: fast)."""
    fields = {c.name: _field(c, row=True)[0] for c in table.columns if c.name != skip}
    typed: Any = TypedDict(name, fields, total=False)  # type: ignore[operator]
    typed.__doc__ = doc
    typed.__pydantic_config__ = _STRICT
    return typed


Transaction = _rows(
    "Transaction",
    TRANSACTIONS,
    "account_id",
    "One booked transaction of the debtor's account (contract table `transactions`).",
)
Contact = _rows(
    "Contact",
    CONTACTS,
    "debtor_id",
    "One past contact attempt with the debtor (contract table `contacts`).",
)
Payment = _rows(
    "Payment", PAYMENTS, "debtor_id", "One repayment received from the debtor (table `payments`)."
)

FeatureValue = Annotated[float | None, Field(allow_inf_nan=False)]


class _DebtorBase(BaseModel):
    model_config = _STRICT

    transactions: list[Transaction] | None = Field(  # type: ignore[valid-type]
        None,
        description="The account's transactions: features are built from them exactly as "
        "in training. Give either transactions or features.",
    )
    features: dict[Annotated[str, Field(max_length=MAX_TEXT)], FeatureValue] | None = Field(
        None,
        description="Precomputed features (name -> value; null = unknown), e.g. from "
        "`collectscore features`; every feature the models use (GET /model) must be given.",
        max_length=MAX_FEATURES,
    )
    feature_values: list[FeatureValue] | None = Field(
        None,
        description="Precomputed features as values only, in the order of the request's "
        "`feature_names` (null = unknown): the compact form of `features` for large batches.",
        max_length=MAX_FEATURES,
    )
    contacts: list[Contact] | None = Field(  # type: ignore[valid-type]
        None, description="The debtor's contact history (caps, gaps and history features)."
    )
    payments: list[Payment] | None = Field(  # type: ignore[valid-type]
        None, description="Payments received (whether promises to pay were kept)."
    )

    @field_validator("timezone", check_fields=False)
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None and value not in _zones():
            raise ValueError(f"{DEBTORS.column('timezone').hint}; got {value!r}")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> Any:
        given = (
            (self.transactions is not None)
            + (self.features is not None)
            + (self.feature_values is not None)
        )
        if given != 1:
            raise ValueError(
                "give one of 'transactions' (features are built from them), 'features' "
                "(precomputed, name -> value) or 'feature_values' (precomputed, in the order "
                "of the request's feature_names); not several and not none"
            )
        return self


_CONSENTS: dict[str, Any] = {
    CONSENT_PREFIX + channel: (
        bool | None,
        Field(None, description=f"consent to contact by {channel} (absent: the pack decides)"),
    )
    for channel in CHANNELS
}

Debtor = create_model(
    "Debtor",
    __base__=_DebtorBase,
    __doc__="One debtor snapshot (contract table `debtors`, without account_id) with its "
    "transactions or its precomputed features.",
    **_columns(DEBTORS, skip=("account_id",)),  # type: ignore[arg-type]
    **_CONSENTS,
)


class ScoreOptions(BaseModel):
    """What to compute besides the score."""

    model_config = _STRICT

    reasons: int = Field(4, ge=0, le=20, description="Reason codes per direction (0: none).")
    language: Literal["en", "es"] = Field("en", description="Language of the reason texts.")
    recommend: bool = Field(
        True, description="Recommend a contact (channel and time) for debtors to contact."
    )


class _DebtorBatch(BaseModel):
    """Debtors, and the names of their ``feature_values`` when they come in compact form."""

    model_config = _STRICT

    debtors: list[Debtor] = Field(..., min_length=1)  # type: ignore[valid-type]
    feature_names: list[Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]] | None = Field(
        None,
        description="Names of the values in each debtor's `feature_values`, in order, once "
        "for the whole request (GET /model lists the features the models use).",
        max_length=MAX_FEATURES,
    )

    @model_validator(mode="after")
    def _feature_layout(self) -> Any:
        names = self.feature_names
        if names is not None and len(set(names)) != len(names):
            repeated = sorted(n for n, k in Counter(names).items() if k > 1)
            raise ValueError(
                "feature_names: each name may appear once; repeated: "
                + ", ".join(repr(n[:40]) for n in repeated[:5])
            )
        wrong = []
        for i, debtor in enumerate(self.debtors):
            values = debtor.feature_values
            if values is None:
                continue
            if names is None:
                raise ValueError(
                    f"debtors[{i}].feature_values needs the request's feature_names (the "
                    "names of the values, in order)"
                )
            if len(values) != len(names):
                wrong.append(f"debtors[{i}] gives {len(values)}")
        if wrong:
            raise ValueError(
                f"feature_values: one value per name of feature_names ({len(names or ())}) "
                "for every debtor; " + ", ".join(wrong[:5])
            )
        return self


class ScoreRequest(_DebtorBatch):
    """A batch of debtors to score, each with its transactions or its features."""

    now: Annotated[dt.datetime, AfterValidator(_in_range)] | None = Field(
        None,
        description="Moment of the decision (tz-aware, or debtor-local when naive); "
        "default: the time the request is served.",
    )
    options: ScoreOptions = Field(default_factory=ScoreOptions)

    @model_validator(mode="after")
    def _unique_debtors(self) -> Any:
        first: dict[str, int] = {}
        repeated = []
        for i, debtor in enumerate(self.debtors):
            if debtor.debtor_id in first:
                repeated.append(f"debtors[{i}] repeats debtors[{first[debtor.debtor_id]}]")
            first.setdefault(debtor.debtor_id, i)
        if repeated:
            # positions only: error texts reach the server log, debtor ids must not
            raise ValueError(
                "debtors: each debtor_id may appear once per request; " + ", ".join(repeated[:5])
            )
        return self


class ExplainRequest(_DebtorBatch):
    """Debtors whose full feature contributions are wanted."""


# ------------------------------------------------------------------ responses
class ModelRef(BaseModel):
    name: str
    version: str
    alias: str


class Reason(BaseModel):
    code: str = Field(
        description="Stable reason code (collectscore.explanations.reason_code_catalogue)."
    )
    feature: str
    value: float | None
    unit: str
    contribution: float = Field(description="SHAP contribution in log-odds of paying.")
    text: str


class Reasons(BaseModel):
    lowering: list[Reason] = Field(description="Features lowering p_pay, strongest first.")
    raising: list[Reason] = Field(description="Features raising p_pay, strongest first.")


class Slot(BaseModel):
    rank: int
    action: str
    channel: str | None
    send_at: str | None
    p_success: float | None
    value: float | None


class Exclusion(BaseModel):
    channel: str
    rule: str
    slots: int
    first_slot: str | None
    reason: str


class Recommendation(BaseModel):
    channel: str | None
    send_at: str | None = Field(description="Debtor-local date-time.")
    send_at_utc: str | None
    p_success: float | None
    value: float | None = Field(description="Expected extra recovery minus the contact's cost.")
    pack: str | None
    alternatives: list[Slot]
    excluded: list[Exclusion]


class DebtorScore(BaseModel):
    debtor_id: str
    as_of: str
    p_pay: float
    risk_band: str
    segment: str
    stage: str
    strategy_action: str
    human_review: bool
    expected_recovery: float = Field(
        description="p_pay x the amount due within the horizon (installment, capped at "
        "outstanding; outstanding without installment)."
    )
    decision: str = Field(
        description="contact, no_contact, human_review, or not_evaluated (options.recommend off)"
    )
    contact: Recommendation | None
    reason: str = Field(description="The strategy's and the recommendation's reasons, in words.")
    top_reason: str | None = Field(
        description="The strongest reason lowering p_pay (else raising)."
    )
    reasons: Reasons
    models: dict[str, ModelRef]


class ScoreResponse(BaseModel):
    request_id: str
    now: str
    debtors: list[DebtorScore]


class DebtorExplanation(BaseModel):
    debtor_id: str
    as_of: str
    p_pay: float
    margin: float = Field(description="Raw LightGBM margin (log-odds).")
    base_value: float
    contributions: dict[str, float] = Field(description="Feature -> contribution (log-odds).")
    values: dict[str, float | None]


class ExplainResponse(BaseModel):
    request_id: str
    model: ModelRef
    debtors: list[DebtorExplanation]


class Review(BaseModel):
    needs_review: bool | None = Field(
        description="The last `collectscore monitor` check's verdict (its alert rule): true when "
        "the model needs review; null when it was never checked or the tracking store could "
        "not be read (the headline says which)."
    )
    checked_at: str | None = Field(description="When the last check ran (ISO 8601).")
    headline: str = Field(description="The verdict in words, with the numbers that raised it.")
    report: str | None = Field(description="The check's HTML report (MLflow runs:/ address).")


class ModelCard(BaseModel):
    name: str
    version: str
    aliases: list[str]
    run_id: str
    trained_at: str | None
    metrics: dict[str, float]
    features: list[str]
    review: Review | None = Field(
        default=None,
        description="The last monitoring verdict, read from the model's run when asked.",
    )


class ModelInfo(BaseModel):
    alias: str
    loaded_at: str
    models: dict[str, ModelCard]


class ReloadResponse(BaseModel):
    reloaded: bool
    info: ModelInfo
