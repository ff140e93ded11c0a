"""Assign every debtor snapshot to a treatment segment, with its action and the reason why."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._data import Dataset
from .._errors import EXAMPLE_ROWS, ConfigError, ContractError, Problem, did_you_mean
from ..scoring import risk_band
from ._declare import ACTIONS, CRITERIA, INPUTS, SEGMENTS, StrategyConfig, StrategyInput

#: Table name used in error messages about the frame given to ``assign_segments``.
INPUT_TABLE = "strategy input"

#: Columns of the result, in order (key columns of the input come first when present).
OUTPUT_COLUMNS: tuple[str, ...] = (
    "p_pay",
    "risk_band",
    *CRITERIA,
    "segment",
    "stage",
    "action",
    "contact_after",
    "plan_offer",
    "plan_months",
    "human_review",
    "reason",
)

_KEYS = ("debtor_id", "as_of")

#: The features ``segment_dataset`` builds (``next_income_date`` comes from the last one).
_FEATURES = (
    "free_cash_flow_monthly_90d",
    "funds_available_now",
    "installment",
    "outstanding",
    "days_past_due",
    "days_until_next_income",
)


def assign_segments(frame: pd.DataFrame, config: StrategyConfig | None = None) -> pd.DataFrame:
    """The treatment segment of every row of ``frame`` (one row per debtor snapshot).

    ``frame`` holds the columns of :data:`INPUTS` (``as_of`` may be an index level, e.g.
    ``build_features`` output joined with ``p_pay``). The result keeps ``frame``'s index
    (and its ``debtor_id``/``as_of`` columns, if any) and adds :data:`OUTPUT_COLUMNS`:
    the risk band, the criterion answers, ``segment``, ``stage``, ``action``,
    ``contact_after`` (first day to contact; NaT for no automatic contact), ``plan_offer``
    and ``plan_months`` (payment plans only), ``human_review`` and ``reason`` (a sentence
    naming the numbers behind the decision).
    """
    config = config if config is not None else StrategyConfig()
    if not isinstance(config, StrategyConfig):
        raise ConfigError(f"config must be a StrategyConfig; got {type(config).__name__}")
    if not isinstance(frame, pd.DataFrame):
        raise ConfigError(
            f"assign_segments needs a pandas DataFrame with the columns {', '.join(INPUTS)}; "
            f"got {type(frame).__name__}"
        )
    v = _read_inputs(_FrameSource(frame))
    keys = {key: frame[key].to_numpy() for key in _KEYS if key in frame.columns}
    return _assign(v, frame.index, keys, config)


def _assign(
    v: dict[str, np.ndarray], index: pd.Index, keys: dict[str, np.ndarray], config: StrategyConfig
) -> pd.DataFrame:
    """The segments of the checked inputs ``v`` (the columns of the result, on ``index``)."""
    n = len(index)
    due_is_installment = ~np.isnan(v["installment"])
    due = np.where(due_is_installment, v["installment"], v["outstanding"])
    funds_ok = v["funds_available_now"] >= config.able_funds_to_installment * due
    fcf_ok = v["free_cash_flow_monthly_90d"] >= config.able_free_cash_flow_to_installment * due
    answers = {
        "willing": v["p_pay"] >= config.willing_p_pay,
        "able": funds_ok | fcf_ok,
        "early_arrears": v["days_past_due"] <= config.self_cure_max_days_past_due,
    }

    seg_index = np.full(n, -1)
    for i, seg in enumerate(SEGMENTS):
        match = np.ones(n, dtype=bool)
        for name, wanted in seg.when:
            match &= answers[name] == wanted
        seg_index = np.where((seg_index < 0) & match, i, seg_index)
    if (seg_index < 0).any():  # pragma: no cover - the declaration covers every case
        raise RuntimeError("SEGMENTS leave some criterion answers without a segment")

    codes = {name: i for i, name in enumerate(ACTIONS)}
    main = np.array([codes[s.action] for s in SEGMENTS])[seg_index]
    quiet = np.array([codes[s.quiet_action or s.action] for s in SEGMENTS])[seg_index]
    code = np.where(v["p_pay"] >= config.no_contact_p_pay, quiet, main)
    action = np.array(list(ACTIONS), dtype=object)[code]

    # timing of the first contact
    as_of = v["as_of"]
    payday = v["next_income_date"]
    payday_known = ~np.isnat(payday) & (payday >= as_of)
    day = np.timedelta64(1, "D")
    start = {
        "never": np.full(n, np.datetime64("NaT"), dtype=as_of.dtype),
        "now": as_of,
        "after_wait": as_of + config.reminder_wait_days * day,
        "after_payday": np.where(payday_known, payday + config.days_after_payday * day, as_of),
    }
    timing = np.array([a.timing for a in ACTIONS.values()], dtype=object)[code]
    contact_after = np.full(n, np.datetime64("NaT"), dtype=as_of.dtype)
    for kind, when in start.items():
        contact_after = np.where(timing == kind, when, contact_after)

    # payment plans sized to the free cash flow
    fcf = v["free_cash_flow_monthly_90d"]
    is_plan = action == "payment_plan_offer"
    with np.errstate(invalid="ignore", divide="ignore"):
        sized = np.floor(np.minimum(config.plan_share_of_free_cash_flow * fcf, due) * 100) / 100
        plan_offer = np.where(is_plan & (sized > 0), sized, np.nan)
        plan_months = np.ceil(v["outstanding"] / plan_offer)
    plan_months = np.where(plan_offer > 0, np.maximum(plan_months, 1), np.nan)
    plan_needs_person = is_plan & (np.isnan(plan_offer) | (plan_months > config.plan_max_months))
    by_action = np.array([a.human_review for a in ACTIONS.values()], dtype=bool)[code]
    human_review = by_action | plan_needs_person

    text = _Text(v, config, due, due_is_installment, funds_ok, fcf_ok)
    labels = pa.array([s.label for s in SEGMENTS], type=pa.string()).take(pa.array(seg_index))
    action_text = text.actions(action, contact_after, payday_known, plan_offer, plan_months)
    reason = _cat(
        labels,
        ": ",
        text.willing(answers["willing"]),
        "; ",
        text.able(),
        "; ",
        text.dpd(answers["early_arrears"]),
        ". ",
        action_text,
    )

    names = _names()
    out: dict[str, Any] = dict(keys)
    out["p_pay"] = v["p_pay"]
    out["risk_band"] = risk_band(v["p_pay"]) if n else np.array([], dtype=object)
    for name in CRITERIA:
        out[name] = answers[name]
    out["segment"] = names["segment"].take(seg_index)
    out["stage"] = names["stage"].take(seg_index)
    out["action"] = names["action"].take(code)
    out["contact_after"] = contact_after
    out["plan_offer"] = plan_offer
    out["plan_months"] = pd.array(plan_months, dtype="Float64").astype("Int64")
    out["human_review"] = human_review
    out["reason"] = pd.array(reason, dtype="str")
    return pd.DataFrame(out, index=index, copy=False)


@functools.cache
def _names() -> dict[str, Any]:
    """Segment names, stages (by segment) and action names as string arrays."""
    return {
        "segment": pd.array([s.name for s in SEGMENTS], dtype="str"),
        "stage": pd.array([s.stage for s in SEGMENTS], dtype="str"),
        "action": pd.array(list(ACTIONS), dtype="str"),
    }


def segment_dataset(
    data: Dataset,
    p_pay: pd.Series | pd.DataFrame,
    *,
    config: StrategyConfig | None = None,
    features: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Segments of every snapshot of ``data.debtors``, building the capacity inputs itself.

    ``p_pay`` is a Series indexed by (``debtor_id``, ``as_of``), or a frame with a
    ``p_pay`` column and those keys as columns or index (e.g. ``score_features`` output);
    it must cover every snapshot. ``features``: the ``build_features`` table of
    ``data.debtors`` when the caller has it already (it is not built again). The result
    is indexed like ``build_features``.
    """
    from ..features import build_features

    if not isinstance(data, Dataset):
        raise ConfigError(
            f"data must be a Dataset (e.g. collectscore.validate(DIR)); got {type(data).__name__}"
        )
    scores = None if _plain_scores(p_pay) else _p_pay_series(p_pay)
    if features is None:
        feats = build_features(data.transactions, data.debtors, features=list(_FEATURES))
    else:
        absent = [name for name in _FEATURES if name not in features.columns]
        if absent:
            raise ConfigError(
                f"features lacks {', '.join(map(repr, absent))}; pass the full build_features "
                "table of data.debtors, or leave features out to build it here"
            )
        feats = features[list(_FEATURES)]
    if scores is None and (p_pay.index is feats.index or p_pay.index.equals(feats.index)):
        found = p_pay.to_numpy()  # one score per snapshot, in the snapshots' order
    else:  # normalise both key sets and match them
        scores = _p_pay_series(p_pay) if scores is None else scores
        found = _matched_scores(scores, _normalised_keys(feats.index))
    as_of = _days(feats.index.get_level_values("as_of"))
    days = feats["days_until_next_income"].to_numpy()
    columns = {
        name: feats[name].to_numpy() for name in feats.columns if name != "days_until_next_income"
    }
    columns["p_pay"] = found
    columns["next_income_date"] = as_of + pd.to_timedelta(days, unit="D").to_numpy()
    levels = {name: feats.index.get_level_values(name) for name in feats.index.names if name}
    v = _read_inputs(_ArraySource(columns, levels, len(feats)))
    return _assign(v, feats.index, {}, config if config is not None else StrategyConfig())


