"""``collectscore monitor DIR``: a short summary with the review line, the report, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from monitordata import Store

from collectscore._cli import EXIT_BAD_INPUT, main


def _run(args: list[str | Path], monkeypatch: pytest.MonkeyPatch) -> int:
    # the command quiets MLflow's progress bar through the environment: keep that local
    monkeypatch.setenv("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    with pytest.raises(SystemExit) as exit_:
        main([str(a) for a in args])
    return int(exit_.value.code or 0)


def test_monitor_prints_the_review_line_drift_and_auc_and_writes_the_report(
    store: Store,
    batches: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "monitor.html"
    code = _run(
        ["monitor", batches["shock"], "--tracking-root", store.root, "--out", out,
         "--score-psi-max", "0.1", "--auc-drop-max", "0.1", "--no-log"],
        monkeypatch,
    )  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    lines = printed.splitlines()
    assert lines[0].startswith("Needs review: score PSI 0.1")
    assert "(watch)" in lines[1] and "score PSI" in lines[1]
    assert "most urgent drifting features" in printed
    assert "realised AUC: 0." in printed
    assert f"report written to {out} (not logged)" in printed
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_a_missing_folder_exits_2_naming_the_folder_and_the_tables_it_needs(
    store: Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    missing = tmp_path / "no-such-batch"
    code = _run(
        ["monitor", missing, "--tracking-root", store.root, "--out", tmp_path / "m.html"],
        monkeypatch,
    )
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT
    assert "no folder" in err and "no-such-batch" in err
    assert "transactions" in err and "debtors" in err
    assert "Traceback" not in err
    assert not (tmp_path / "m.html").exists()


def test_a_threshold_out_of_range_exits_2_naming_the_setting(
    batches: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code = _run(
        ["monitor", batches["same"], "--tracking-root", tmp_path, "--auc-drop-max", "1.5"],
        monkeypatch,
    )
    assert code == EXIT_BAD_INPUT
    assert "auc_drop_max" in capsys.readouterr().err
