"""MLflow tracking and the model registry, against a real local SQLite store."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest

from collectscore._errors import ConfigError, ContractError
from collectscore.models import PropensityModel
from collectscore.tracking import (
    CHALLENGER,
    CHAMPION,
    ModelVersionInfo,
    PromotionDecision,
    PropensityPyfunc,
    TrackingConfig,
    data_fingerprint,
    load_champion,
    log_model_run,
    promote,
    use_tracking,
)

FEATURES = ["balance_trend", "income_regularity", "gambling_share"]


def _frame(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, len(FEATURES))), columns=FEATURES)
    logit = 2.0 * X["balance_trend"] + 1.0 * X["income_regularity"] - X["gambling_share"]
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit.to_numpy()))).astype(int)
    return X, y


def _fit(X: pd.DataFrame, y: np.ndarray, seed: int = 0) -> PropensityModel:
    model = PropensityModel(n_estimators=25, early_stopping_rounds=None, random_state=seed)
    return model.fit(X, y)


@dataclass
class Story:
    """One registry history: noisy v1 -> shuffled-label v2 -> clean v3 -> v4 under a wide margin."""

    config: TrackingConfig
    X_train: pd.DataFrame
    y_train: np.ndarray
    X_holdout: pd.DataFrame
    y_holdout: np.ndarray
    models: dict[str, PropensityModel]
    logged: dict[str, ModelVersionInfo]
    decisions: dict[str, PromotionDecision]
    aliases_after: dict[str, dict[str, str]]


def _aliases(config: TrackingConfig, name: str = "propensity") -> dict[str, str]:
    uri = config.resolved_uri()
    model = mlflow.MlflowClient(uri, uri).get_registered_model(name)
    return {alias: str(version) for alias, version in model.aliases.items()}


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Story:
    old_env = os.environ.pop("MLFLOW_TRACKING_URI", None)
    root = tmp_path_factory.mktemp("project")
    config = TrackingConfig(root=root)
    X_train, y_train = _frame(300, seed=1)
    X_holdout, y_holdout = _frame(300, seed=2)
    rng = np.random.default_rng(3)
    noisy = np.where(rng.random(len(y_train)) < 0.35, 1 - y_train, y_train)
    labels = {
        "noisy": noisy,
        "shuffled": rng.permutation(y_train),
        "clean": y_train,
        "wide_margin": y_train,
    }
    notes = root / "notes.txt"
    notes.write_text("trained on synthetic debtors\n")
    story = Story(config, X_train, y_train, X_holdout, y_holdout, {}, {}, {}, {})
    for step, y in labels.items():
        model = _fit(X_train, y, seed=7 if step == "wide_margin" else 0)
        story.models[step] = model
        story.logged[step] = log_model_run(
            model,
            X_train,
            y,
            metrics={"train_rows": float(len(y))},
            params={"labels": step},
            config=config,
            tags={"step": step},
            artifacts={"docs": notes},
        )
        margin = 0.5 if step == "wide_margin" else 0.0
        story.decisions[step] = promote(
            "propensity", X_holdout, y_holdout, config=config, margin=margin
        )
        story.aliases_after[step] = _aliases(config)
    yield story
    if old_env is not None:
        os.environ["MLFLOW_TRACKING_URI"] = old_env


# ------------------------------------------------------------------ config
def test_the_embedded_store_is_sqlite_in_root_and_an_explicit_uri_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert TrackingConfig(root=tmp_path).resolved_uri() == f"sqlite:///{tmp_path / 'mlflow.db'}"
    assert TrackingConfig(root=tmp_path).artifact_location() == (tmp_path / "mlruns").as_uri()
    explicit = TrackingConfig(root=tmp_path, tracking_uri="sqlite:////elsewhere/x.db")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:////from/env.db")
    assert explicit.resolved_uri() == "sqlite:////elsewhere/x.db"


def test_two_stores_in_one_process_each_keep_their_own_runs_and_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("MLFLOW_REGISTRY_URI", raising=False)
    X, y = _frame(300, 5)
    model = _fit(X, y)
    stores = [TrackingConfig(root=tmp_path / name) for name in ("a", "b")]
    logged = [log_model_run(model, X, y, metrics={}, params={}, config=c) for c in stores]
    assert [info.version for info in logged] == ["1", "1"]
    for config, info in zip(stores, logged, strict=True):
        client = mlflow.MlflowClient(config.resolved_uri(), config.resolved_uri())
        assert [v.run_id for v in client.search_model_versions("name='propensity'")] == [
            info.run_id
        ]
    assert "MLFLOW_TRACKING_URI" not in os.environ  # the user's environment is left alone


def test_mlflow_tracking_uri_from_the_environment_is_honoured(
    story: Story, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = story.config.resolved_uri()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    elsewhere = TrackingConfig(root=tmp_path / "unused")
    assert elsewhere.resolved_uri() == uri
    assert use_tracking(elsewhere) == uri
    champion = load_champion("propensity", config=elsewhere)
    assert list(champion.predict(story.X_holdout.head(3)).columns) == ["p_pay"]
    assert not (tmp_path / "unused").exists()


def test_importing_the_package_creates_nothing_and_sets_no_uri(tmp_path: Path) -> None:
    code = (
        "import collectscore.tracking, mlflow.tracking._tracking_service.utils as u;"
        "print(u._tracking_uri)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "None"
    assert list(tmp_path.iterdir()) == []


def test_an_unreachable_tracking_server_is_a_config_error(tmp_path: Path) -> None:
    config = TrackingConfig(root=tmp_path, tracking_uri="http://127.0.0.1:9")
    with pytest.raises(ConfigError, match=r"unreachable.*mlflow server"):
        use_tracking(config)


def test_a_sqlite_store_in_a_missing_folder_is_a_config_error(tmp_path: Path) -> None:
    config = TrackingConfig(tracking_uri=f"sqlite:///{tmp_path}/missing/mlflow.db")
    with pytest.raises(ConfigError, match=r"unreachable.*missing"):
        use_tracking(config)


# ------------------------------------------------------------------ logging
def test_the_first_logged_model_is_version_1_with_alias_challenger(story: Story) -> None:
    first = story.logged["noisy"]
    assert (first.name, first.version, first.aliases) == ("propensity", "1", (CHALLENGER,))
    assert [story.logged[s].version for s in ("shuffled", "clean", "wide_margin")] == [
        "2",
        "3",
        "4",
    ]


def test_a_run_holds_params_metrics_fingerprint_commit_and_artifacts(story: Story) -> None:
    info = story.logged["clean"]
    uri = story.config.resolved_uri()
    client = mlflow.MlflowClient(uri, uri)
    run = client.get_run(info.run_id)
    assert run.data.params["labels"] == "clean"
    assert run.data.params["estimator.n_estimators"] == "25"
    assert run.data.metrics["train_rows"] == 300.0
    assert run.data.tags["step"] == "clean"
    fingerprint = run.data.tags["collectscore.training_data_sha256"]
    assert fingerprint == data_fingerprint(story.X_train, story.y_train)
    commit = run.data.tags["collectscore.git_commit"]
    assert commit == "unknown" or re.fullmatch(r"[0-9a-f]{40}", commit)
    assert [a.path for a in client.list_artifacts(info.run_id, "docs")] == ["docs/notes.txt"]
    experiment = client.get_experiment(run.info.experiment_id)
    assert experiment.name == "collectscore-propensity"
    assert experiment.artifact_location == (Path(story.config.root) / "mlruns").as_uri()


def test_the_logged_model_has_a_signature_and_a_five_row_example(story: Story) -> None:
    path = mlflow.artifacts.download_artifacts(
        f"models:/propensity/{story.logged['clean'].version}",
        tracking_uri=story.config.resolved_uri(),
    )
    model = mlflow.models.Model.load(path)
    assert model.signature.inputs.input_names() == FEATURES
    assert model.signature.outputs.input_names() == ["p_pay"]
    example = model.load_input_example(path)
    pd.testing.assert_frame_equal(example, story.X_train.head(5), check_exact=False)


def test_the_fingerprint_changes_when_one_value_changes(story: Story) -> None:
    X = story.X_train.copy()
    before = data_fingerprint(X, story.y_train)
    assert before == data_fingerprint(X.copy(), story.y_train.copy())
    X.iloc[7, 1] += 1e-9
    assert data_fingerprint(X, story.y_train) != before
    assert data_fingerprint(story.X_train, 1 - story.y_train) != before


def test_an_unfitted_model_is_refused_before_anything_is_logged(tmp_path: Path) -> None:
    X, y = _frame(20, seed=0)
    with pytest.raises(ConfigError, match=r"fitted PropensityModel.*not fitted.*fit\(X, y\)"):
        log_model_run(
            PropensityModel(), X, y, metrics={}, params={}, config=TrackingConfig(root=tmp_path)
        )
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ promotion
def test_promoting_the_first_model_makes_it_champion(story: Story) -> None:
    decision = story.decisions["noisy"]
    assert decision.promoted
    assert (decision.challenger_version, decision.champion_version) == ("1", "1")
    assert decision.champion_score is None
    assert "first champion" in decision.reason
    assert story.aliases_after["noisy"] == {CHAMPION: "1", CHALLENGER: "1"}


def test_a_model_trained_on_shuffled_labels_is_refused(story: Story) -> None:
    decision = story.decisions["shuffled"]
    assert not decision.promoted
    assert (decision.challenger_version, decision.champion_version) == ("2", "1")
    assert decision.champion_score is not None
    assert decision.challenger_score < decision.champion_score
    assert "does not beat champion v1" in decision.reason and "auc" in decision.reason
    assert story.aliases_after["shuffled"] == {CHAMPION: "1", CHALLENGER: "2"}


def test_a_better_model_is_promoted(story: Story) -> None:
    decision = story.decisions["clean"]
    assert decision.promoted
    assert (decision.challenger_version, decision.champion_version) == ("3", "3")
    assert decision.champion_score is not None
    assert decision.challenger_score > decision.champion_score
    assert story.aliases_after["clean"] == {CHAMPION: "3", CHALLENGER: "3"}


def test_the_decision_is_logged_on_the_version_and_as_a_run(story: Story) -> None:
    uri = story.config.resolved_uri()
    client = mlflow.MlflowClient(uri, uri)
    tags = client.get_model_version("propensity", "2").tags
    assert tags["promotion.decision"] == "refused"
    assert tags["promotion.champion_version"] == "1"
    assert float(tags["promotion.challenger_score"]) == pytest.approx(
        story.decisions["shuffled"].challenger_score, abs=1e-6
    )
    experiment = client.get_experiment_by_name("collectscore-propensity")
    runs = client.search_runs(
        [experiment.experiment_id], "attributes.run_name = 'promote propensity v2'"
    )
    assert len(runs) == 1
    assert runs[0].data.tags["promotion.decision"] == "refused"
    assert set(runs[0].data.metrics) == {"challenger_auc", "champion_auc"}


def test_a_challenger_must_beat_the_champion_by_more_than_the_margin(story: Story) -> None:
    decision = story.decisions["wide_margin"]
    assert not decision.promoted
    assert (decision.challenger_version, decision.champion_version) == ("4", "3")
    assert "margin 0.5" in decision.reason
    assert story.aliases_after["wide_margin"] == {CHAMPION: "3", CHALLENGER: "4"}


def test_promoting_the_champion_again_changes_nothing(story: Story) -> None:
    uri = story.config.resolved_uri()
    mlflow.MlflowClient(uri, uri).set_registered_model_alias("propensity", CHALLENGER, "3")
    decision = promote("propensity", story.X_holdout, story.y_holdout, config=story.config)
    assert not decision.promoted
    assert decision.champion_version == "3"
    assert "already the champion" in decision.reason


def test_an_unknown_model_name_lists_the_registered_names(story: Story) -> None:
    with pytest.raises(ConfigError, match=r"'propensty'.*did you mean 'propensity'.*registered"):
        promote("propensty", story.X_holdout, story.y_holdout, config=story.config)
    with pytest.raises(ConfigError, match=r"registered: .*'propensity'"):
        load_champion("nope", config=story.config)


def test_promote_without_a_challenger_says_what_to_do(story: Story) -> None:
    uri = story.config.resolved_uri()
    client = mlflow.MlflowClient(uri, uri)
    client.create_registered_model("empty")
    with pytest.raises(ConfigError, match=r"'empty' has no version with the alias 'challenger'"):
        promote("empty", story.X_holdout, story.y_holdout, config=story.config)


def test_an_unknown_metric_is_a_config_error(story: Story) -> None:
    with pytest.raises(ConfigError, match="did you mean 'auc'"):
        promote("propensity", story.X_holdout, story.y_holdout, config=story.config, metric="AUC")


# ------------------------------------------------------------------ serving
def test_the_champion_predicts_exactly_what_the_estimator_predicts(story: Story) -> None:
    champion = load_champion("propensity", config=story.config)
    got = champion.predict(story.X_holdout)
    expected = story.models["clean"].predict_proba(story.X_holdout)[:, 1]
    assert list(got.columns) == ["p_pay"]
    np.testing.assert_array_equal(got["p_pay"].to_numpy(), expected)


def test_the_pyfunc_checks_columns_like_the_estimator(story: Story) -> None:
    wrapper = PropensityPyfunc(story.models["clean"])
    renamed = story.X_holdout.rename(columns={"gambling_share": "gambling_shares"})
    with pytest.raises(ContractError, match=r"features.*missing 'gambling_share'"):
        wrapper.predict(None, renamed)