def _matched_scores(scores: pd.Series, keys: pd.MultiIndex) -> np.ndarray:
    """The score of every key (``ContractError`` naming the keys without one)."""
    found = scores.reindex(keys)
    missing = np.flatnonzero(~keys.isin(scores.index))  # NaN scores are reported later
    if missing.size:
        examples = ", ".join(f"{keys[i][0]} {keys[i][1]:%Y-%m-%d}" for i in missing[:EXAMPLE_ROWS])
        raise ContractError(
            [
                Problem(
                    "p_pay",
                    "p_pay",
                    "a probability for every (debtor_id, as_of) of data.debtors",
                    f"none for {missing.size} snapshot{'s' if missing.size != 1 else ''} "
                    f"({examples})",
                    "score every snapshot of the dataset (e.g. score_dataset) and pass that "
                    "p_pay, keyed by debtor_id and as_of",
                    rows=tuple(int(i) for i in missing[:EXAMPLE_ROWS]),
                    n_rows=int(missing.size),
                )
            ]
        )
    return found.to_numpy()


def _plain_scores(p_pay: Any) -> bool:
    """Whether ``p_pay`` is a float Series with one score per (debtor_id, as_of) (what
    ``_p_pay_series`` checks, decided without building its normalised keys)."""
    if not (
        isinstance(p_pay, pd.Series)
        and p_pay.dtype == np.float64
        and list(p_pay.index.names) == list(_KEYS)
    ):
        return False
    if len(p_pay) < 2:
        return True
    as_of = p_pay.index.get_level_values("as_of")
    if as_of.dtype.kind != "M" or getattr(as_of.dtype, "tz", None) is not None:
        return False
    debtor, _ = pd.factorize(p_pay.index.get_level_values("debtor_id").astype(str))
    day = _days(as_of).view(np.int64)
    order = np.lexsort((day, debtor))
    return not ((np.diff(debtor[order]) == 0) & (np.diff(day[order]) == 0)).any()


