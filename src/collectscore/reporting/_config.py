"""What a model report is about (model, version, store, output) and who answers for the model."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Literal, get_args

from .._errors import ConfigError, did_you_mean
from ..tracking import CHAMPION, TrackingConfig

Language = Literal["en", "es"]
LANGUAGES: tuple[str, ...] = get_args(Language)

#: What the report prints for a governance field nobody filled in.
NOT_STATED = "not stated: fill in with --card FILE"


@dataclass(frozen=True)
class CardInfo:
    """The governance fields of the model card that only the model's owner can state.

    Every field left ``None`` is printed as :data:`NOT_STATED`; nothing is invented.
    """

    owner: str | None = None
    intended_purpose: str | None = None
    contact: str | None = None
    risk_classification: str | None = None
    limitations: str | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ConfigError(
                    f"card field '{f.name}' must be non-empty text; got {value!r}. "
                    f'Fix: e.g. {f.name} = "..." in the card file, or leave it out.'
                )

    def shown(self, name: str) -> str:
        """The field's text, or :data:`NOT_STATED`."""
        value = getattr(self, name)
        return NOT_STATED if value is None else str(value)


CARD_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(CardInfo))


def load_card_info(path: Path | str) -> CardInfo:
    """The governance fields of a TOML file (top-level keys named as :class:`CardInfo`'s).

    Raises ``ConfigError`` naming the file and the key for a missing file, broken TOML, an
    unknown key or a value that is not text.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(
            f"card file {path} does not exist. Fix: write a TOML file with the keys "
            f'{", ".join(CARD_FIELDS)} (all optional), e.g. owner = "Collections analytics".'
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"card file {path} is not valid TOML ({exc}). "
            'Fix: one key = "text" line per field; quote the text.'
        ) from exc
    values: dict[str, str] = {}
    for key, value in data.items():
        if key not in CARD_FIELDS:
            raise ConfigError(
                f"card file {path}: unknown key '{key}'{did_you_mean(key, CARD_FIELDS)}. "
                f"Fix: use only {', '.join(CARD_FIELDS)}."
            )
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(
                f"card file {path}: key '{key}' must be non-empty text; got {value!r}. "
                f'Fix: {key} = "..." (quoted).'
            )
        values[key] = value.strip()
    return CardInfo(**values)


@dataclass(frozen=True)
class ReportConfig:
    """One model report: which registered version, from which store, written where.

    ``version`` (an exact version) wins over ``alias`` (``champion`` by default).
    ``top_features`` get dependence plots and the monotonicity check; ``reason_codes_k`` is
    how many "lowers" reasons per debtor are counted; ``approval_threshold`` is the p_pay at
    or above which a debtor counts as "approved" in the approval-style rates per group.
    ``log_to_mlflow`` logs the file to the version's run as ``report/model_report.html``.
    """

    model: str = "propensity"
    version: str | int | None = None
    alias: str = CHAMPION
    tracking: TrackingConfig = field(default_factory=TrackingConfig)
    out: Path = Path("model_report.html")
    top_features: int = 6
    reason_codes_k: int = 4
    language: Language = "en"
    approval_threshold: float = 0.5
    card: CardInfo = field(default_factory=CardInfo)
    log_to_mlflow: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "out", Path(self.out))
        if not isinstance(self.model, str) or not self.model.strip():
            raise ConfigError(f"model must name a registered model; got {self.model!r}")
        if not isinstance(self.alias, str) or not self.alias.strip():
            raise ConfigError(f"alias must be a model alias such as 'champion'; got {self.alias!r}")
        if self.version is not None:
            text = str(self.version)
            if isinstance(self.version, bool) or not text.isdigit() or int(text) < 1:
                raise ConfigError(
                    f"version must be a registered version number such as 3; got "
                    f"{self.version!r}. Fix: --version 3, or leave it out to use --alias."
                )
            object.__setattr__(self, "version", text)
        if not isinstance(self.tracking, TrackingConfig):
            raise ConfigError(
                f"tracking must be a TrackingConfig; got {type(self.tracking).__name__}"
            )
        for name, low, high in (("top_features", 1, 20), ("reason_codes_k", 1, 10)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ConfigError(
                    f"{name} must be a whole number from {low} to {high}; got {value!r}"
                )
        if self.language not in LANGUAGES:
            raise ConfigError(
                f"language must be one of {', '.join(map(repr, LANGUAGES))}; got "
                f"{self.language!r}{did_you_mean(str(self.language), LANGUAGES)}"
            )
        t = self.approval_threshold
        if isinstance(t, bool) or not isinstance(t, int | float) or not math.isfinite(t):
            raise ConfigError(f"approval_threshold must be a probability; got {t!r}")
        if not 0 < t < 1:
            raise ConfigError(f"approval_threshold must be between 0 and 1; got {t!r}")
        if not isinstance(self.card, CardInfo):
            raise ConfigError(
                f"card must be a CardInfo (or load_card_info(path)); got {type(self.card).__name__}"
            )
        if self.out.suffix.lower() not in (".html", ".htm"):
            raise ConfigError(
                f"out must be an .html file; got {str(self.out)!r}. Fix: --out report.html."
            )
