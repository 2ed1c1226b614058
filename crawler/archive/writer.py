"""The archive's writer: one per folder and process (every crawler of a ``crawlall`` shares it), with a thread of
its own that builds, compresses and appends the records, so the crawl's thread only copies a download and goes on
(bench/archive.py measures both: the crawl's pages per second with the archive on and off, and the time its thread
spent handing downloads over).

Each download's records are appended with one write of whole gzip members, on a file opened unbuffered: a crawl
killed with SIGKILL leaves every record it wrote whole (the kernel finishes a write the process started). A write
that fails part-way (a full disk) is cut back to the last whole record, so the file stays readable, and the
download is counted as not archived. A record's location is known only once it is written: an article links
to its response (file, offset) only after that (crawler/archive/components.py).

Files are rotated past ``CCHC_ARCHIVE_FILE_MB`` and at the first write of a new night (Vietnam's date), and start
with a ``warcinfo`` record naming the software, the user agent and the robots.txt policy.
"""
from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time
from concurrent.futures import Future
from datetime import datetime, timedelta, timezone
from pathlib import Path

from crawler.archive.place import file_name
from crawler.archive.records import gzip_member, warcinfo_record

logger = logging.getLogger(__name__)
VIETNAM = timezone(timedelta(hours=7))
# Bytes of downloads waiting for the writer's thread before the crawl's thread waits for it: a disk slower than the
# crawl for long then slows the crawl instead of filling the memory. A night's crawl queues a few pages at most.
QUEUE_BYTES = 64 * 1024 * 1024
CLOSE_SECONDS = 120  # how long closing waits for the queued downloads to be written


class ArchiveWriter:
    _shared: dict[str, tuple["ArchiveWriter", int]] = {}
    _lock = threading.Lock()

    def __init__(self, folder: Path, file_bytes: int, info: dict):
        self.folder, self.file_bytes, self.info = Path(folder), max(1, file_bytes), info
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._room = threading.Condition()
        self._queued = 0  # bytes of bodies waiting in _jobs
        self._file = None
        self.name: str | None = None  # the file being written
        self._size, self._night, self._serial = 0, None, 0
        self.written = self.errors = 0  # records written; downloads that could not be archived
        self.error: str | None = None  # the last write error, in words
        self.seconds = 0.0  # time the writer's thread spent building, compressing and writing
        self._thread = threading.Thread(target=self._run, name="cchc-archive-writer", daemon=True)
        self._thread.start()

    # -- sharing -------------------------------------------------------------------------------------------
    @classmethod
    def shared(cls, folder: Path, file_bytes: int, info: dict) -> "ArchiveWriter":
        """The process-wide writer for ``folder``; call ``release`` once per ``shared`` call."""
        key = str(Path(folder).resolve())
        with cls._lock:
            writer, users = cls._shared.get(key, (None, 0))
            if writer is None:
                writer = cls(folder, file_bytes, info)
            cls._shared[key] = (writer, users + 1)
            return writer

    def release(self) -> None:
        key = str(self.folder.resolve())
        with self._lock:
            writer, users = self._shared.get(key, (self, 1))
            if users > 1:
                self._shared[key] = (writer, users - 1)
                return
            self._shared.pop(key, None)
        self.close()

    @classmethod
    def close_all(cls) -> None:
        """At exit: what is queued is written (a crawl that ended without closing its engine)."""
        with cls._lock:
            writers = [w for w, _ in cls._shared.values()]
            cls._shared.clear()
        for writer in writers:
            writer.close()

    # -- the crawl's side ----------------------------------------------------------------------------------
    def submit(self, records_of, size: int = 0) -> tuple[Future, bool]:
        """Queue a group of records, built by ``records_of()`` (-> [(record id, record)]) in the writer's thread.
        Returns the future of their locations, ``{record id: (file name, offset)}``, and whether the caller had to
        wait for room in the queue."""
        future: Future = Future()
        waited = False
        with self._room:
            while self._queued > QUEUE_BYTES and self._thread.is_alive():
                waited = True
                self._room.wait(1.0)
            self._queued += size
        self._jobs.put((records_of, size, future))
        return future, waited

    def close(self, timeout: float = CLOSE_SECONDS) -> None:
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join(timeout)
            if self._thread.is_alive():
                logger.error("the archive's writer did not finish writing to %s within %d s", self.folder, timeout)

    # -- the writer's thread -------------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                break
            records_of, size, future = job
            started = time.perf_counter()
            wanted = future.set_running_or_notify_cancel()  # written either way; answered unless cancelled
            try:
                where = self._write(records_of())
                if wanted:
                    future.set_result(where)
            except Exception as exc:  # noqa: BLE001 - a download not archived is counted, never stops the crawl
                self.errors += 1
                said = f"{type(exc).__name__}: {exc}"
                if said != self.error:
                    logger.error("cannot write to the archive %s: %s (the crawl goes on; `python -m crawler health` "
                                 "reports the archive)", self.folder, said)
                self.error = said
                if wanted:
                    future.set_exception(exc)
            finally:
                self.seconds += time.perf_counter() - started
                with self._room:
                    self._queued -= size
                    self._room.notify_all()
        self._close_file()

    def _write(self, records) -> dict[str, tuple[str, int]]:
        members = [(ident, gzip_member(record)) for ident, record in records]
        data = b"".join(member for _, member in members)
        self._open_for(len(data))
        where, position = {}, self._size
        for ident, member in members:
            where[ident] = (self.name, position)
            position += len(member)
        self._append(data)
        self.written += len(members)
        return where

    def _open_for(self, incoming: int) -> None:
        night = datetime.now(VIETNAM).date()
        if self._file is not None and (night != self._night or self._size + incoming > self.file_bytes):
            self._close_file()
        if self._file is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._serial += 1
            name = file_name(datetime.now(timezone.utc), self._serial)
            self._file = open(self.folder / name, "xb", buffering=0)  # noqa: SIM115 - kept open while writing
            self.name, self._size, self._night = name, 0, night
            self._append(gzip_member(warcinfo_record(name, self.info)))

    def _append(self, data: bytes) -> None:
        start, view = self._size, memoryview(data)
        try:
            while view:
                view = view[self._file.write(view):]
        except OSError:
            try:  # a record cut short by a full disk would hide the records after it: cut the file back
                os.ftruncate(self._file.fileno(), start)
                os.lseek(self._file.fileno(), start, os.SEEK_SET)
            except OSError:
                self._close_file()  # the next download starts a new file
            raise
        self._size = start + len(data)

    def _close_file(self) -> None:
        if self._file is not None:
            try:
                os.fsync(self._file.fileno())
            except OSError:
                pass
            finally:
                self._file.close()
                self._file = None


atexit.register(ArchiveWriter.close_all)
