"""The report renders in headless Chromium with no network: a real screenshot, every image decoded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageStat
from reportdata import Reported

from browser import SCRIPT, needs_chromium, render

pytestmark = needs_chromium


def test_the_screenshot_of_the_report_is_not_blank(sample: Reported, tmp_path: Path) -> None:
    png = render.screenshot(sample.result.path, tmp_path / "report.png", width=1280, height=3000)
    with Image.open(png) as image:
        assert image.size == (1280, 3000)
        grey = image.convert("L")
        assert ImageStat.Stat(grey).stddev[0] > 20  # text, tables and plots, not a blank page
        # the band where the first plots sit is not blank either
        assert ImageStat.Stat(grey.crop((0, 2000, 1280, 3000))).stddev[0] > 10


def test_every_image_loads_offline_in_the_browser(sample: Reported) -> None:
    loaded, total = render.loaded_images(sample.result.path)
    assert total >= 8
    assert loaded == total


def test_a_broken_image_would_be_caught(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text(
        '<!DOCTYPE html><html><body><img src="data:image/png;base64,iVBORw0KGgo=">'
        '<img src="https://example.invalid/plot.png"></body></html>',
        encoding="utf-8",
    )
    assert render.loaded_images(page) == (0, 2)


def test_the_script_writes_the_screenshot_next_to_the_report(byo: Reported, tmp_path: Path) -> None:
    report = tmp_path / "byo.html"
    report.write_bytes(byo.result.path.read_bytes())
    out = subprocess.run(
        [sys.executable, str(SCRIPT), str(report), "--height", "1200"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-500:]
    assert (tmp_path / "byo.png").is_file()
    assert "images loaded:" in out.stdout
