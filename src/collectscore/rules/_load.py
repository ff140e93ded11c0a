"""Custom rule packs from TOML or YAML files."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import holidays as _holidays

from .._contract import CHANNELS
from .._errors import ConfigError, did_you_mean
from ._packs import DIGITAL, VOICE, WEEKDAYS, Cap, Gap, Rule, RulePack, Window

_TOP = (
    "name",
    "description",
    "citation",
    "consent",
    "windows",
    "holidays",
    "caps",
    "gaps",
    "one_channel_per_week",
)
_WINDOW_KEYS = (*WEEKDAYS, "weekdays", "daily")
_CAP_KEYS = ("id", "channels", "period", "max", "description", "citation")
_GAP_KEYS = ("id", "after", "channels", "trigger", "days", "description", "citation")
_HOLIDAY_KEYS = ("country", "subdiv", "dates")
_GROUPS: dict[str, frozenset[str] | None] = {"all": None, "digital": DIGITAL, "voice": VOICE}
_ID = re.compile(r"^[A-Za-z0-9_]+$")
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


class _Where:
    """Builds ConfigError messages that name the file and the key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, key: str, problem: str, fix: str) -> ConfigError:
        return ConfigError(f"{self.source}: key '{key}': {problem}. Fix: {fix}")

    def keys(self, table: Mapping[str, Any], allowed: tuple[str, ...], prefix: str) -> None:
        if not isinstance(table, Mapping):
            raise self.error(
                prefix or "(top level)", f"expected a table, got {table!r}", "write a table of keys"
            )
        for key in table:
            if key not in allowed:
                raise self.error(
                    f"{prefix}{key}",
                    "unknown key" + did_you_mean(str(key), allowed),
                    "use one of " + ", ".join(allowed),
                )


def load_pack(path: str | Path) -> RulePack:
    """A custom :class:`RulePack` from a ``.toml``, ``.yaml`` or ``.yml`` file.

    The format is described in ``docs/rule-packs.md``; errors name the key and the fix.
    """
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix not in (".toml", ".yaml", ".yml"):
        raise ConfigError(
            f"{file}: a rule pack file ends in .toml, .yaml or .yml; rename it or convert it"
        )
    if not file.is_file():
        raise ConfigError(f"{file}: no such rule pack file; check the path")
    text = file.read_text(encoding="utf-8")
    try:
        if suffix == ".toml":
            raw: Any = tomllib.loads(text)
        else:
            import yaml

            raw = yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise ConfigError(f"{file}: not valid TOML ({exc}); fix the syntax") from None
    except Exception as exc:  # yaml.YAMLError, imported lazily
        raise ConfigError(f"{file}: not valid YAML ({exc}); fix the syntax") from None
    if raw is None:
        raw = {}
    return pack_from_dict(raw, source=str(file), default_name=file.stem.upper())