def _days(values: pd.Index) -> np.ndarray:
    """Dates (midnight) as datetime64[us]."""
    if values.dtype.kind == "M" and getattr(values.dtype, "tz", None) is None:
        return values.to_numpy().astype("datetime64[D]").astype("datetime64[us]")
    return pd.to_datetime(values).normalize().astype("datetime64[us]").to_numpy()


# --- inputs --------------------------------------------------------------------------------


def _p_pay_series(p_pay: pd.Series | pd.DataFrame) -> pd.Series:
    """``p_pay`` as a float Series on normalised (debtor_id, as_of) keys."""
    if isinstance(p_pay, pd.DataFrame):
        if "p_pay" not in p_pay.columns:
            raise ContractError(
                [
                    Problem(
                        "p_pay",
                        "p_pay",
                        "a column 'p_pay'",
                        f"no column 'p_pay'{did_you_mean('p_pay', map(str, p_pay.columns))}",
                        "pass the scores of score_features, or a Series of p_pay",
                    )
                ]
            )
        present = [k for k in _KEYS if k in p_pay.columns]
        table = p_pay.set_index(present) if present else p_pay
        series = table["p_pay"]
    elif isinstance(p_pay, pd.Series):
        series = p_pay
    else:
        raise ConfigError(
            f"p_pay must be a pandas Series indexed by (debtor_id, as_of) or a frame with a "
            f"p_pay column; got {type(p_pay).__name__}"
        )
    if list(series.index.names) != list(_KEYS):
        raise ContractError(
            [
                Problem(
                    "p_pay",
                    None,
                    "an index (debtor_id, as_of)",
                    f"index levels {list(series.index.names)}",
                    "index the scores by debtor_id and as_of, e.g. "
                    "scores.set_index(['debtor_id', 'as_of'])['p_pay']",
                )
            ]
        )
    keys = _normalised_keys(series.index)
    dup = np.flatnonzero(keys.duplicated())
    if dup.size:
        shown = ", ".join(f"{keys[i][0]} {keys[i][1]:%Y-%m-%d}" for i in dup[:EXAMPLE_ROWS])
        raise ContractError(
            [
                Problem(
                    "p_pay",
                    None,
                    "one p_pay per (debtor_id, as_of)",
                    f"repeated keys ({shown})",
                    "keep one score per snapshot",
                    rows=tuple(int(i) for i in dup[:EXAMPLE_ROWS]),
                    n_rows=int(dup.size),
                )
            ]
        )
    values = pd.to_numeric(series, errors="coerce").astype("float64").to_numpy()
    return pd.Series(values, index=keys)


