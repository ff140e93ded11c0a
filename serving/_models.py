"""The serving models: the champions of the registry, loaded once and swapped whole on reload."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from collectscore.scoring import DecisionModels, load_decision_models
from collectscore.tracking import ModelVersionInfo, TrackingConfig

from ._config import ServiceConfig

#: Run metrics ``GET /model`` shows (measured on the training run's test period).
KEY_METRICS = tuple(f"test_{m}" for m in ("auc", "gini", "ks", "brier", "log_loss", "ece", "n"))


@dataclass(frozen=True)
class ModelBundle:
    """Everything a request is scored with. A reload builds a new bundle and replaces the
    service's reference to it: a request keeps the bundle it started with."""

    models: DecisionModels
    cards: dict[str, dict[str, Any]]
    needed_features: tuple[str, ...]
    loaded_at: str

    def versions(self) -> tuple[str, str | None]:
        contact = self.models.contact_info
        return self.models.propensity_info.version, contact.version if contact else None

    def ref(self, role: str) -> dict[str, str]:
        """``{"name", "version", "alias"}`` of the ``propensity`` or ``contact`` model."""
        info = self.models.propensity_info if role == "propensity" else self.models.contact_info
        assert info is not None
        return {"name": info.name, "version": info.version, "alias": self.models.alias}

    def info(self, reviews: Mapping[str, dict[str, Any]] | None = None) -> dict[str, Any]:
        """What ``GET /model`` returns; ``reviews`` (role -> review) from :func:`read_reviews`."""
        cards = {
            role: {**card, "review": (reviews or {}).get(role)} for role, card in self.cards.items()
        }
        return {"alias": self.models.alias, "loaded_at": self.loaded_at, "models": cards}


def tracking_config(config: ServiceConfig) -> TrackingConfig:
    """The MLflow store of the service (``MLFLOW_TRACKING_URI`` wins when set)."""
    return TrackingConfig(root=config.tracking_root)


def load_bundle(config: ServiceConfig) -> ModelBundle:
    """Load the ``alias`` versions of both models with their registry and run details."""
    from collectscore.features import registry
    from collectscore.strategy._assign import _FEATURES as STRATEGY_FEATURES

    tracking = tracking_config(config)
    models = load_decision_models(
        tracking,
        propensity=config.propensity_model,
        contact=config.contact_model,
        alias=config.alias,
    )
    catalogue = set(registry())
    needed = [str(c) for c in models.propensity.feature_names_in_]
    contact_features = [str(c) for c in getattr(models.contact, "feature_names_in_", [])]
    needed += [c for c in contact_features if c in catalogue]
    needed += list(STRATEGY_FEATURES)
    cards = {"propensity": _card(models.propensity_info, models.propensity, tracking)}
    if models.contact_info is not None:
        cards["contact"] = _card(models.contact_info, models.contact, tracking)
    return ModelBundle(
        models=models,
        cards=cards,
        needed_features=tuple(dict.fromkeys(needed)),
        loaded_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )


def registered_versions(config: ServiceConfig) -> tuple[str | None, str | None]:
    """The versions carrying the alias now (a cheap registry lookup, no model loaded)."""
    from collectscore.tracking import registered_version

    tracking = tracking_config(config)
    found = []
    for name in (config.propensity_model, config.contact_model):
        info = registered_version(name, config.alias, config=tracking)
        found.append(info.version if info is not None else None)
    return found[0], found[1]


#: What ``GET /model`` says of a model whose run carries no monitoring check.
NEVER_MONITORED = "Never monitored: run `collectscore monitor` on a scoring batch"


def read_reviews(bundle: ModelBundle, config: ServiceConfig) -> dict[str, dict[str, Any]]:
    """The last monitoring verdict of each serving model (role -> review), read from the tags
    of its training run now: a check logged after the service started shows at once.

    ``needs_review`` is ``None`` when the run was never monitored or the tracking store could
    not be read; ``headline`` then says which.
    """
    import mlflow

    from collectscore.monitoring import LoggedReview

    uri = tracking_config(config).resolved_uri()
    client = mlflow.MlflowClient(uri, uri)
    out: dict[str, dict[str, Any]] = {}
    for role, card in bundle.cards.items():
        try:
            logged = LoggedReview.from_tags(client.get_run(card["run_id"]).data.tags)
        except Exception as exc:  # the models keep serving; the answer says why it is unknown
            out[role] = _unknown(f"Review status unreadable: {type(exc).__name__}: {exc}"[:500])
            continue
        out[role] = logged.to_dict() if logged is not None else _unknown(NEVER_MONITORED)
    return out


def _unknown(headline: str) -> dict[str, Any]:
    return {"needs_review": None, "checked_at": None, "headline": headline, "report": None}


def _card(info: ModelVersionInfo, model: Any, tracking: TrackingConfig) -> dict[str, Any]:
    import mlflow

    uri = tracking.resolved_uri()
    client = mlflow.MlflowClient(uri, uri)
    trained_at = None
    metrics: dict[str, float] = {}
    try:
        run = client.get_run(info.run_id)
        trained_at = dt.datetime.fromtimestamp(run.info.start_time / 1000, dt.UTC).isoformat(
            timespec="seconds"
        )
        metrics = {k: float(v) for k, v in run.data.metrics.items() if k in KEY_METRICS}
    except Exception:  # a registry without the run (e.g. copied models): no details
        pass
    aliases = list(client.get_model_version(info.name, info.version).aliases)
    return {
        "name": info.name,
        "version": info.version,
        "aliases": aliases,
        "run_id": info.run_id,
        "trained_at": trained_at,
        "metrics": metrics,
        "features": [str(c) for c in getattr(model, "feature_names_in_", [])],
    }
