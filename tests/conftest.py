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
from crawler.ops.saved_pages import FixtureServer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SITES = ROOT / "tests" / "fixtures" / "sites"


@pytest.fixture(scope="session", autouse=True)
def leaves_nothing_behind():
    """Issue 34, item 8: after the whole session (its servers stopped first: this fixture is set up first and torn
    down last), the checkout holds no new file and no process of the session is running."""
    before = checkout_state(ROOT)
    yield
    from crawler.prepare import document_workers, pool

    pool.shutdown(wait=True)  # the workers of crawls run in this process (they would stop when it exits)
    document_workers.shutdown(wait=True)
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


# -- no process left behind (issue 30 item 9) -------------------------------------------------------------------
# A test that kills a crawl or an import used to leave its extraction workers and multiprocessing's fork server
# running. At the end of the session, any process of this checkout (its path in the command line) that was started
# during the session and is no longer a descendant of pytest (its parent died: an orphan) fails the run, and is
# ended, so that the machine is left as it was found.
_TICKS = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent pid, start time in clock ticks since boot, command line) of the live processes."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if fields[0] not in ("Z", "X"):
            table[int(entry.name)] = (int(fields[1]), int(fields[19]), command)
    return table


def _now_ticks() -> int:
    return int(float(Path("/proc/uptime").read_text().split()[0]) * _TICKS)


def pytest_sessionstart(session):
    session.cchc_started_ticks = _now_ticks()


def _leftovers(started: int) -> dict[int, str]:
    table = _processes()
    ours, queue = {os.getpid()}, [os.getpid()]
    while queue:
        parent = queue.pop()
        kids = [pid for pid, (ppid, _, _) in table.items() if ppid == parent]
        ours.update(kids)
        queue += kids
    return {pid: command for pid, (_, start, command) in table.items()
            if start >= started and str(ROOT) in command and pid not in ours}


def pytest_sessionfinish(session, exitstatus):
    import signal
    import time

    started = getattr(session, "cchc_started_ticks", None)
    if started is None or not Path("/proc/uptime").exists():
        return
    deadline = time.monotonic() + 15  # workers notice their parent's end at once; a fork server right after them
    while (left := _leftovers(started)) and time.monotonic() < deadline:
        time.sleep(0.5)
    if not left:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"error: the tests left {len(left)} processes behind (ended now):", red=True)
        for pid, command in sorted(left.items()):
            reporter.write_line(f"  {pid} {command[:160]}")
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