def _normalised_keys(index: pd.Index) -> pd.MultiIndex:
    debtor = index.get_level_values("debtor_id").astype(str)
    as_of = pd.to_datetime(index.get_level_values("as_of")).normalize().astype("datetime64[us]")
    return pd.MultiIndex.from_arrays([debtor, as_of], names=list(_KEYS))


class _FrameSource:
    """The inputs of a frame: its columns, else its index levels."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.n = len(frame)
        self.present = [str(c) for c in frame.columns] + [str(n) for n in frame.index.names if n]

    def find(self, spec: StrategyInput) -> tuple[str, pd.Series | np.ndarray] | None:
        """(name found, values) for ``spec``: a column, an alternative column or a level."""
        frame = self.frame
        for name in (spec.name, *spec.alternatives):
            if name in frame.columns:
                return name, frame[name]
        for name in (spec.name, *spec.alternatives):
            if name in frame.index.names:
                values = frame.index.get_level_values(name)
                return name, pd.Series(values, index=frame.index)
        return None


class _ArraySource:
    """The inputs given as arrays (columns) and index levels."""

    def __init__(self, columns: dict[str, Any], levels: dict[str, pd.Index], n: int) -> None:
        self.columns, self.levels, self.n = columns, levels, n
        self.present = [*columns, *levels]

    def find(self, spec: StrategyInput) -> tuple[str, pd.Series | np.ndarray] | None:
        for name in (spec.name, *spec.alternatives):
            if name in self.columns:
                return name, self.columns[name]
        for name in (spec.name, *spec.alternatives):
            if name in self.levels:
                return name, pd.Series(self.levels[name])
        return None


def _rows(mask: np.ndarray) -> tuple[tuple[int, ...], int]:
    where = np.flatnonzero(mask)
    return tuple(int(i) for i in where[:EXAMPLE_ROWS]), int(where.size)


def _examples(values: pd.Series, mask: np.ndarray) -> str:
    shown = [repr(x) for x in values[mask].iloc[:3].tolist()]
    return ", ".join(shown)


def _read_inputs(source: _FrameSource | _ArraySource) -> dict[str, np.ndarray]:
    """The inputs as float64 / datetime64[us] arrays; every problem raised at once."""
    problems: list[Problem] = []
    out: dict[str, np.ndarray] = {}
    for spec in INPUTS.values():
        found = source.find(spec)
        if found is None:
            if spec.required:
                problems.append(_missing_column(spec, source.present))
            elif spec.kind == "number":
                out[spec.name] = np.full(source.n, np.nan)
            continue
        name, raw = found
        values, problem = _coerce(spec, name, raw)
        if problem is not None:
            problems.append(problem)
        elif name == "days_until_next_income":
            out["_days_until"] = values  # turned into a date once as_of is known
        else:
            out[spec.name] = values
    if problems:
        raise ContractError(problems)
    days = out.pop("_days_until", None)
    if days is not None:
        as_of = out["as_of"]
        with np.errstate(invalid="ignore"):
            delta = np.where(np.isnan(days), np.timedelta64("NaT"), days.astype("timedelta64[D]"))
        out["next_income_date"] = as_of + delta.astype("timedelta64[us]")
    return out


def _missing_column(spec: StrategyInput, present: list[str]) -> Problem:
    accepted = " or ".join(f"'{n}'" for n in (spec.name, *spec.alternatives))
    hint = did_you_mean(spec.name, present)
    shown = ", ".join(f"'{c}'" for c in present[:12]) or "none"
    received = f"no column {accepted}" + (hint if hint else f" (columns: {shown})")
    return Problem(
        INPUT_TABLE,
        spec.name,
        f"a column '{spec.name}' holding {spec.rule()}: {spec.description}",
        received,
        f"add '{spec.name}'"
        + (f" (or rename the column{hint.removeprefix(';')})" if hint else "")
        + "; segment_dataset builds every input from a Dataset and p_pay",
    )


def _coerce(
    spec: StrategyInput, name: str, given: pd.Series | np.ndarray
) -> tuple[np.ndarray, Problem | None]:
    fast = _plain(spec, name, given)
    if fast is not None:
        return fast, None
    raw = given if isinstance(given, pd.Series) else pd.Series(given)

    def problem(expected: str, mask: np.ndarray, what: str, fix: str) -> Problem:
        rows, n = _rows(mask)
        return Problem(
            INPUT_TABLE,
            name,
            expected,
            f"{what} ({_examples(raw, mask)})",
            fix,
            rows=rows,
            n_rows=n,
        )

    missing = raw.isna().to_numpy()
    if spec.kind == "number" or name == "days_until_next_income":
        if pd.api.types.is_bool_dtype(raw.dtype):
            values = raw.astype("float64").to_numpy()
        else:
            values = pd.to_numeric(raw, errors="coerce").astype("float64").to_numpy()
        bad = np.isnan(values) & ~missing
        bad |= np.isinf(values)
        if bad.any():
            return values, problem(
                spec.rule(), bad, "values that are not finite numbers", "write plain numbers"
            )
        if name == "days_until_next_income":
            return values, None  # any whole number of days, negative when overdue
    else:
        if isinstance(raw.dtype, pd.DatetimeTZDtype):
            raw = raw.dt.tz_localize(None)
        parsed = pd.to_datetime(raw, errors="coerce")
        values = parsed.dt.normalize().to_numpy().astype("datetime64[us]")
        bad = np.isnat(values) & ~missing
        if bad.any():
            return values, problem(
                spec.rule(), bad, "values that are not dates", "write dates as YYYY-MM-DD"
            )
        missing = np.isnat(values)
    if missing.any() and not spec.nullable:
        return values, problem(
            spec.rule(),
            missing,
            "missing values",
            f"fill '{name}' on every row ({spec.description})",
        )
    if spec.kind == "number":
        low = spec.min if spec.min is not None else -np.inf
        high = spec.max if spec.max is not None else np.inf
        out_of_range = ~missing & ((values < low) | (values > high))
        if out_of_range.any():
            return values, problem(
                spec.rule(),
                out_of_range,
                "values out of range",
                f"'{name}' is {spec.description}; correct or drop those rows",
            )
    return values, None


def _plain(spec: StrategyInput, name: str, given: pd.Series | np.ndarray) -> np.ndarray | None:
    """The values of a numpy-typed input that passes every check; else None (``_coerce``
    then checks it in full and names the problems)."""
    dtype = given.dtype
    if not isinstance(dtype, np.dtype):
        return None
    if spec.kind == "number" or name == "days_until_next_income":
        if dtype.kind not in "fiub":
            return None
        values = np.asarray(given, dtype=np.float64)
        missing = np.isnan(values)
        if np.isinf(values).any():
            return None
        if name == "days_until_next_income":
            return values
    else:
        if dtype.kind != "M":
            return None
        values = np.asarray(given).astype("datetime64[D]").astype("datetime64[us]")
        missing = np.isnat(values)
    if not spec.nullable and missing.any():
        return None
    if spec.kind == "number":
        low = spec.min if spec.min is not None else -np.inf
        high = spec.max if spec.max is not None else np.inf
        if (~missing & ((values < low) | (values > high))).any():
            return None
    return values


# --- reason sentences ----------------------------------------------------------------------


def _text(part: Any) -> Any:
    """A text part as an Arrow array (row-wise) or scalar (the same for every row)."""
    if isinstance(part, pa.Array | pa.ChunkedArray | pa.Scalar):
        return part
    if isinstance(part, str):
        return pa.scalar(part)
    return pa.array(np.asarray(part, dtype=object), type=pa.string())


def _cat(*parts: Any) -> Any:
    """Row-wise concatenation of text arrays and constant strings."""
    return pc.binary_join_element_wise(*(_text(p) for p in parts), "")


def _where(mask: np.ndarray, yes: Any, no: Any) -> Any:
    """Row-wise choice between two texts."""
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), _text(yes), _text(no))


def _fmt(x: np.ndarray, decimals: int = 2) -> Any:
    """Numbers rounded to ``decimals`` as text (``1234.50``); missing values as ``unknown``."""
    x = np.asarray(x, dtype=float)
    missing = np.isnan(x)
    scale = 10**decimals
    units = np.rint(np.abs(np.where(missing, 0.0, x)) * scale).astype(np.int64)
    whole = pc.cast(pa.array(units // scale), pa.string())
    sign = _where((x < 0) & (units > 0), "-", "")
    if decimals:
        frac = pc.utf8_lpad(pc.cast(pa.array(units % scale), pa.string()), decimals, "0")
        text = _cat(sign, whole, ".", frac)
    else:
        text = _cat(sign, whole)
    return _where(missing, "unknown", text)


def _dates(x: np.ndarray) -> Any:
    """Dates as ``YYYY-MM-DD``; missing ones as ``unknown``."""
    days = np.asarray(x).astype("datetime64[D]")
    text = pc.cast(pa.array(days, type=pa.date32()), pa.string())  # ISO 8601: YYYY-MM-DD
    return pc.fill_null(text, "unknown")


def _g(x: float) -> str:
    return f"{x:g}"


class _Text:
    """The sentences of a reason, one array per part (vectorised over rows)."""

    def __init__(
        self,
        v: dict[str, np.ndarray],
        config: StrategyConfig,
        due: np.ndarray,
        due_is_installment: np.ndarray,
        funds_ok: np.ndarray,
        fcf_ok: np.ndarray,
    ) -> None:
        self.v, self.config = v, config
        self.funds_ok, self.fcf_ok = funds_ok, fcf_ok
        self.due_text = _cat(
            _where(due_is_installment, "the installment ", "the outstanding "), _fmt(due)
        )

    def _times(self, ratio: float) -> str:
        return "" if ratio == 1 else f"{_g(ratio)} x "

    def willing(self, willing: np.ndarray) -> np.ndarray:
        p = _fmt(self.v["p_pay"], 3)
        side = _where(willing, " is at or above", " is below")
        return _cat("p_pay ", p, side, " the willingness threshold ", _g(self.config.willing_p_pay))

    def able(self) -> np.ndarray:
        c = self.config
        funds = _cat("funds available ", _fmt(self.v["funds_available_now"]))
        fcf = _cat("free cash flow ", _fmt(self.v["free_cash_flow_monthly_90d"]), " a month")
        need_f = _cat(self._times(c.able_funds_to_installment), self.due_text)
        need_c = _cat(self._times(c.able_free_cash_flow_to_installment), self.due_text)
        covered_f = _cat(funds, " cover ", need_f)
        covered_c = _cat(fcf, " covers ", need_c)
        funds_short = _where(
            np.isnan(self.v["funds_available_now"]),
            "funds available are unknown",
            _cat(funds, " fall short of ", need_f),
        )
        fcf_short = _where(
            np.isnan(self.v["free_cash_flow_monthly_90d"]),
            "free cash flow is unknown",
            _cat(fcf, " falls short of ", need_c),
        )
        short = _cat(funds_short, " and ", fcf_short)
        return _where(self.funds_ok, covered_f, _where(self.fcf_ok, covered_c, short))

    def dpd(self, early: np.ndarray) -> np.ndarray:
        days = _fmt(self.v["days_past_due"], 0)
        limit = str(self.config.self_cure_max_days_past_due)
        early_text = _cat(" (early arrears: at most ", limit, ")")
        late_text = _cat(" (past early arrears: more than ", limit, ")")
        return _cat(days, " days past due", _where(early, early_text, late_text))

    def actions(
        self,
        action: np.ndarray,
        contact_after: np.ndarray,
        payday_known: np.ndarray,
        plan_offer: np.ndarray,
        plan_months: np.ndarray,
    ) -> Any:
        """The closing sentence of every row, built per action on that action's rows only."""
        c = self.config
        after = c.days_after_payday
        days = f"{after} day{'s' if after != 1 else ''}"
        share = _g(100 * c.plan_share_of_free_cash_flow)
        no_plan = "No free cash flow to size a payment plan: a person sets the plan."

        def sentence(name: str, r: np.ndarray) -> Any:
            v = {k: x[r] for k, x in self.v.items()}
            start = _dates(contact_after[r])
            if name == "no_contact":
                return _cat(
                    "No contact: p_pay ", _fmt(v["p_pay"], 3), " is at or above ",
                    _g(c.no_contact_p_pay), ".",
                )  # fmt: skip
            if name == "light_reminder":
                return _cat("Light reminder from ", start, ".")
            if name == "firm_reminder_after_payday":
                payday = _cat(
                    "Firm reminder from ", start, ", ", days, " after the next payday ",
                    _dates(v["next_income_date"]), ".",
                )  # fmt: skip
                unknown = _cat("Firm reminder from ", start, ": no upcoming payday known.")
                return _where(payday_known[r], payday, unknown)
            if name == "payment_plan_offer":
                months = plan_months[r]
                plan = _cat(
                    "Offer a payment plan of ", _fmt(plan_offer[r]), " a month (", share,
                    " % of the free cash flow ", _fmt(v["free_cash_flow_monthly_90d"]), "): ",
                    _fmt(months, 0), " months for the outstanding ", _fmt(v["outstanding"]),
                    _where(
                        months > c.plan_max_months,
                        f", more than {c.plan_max_months} months, so a person reviews the plan.",
                        ".",
                    ),
                )  # fmt: skip
                return _where(np.isnan(plan_offer[r]), no_plan, plan)
            if name == "pre_legal_review":
                return _where(
                    np.ones(r.size, dtype=bool),
                    "A person reviews the case for pre-legal steps; no automatic contact.",
                    "",
                )
            raise RuntimeError(f"no reason sentence for the action '{name}'")  # pragma: no cover

        parts, rows = [], []
        for name in ACTIONS:
            r = np.flatnonzero(action == name)
            if r.size:
                parts.append(_text(sentence(name, r)))
                rows.append(r)
        if not parts:
            return pa.array([], type=pa.string())
        order = np.argsort(np.concatenate(rows), kind="stable")
        return pa.concat_arrays(parts).take(pa.array(order))
