"""``docs/strategy.md``, generated from the declarations (never written by hand)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..scoring import RISK_BANDS
from ._assign import assign_segments
from ._declare import ACTIONS, CRITERIA, INPUTS, SEGMENTS, STAGES, thresholds


def strategy_markdown() -> str:
    """The treatment-strategy page: inputs, criteria, segments, actions, thresholds, bands."""
    lines = [
        "# Treatment strategy",
        "",
        "Generated from `src/collectscore/strategy/_declare.py` (`make docs`); do not edit by",
        "hand.",
        "",
        "Each debtor snapshot answers three yes/no questions (willingness from the calibrated",
        "`p_pay`, capacity from the account's funds and free cash flow, and how far into",
        "arrears the debt is). The answers select a segment; the segment gives the collection",
        "stage, the action, when to contact, whether a person must decide, and a reason that",
        "names the numbers behind the decision.",
        "",
        "```python",
        "import collectscore as cs",
        "from collectscore.strategy import StrategyConfig, assign_segments, segment_dataset",
        "",
        "segments = segment_dataset(data, scores)             # builds the inputs itself",
        "segments = assign_segments(frame, StrategyConfig(willing_p_pay=0.55))",
        "```",
        "",
        "## Inputs",
        "",
        "`assign_segments` reads these columns (`as_of` may be an index level); a missing one",
        "is a `ContractError` naming it, with a did-you-mean hint. `segment_dataset(data, p_pay)`",
        "builds them from a `Dataset` with `build_features` and takes `p_pay` keyed by",
        "(`debtor_id`, `as_of`).",
        "",
        "| column | also accepted | valid values | meaning | when missing on a row |",
        "|---|---|---|---|---|",
    ]
    for spec in INPUTS.values():
        also = ", ".join(f"`{a}`" for a in spec.alternatives) or "-"
        if not spec.required:
            missing = f"column optional; {spec.when_missing}"
        else:
            missing = spec.when_missing if spec.nullable else "not allowed"
        lines.append(f"| `{spec.name}` | {also} | {spec.rule()} | {spec.description} | {missing} |")
    lines += ["", "## Criteria", "", "| criterion | question | yes when |", "|---|---|---|"]
    for c in CRITERIA.values():
        lines.append(f"| `{c.name}` | {c.question} | {c.rule} |")
    lines += [
        "",
        "Unknown funds or free cash flow never make a debtor able.",
        "",
        "## Segments",
        "",
        "Tried in this order; the first whose answers all match wins (together they cover",
        "every combination of answers).",
        "",
        "| segment | label | stage | answers | action | description |",
        "|---|---|---|---|---|---|",
    ]
    for s in SEGMENTS:
        when = ", ".join(f"{name} = {'yes' if wanted else 'no'}" for name, wanted in s.when)
        action = f"`{s.action}`"
        if s.quiet_action:
            action += f" (`{s.quiet_action}` when p_pay >= no_contact_p_pay)"
        lines.append(
            f"| `{s.name}` | {s.label} | {s.stage} | {when} | {action} | {s.description} |"
        )
    lines += [
        "",
        "Stages: " + ", ".join(f"`{s}`" for s in STAGES) + ".",
        "",
        "## Actions",
        "",
        "| action | what happens | first contact (`contact_after`) | decided by a person |",
        "|---|---|---|---|",
    ]
    timing = {
        "never": "none (no automatic contact)",
        "now": "`as_of`",
        "after_wait": "`as_of` + `reminder_wait_days`",
        "after_payday": "next payday + `days_after_payday` (`as_of` when no upcoming payday "
        "is known)",
    }
    for a in ACTIONS.values():
        person = "always" if a.human_review else "no"
        if a.name == "payment_plan_offer":
            person = "when no plan can be sized or it needs more than `plan_max_months`"
        lines.append(f"| `{a.name}` | {a.description} | {timing[a.timing]} | {person} |")
    lines += [
        "",
        "A payment plan's monthly installment (`plan_offer`) is `plan_share_of_free_cash_flow`",
        "of the monthly free cash flow, at most the installment due, rounded down to cents;",
        "`plan_months` is the number of such installments that repay the outstanding.",
        "",
        "## Thresholds (`StrategyConfig`)",
        "",
        "Set them in Python or from a mapping (`StrategyConfig.from_mapping`, e.g. a TOML",
        "table); an unknown name or an out-of-range value is a `ConfigError`.",
        "",
        "| threshold | default | meaning |",
        "|---|---|---|",
    ]
    for name, default, doc in thresholds():
        lines.append(f"| `{name}` | {default} | {doc} |")
    lines += [
        "",
        "## Risk bands",
        "",
        "`risk_band` comes from `collectscore.scoring.risk_band`:",
        "",
        "| band | p_pay from | meaning |",
        "|---|---|---|",
    ]
    lines += [f"| {b.name} | {b.floor:g} | {b.meaning} |" for b in RISK_BANDS]
    lines += [
        "",
        "## Output columns",
        "",
        "The input's index (and its `debtor_id`/`as_of` columns), then `p_pay`, `risk_band`,",
        "one true/false column per criterion, `segment`, `stage`, `action`, `contact_after`",
        "(a date; NaT when there is no automatic contact), `plan_offer`, `plan_months`,",
        "`human_review` and `reason`. One example per segment (`assign_segments` on the",
        "debtors below, default thresholds):",
        "",
    ]
    inputs, examples = _examples()
    shown = [c for c in inputs.columns if c != "as_of"]
    lines += ["| " + " | ".join(f"`{c}`" for c in shown) + " |"]
    lines += ["|" + "---|" * len(shown)]
    for row in inputs[shown].itertuples(index=False):
        cells = [
            "-"
            if pd.isna(x)
            else f"{x:%Y-%m-%d}"
            if hasattr(x, "year")
            else f"{x:g}"
            if isinstance(x, float)
            else str(x)
            for x in row
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", f"All with `as_of` {inputs['as_of'].iloc[0]:%Y-%m-%d}. Their segments:", ""]
    lines += ["| debtor | segment | action | contact_after | plan_offer | human_review |"]
    lines += ["|---|---|---|---|---|---|"]
    for row in examples.itertuples():
        after = "-" if pd.isna(row.contact_after) else f"{row.contact_after:%Y-%m-%d}"
        plan = "-" if pd.isna(row.plan_offer) else f"{row.plan_offer:.2f}"
        lines.append(
            f"| {row.debtor_id} | `{row.segment}` | `{row.action}` | {after} | {plan} | "
            f"{'yes' if row.human_review else 'no'} |"
        )
    lines.append("")
    for row in examples.itertuples():
        lines += [f"- {row.debtor_id}: {row.reason}"]
    return "\n".join(lines) + "\n"


def _examples() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Four hand-built debtors, one per segment, and their segments (default thresholds)."""
    frame = pd.DataFrame(
        {
            "debtor_id": ["D1", "D2", "D3", "D4"],
            "as_of": pd.to_datetime(["2026-05-31"] * 4),
            "p_pay": [0.65, 0.7, 0.3, 0.1],
            "days_past_due": [12, 75, 40, 200],
            "outstanding": [1000.0, 3000.0, 5000.0, 8000.0],
            "installment": [300.0, 300.0, 500.0, 800.0],
            "free_cash_flow_monthly_90d": [900.0, 200.0, 1000.0, 50.0],
            "funds_available_now": [1200.0, 100.0, 50.0, 0.0],
            "next_income_date": pd.to_datetime(["2026-06-05", None, "2026-06-10", None]),
        }
    )
    return frame, assign_segments(frame).astype({"plan_offer": np.float64})
