"""The README's pictures of what an analyst gets, made from the offline demo (never edited by hand).

    .venv/bin/python docs/screenshots.py            # -> docs/provinces-over-time.png, docs/search.png, docs/article.png
    .venv/bin/python docs/screenshots.py --out DIR

Builds the demo database in a temporary folder (`python -m crawler demo`: the saved pages of tests/fixtures
crawled from 127.0.0.1), starts `python -m crawler browse` on it, and photographs three pages in headless
Chromium (Debian's /usr/bin/chromium, or CCHC_CHROMIUM) through Playwright: the provinces compared over time,
a search, an article. tests/test_docs.py runs it into a temporary folder.
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = {  # file -> (path under the database, full page?, what to wait for)
    "provinces-over-time.png": ("per_province_month", True, "table.cchc-heatmap"),
    "search.png": ("search?q=mot+cua&mode=phrase", False, "td.col-snippet mark"),
    "article.png": ("cchc_articles?_search=gia+nghia+trien+khai", None, "article.cchc-article"),  # opened by a click
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(db: Path, port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "crawler", "browse", str(db), "--port", str(port)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/-/versions.json", timeout=5).read()
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("datasette did not start")


def photograph(base: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ.get("CCHC_CHROMIUM", "/usr/bin/chromium"),
                                             args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            for name, (path, full, ready) in PAGES.items():
                page.goto(f"{base}/{path}")
                if full is None:  # the article: as a reader reaches it, from the list
                    page.click("td.col-title a")
                page.wait_for_selector(ready)
                page.screenshot(path=str(out / name), full_page=bool(full))
                written.append(out / name)
        finally:
            browser.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs"), help="folder for the PNG files (default: docs/)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"  # named as the README's demo, so the pages read /demo/...
        env = {**os.environ, "CCHC_PROGRESS_INTERVAL": "0"}
        subprocess.run([sys.executable, "-m", "crawler", "demo", "--db", str(db)], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port = free_port()
        server = serve(db, port)
        try:
            written = photograph(f"http://127.0.0.1:{port}/demo", out)
        finally:
            server.terminate()
            server.wait(timeout=30)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
