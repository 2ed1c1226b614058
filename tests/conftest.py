"""Shared test fixtures: the local mirror of every fixture site, and running the real `scrapy` command; the
session's guard: no file left in the checkout, no process left running (tests/session_guard.py)."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

# Before anything imports crawler.settings or starts a process: every process of the session is marked, and
# what a crawl writes beside its database or into output/ by default goes to a temporary folder.
from session_guard import SESSION_VARIABLE, checkout_state, leftover_processes  # noqa: E402

MARKER = os.environ.setdefault(SESSION_VARIABLE, uuid.uuid4().hex)
SCRATCH = Path(tempfile.mkdtemp(prefix="cchc-tests-"))
os.environ.setdefault("CCHC_FAILED_PAGES_DIR", str(SCRATCH / "failed-pages"))
os.environ.setdefault("CCHC_DB", str(SCRATCH / "default.db"))  # a test that forgets to choose never writes output/

from browse_server import browse_db, browse_site, chromium  # noqa: E402,F401 (session fixtures of the browsing tests)
from crawler.testing.fixture_server import FixtureServer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SITES = ROOT / "tests" / "fixtures" / "sites"


@pytest.fixture(scope="session", autouse=True)
def leaves_nothing_behind():
    """Issue 34, item 8: after the whole session (its servers stopped first: this fixture is set up first and torn
    down last), the checkout holds no new file and no process of the session is running."""
    before = checkout_state(ROOT)
    yield
    from crawler.extract import pool

    pool.shutdown(wait=True)  # the workers of crawls run in this process (they would stop when it exits)
    left = leftover_processes(MARKER)
    written = sorted(checkout_state(ROOT) - before)
    shutil.rmtree(SCRATCH, ignore_errors=True)
    assert not left and not written, (f"processes left running: {left}; " if left else "") + (
        f"written into the checkout: {written}" if written else "")


@pytest.fixture(scope="session")
def mirror():
    """All fixture sites served on 127.0.0.1 under /<host>/; stopped after the session."""
    folders = sorted(p for p in SITES.iterdir() if (p / "MANIFEST.tsv").exists())
    with FixtureServer(folders) as server:
        yield server


def run_scrapy(args: list[str], db: Path | None, timeout: int = 240, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``scrapy`` from the repository root like a user would; CCHC_DB points at ``db``; ``env`` adds to the
    environment."""
    env = dict(os.environ, CCHC_DB=str(db) if db else "", CCHC_LOG_LEVEL="INFO", **(env or {}))
    scrapy = Path(sys.executable).with_name("scrapy")
    return subprocess.run([str(scrapy), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def crawl_stats(result: subprocess.CompletedProcess) -> dict:
    """The stats dict Scrapy logs at the end, parsed back (only the cchc/* and count keys we assert on)."""
    stats = {}
    for line in result.stderr.splitlines():
        line = line.strip().rstrip(",")
        if line.startswith("{") or line.startswith("'"):
            key, _, value = line.lstrip("{").partition(":")
            key, value = key.strip().strip("'"), value.strip().rstrip("}")
            if value.isdigit():
                stats[key] = int(value)
    return stats


def rows(db: Path, sql: str, params=()) -> list[dict]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(sql, params)]
    finally:
        con.close()


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
