"""What a test run must leave as it found it (issue 34, item 8): no file in the checkout (a user's output/ among
them: tests write only under temporary folders) and no process still running.

Every process the tests start carries SESSION_VARIABLE in its environment (set by conftest.py before anything
starts, inherited by scrapy, datasette, redis-server, Chromium and their children), so a process left behind is
found even after it was re-parented to init."""
from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

SESSION_VARIABLE = "CCHC_TEST_SESSION"
# Written by Python and pytest themselves, not by the tests.
OWN_FILES = (".venv/", "__pycache__", ".pytest_cache", ".egg-info", ".pyc")


def checkout_state(root: Path) -> set[str]:
    """Untracked, ignored and modified paths of the checkout, as `git status` lists them (folders collapsed)."""
    out = subprocess.run(["git", "status", "--porcelain", "--ignored=traditional", "--untracked-files=normal"],
                         cwd=root, capture_output=True, text=True, timeout=60).stdout
    return {line for line in out.splitlines() if not any(own in line for own in OWN_FILES)}


# multiprocessing's helpers started by crawls run inside the test process (the extraction pool's fork server, the
# resource tracker): children of this process that end with it, when their pipe to it closes.
ENDS_WITH_US = ("multiprocessing.forkserver", "multiprocessing.resource_tracker")


def _parent(entry: Path) -> int:
    status = (entry / "status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))


def _ancestors() -> set[int]:
    """This process and those above it (bin/test's shell, `time`, a CI runner that set the marker itself)."""
    found, pid = set(), os.getpid()
    while pid > 1 and pid not in found:
        found.add(pid)
        pid = _parent(Path("/proc", str(pid)))
    return found


def session_processes(marker: str) -> list[str]:
    """pid and command line of every other process whose environment carries this session's marker."""
    found, needle, ours = [], f"{SESSION_VARIABLE}={marker}".encode(), _ancestors()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in ours:
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
                if _parent(entry) == os.getpid() and any(helper in command for helper in ENDS_WITH_US):
                    continue
                found.append(f"{entry.name}: {command[:200]}")
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


def leftover_processes(marker: str, wait: float = 10.0) -> list[str]:
    """The session's processes still running after ``wait`` seconds (servers take a moment to stop)."""
    deadline = time.monotonic() + wait
    while True:
        found = session_processes(marker)
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)
