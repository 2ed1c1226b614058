"""The README's pictures (issue 34): docs/screenshots.py makes them from the offline demo, in headless Chromium;
run here into a temporary folder. The committed ones are the same three pages, referenced by the README."""
from __future__ import annotations

import struct
import subprocess
import sys

from conftest import ROOT


def png_size(path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", header[16:24])


def test_screenshots_are_made_from_the_demo(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "docs" / "screenshots.py"), "--out", str(tmp_path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    made = sorted(p.name for p in tmp_path.glob("*.png"))
    assert made == ["article.png", "provinces-over-time.png", "search.png"]
    width, height = png_size(tmp_path / "provinces-over-time.png")
    assert width == 1280 and height > 1200  # the whole table: 34 provinces
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in made:
        assert f"](docs/{name})" in readme and png_size(ROOT / "docs" / name)[0] == 1280