def pack_from_dict(
    raw: Mapping[str, Any], *, source: str = "rule pack", default_name: str = "CUSTOM"
) -> RulePack:
    """A :class:`RulePack` from the parsed content of a pack file (same format as files)."""
    where = _Where(source)
    where.keys(raw, _TOP, "")
    name = raw.get("name", default_name)
    if not isinstance(name, str) or not _NAME.match(name):
        raise where.error(
            "name", f"{name!r} is not a name", "use letters, digits, '_' or '-', e.g. 'ACME'"
        )
    citation = _text(where, raw, "citation", f"custom pack {name}")
    consent = raw.get("consent", "opt_out")
    if consent not in ("opt_in", "opt_out"):
        raise where.error(
            "consent",
            f"{consent!r} is not a consent mode"
            + did_you_mean(str(consent), ("opt_in", "opt_out")),
            "write 'opt_in' (only channels with consent true) or 'opt_out' (all but those "
            "with consent false)",
        )
    windows = _windows(where, raw.get("windows"))
    hours = "; ".join(
        f"{day} {', '.join(str(w) for w in spans)}"
        for day, spans in zip(WEEKDAYS, windows, strict=True)
        if spans
    )
    country, subdiv, dates = _holiday_spec(where, raw.get("holidays"))
    caps = tuple(
        _cap(where, entry, i, name, citation) for i, entry in enumerate(_list(where, raw, "caps"))
    )
    gaps = tuple(
        _gap(where, entry, i, name, citation) for i, entry in enumerate(_list(where, raw, "gaps"))
    )
    one = raw.get("one_channel_per_week", False)
    if not isinstance(one, bool):
        raise where.error(
            "one_channel_per_week", f"{one!r} is not true/false", "write true or false"
        )
    try:
        return RulePack(
            name=name,
            description=_text(where, raw, "description", f"Custom rule pack {name}."),
            windows=windows,
            hours_rule=Rule(f"{name}.hours", f"Contact only within: {hours or 'never'}.", citation),
            consent=consent,
            consent_rule=Rule(
                f"{name}.consent",
                "Only channels the debtor authorised (consent_<channel> true) may be used.",
                citation,
            )
            if consent == "opt_in"
            else None,
            holiday_country=country,
            holiday_subdiv=subdiv,
            holiday_dates=dates,
            holiday_rule=Rule(f"{name}.holiday", "No contact on holidays.", citation)
            if country or dates
            else None,
            caps=caps,
            gaps=gaps,
            one_channel_per_week=Rule(
                f"{name}.one_channel_per_week",
                "Not contacted through several channels in the same ISO week.",
                citation,
            )
            if one
            else None,
        )
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None


def _text(where: _Where, raw: Mapping[str, Any], key: str, default: str) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        raise where.error(key, f"{value!r} is not text", "write a quoted string")
    return value


def _list(where: _Where, raw: Mapping[str, Any], key: str) -> list[Any]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise where.error(
            key,
            f"expected a list of tables, got {value!r}",
            f"write [[{key}]] tables (TOML) or a YAML list",
        )
    return value


def _windows(where: _Where, raw: Any) -> tuple[tuple[Window, ...], ...]:
    if raw is None:
        raise where.error(
            "windows",
            "missing",
            "give the contact windows per weekday, e.g. weekdays = '08:00-20:00', "
            "sat = '09:00-13:00' (days not listed are closed)",
        )
    where.keys(raw, _WINDOW_KEYS, "windows.")
    days: list[tuple[Window, ...]] = [() for _ in WEEKDAYS]
    for key in ("daily", "weekdays", *WEEKDAYS):  # specific days override the shortcuts
        if key not in raw:
            continue
        spans = _spans(where, f"windows.{key}", raw[key])
        if key == "daily":
            targets = range(7)
        elif key == "weekdays":
            targets = range(5)
        else:
            targets = range(WEEKDAYS.index(key), WEEKDAYS.index(key) + 1)
        for i in targets:
            days[i] = spans
    return tuple(days)


