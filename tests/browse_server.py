"""Session fixtures for the browsing tests (tests/test_browse*.py): a database built by a real crawl of the
fixtures (``python -m crawler demo``), the real ``python -m crawler browse`` server on it (127.0.0.1, a free
port, stopped after the session), and Debian's Chromium driven by Playwright. Re-exported by conftest.py."""
from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parent.parent
# Screenshots for a person to look at after a run: in the system's temporary folder, never in the checkout.
ARTIFACTS = Path(tempfile.gettempdir()) / "cchc-test-screenshots"
CHROMIUM = os.environ.get("CCHC_CHROMIUM", "/usr/bin/chromium")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_get(url: str):
    """The body of ``url``: parsed JSON for .json URLs, else text."""
    with urllib.request.urlopen(url, timeout=30) as response:
        body = response.read().decode("utf-8")
    return json.loads(body) if ".json" in url else body


def db_rows(db, query: str, params=()) -> list[tuple]:
    """The rows of ``query`` on the database file ``db``, read directly (not through the server)."""
    con = sqlite3.connect(db)
    try:
        return con.execute(query, params).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="session")
def browse_db(tmp_path_factory):
    """The offline demo's 13 sites, then a real crawl of one more site pointed at a closed port of 127.0.0.1, so
    that the database also holds an `unreachable` run (the dashboard and site_health must show it)."""
    path = tmp_path_factory.mktemp("browse") / "cchc.db"
    env = dict(os.environ, CCHC_PROGRESS_INTERVAL="0")
    result = subprocess.run([sys.executable, "-m", "crawler", "demo", "--db", str(path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    scrapy = Path(sys.executable).with_name("scrapy")
    result = subprocess.run([str(scrapy), "crawl", "baothanhhoa", "-a", f"base_url=http://127.0.0.1:{free_port()}"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300, env=dict(env, CCHC_DB=str(path)))
    assert result.returncode == 1, result.stderr[-2000:]  # nothing answered: not "ok"
    return path


@contextmanager
def datasette_on(db):
    """`python -m crawler browse DB` on a free port of 127.0.0.1, stopped afterwards: its base URL."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "crawler", "browse", str(db), "--port", str(port)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            http_get(base + "/-/versions.json")
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    else:
        server.kill()
        pytest.fail("datasette did not start: " + server.stdout.read()[-2000:])
    try:
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def browse_site(browse_db):
    """`python -m crawler browse DB` on the demo's database: its base URL."""
    with datasette_on(browse_db) as base:
        yield base


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: bin/setup installs Debian's chromium (or set CCHC_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True, parents=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()
