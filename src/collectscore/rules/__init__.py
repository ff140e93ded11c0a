"""Contact-rule packs: when and how a debtor may be contacted, and which rule says no.

Built-in packs for the US (Regulation F), Colombia (Ley 2300 de 2023), Mexico (CONDUSEF)
and Chile (Ley 21.320), a conservative ``DEFAULT`` for other countries, and custom packs
from TOML/YAML files. See ``docs/rule-packs.md``.
"""

from __future__ import annotations

from ._batch import allowed_slots_batch
from ._engine import allowed_slots, holiday_names, violations
from ._load import load_pack, pack_from_dict
from ._packs import (
    CL,
    CO,
    CONSENT,
    DEFAULT,
    DIGITAL,
    LOCAL_TIME,
    MX,
    PACKS,
    RULES,
    US,
    VOICE,
    Cap,
    Gap,
    Rule,
    RulePack,
    Window,
    pack_for,
)
from ._time import local_times, to_utc

__all__ = [
    "CL",
    "CO",
    "CONSENT",
    "DEFAULT",
    "DIGITAL",
    "LOCAL_TIME",
    "MX",
    "PACKS",
    "RULES",
    "US",
    "VOICE",
    "Cap",
    "Gap",
    "Rule",
    "RulePack",
    "Window",
    "allowed_slots",
    "allowed_slots_batch",
    "holiday_names",
    "load_pack",
    "local_times",
    "pack_for",
    "pack_from_dict",
    "to_utc",
    "violations",
]
