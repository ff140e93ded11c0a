"""``run_monitoring``: one scoring batch against the champion, written up and logged.

Reads a contract data folder (or a validated :class:`~collectscore._data.Dataset`), scores
it with the registered model at ``alias``, compares it with the training sample the model's
run logged (:func:`load_reference`), measures realised performance where outcomes have
arrived, the portfolio KPIs and roll rates, and the contacts' success, applies the
:class:`AlertRule`, writes one self-contained HTML report and logs the numbers, the report
and a ``monitor.needs_review`` tag to the model's MLflow run.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from .._contract import DEFAULT_HORIZON_DAYS
from .._data import Dataset
from .._errors import ConfigError, ContractError
from .._numbers import finite_or_none
from ._alerts import AlertRule, ReviewStatus, review
from ._drift import PSI_BANDS, REFERENCE_DIR, DriftConfig, DriftReport, drift_report
from ._kpis import KPI_COLUMNS, portfolio_kpis, roll_rates

if TYPE_CHECKING:
    from ..tracking import TrackingConfig

#: The run metric holding the champion's AUC on its untouched test period.
REFERENCE_AUC_METRIC = "test_auc"
#: Prefix of every metric and tag the monitor logs to the champion's run.
METRIC_PREFIX = "monitor."
#: The report's and the summary's file names under ``monitoring/<date>/`` in the run.
REPORT_FILE = "report.html"
SUMMARY_FILE = "summary.json"
#: KPIs logged to MLflow for the whole portfolio, from its latest period whose horizon has
#: elapsed: shares of snapshots and contacts, which add up across currencies.
LOGGED_KPIS: tuple[str, ...] = (
    "payment_rate",
    "label_rate",
    "promises_kept_rate",
    "contact_rate",
    "success_rate",
)
#: KPIs of amounts, logged per group of ``MonitorConfig.by`` (``monitor.kpi.<name>.<group>``).
LOGGED_GROUP_KPIS: tuple[str, ...] = tuple(c.name for c in KPI_COLUMNS if c.unit == "ratio")


@dataclass(frozen=True)
class MonitorConfig:
    """What to monitor and where the report goes.

    ``data``: a contract data folder (or a validated Dataset) holding the batch:
    ``transactions`` and ``debtors``, with ``payments`` when outcomes have arrived and
    ``contacts`` for contact KPIs. ``recommended``: the served contact recommendations
    (a Parquet/CSV file or frame with ``debtor_id``, ``channel``, ``send_at``, e.g. the
    collected ``collectscore recommend`` outputs) to compare followed and other contacts.
    ``costs``: cost per contact by channel. ``by``: debtors columns the KPIs are grouped
    by. ``observed_until``: the last day outcomes are known (default: the last payment).
    """

    data: Path | Dataset
    model: str = "propensity"
    alias: str = "champion"
    tracking: TrackingConfig = field(default_factory=lambda: _tracking_config()())
    rule: AlertRule = field(default_factory=AlertRule)
    drift: DriftConfig = field(default_factory=DriftConfig)
    costs: Mapping[str, float] | None = None
    by: tuple[str, ...] = ("country",)
    observed_until: dt.date | str | None = None
    out: Path = Path("monitor.html")
    log_to_mlflow: bool = True
    recommended: Path | pd.DataFrame | None = None
    horizon_days: int = DEFAULT_HORIZON_DAYS
    freq: str = "M"

    def __post_init__(self) -> None:
        tracking_config = _tracking_config()
        if isinstance(self.data, str | os.PathLike):
            object.__setattr__(self, "data", Path(self.data))
        elif not isinstance(self.data, Dataset):
            raise ConfigError(
                "data must be a data folder (a path) or a validated Dataset; got "
                f"{type(self.data).__name__}"
            )
        for name in ("model", "alias"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{name} must be a non-empty text; got {value!r}")
        for name, kind, example in (
            ("tracking", tracking_config, "TrackingConfig(root=Path('.'))"),
            ("rule", AlertRule, "AlertRule(score_psi_max=0.25)"),
            ("drift", DriftConfig, "DriftConfig(top=10)"),
        ):
            if not isinstance(getattr(self, name), kind):
                raise ConfigError(
                    f"{name} must be given as {kind.__name__}, e.g. {example}; got "
                    f"{type(getattr(self, name)).__name__}"
                )
        by = (self.by,) if isinstance(self.by, str) else self.by
        if not isinstance(by, tuple | list) or not all(isinstance(b, str) for b in by):
            raise ConfigError(f"by must be debtors column names, e.g. ('country',); got {by!r}")
        object.__setattr__(self, "by", tuple(by))
        if not isinstance(self.out, str | os.PathLike):
            raise ConfigError(f"out must be a file path ending in .html; got {self.out!r}")
        out = Path(self.out)
        if out.suffix.lower() not in (".html", ".htm"):
            raise ConfigError(f"out must end in .html; got '{out.name}'")
        object.__setattr__(self, "out", out)
        if not isinstance(self.log_to_mlflow, bool):
            raise ConfigError(f"log_to_mlflow must be True or False; got {self.log_to_mlflow!r}")
        if isinstance(self.recommended, str | os.PathLike):
            object.__setattr__(self, "recommended", Path(self.recommended))
        elif self.recommended is not None and not isinstance(self.recommended, pd.DataFrame):
            raise ConfigError(
                "recommended must be a Parquet/CSV file or a DataFrame of served "
                f"recommendations; got {type(self.recommended).__name__}"
            )


def _tracking_config() -> type[TrackingConfig]:
    # imported when used: the tracking package loads MLflow
    from ..tracking import TrackingConfig

    return TrackingConfig


@dataclass(frozen=True)
class MonitorResult:
    """Everything one monitoring check found (the report shows it, MLflow keeps the numbers)."""

    path: Path
    size: int
    status: ReviewStatus
    drift: DriftReport
    model: str
    version: str
    alias: str
    run_id: str
    checked_at: pd.Timestamp
    scores: pd.DataFrame
    importance: pd.Series
    auc_reference: float | None
    auc_current: float | None
    performance: pd.DataFrame | None
    kpis: pd.DataFrame
    kpis_total: pd.DataFrame
    kpis_by_segment: pd.DataFrame | None
    roll_rates: pd.DataFrame
    contacts: pd.DataFrame | None
    metrics: dict[str, float]
    notes: tuple[str, ...]
    artifact: str | None = None
    sections: tuple[str, ...] = ()

    @property
    def headline(self) -> str:
        """The review status in words: ``"Needs review: score PSI 0.31 > 0.25"`` or
        ``"No review needed"``."""
        return headline(self.status)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (logged as ``summary.json`` next to the report)."""
        return {
            "model": self.model,
            "version": self.version,
            "alias": self.alias,
            "run_id": self.run_id,
            "checked_at": self.checked_at.isoformat(),
            "headline": self.headline,
            "review": self.status.to_dict(),
            "drift": self.drift.to_dict(),
            "auc_reference": self.auc_reference,
            "auc_current": self.auc_current,
            "metrics": dict(self.metrics),
            "notes": list(self.notes),
        }