def _spans(where: _Where, key: str, value: Any) -> tuple[Window, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise where.error(
            key,
            f"{value!r} is not a time window",
            "write 'HH:MM-HH:MM' or a list of them ([] = closed)",
        )
    out = []
    for item in items:
        try:
            out.append(Window.parse(item))
        except ConfigError as exc:
            raise where.error(key, str(exc), "write windows like '08:00-21:00'") from None
    return tuple(sorted(out, key=lambda w: (w.start, w.end)))


def _holiday_spec(where: _Where, raw: Any) -> tuple[str | None, str | None, frozenset[date]]:
    if raw is None:
        return None, None, frozenset()
    where.keys(raw, _HOLIDAY_KEYS, "holidays.")
    country = raw.get("country")
    subdiv = raw.get("subdiv")
    if country is not None:
        supported = _holidays.list_supported_countries()
        if not isinstance(country, str) or country.upper() not in supported:
            raise where.error(
                "holidays.country",
                f"{country!r} is not a country the holidays library knows"
                + did_you_mean(str(country), list(supported)),
                "use an ISO 3166-1 alpha-2 code such as 'CO', 'US', 'MX' or 'CL'",
            )
        country = country.upper()
        if subdiv is not None and str(subdiv) not in supported[country]:
            raise where.error(
                "holidays.subdiv",
                f"{subdiv!r} is not a subdivision of {country}",
                "use one of " + ", ".join(supported[country][:20]) + " (or leave it out)",
            )
    elif subdiv is not None:
        raise where.error("holidays.subdiv", "given without a country", "add holidays.country")
    dates: set[date] = set()
    listed = raw.get("dates", [])
    if not isinstance(listed, list):
        raise where.error("holidays.dates", f"{listed!r} is not a list", "write a list of dates")
    for value in listed:
        try:
            dates.add(value if isinstance(value, date) else date.fromisoformat(str(value)))
        except ValueError:
            raise where.error(
                "holidays.dates", f"{value!r} is not a date", "write dates as 'YYYY-MM-DD'"
            ) from None
    return country, (str(subdiv) if subdiv is not None else None), frozenset(dates)


def _channels(where: _Where, key: str, value: Any) -> frozenset[str] | None:
    if isinstance(value, str) and value in _GROUPS:
        return _GROUPS[value]
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise where.error(
            key,
            f"{value!r} is not a channel list",
            "write 'all', 'digital', 'voice' or a list of channels: " + ", ".join(CHANNELS),
        )
    for item in items:
        if item not in CHANNELS:
            raise where.error(
                key,
                f"unknown channel {item!r}" + did_you_mean(str(item), CHANNELS),
                "channels are " + ", ".join(CHANNELS),
            )
    return frozenset(items)


def _rule_id(where: _Where, key: str, entry: Mapping[str, Any], default: str, pack: str) -> str:
    local = entry.get("id", default)
    if not isinstance(local, str) or not _ID.match(local):
        raise where.error(key + ".id", f"{local!r} is not an id", "use letters, digits and '_'")
    return f"{pack}.{local}"


def _whole(where: _Where, key: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise where.error(
            key, f"{value!r} is not a whole number >= {low}", f"write a whole number >= {low}"
        )
    return value


def _cap(where: _Where, entry: Any, i: int, pack: str, citation: str) -> Cap:
    key = f"caps[{i}]"
    where.keys(entry, _CAP_KEYS, key + ".")
    for needed in ("period", "max"):
        if needed not in entry:
            raise where.error(f"{key}.{needed}", "missing", "every cap needs period and max")
    channels = _channels(where, f"{key}.channels", entry.get("channels", "all"))
    period = entry["period"]
    if not (
        period in ("day", "week")
        or (isinstance(period, int) and not isinstance(period, bool) and period >= 1)
    ):
        raise where.error(
            f"{key}.period",
            f"{period!r} is not a period",
            "write 'day', 'week' (ISO week, Monday to Sunday) or a whole number of days",
        )
    most = _whole(where, f"{key}.max", entry["max"], 0)
    rule = Rule(
        _rule_id(where, key, entry, f"cap_{i + 1}", pack),
        entry.get("description", f"At most {most} contact(s) per {period} (days) on the channels."),
        entry.get("citation", citation),
    )
    return Cap(rule, channels, period, most)


def _gap(where: _Where, entry: Any, i: int, pack: str, citation: str) -> Gap:
    key = f"gaps[{i}]"
    where.keys(entry, _GAP_KEYS, key + ".")
    for needed in ("after", "days"):
        if needed not in entry:
            raise where.error(f"{key}.{needed}", "missing", "every gap needs after and days")
    after = entry["after"]
    if after not in ("conversation", "contact"):
        raise where.error(
            f"{key}.after",
            f"{after!r} is not a trigger" + did_you_mean(str(after), ("conversation", "contact")),
            "write 'conversation' (a successful contact) or 'contact' (any contact)",
        )
    channels = _channels(where, f"{key}.channels", entry.get("channels", "all"))
    trigger = (
        _channels(where, f"{key}.trigger", entry["trigger"]) if "trigger" in entry else channels
    )
    days = _whole(where, f"{key}.days", entry["days"], 1)
    rule = Rule(
        _rule_id(where, key, entry, f"gap_{i + 1}", pack),
        entry.get("description", f"No contact within {days} days after a {after}."),
        entry.get("citation", citation),
    )
    return Gap(rule, after, channels, days, trigger)
