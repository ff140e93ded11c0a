"""Scores with reason codes: the library's score functions and `collectscore score --explain`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from explaincases import SAMPLE, Trained, logistic_labels

from collectscore._errors import ConfigError
from collectscore.explanations import SCORE_REASON_COLUMNS, explain, reason_codes
from collectscore.models import PropensityModel
from collectscore.scoring import score_features
from collectscore.tracking import TrackingConfig, log_model_run, promote

CLI = [sys.executable, "-m", "collectscore"]


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    return subprocess.run(
        [*CLI, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=600, env=env
    )


def run_here(*args: str | Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """The CLI in this process (no interpreter start-up): exit code and stderr."""
    from collectscore._cli import main

    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


@pytest.fixture(scope="module")
def store(sample_model: Trained, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder whose MLflow store has the sample model as the propensity champion."""
    old = {k: os.environ.pop(k) for k in [k for k in os.environ if k.startswith("MLFLOW_")]}
    root = tmp_path_factory.mktemp("project")
    config = TrackingConfig(root=root)
    log_model_run(
        sample_model.model, sample_model.X, sample_model.y, metrics={}, params={}, config=config
    )
    promote("propensity", sample_model.X, sample_model.y, config=config)
    os.environ.update(old)
    return root


def test_score_features_adds_the_reasons_of_each_debtor(
    sample_model: Trained, store: Path, no_tracking_env: None
) -> None:
    from collectscore.scoring import load_registered

    model, info = load_registered(config=TrackingConfig(root=store))
    rows = sample_model.X.iloc[:25]
    scored = score_features(rows, model, info, explain=3, language="es")
    assert list(scored.columns[-3:]) == list(SCORE_REASON_COLUMNS)
    expected = reason_codes(explain(sample_model.model, rows), k=3, language="es")
    for i, label in enumerate(rows.index):
        mine = expected[expected["row"] == label]
        lowering = json.loads(scored.loc[i, "reasons_lowering"])
        assert [r["code"] for r in lowering] == list(
            mine.loc[mine["direction"] == "lowers", "code"]
        )
        raising = json.loads(scored.loc[i, "reasons_raising"])
        assert [r["text"] for r in raising] == list(mine.loc[mine["direction"] == "raises", "text"])
        first = mine.iloc[0]["text"] if len(mine) else None
        assert scored.loc[i, "top_reason"] == first
    plain = score_features(rows, model, info)
    assert "top_reason" not in plain
    np.testing.assert_array_equal(plain["p_pay"], scored["p_pay"])


def test_bad_explain_options_are_refused_before_scoring(
    sample_model: Trained, store: Path, no_tracking_env: None
) -> None:
    from collectscore.scoring import load_registered

    model, info = load_registered(config=TrackingConfig(root=store))
    with pytest.raises(ConfigError, match="did you mean 'es'"):
        score_features(sample_model.X.iloc[:3], model, info, explain=2, language="ES")
    with pytest.raises(ConfigError, match="whole number >= 1"):
        score_features(sample_model.X.iloc[:3], model, info, explain=0)


def test_the_score_command_explains_with_the_champion(store: Path) -> None:
    scored = run(
        "score", SAMPLE, "--out", "scores.parquet", "--explain", "--reasons", "2", cwd=store
    )
    assert scored.returncode == 0, scored.stderr
    table = pd.read_parquet(store / "scores.parquet")
    assert list(table.columns[:2]) == ["debtor_id", "as_of"]
    assert list(table.columns[-3:]) == list(SCORE_REASON_COLUMNS)
    lists = table["reasons_lowering"].map(json.loads)
    assert lists.map(len).between(0, 2).all() and lists.map(len).max() == 2
    first = lists[lists.map(len) > 0].iloc[0][0]
    assert first["code"].startswith("CS-") and first["contribution"] < 0
    assert table["top_reason"].notna().all()


def test_the_score_command_explains_a_bring_your_own_table_in_spanish(
    tmp_path: Path, no_tracking_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(2)
    n = 1200
    frame = pd.DataFrame(
        {
            "customer": [f"C{i:04d}" for i in range(n)],
            "utilisation": rng.uniform(0, 1.2, n),
            "days_past_due": rng.integers(0, 90, n).astype(float),
        }
    )
    y = logistic_labels(1.5 - 2.5 * frame["utilisation"].to_numpy(), seed=3)
    X = frame.set_index("customer")
    model = PropensityModel(n_estimators=40, random_state=0).fit(X, y)
    config = TrackingConfig(root=tmp_path)
    log_model_run(model, X, y, metrics={}, params={}, config=config)
    promote("propensity", X, y, config=config)
    frame.to_csv(tmp_path / "table.csv", index=False)
    code, err = run_here(
        "score", "--features", tmp_path / "table.csv", "--id", "customer",
        "--out", tmp_path / "s.csv", "--explain", "--language", "es",
        "--tracking-root", tmp_path, capsys=capsys,
    )  # fmt: skip
    assert code == 0, err
    table = pd.read_csv(tmp_path / "s.csv")
    worst = table.loc[frame["utilisation"].idxmax()]
    reasons = json.loads(worst["reasons_lowering"])
    assert reasons[0]["code"] == "X-utilisation"
    assert reasons[0]["text"].endswith("lo que reduce la probabilidad de pago")


def test_reason_options_without_explain_exit_2_with_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ("score", SAMPLE, "--out", tmp_path / "s.parquet", "--tracking-root", tmp_path)
    code, err = run_here(*common, "--language", "es", capsys=capsys)
    assert code == 2 and "--reasons and --language only apply with --explain" in err
    code, err = run_here(*common, "--explain", "--language", "de", capsys=capsys)
    assert code == 2 and "language must be one of 'en', 'es'" in err
    assert not (tmp_path / "mlflow.db").exists()


def test_a_pyfunc_from_a_real_mlflow_store_is_explained_like_the_estimator(
    sample_model: Trained, store: Path, no_tracking_env: None
) -> None:
    from collectscore.scoring import load_registered

    pyfunc, _ = load_registered(config=TrackingConfig(root=store))
    rows = sample_model.X.iloc[:60]
    direct, loaded = explain(sample_model.model, rows), explain(pyfunc, rows)
    pd.testing.assert_frame_equal(direct.contributions, loaded.contributions)
    np.testing.assert_array_equal(direct.p_pay, loaded.p_pay)
    pd.testing.assert_frame_equal(reason_codes(direct), reason_codes(loaded))
    wrapper = explain(pyfunc.unwrap_python_model(), rows)
    pd.testing.assert_frame_equal(direct.contributions, wrapper.contributions)
