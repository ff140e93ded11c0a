"""``docs/reason-codes.md``: the reason-code catalogue, generated from the declarations."""

from __future__ import annotations

from ._codes import FAMILY_PREFIX, OTHER_PREFIX, RETIRED_CODES
from ._reasons import reason_code_catalogue
from ._sentences import SENTENCES


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def reason_codes_markdown() -> str:
    """The catalogue page: every code with its feature, risk direction and sentences."""
    from ..features import registry

    specs = registry()
    cat = reason_code_catalogue()
    lines = [
        "# Reason codes",
        "",
        "Generated from `src/collectscore/explanations/` (`make docs`); do not edit by hand.",
        "",
        "Each score can carry reason codes: the features that lower and raise the debtor's",
        "chance to pay (`p_pay`) most, from exact TreeSHAP contributions of the model in",
        "log-odds (`cs.explain`, `cs.reason_codes`,",
        "`collectscore score --explain`). A code is `CS-<family>-<NN>`; codes are never",
        "reused: a removed feature's code is retired, a new feature takes the next number.",
        f"A column outside this catalogue (a bring-your-own table) gets `{OTHER_PREFIX}<column>`",
        'and the sentence "<column> is <value>, which lowers (raises) the chance of paying".',
        "",
        "`{value}` is the debtor's value with its unit: amounts in the account currency",
        "(`1,234.50`; Spanish `1.234,50`), shares as percentages (`45%`; `45 %`), days,",
        "months, counts, ratios and yes/no flags. A missing value reads",
        '"<description>: no data" ("sin datos").',
        "Where a sentence has a second form, it is used when the value is below the pivot",
        "(a fall instead of a rise, a flag that is off), with the value's size.",
        "",
        "Prefixes: "
        + ", ".join(f"`{p}` {f.replace('_', ' ')}" for f, p in FAMILY_PREFIX.items())
        + ".",
        "",
        "Retired codes: " + (", ".join(f"`{c}`" for c in sorted(RETIRED_CODES)) or "none") + ".",
        "",
        "| code | feature | direction of risk | English | Español |",
        "|---|---|---|---|---|",
    ]
    for row in cat.itertuples():
        en, es = row.text_en, row.text_es
        sentence = SENTENCES.get(row.feature)
        if sentence is not None and sentence.en_below is not None:
            window = specs[row.feature].window
            fill = {"value": "{value}", "window": window}
            en += f" / below {sentence.pivot:g}: " + sentence.en_below.format(**fill)
            es += f" / bajo {sentence.pivot:g}: ".replace(".", ",") + str(sentence.es_below).format(
                **fill
            )
        lines.append(
            f"| `{row.code}` | `{row.feature}` | {row.direction_of_risk} | "
            f"{_cell(en)} | {_cell(es)} |"
        )
    return "\n".join(lines) + "\n"
