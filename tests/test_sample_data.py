"""The committed sample in data/sample is valid and is exactly what its config generates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import collectscore as cs
from collectscore.datasets import SAMPLE_CONFIG
from collectscore.synthetic import generate, write_sample


def test_the_committed_sample_is_what_its_config_generates(
    repo_root: Path, regenerate_golden: bool
) -> None:
    folder = repo_root / "data" / "sample"
    if regenerate_golden:
        shutil.rmtree(folder, ignore_errors=True)
        write_sample(SAMPLE_CONFIG, folder)
    committed = cs.read_dir(folder)
    fresh = generate(SAMPLE_CONFIG)
    for name, frame in fresh.tables().items():
        pd.testing.assert_frame_equal(committed.tables()[name], frame, obj=name)
    for name, frame in fresh.truth.items():
        pd.testing.assert_frame_equal(committed.truth[name], frame, obj=f"truth/{name}")


def test_the_sample_loads_validated_with_its_ground_truth(repo_root: Path) -> None:
    data = cs.datasets.load_sample(repo_root / "data" / "sample")
    assert data.debtors["debtor_id"].nunique() == SAMPLE_CONFIG.debtors
    assert {"debtors", "transactions", "contact_success"} <= set(data.truth)
    assert data.payments is not None and data.contacts is not None
    assert (
        1 * 2**20
        < sum(f.stat().st_size for f in (repo_root / "data" / "sample").rglob("*"))
        < 8 * 2**20
    )


def test_a_missing_sample_folder_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(cs.ContractError, match="collectscore sample --debtors 300 --seed 42"):
        cs.datasets.load_sample(tmp_path / "nowhere")
