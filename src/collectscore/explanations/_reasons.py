"""Reason codes: the features that lower and raise each debtor's chance to pay."""

from __future__ import annotations

from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

import numpy as np
import pandas as pd

from .._errors import ConfigError, did_you_mean
from ._codes import CODES, OTHER_PREFIX
from ._explain import Explanation
from ._sentences import EFFECTS, LANGUAGES, Language, format_values, sentence_for

#: Columns of :func:`reason_codes`, in order.
REASON_COLUMNS: tuple[str, ...] = (
    "row",
    "direction",
    "rank",
    "code",
    "feature",
    "value",
    "unit",
    "contribution",
    "text",
)
#: Columns :func:`reason_columns` adds to a score table.
SCORE_REASON_COLUMNS: tuple[str, ...] = ("reasons_lowering", "reasons_raising", "top_reason")
_JSON_FIELDS: tuple[str, ...] = ("code", "feature", "value", "unit", "contribution", "text")


def code_of(feature: str) -> str:
    """The stable reason code of a feature (``X-<name>`` outside the catalogue)."""
    return CODES.get(feature, OTHER_PREFIX + feature)


def reason_code_catalogue() -> pd.DataFrame:
    """One row per catalogue feature: code, feature, family, direction_of_risk, text_en, text_es.

    The texts are the templates (``{value}`` stands for the value with its unit).
    """
    from ..features import registry

    rows = []
    for name, spec in registry().items():
        sentence = sentence_for(name, spec.unit)
        fill = {"description": "", "window": spec.window, "value": "{value}"}
        rows.append(
            {
                "code": code_of(name),
                "feature": name,
                "family": spec.family,
                "direction_of_risk": spec.risk,
                "text_en": sentence.en.format(**{**fill, "description": spec.description_en}),
                "text_es": sentence.es.format(**{**fill, "description": spec.description_es}),
            }
        )
    return pd.DataFrame(rows, columns=list(_CATALOGUE_COLUMNS))


_CATALOGUE_COLUMNS = ("code", "feature", "family", "direction_of_risk", "text_en", "text_es")


def reason_codes(
    explanation: Explanation, *, k: int = 4, language: Language = "en"
) -> pd.DataFrame:
    """The top ``k`` features lowering and the top ``k`` raising p_pay, for every row.

    Long format, one row per reason: ``row`` (X's index label), ``direction`` ("lowers" or
    "raises"), ``rank`` (1 = strongest), ``code``, ``feature``, ``value``, ``unit``,
    ``contribution`` (log-odds) and ``text``. Rows come in X's order, lowering reasons
    first. Zero contributions are no reason; ties go by feature name, so the same debtor
    and model always give the same codes.
    """
    table = _reasons(explanation, k, language)
    labels = explanation.contributions.index
    row = labels[table.pop("position").to_numpy()]
    table.insert(0, "row", row.to_list() if isinstance(labels, pd.MultiIndex) else row)
    return table.reset_index(drop=True)


def reason_columns(
    explanation: Explanation, *, k: int = 4, language: Language = "en"
) -> pd.DataFrame:
    """Per row of X: ``reasons_lowering`` and ``reasons_raising`` (JSON lists of {code, feature,
    value, unit, contribution, text}) and ``top_reason`` (the text of the strongest lowering
    reason, else of the strongest raising one, else None). Positional index 0..n-1.
    """
    reasons = _reason_arrays(explanation, k, language)
    n = len(explanation.contributions)
    encoded = _json_objects(reasons)
    position = reasons["position"]
    lowers = reasons["lowers"]
    columns: dict[str, Any] = {}
    for mask, column in ((lowers, "reasons_lowering"), (~lowers, "reasons_raising")):
        rows, starts = np.unique(position[mask], return_index=True)  # rows are contiguous
        lists = np.full(n, "[]", dtype=object)
        if len(rows):
            joined = np.add.reduceat(encoded[mask], starts)  # "{...},{...},"
            lists[rows] = [f"[{s[:-1]}]" for s in joined]
        columns[column] = lists
    first = np.flatnonzero(reasons["rank"] == 1)  # lowering before raising within a row
    rows, at = np.unique(position[first], return_index=True)
    top = np.full(n, None, dtype=object)
    top[rows] = reasons["text"][first[at]]
    out = pd.DataFrame(columns, index=pd.RangeIndex(n))
    out["top_reason"] = pd.Series(top, index=out.index, dtype=object)
    return out


# --------------------------------------------------------------------------- internals
def check_options(k: Any, language: Any) -> tuple[int, str]:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ConfigError(f"k (reasons per direction) must be a whole number >= 1; got {k!r}")
    if language not in LANGUAGES:
        raise ConfigError(
            f"language must be one of {', '.join(map(repr, LANGUAGES))}; got {language!r}"
            f"{did_you_mean(str(language), LANGUAGES)}"
        )
    return int(k), str(language)


def _reasons(explanation: Any, k: Any, language: Any) -> pd.DataFrame:
    """The reasons with a ``position`` column (row number in X) instead of ``row``."""
    r = _reason_arrays(explanation, k, language)
    return pd.DataFrame(
        {
            "position": r["position"],
            "direction": np.where(r["lowers"], "lowers", "raises"),
            "rank": r["rank"],
            "code": r["code"],
            "feature": r["feature"],
            "value": r["value"],
            "unit": r["unit"],
            "contribution": r["contribution"],
            "text": r["text"],
        }
    )


