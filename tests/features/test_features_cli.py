"""`collectscore features` and `collectscore signals` on a data folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

from collectscore.features import catalog


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "collectscore", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_features_and_signals_from_the_committed_sample(repo_root: Path, tmp_path: Path) -> None:
    sample = repo_root / "data" / "sample"
    out = tmp_path / "features.parquet"
    result = run("features", sample, "--out", out)
    assert result.returncode == 0, result.stderr
    table = pd.read_parquet(out)
    debtors = pd.read_parquet(sample / "debtors.parquet")
    assert len(table) == len(debtors)
    assert list(table.columns) == ["debtor_id", "as_of", *catalog()["name"]]

    signals, events = tmp_path / "signals.csv", tmp_path / "events.csv"
    result = run("signals", sample, "--out", signals, "--events", events)
    assert result.returncode == 0, result.stderr
    assert "income-drop alerts" in result.stdout
    assert {"has_funds", "next_income_date", "income_drop_alert"} <= set(
        pd.read_csv(signals).columns
    )
    assert len(pd.read_csv(events)) > 0


def test_an_unknown_output_format_is_refused(repo_root: Path, tmp_path: Path) -> None:
    result = run("features", repo_root / "data" / "sample", "--out", tmp_path / "f.xlsx")
    assert result.returncode == 2
    assert ".parquet or .csv" in result.stderr
