"""Documentation pages generated from the declarations (never written by hand)."""

from __future__ import annotations

from ._contract import CATEGORIES, CHANNELS, CONSENT_PREFIX, RULE_PACK_COUNTRIES, TABLES


def contract_markdown() -> str:
    """``docs/contract.md``: every table, column, rule and fix hint of the contract."""
    lines = [
        "# The data contract, as the code enforces it",
        "",
        "Generated from `src/collectscore/_contract.py` (`make docs`); do not edit by hand.",
        "The narrative contract is `../shared/CONTRACT.md`. Extra columns are ignored.",
        "Every table can be a pandas DataFrame, a Parquet file or a CSV file (`,` or `;`",
        "separated, decimal point or decimal comma); a data folder holds one file per table",
        "named after it (`transactions.parquet` or `transactions.csv`, ...).",
        "",
    ]
    for table in TABLES.values():
        lines += [f"## `{table.name}`", "", table.description, ""]
        if table.needed_for:
            lines += [f"Needed for: {table.needed_for}.", ""]
        lines += ["| column | required | valid values | meaning | how to fix a bad value |"]
        lines += ["|---|---|---|---|---|"]
        for c in table.columns:
            lines.append(
                f"| `{c.name}` | {'yes' if c.required else 'no'} | {c.rule()} | "
                f"{c.description} | {c.hint or '-'} |"
            )
        lines.append("")
        rules = list(table.rules)
        if table.unique:
            rules.insert(0, "unique key: " + " + ".join(f"`{k}`" for k in table.unique))
        if rules:
            lines += ["Rules:", ""] + [f"- {r}" for r in rules] + [""]
    lines += [
        "## Vocabularies",
        "",
        "Channels: " + ", ".join(f"`{c}`" for c in CHANNELS) + ".",
        "",
        f"Consent columns of `debtors`: `{CONSENT_PREFIX}<channel>` (true/false).",
        "",
        "Countries with a built-in contact-rule pack: "
        + ", ".join(f"`{c}`" for c in RULE_PACK_COUNTRIES)
        + ".",
        "",
        "Transaction categories (a category may also extend a root, e.g. `spending.restaurants`):",
        "",
    ]
    lines += [f"- `{c}`" for c in CATEGORIES]
    return "\n".join(lines) + "\n"


def features_markdown() -> str:
    """``docs/features.md``: the feature catalogue, family by family."""
    import pandas as pd

    from .features import catalog
    from .features._registry import unit_text

    cat = catalog()
    lines = [
        "# Feature catalogue",
        "",
        "Generated from the feature registry (`make docs`); do not edit by hand.",
        "Every feature is computed point in time: only transactions booked on or before the",
        "debtor's `as_of` are used. Direction: `+1` a higher value means the debtor is more",
        "likely to pay, `-1` less likely, `0` not monotone; it becomes the model's monotone",
        "constraint.",
        "",
        f"{len(cat)} features in {cat['family'].nunique()} families.",
        "",
    ]
    for family, group in cat.groupby("family", sort=False):
        lines += [f"## {family.replace('_', ' ')}", ""]
        lines += ["| feature | window | unit | direction | description | descripción |"]
        lines += ["|---|---|---|---|---|---|"]
        for row in group.itertuples():
            window = "-" if pd.isna(row.window_days) else f"{row.window_days} d"
            lines.append(
                f"| `{row.name}` | {window} | {unit_text(row.unit)} | {row.direction:+d} | "
                f"{row.description_en} | {row.description_es} |"
            )
        lines.append("")
    return "\n".join(lines)
