"""The command line: every command listed, clear errors, never a bare traceback."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

CLI = [sys.executable, "-m", "collectscore"]


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=600
    )


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("sample", "validate", "demo"):
        assert command in result.stdout


def test_sample_then_validate_succeeds_and_the_same_seed_gives_the_same_bytes(
    tmp_path: Path,
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert run("sample", "--debtors", "2000", "--seed", "7", "--out", first).returncode == 0
    result = run("sample", "--debtors", "2000", "--seed", "7", "--out", second)
    assert result.returncode == 0, result.stderr
    hashes = digests(first)
    assert {
        "transactions.parquet",
        "debtors.parquet",
        "payments.parquet",
        "contacts.parquet",
    } <= set(hashes)
    assert hashes == digests(second)

    checked = run("validate", first)
    assert checked.returncode == 0, checked.stderr
    assert "valid" in checked.stdout


def test_validate_lists_every_problem_and_exits_2_without_a_traceback(tmp_path: Path) -> None:
    pd.DataFrame(
        {"account_id": ["a1", "a1"], "booked_at": ["2026-01-05", "2026-01-06"], "amout": [1.0, 2.0]}
    ).to_csv(tmp_path / "transactions.csv", index=False)
    pd.DataFrame(
        {
            "debtor_id": ["d1"],
            "account_id": ["a1"],
            "as_of": ["2026-01-31"],
            "outstanding": [-5.0],
            "days_past_due": [3],
        }
    ).to_csv(tmp_path / "debtors.csv", index=False)
    result = run("validate", tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    message = " ".join(result.stderr.split())
    assert "transactions" in message and "amount" in message and "amout" in message
    assert "debtors" in message and "outstanding" in message


def test_validate_a_folder_that_does_not_exist_says_so(tmp_path: Path) -> None:
    result = run("validate", tmp_path / "nowhere")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "nowhere" in result.stderr


def test_bad_arguments_are_usage_errors_not_tracebacks(tmp_path: Path) -> None:
    result = run("sample", "--debtors", "0", "--out", tmp_path / "x")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "debtors" in result.stderr


@pytest.mark.parametrize("args", [("validate",), ("sample",)])
def test_missing_arguments_are_explained(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "Missing" in result.stderr