def _reason_arrays(explanation: Any, k: Any, language: Any) -> dict[str, np.ndarray]:
    """The reasons as arrays, in row order, lowering first, by rank.

    ``position`` (row number in X), ``lowers`` (bool), ``rank``, ``column`` (the feature's
    position in X), ``code``, ``feature``, ``value``, ``unit``, ``contribution``, ``text``.
    """
    if not isinstance(explanation, Explanation):
        raise ConfigError(
            f"reason_codes needs an Explanation (from cs.explain.explain(model, X)); got "
            f"{type(explanation).__name__}"
        )
    k, language = check_options(k, language)
    contrib = explanation.contributions
    names = np.asarray([str(c) for c in contrib.columns], dtype=object)
    by_name = np.argsort(names, kind="stable")  # ties are broken by feature name
    c = contrib.to_numpy(dtype=float)[:, by_name]
    k = min(k, c.shape[1])
    low = np.argsort(c, axis=1, kind="stable")[:, :k]
    high = np.argsort(-c, axis=1, kind="stable")[:, :k]
    picked = np.concatenate([low, high], axis=1)  # (n, 2k): lowering then raising
    picked_c = np.take_along_axis(c, picked, axis=1)
    lowering = np.arange(2 * k) < k
    keep = np.where(lowering, picked_c < 0, picked_c > 0)
    rows, slots = np.nonzero(keep)  # row-major: rows in order, lowering first, by rank
    column = by_name[picked[rows, slots]]
    values = explanation.values.to_numpy(dtype=float)[rows, column]
    lowers = slots < k
    code, unit, text = _texts(names, column, values, lowers, language)
    return {
        "position": rows,
        "lowers": lowers,
        "rank": (slots % k + 1).astype(np.int64),
        "column": column,
        "code": code,
        "feature": names[column],
        "value": values,
        "unit": unit,
        "contribution": picked_c[rows, slots],
        "text": text,
    }


def _texts(
    names: np.ndarray, column: np.ndarray, values: np.ndarray, lowers: np.ndarray, language: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Code, unit and sentence of every reason, one feature at a time (vectorised within)."""
    from ..features import registry

    specs = registry()
    code = np.empty(len(column), dtype=object)
    unit = np.empty(len(column), dtype=object)
    text = np.empty(len(column), dtype=object)
    directions = np.where(lowers, "lowers", "raises")
    order = np.argsort(column, kind="stable")
    features, starts = np.unique(column[order], return_index=True)
    for idx, at in zip(features, np.split(order, starts[1:]), strict=True):
        name = str(names[idx])
        spec = specs.get(name)
        code[at] = code_of(name)
        unit[at] = spec.unit if spec is not None else ""
        text[at] = _sentences(name, spec, values[at], directions[at], language)
    return code, unit, text


def _sentences(
    name: str, spec: Any, values: np.ndarray, directions: np.ndarray, language: str
) -> np.ndarray:
    """The sentence of every reason of one feature: formatted once per distinct value."""
    uniq, inverse = np.unique(values, return_inverse=True)  # NaNs collapse into one
    missing = np.isnan(uniq)
    if spec is None:  # a column outside the catalogue
        template = sentence_for(name, None).template(language)
        shown = format_values(uniq, None, language)
        none = "n/a" if language == "en" else "sin dato"
        by_effect = {
            d: np.array(
                [
                    template.format(feature=name, value=none if m else s, effect=effect[language])
                    for m, s in zip(missing, shown, strict=True)
                ],
                dtype=object,
            )
            for d, effect in EFFECTS.items()
        }
        lowers = by_effect["lowers"][inverse]
        return np.where(directions == "lowers", lowers, by_effect["raises"][inverse])
    sentence = sentence_for(name, spec.unit)
    description = spec.description_en if language == "en" else spec.description_es
    gap = sentence_for("missing", None).template(language).format(description=description)
    below = uniq < sentence.pivot
    shown = format_values(
        np.where(below & (sentence.en_below is not None), np.abs(uniq), uniq),
        spec.unit,
        language,
    )
    templates = (sentence.template(language), sentence.template(language, below=True))
    texts = np.array(
        [
            gap
            if m
            else templates[int(b)].format(description=description, window=spec.window, value=s)
            for m, b, s in zip(missing, below, shown, strict=True)
        ],
        dtype=object,
    )
    return texts[inverse]


def _json_objects(reasons: dict[str, np.ndarray]) -> np.ndarray:
    """Each reason as a JSON object text and a comma (fields in :data:`_JSON_FIELDS` order)."""
    fixed = {  # the code, feature and unit of a feature, encoded once per feature
        int(idx): f'{{"code": {_dumps(c)}, "feature": {_dumps(f)}, "value": '
        for idx, c, f in zip(*_first_of(reasons, "column", "code", "feature"), strict=True)
    }
    units = {u: f', "unit": {_dumps(u)}, "contribution": ' for u in set(reasons["unit"])}
    return np.array(
        [
            f'{fixed[i]}{v}{units[u]}{c}, "text": {_dumps(t)}}},'
            for i, v, u, c, t in zip(
                reasons["column"].tolist(),
                _numbers(reasons["value"]),
                reasons["unit"],
                _numbers(reasons["contribution"]),
                reasons["text"],
                strict=True,
            )
        ],
        dtype=object,
    )


def _first_of(reasons: dict[str, np.ndarray], key: str, *fields: str) -> list[np.ndarray]:
    """The distinct values of ``key`` with ``fields`` at their first occurrence."""
    uniq, at = np.unique(reasons[key], return_index=True)
    return [uniq, *(reasons[f][at] for f in fields)]


def _numbers(values: np.ndarray) -> list[str]:
    """Floats as JSON numbers (``repr``), ``null`` where not finite."""
    finite = np.isfinite(values)
    texts = list(map(repr, values.tolist()))
    if not finite.all():
        for i in np.flatnonzero(~finite).tolist():
            texts[i] = "null"
    return texts


def _dumps(text: str) -> str:
    """``json.dumps(text, ensure_ascii=False)`` of a string."""
    return encode_basestring(text)