def headline(status: ReviewStatus) -> str:
    """The first line of a report: why the champion needs review, or that it does not."""
    if status.needs_review:
        return "Needs review: " + "; ".join(status.reasons)
    return "No review needed"


# ---------------------------------------------------------------- the check


@dataclass
class _Batch:
    data: Dataset
    notes: list[str]


def _read(config: MonitorConfig) -> _Batch:
    from .._io import read_dir
    from .._validation import validate_dataset

    if isinstance(config.data, Dataset):
        return _Batch(config.data, [])
    validated, report = validate_dataset(read_dir(config.data))
    return _Batch(validated, [f"data: {w}" for w in report.warnings])


def _recommended(config: MonitorConfig) -> pd.DataFrame | None:
    value = config.recommended
    if value is None or isinstance(value, pd.DataFrame):
        return value
    path = Path(value)
    if not path.is_file():
        raise ConfigError(
            f"recommended: no file {str(path)!r}. Fix: pass the served recommendations "
            "(Parquet or CSV with debtor_id, channel, send_at)"
        )
    if path.suffix.lower() == ".parquet":
        return pd.read_parquet(path)
    if path.suffix.lower() == ".csv":
        return pd.read_csv(path)
    raise ConfigError(f"recommended must be a .parquet or .csv file; got '{path.name}'")


