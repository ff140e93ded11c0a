"""The model commands end to end: train, promote and score from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
CLI = [sys.executable, "-m", "collectscore"]


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    return subprocess.run(
        [*CLI, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=600, env=env
    )


def test_train_promote_and_score_with_the_champion(tmp_path: Path) -> None:
    trained = run("train", "propensity", "--data", SAMPLE, "--trials", "2", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    for text in ("scorecard baseline", "days-past-due rule", "auc", "brier", "ece"):
        assert text in trained.stdout
    assert "registered propensity version 1 as challenger" in trained.stdout
    # the embedded store sits in the working folder: no server, nothing else to set up
    assert (tmp_path / "mlflow.db").is_file() and (tmp_path / "mlruns").is_dir()

    promoted = run("promote", "propensity", cwd=tmp_path)
    assert promoted.returncode == 0, promoted.stderr
    assert "version 1 becomes the first champion" in promoted.stdout

    scored = run("score", SAMPLE, "--out", "scores.parquet", cwd=tmp_path)
    assert scored.returncode == 0, scored.stderr
    scores = pd.read_parquet(tmp_path / "scores.parquet")
    assert list(scores.columns) == [
        "debtor_id",
        "as_of",
        "model",
        "model_version",
        "model_alias",
        "p_pay",
        "risk_band",
    ]
    assert scores["p_pay"].between(0, 1).all() and (scores["model_alias"] == "champion").all()


def test_a_scores_file_of_another_kind_is_refused_before_any_work(tmp_path: Path) -> None:
    result = run("score", SAMPLE, "--out", "scores.xlsx", cwd=tmp_path)
    assert result.returncode == 2
    assert "--out must end in .parquet or .csv; got 'scores.xlsx'" in result.stderr
    assert not (tmp_path / "mlflow.db").exists()


def test_scoring_before_any_champion_says_what_to_do(tmp_path: Path) -> None:
    result = run("score", SAMPLE, "--out", "s.parquet", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "no registered model named 'propensity'" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--features", "t.csv"), "--features needs --target COLUMN"),
        (("--data", "x", "--features", "t.csv", "--target", "y"), "not both"),
        (("--data", "x", "--target", "y"), "--target only apply to a table"),
        ((), "say what to train on"),
        (("--data", "x", "--calibration", "isotonik"), "did you mean 'isotonic'"),
    ],
)
def test_bad_training_arguments_exit_2_with_the_fix(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = run("train", "propensity", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
