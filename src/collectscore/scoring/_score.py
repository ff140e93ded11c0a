"""Score debtor snapshots with a registered propensity model (the champion by default)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._data import Dataset
from .._errors import EXAMPLE_ROWS, ConfigError, ContractError, Problem
from ._bands import risk_band

if TYPE_CHECKING:
    from ..tracking import ModelVersionInfo, TrackingConfig

#: The columns a score adds to the snapshot keys, in order.
SCORE_COLUMNS: tuple[str, ...] = ("model", "model_version", "model_alias", "p_pay", "risk_band")


def load_registered(
    name: str = "propensity",
    *,
    config: TrackingConfig,
    alias: str = "champion",
    version: str | int | None = None,
) -> tuple[Any, ModelVersionInfo]:
    """The pyfunc model of ``name`` at ``alias`` (or the exact ``version``) and its registry entry."""
    import mlflow
    from mlflow.exceptions import MlflowException

    from ..tracking import ModelVersionInfo, registered_version, use_tracking

    if version is not None:
        uri = use_tracking(config)
        registered_version(name, alias, config=config)  # a clear error for an unknown name
        try:
            mv = mlflow.MlflowClient(uri, uri).get_model_version(name, str(version))
        except MlflowException as exc:
            raise ConfigError(
                f"model '{name}' has no version {version!r}. Fix: list the versions with "
                "`mlflow ui`, or leave the version out to use the champion."
            ) from exc
        info = ModelVersionInfo(name, str(mv.version), str(mv.run_id), tuple(mv.aliases))
        target = f"models:/{name}/{info.version}"
    else:
        found = registered_version(name, alias, config=config)
        if found is None:
            raise ConfigError(
                f"model '{name}' has no version with the alias '{alias}'. Fix: train one "
                f"(`collectscore train propensity ...`) and promote it "
                f"(`collectscore promote {name}`), or pass a version."
            )
        info = found
        target = f"models:/{name}@{alias}"
    return mlflow.pyfunc.load_model(target), info


def score_features(
    features: pd.DataFrame,
    model: Any,
    info: ModelVersionInfo,
    *,
    alias: str | None = None,
    explain: int | None = None,
    language: str = "en",
) -> pd.DataFrame:
    """One row per row of ``features``: its index as columns, then :data:`SCORE_COLUMNS`.

    Only the columns the model was trained on are passed to it; a missing one is a
    ``ContractError`` naming it. With ``explain=k`` the top ``k`` reasons lowering and
    raising p_pay are added (:data:`collectscore.explanations.SCORE_REASON_COLUMNS`: JSON lists
    ``reasons_lowering`` / ``reasons_raising`` and the text ``top_reason``), in ``language``
    ("en" or "es").
    """
    if not isinstance(features, pd.DataFrame):
        raise ConfigError(f"features must be a DataFrame; got {type(features).__name__}")
    _check_explain(explain, language)
    schema = model.metadata.get_input_schema()
    needed = list(schema.input_names()) if schema is not None else list(features.columns)
    require_features(
        features,
        needed,
        info,
        "score data like the training data: a contract data folder for a model trained with "
        "--data, a table with the same columns for one trained with --features",
    )
    p = np.asarray(model.predict(features[needed])["p_pay"], dtype=float)
    out = features.index.to_frame(index=False)
    if list(out.columns) == [None]:
        out.columns = ["row"]
    out["model"] = info.name
    out["model_version"] = info.version
    out["model_alias"] = alias if alias is not None else ",".join(info.aliases)
    out["p_pay"] = p
    out["risk_band"] = risk_band(p)
    if explain is not None:
        from ..explanations import explain as explain_model
        from ..explanations import reason_columns

        reasons = reason_columns(
            explain_model(model, features[needed]),
            k=explain,
            language=language,  # type: ignore[arg-type]
        )
        for column in reasons.columns:
            out[column] = reasons[column].to_numpy()
    return out


def score_dataset(
    data: Dataset,
    *,
    config: TrackingConfig,
    name: str = "propensity",
    alias: str = "champion",
    version: str | int | None = None,
    explain: int | None = None,
    language: str = "en",
) -> pd.DataFrame:
    """Build the point-in-time features of every snapshot in ``data`` and score them
    (with ``explain=k``, also their top ``k`` reason codes in ``language``)."""
    from ..features import build_features

    if not isinstance(data, Dataset):
        raise ConfigError(
            f"data must be a validated Dataset (cs.validate or cs.read_dir + validate); got "
            f"{type(data).__name__}"
        )
    _check_explain(explain, language)
    model, info = load_registered(name, config=config, alias=alias, version=version)
    features = build_features(
        data.transactions, data.debtors, contacts=data.contacts, payments=data.payments
    )
    return score_features(
        features,
        model,
        info,
        alias=None if version is not None else alias,
        explain=explain,
        language=language,
    )


def _check_explain(explain: int | None, language: str) -> None:
    """Refuse a bad ``explain`` / ``language`` before any model is loaded."""
    if explain is not None:
        from ..explanations._reasons import check_options

        check_options(explain, language)


def require_features(
    features: pd.DataFrame, needed: list[str], info: ModelVersionInfo, fix: str
) -> None:
    """ContractError naming the columns of ``needed`` that ``features`` lacks, with ``fix``."""
    missing = [c for c in needed if c not in features.columns]
    if not missing:
        return
    shown = ", ".join(f"'{c}'" for c in missing[:EXAMPLE_ROWS])
    more = f" (+{len(missing) - EXAMPLE_ROWS} more)" if len(missing) > EXAMPLE_ROWS else ""
    raise ContractError(
        [
            Problem(
                "features",
                None,
                f"the {len(needed)} columns {info.name} v{info.version} was trained on",
                f"missing {shown}{more}",
                fix,
            )
        ]
    )