def run_monitoring(config: MonitorConfig) -> MonitorResult:
    """Run one monitoring check (see the module notes); returns what it found.

    Raises ``ContractError`` for a batch that breaks the data contract and ``ConfigError``
    for an unknown model or alias, or a champion whose run logged no reference.
    """
    from ..features import build_features
    from ..scoring import load_registered, score_features
    from ._drift import load_reference, shap_importance

    if not isinstance(config, MonitorConfig):
        raise ConfigError(
            f"config must be a MonitorConfig; got {type(config).__name__}. "
            "Fix: MonitorConfig(data=Path('batch'))."
        )
    checked_at = pd.Timestamp.now(tz="UTC").floor("s")
    batch = _read(config)
    data, notes = batch.data, batch.notes
    recommended = _recommended(config)
    model, info = load_registered(config.model, config=config.tracking, alias=config.alias)
    reference_X, reference_scores = load_reference(
        config.model, alias=config.alias, tracking=config.tracking
    )
    features = build_features(
        data.transactions, data.debtors, contacts=data.contacts, payments=data.payments
    )
    scores = score_features(features, model, info, alias=config.alias)
    importance = shap_importance(model, reference_X)
    with warnings.catch_warnings():
        # scipy falls back from the exact KS p-value to the asymptotic one on large samples
        warnings.filterwarnings("ignore", message=".*Exact calculation unsuccessful.*")
        drift = drift_report(
            reference_X,
            features.reset_index(drop=True),
            reference_scores=reference_scores,
            current_scores=scores["p_pay"].to_numpy(),
            importance=importance,
            config=config.drift,
        )

    performance, auc_current = _performance(scores, data, config, notes)
    auc_reference = _reference_auc(info.run_id, config.tracking)
    if auc_reference is None:
        notes.append(
            f"the champion's run has no {REFERENCE_AUC_METRIC} metric: the AUC drop is not checked"
        )
    both = auc_reference is not None and auc_current is not None
    status = review(
        config.rule,
        drift=drift,
        auc_reference=auc_reference if both else None,
        auc_current=auc_current if both else None,
    )
    kpis, total, by_segment, rolls = _kpis(data, scores, features, config, notes)
    contacts = _contacts(data, recommended, notes)
    metrics = _metrics(drift, status, auc_reference, auc_current, total, kpis, config.by)

    result = MonitorResult(
        path=config.out,
        size=0,
        status=status,
        drift=drift,
        model=info.name,
        version=info.version,
        alias=config.alias,
        run_id=info.run_id,
        checked_at=checked_at,
        scores=scores,
        importance=importance,
        auc_reference=auc_reference,
        auc_current=auc_current,
        performance=performance,
        kpis=kpis,
        kpis_total=total,
        kpis_by_segment=by_segment,
        roll_rates=rolls,
        contacts=contacts,
        metrics=metrics,
        notes=tuple(notes),
    )
    from ._report import render_report

    document, sections = render_report(result, config=config, reference_scores=reference_scores)
    payload = document.encode("utf-8")
    config.out.parent.mkdir(parents=True, exist_ok=True)
    config.out.write_bytes(payload)
    result = replace(result, size=len(payload), sections=sections)
    if config.log_to_mlflow:
        result = replace(result, artifact=log_monitoring(result, config.tracking))
    return result


def _performance(
    scores: pd.DataFrame, data: Dataset, config: MonitorConfig, notes: list[str]
) -> tuple[pd.DataFrame | None, float | None]:
    from ._performance import realised_performance

    if data.payments is None:
        notes.append(
            "realised performance: no payments table in the batch, so no outcome is known yet"
        )
        return None, None
    table = realised_performance(
        scores[["debtor_id", "as_of", "p_pay"]],
        data,
        horizon_days=config.horizon_days,
        by=config.freq,
        observed_until=config.observed_until,
    )
    overall = table[table["period"] == "all"].iloc[0]
    if int(overall["n"]) == 0:
        notes.append(
            f"realised performance: no snapshot's {config.horizon_days}-day horizon has elapsed "
            f"yet ({int(overall['pending'])} pending), so the AUC drop is not checked"
        )
        return table, None
    auc = finite_or_none(overall["auc"])
    if auc is None:
        notes.append(
            "realised AUC: the matured snapshots are all payers or all non-payers, so the AUC "
            "is undefined and the AUC drop is not checked"
        )
    if int(overall["pending"]):
        notes.append(
            f"realised performance: {int(overall['pending']):,} snapshot(s) are still inside "
            f"their {config.horizon_days}-day horizon and not counted"
        )
    return table, auc


