"""The public package: one documented surface, and no side effects on import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import collectscore as cs


def test_every_public_name_exists() -> None:
    missing = [name for name in cs.__all__ if not hasattr(cs, name)]
    assert missing == []


def test_importing_the_package_creates_nothing_and_configures_nothing(tmp_path: Path) -> None:
    probe = (
        "import json, logging, os, sys, warnings\n"
        "warnings.simplefilter('error')\n"
        # third-party libraries set their own variables on import (polars, scikit-learn):
        # import them first, so that only collectscore's own effects are seen. pandera is
        # left to collectscore, which imports it without its Spark settings.
        "import pandas, polars, pyarrow, sklearn, sklearn.metrics\n"
        "before = set(os.listdir('.'))\n"
        "env = dict(os.environ)\n"
        "handlers = list(logging.getLogger().handlers)\n"
        "import collectscore, collectscore.datasets, collectscore.synthetic\n"
        "print(json.dumps({'files': sorted(set(os.listdir('.')) - before),\n"
        "  'handlers': len(logging.getLogger().handlers) - len(handlers),\n"
        "  'env_changed': sorted(set(os.environ.items()) ^ set(env.items())),\n"
        "  'pandas_on_spark': 'pyspark.pandas' in sys.modules}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout) == {
        "files": [], "handlers": 0, "env_changed": [], "pandas_on_spark": False,
    }  # fmt: skip


def test_validating_after_pyspark_was_loaded_leaves_pandas_on_spark_unimported(
    tmp_path: Path,
) -> None:
    probe = (
        "import sys, warnings\n"
        "warnings.simplefilter('error')\n"
        "import collectscore\n"
        "import pyspark\n"  # MLflow's pyfunc loads it, e.g. before a monitoring check
        "from collectscore.synthetic import SampleConfig, generate\n"
        "collectscore.validate_dataset(generate(SampleConfig(debtors=20, seed=1)))\n"
        "print('pyspark.pandas' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "False"


def test_the_package_list_names_every_package_folder(repo_root: Path) -> None:
    import tomllib

    config = tomllib.loads((repo_root / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    folders = {
        name: repo_root / path
        for name, path in config["package-dir"].items()
        if name  # "" is the src root
    }
    found = {
        ".".join(p.parent.relative_to(repo_root / "src").parts)
        for p in (repo_root / "src").rglob("__init__.py")
    }
    for name, folder in folders.items():
        found |= {
            ".".join((name, *p.parent.relative_to(folder).parts))
            for p in folder.rglob("__init__.py")
        }
    assert listed == found
