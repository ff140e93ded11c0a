"""``scripts/render_report.py`` as a module, for the tests that open reports in headless
Chromium (the model report and the monitoring report)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "render_report.py"


def _renderer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("render_report", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


render = _renderer()
#: Skips a test when Chromium is missing, saying how to install it.
needs_chromium = pytest.mark.skipif(
    render.chromium() is None,
    reason="Chromium is not installed (apt-get install -y chromium); the browser check needs it",
)
