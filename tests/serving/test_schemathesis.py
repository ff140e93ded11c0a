"""Property-based checks of the whole API against its own OpenAPI document."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from serving_helpers import KEY, Server


def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    server: Server, tmp_path: Path
) -> None:
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{server.url}/docs.json",
        "--header", f"Authorization: Bearer {KEY}",
        "--checks", "not_a_server_error,response_schema_conformance",
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", "25",
        "--seed", "7",
        "--request-timeout", "60",
        "--generation-database", "none",
    ]  # fmt: skip
    result = subprocess.run(  # its working files go to tmp_path
        command, capture_output=True, text=True, timeout=240, check=False, cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout[-6000:]
    assert "generated" in result.stdout
