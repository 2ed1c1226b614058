"""Worker processes that end with the process that started them.

The extraction workers (crawler/prepare/pool.py) and the import's parse workers (crawler/store/bulk.py) are
``concurrent.futures`` pools on multiprocessing's fork server. When the crawl or the import was killed, nothing
told its workers: each waits on a task queue whose write end it holds itself, so it waited forever, and every
worker keeps the fork server alive (multiprocessing hands each one the server's "alive" pipe). Minutes after a
killed crawl, workers and fork server were still there; the test suite left them behind too.

``end_with(pid)`` is the pool's initializer: the worker watches the process that started the pool and exits
the moment it is gone (a pidfd, which becomes readable when that process ends; a poll once a second where the
kernel has none), and asks the kernel for SIGKILL if its own parent, the fork server, dies first
(``PR_SET_PDEATHSIG``). With the workers gone, the fork server sees its "alive" pipe close and exits too.
"""
from __future__ import annotations

import ctypes
import os
import select
import signal
import threading
import time

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the watch below still ends the worker
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def die_with_parent() -> None:
    """In a child process (``subprocess.Popen(preexec_fn=die_with_parent)``): the kernel sends it SIGKILL when the
    process that started it dies. A document worker killed at its deadline takes its Tesseract with it, instead of
    leaving an OCR running for ever (its own session keeps it out of the worker's signals otherwise)."""
    _die_with_parent()


def _watch(pid: int) -> None:
    try:
        handle = os.pidfd_open(pid)
    except (AttributeError, OSError):  # an old kernel, or the process is already gone
        handle = None
    if handle is not None:
        select.select([handle], [], [])  # readable once the process has ended
    else:
        while _alive(pid):
            time.sleep(1)
    os._exit(1)  # the whole worker, at once: nobody is left to use its results


def end_with(pid: int) -> None:
    """In a pool worker: end this process when process ``pid`` (the one that started the pool) ends."""
    _die_with_parent()
    if not _alive(pid):
        os._exit(1)
    threading.Thread(target=_watch, args=(pid,), name="cchc-end-with-parent", daemon=True).start()
