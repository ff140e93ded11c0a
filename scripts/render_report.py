"""Render a model report in headless Chromium with no network: a screenshot for humans, and a
count of the images the browser actually decoded.

    python scripts/render_report.py report.html            # writes report.png next to it
    python scripts/render_report.py report.html --out shot.png --height 9000

Chromium runs with every request sent to a dead proxy (127.0.0.1:9), so a report that needed
the network would show broken images here. Exit status 1 when an image did not load.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

#: Where Chromium is looked for, in order (``shutil.which`` names first).
CANDIDATES: tuple[str, ...] = ("chromium", "chromium-browser", "google-chrome", "/usr/bin/chromium")
TIMEOUT = 120
#: Written into the page on load: how many <img> decoded, out of how many.
_PROBE = (
    "<script>window.addEventListener('load',function(){var im=document.images,ok=0;"
    "for(var i=0;i<im.length;i++){if(im[i].complete&&im[i].naturalWidth>0){ok++;}}"
    "document.body.setAttribute('data-images-loaded',ok+'/'+im.length);});</script>"
)
_LOADED = re.compile(r'data-images-loaded="(\d+)/(\d+)"')


def chromium() -> str | None:
    """The Chromium executable, or ``None`` when none is installed."""
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _run(arguments: list[str]) -> subprocess.CompletedProcess[str]:
    browser = chromium()
    if browser is None:
        raise RuntimeError("Chromium is not installed. Fix: apt-get install -y chromium")
    with tempfile.TemporaryDirectory(prefix="render-report-") as profile:
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--proxy-server=127.0.0.1:9",
            "--proxy-bypass-list=<-loopback>",
            f"--user-data-dir={profile}",
            *arguments,
        ]
        return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)


def screenshot(report: Path, png: Path, width: int = 1280, height: int = 8000) -> Path:
    """A PNG of the first ``height`` pixels of ``report`` rendered ``width`` pixels wide."""
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    out = _run(
        [
            f"--screenshot={png.resolve()}",
            f"--window-size={width},{height}",
            report.resolve().as_uri(),
        ]
    )
    if not png.is_file():
        raise RuntimeError(
            f"Chromium wrote no screenshot (exit {out.returncode}): {out.stderr[-800:]}"
        )
    return png


def loaded_images(report: Path) -> tuple[int, int]:
    """How many of the report's images the browser decoded, and how many there are."""
    with tempfile.TemporaryDirectory(prefix="render-report-") as scratch:
        probe = Path(scratch) / report.name
        text = report.read_text(encoding="utf-8")
        probe.write_text(text.replace("</body>", _PROBE + "</body>", 1), encoding="utf-8")
        out = _run(["--dump-dom", "--virtual-time-budget=10000", probe.as_uri()])
    found = _LOADED.search(out.stdout)
    if found is None:
        raise RuntimeError(
            f"the page never finished loading in Chromium (exit {out.returncode}): "
            f"{out.stderr[-800:]}"
        )
    return int(found.group(1)), int(found.group(2))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="the report's HTML file")
    parser.add_argument("--out", type=Path, help="screenshot file (default: REPORT with .png)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=8000)
    args = parser.parse_args(argv)
    if not args.report.is_file():
        parser.error(f"no such file: {args.report}")
    png = screenshot(
        args.report, args.out or args.report.with_suffix(".png"), args.width, args.height
    )
    ok, total = loaded_images(args.report)
    print(f"screenshot: {png} ({args.width}x{args.height}); images loaded: {ok}/{total}")
    return 0 if ok == total else 1


if __name__ == "__main__":
    sys.exit(main())
