"""Worker processes end with the process that started them.

The extraction pool (crawler/extract/pool.py) and the bulk import's parse workers (crawler/store/bulk.py) are
``ProcessPoolExecutor`` workers started from a fork server. When the process that owns them dies without closing
them (SIGKILL, the OOM killer, a forced shutdown), each worker waits on its task queue for ever (its siblings hold
the queue's other end), and the fork server lives as long as any worker does: a killed nightly crawl left three
processes and ~300 MB behind, every night. ``exit_with(pid)``, the pool's initializer, makes each worker check once
a second that the owner is alive and exit when it is not; the fork server then ends too.
"""
from __future__ import annotations

import os
import threading
import time

CHECK_SECONDS = 1.0


def _owner_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except PermissionError:  # exists, belongs to someone else (the pid was reused): ours is gone
        return True
    return False


def exit_with(pid: int) -> None:
    """Initializer of a worker process: exit (without cleanup: there is no one to report to) once ``pid`` ends."""
    def watch():
        while not _owner_gone(pid):
            time.sleep(CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-owner", daemon=True).start()
