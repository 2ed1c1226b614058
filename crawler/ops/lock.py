"""A run lock: a second crawl that starts while one is running exits at once; a dead run's lock is taken over.

The lock is an flock() on a file holding the owner's PID and start time. The kernel drops the flock when the
process dies (SIGKILL, crash, reboot), so a stale file is simply locked again by the next run.
"""
from __future__ import annotations

import fcntl
import os
from datetime import datetime, timezone
from pathlib import Path


class AlreadyRunning(RuntimeError):
    """Another process holds the lock; ``pid`` and ``age_hours`` from its lock file when readable."""

    def __init__(self, message: str, pid: int | None = None, age_hours: float | None = None):
        super().__init__(message)
        self.pid, self.age_hours = pid, age_hours


def _owner_facts(owner: str) -> tuple[int | None, float | None]:
    """(pid, hours since start) from "pid 123 since 2026-12-01T02:00:00+00:00"."""
    parts = owner.split()
    try:
        pid = int(parts[1]) if len(parts) >= 2 and parts[0] == "pid" else None
        since = datetime.fromisoformat(parts[3]) if len(parts) >= 4 and parts[2] == "since" else None
    except ValueError:
        return None, None
    age = (datetime.now(timezone.utc) - since).total_seconds() / 3600 if since else None
    return pid, age


class RunLock:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._fh = None
        self.previous: str | None = None  # what the file said when we took it over

    def acquire(self) -> "RunLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            owner = fh.read().strip() or "unknown process"
            fh.close()
            raise AlreadyRunning(f"another crawl is running ({owner}); lock file {self.path}",
                                 *_owner_facts(owner)) from None
        fh.seek(0)
        self.previous = fh.read().strip() or None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} since {datetime.now(timezone.utc).isoformat(timespec='seconds')}\n")
        fh.flush()
        self._fh = fh
        return self

    def release(self) -> None:
        if self._fh is not None:
            self._fh.seek(0)
            self._fh.truncate()
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()