def _reference_auc(run_id: str, tracking: TrackingConfig) -> float | None:
    import mlflow

    from ..tracking import use_tracking

    uri = use_tracking(tracking)
    run = mlflow.MlflowClient(uri, uri).get_run(run_id)
    return finite_or_none(run.data.metrics.get(REFERENCE_AUC_METRIC))


def _kpis(
    data: Dataset,
    scores: pd.DataFrame,
    features: pd.DataFrame,
    config: MonitorConfig,
    notes: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None, pd.DataFrame]:
    from ..strategy import segment_dataset

    common: dict[str, Any] = {
        "freq": config.freq,
        "costs": config.costs,
        "horizon_days": config.horizon_days,
        "observed_until": config.observed_until,
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kpis = portfolio_kpis(data, by=config.by, **common)
        total = portfolio_kpis(data, by=(), **common)
    for message in dict.fromkeys(str(w.message) for w in caught):
        notes.append(f"KPIs: {message}")
    by_segment = None
    try:
        segments = segment_dataset(data, scores, features=features)["segment"]
    except (ConfigError, ContractError) as exc:
        notes.append(f"KPIs by segment not computed: {exc}")
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the same contacts warned about above
            by_segment = portfolio_kpis(data, by=(), segments=segments, **common)
    if config.costs is None:
        notes.append("cost per amount recovered: no channel costs configured")
    rolls = roll_rates(data.debtors)
    if data.debtors["as_of"].nunique() < 2:
        notes.append("roll rates: the batch has one as_of only, so no move is observed")
    return kpis, total, by_segment, rolls


def _contacts(
    data: Dataset, recommended: pd.DataFrame | None, notes: list[str]
) -> pd.DataFrame | None:
    from ._performance import contact_performance

    if data.contacts is None or len(data.contacts) == 0:
        notes.append("contacts: the batch has no contacts table, so contact success is not shown")
        return None
    if recommended is None:
        notes.append(
            "contacts: no served recommendations given (MonitorConfig.recommended, "
            "--recommended), so followed and other contacts cannot be told apart and the "
            "off-policy estimates are not computed"
        )
    return contact_performance(data.contacts, recommended=recommended)


def _latest_complete(frame: pd.DataFrame) -> pd.Series | None:
    done = frame[frame["complete"].astype(bool)]
    return None if done.empty else done.sort_values("period", kind="stable").iloc[-1]


def _group_kpis(kpis: pd.DataFrame, by: tuple[str, ...]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    if not by or kpis.empty:
        return out
    for key, frame in kpis.groupby(list(by), dropna=False, sort=True):
        latest = _latest_complete(frame)
        if latest is None:
            continue
        parts = key if isinstance(key, tuple) else (key,)
        label = "_".join("na" if pd.isna(v) else _key_part(v) for v in parts)
        for name in LOGGED_GROUP_KPIS:
            out[f"kpi.{name}.{label}"] = finite_or_none(latest[name])
    return out


def _key_part(value: Any) -> str:
    """A group value as part of an MLflow metric key (letters, digits, ``-``, ``_``)."""
    text = "".join(c if c.isalnum() or c in "-_" else "-" for c in str(value))
    return text or "na"


def _metrics(
    drift: DriftReport,
    status: ReviewStatus,
    auc_reference: float | None,
    auc_current: float | None,
    total: pd.DataFrame,
    kpis: pd.DataFrame,
    by: tuple[str, ...],
) -> dict[str, float]:
    """The numbers logged to MLflow (``monitor.`` keys; missing ones are left out)."""
    act = PSI_BANDS[-1][0]
    frame = drift.features
    values: dict[str, float | None] = {
        "rows": float(drift.n_current),
        "score_psi": None if drift.score is None else drift.score["psi"],
        "score_mean": None if drift.score is None else drift.score["mean_current"],
        "feature_psi_max": float(frame["psi"].max()) if len(frame) else None,
        "features_flagged": float(len(drift.flagged)),
        "features_act": float((frame["band"] == act).sum()),
        "auc": auc_current,
        "auc_reference": auc_reference,
        "auc_drop": (
            auc_reference - auc_current
            if auc_reference is not None and auc_current is not None
            else None
        ),
        "needs_review": float(status.needs_review),
    }
    latest = _latest_complete(total)
    if latest is not None:
        for name in LOGGED_KPIS:
            values[f"kpi.{name}"] = finite_or_none(latest[name])
    values.update(_group_kpis(kpis, by))
    return {
        f"{METRIC_PREFIX}{k}": float(v)
        for k, v in values.items()
        if v is not None and math.isfinite(v)
    }


# ---------------------------------------------------------------- MLflow


def log_monitoring(result: MonitorResult, tracking: TrackingConfig) -> str:
    """Log ``result`` to its model's run: the ``monitor.`` metrics (timestamp of the check,
    step = number of earlier checks), the report and ``summary.json`` under
    ``monitoring/<date>/``, and the tags ``monitor.needs_review`` and ``monitor.last_checked``.
    Returns the report's ``runs:/`` address."""
    import mlflow

    from ..tracking import use_tracking

    uri = use_tracking(tracking)
    client = mlflow.MlflowClient(uri, uri)
    history = client.get_metric_history(result.run_id, f"{METRIC_PREFIX}needs_review")
    step = len(history)
    stamp = int(result.checked_at.timestamp() * 1000)
    for key, value in result.metrics.items():
        client.log_metric(result.run_id, key, value, timestamp=stamp, step=step)
    folder = f"{REFERENCE_DIR}/{result.checked_at:%Y-%m-%d}"
    with tempfile.TemporaryDirectory(prefix="collectscore-monitor-") as scratch:
        local = Path(scratch)
        (local / REPORT_FILE).write_bytes(result.path.read_bytes())
        (local / SUMMARY_FILE).write_text(
            json.dumps(_clean(result.to_dict()), indent=2, allow_nan=False), encoding="utf-8"
        )
        client.log_artifacts(result.run_id, str(local), artifact_path=folder)
    report = f"runs:/{result.run_id}/{folder}/{REPORT_FILE}"
    logged = LoggedReview(
        needs_review=result.status.needs_review,
        checked_at=result.checked_at.isoformat(),
        headline=result.headline,
        report=report,
    )
    for key, value in logged.to_tags().items():
        client.set_tag(result.run_id, key, value)
    return report


#: Longest tag value written (MLflow's limit is 5,000 characters on SQL stores).
_TAG_LIMIT = 4000


@dataclass(frozen=True)
class LoggedReview:
    """The last monitoring verdict, as the tags of the champion's run carry it.

    :func:`log_monitoring` writes it; the service's ``GET /model`` and ``/metrics`` read it
    back with :meth:`from_tags`, so a check logged after the service started shows at once.
    """

    needs_review: bool
    checked_at: str
    headline: str
    report: str | None = None

    #: Field -> run tag (the one place the names are declared).
    TAGS: ClassVar[dict[str, str]] = {
        "needs_review": f"{METRIC_PREFIX}needs_review",
        "checked_at": f"{METRIC_PREFIX}last_checked",
        "headline": f"{METRIC_PREFIX}headline",
        "report": f"{METRIC_PREFIX}report",
    }

    def to_tags(self) -> dict[str, str]:
        values = {
            "needs_review": str(self.needs_review).lower(),
            "checked_at": self.checked_at,
            "headline": _shorten(self.headline),
            "report": self.report or "",
        }
        return {self.TAGS[k]: v for k, v in values.items()}

    @classmethod
    def from_tags(cls, tags: Mapping[str, str]) -> LoggedReview | None:
        """The review the tags record; ``None`` when the run was never monitored."""
        flag = tags.get(cls.TAGS["needs_review"])
        if flag not in ("true", "false"):
            return None
        return cls(
            needs_review=flag == "true",
            checked_at=tags.get(cls.TAGS["checked_at"], ""),
            headline=tags.get(cls.TAGS["headline"], ""),
            report=tags.get(cls.TAGS["report"]) or None,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "needs_review": self.needs_review,
            "checked_at": self.checked_at,
            "headline": self.headline,
            "report": self.report,
        }


def _shorten(text: str) -> str:
    return text if len(text) <= _TAG_LIMIT else text[: _TAG_LIMIT - 1] + "\u2026"


def _clean(value: Any) -> Any:
    """``value`` as strict JSON: NaN and infinity become ``None``, numpy scalars Python ones."""
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp | dt.date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
