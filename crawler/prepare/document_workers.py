"""Reading documents beside the reactor, in worker processes of their own (``CCHC_DOCUMENT_WORKERS``, at least 1).

Not the article workers (crawler/prepare/pool.py): one scanned report holds its worker for a minute of OCR, which
must neither stall the article pages nor trip their time limit. A document is read by
``crawler.documents.read_document`` in a worker: bytes in, ``DocumentText`` out, every failure a result. The crawl's
process keeps what spans documents: the night's OCR budget (``NightBudget``: each document is handed its
allowance, taken from the budget before it is sent and the unused part given back, so several workers never
spend more than the night's pages), and a deadline per document: reading a PDF that hangs PDFium, or a Tesseract
that outlives its own time limit, stops the workers (killed, like a stuck article worker) and the document is
kept with an error, never the crawl. A document that kills its worker (a crash in a C library on hostile bytes)
is an error too. At most as many documents are in the workers as there are workers, so a deadline measures
reading, not waiting in a queue. Workers end with the crawl's process (crawler/lifeline.py).
"""
from __future__ import annotations

import asyncio
import atexit
import contextlib
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from crawler.documents import DocumentText, Limits, OcrBudget, Tesseract, read_document
from crawler.lifeline import end_with

_pool: ProcessPoolExecutor | None = None
_size = 0
_slots: tuple = (None, None)  # (event loop, asyncio.Semaphore): documents in the workers at once
STOPPED = "_cchc_stopped"  # a pool this process stopped itself: its broken futures are sent again


class NightBudget:
    """The OCR pages of one crawl process ("a night"): allowances handed to documents, what they did not use
    given back. Thread-safe (crawlall's crawlers share it)."""

    def __init__(self, pages: int):
        self.limit, self.used = pages, 0
        self._lock = threading.Lock()

    def allowance(self, wanted: int) -> int:
        with self._lock:
            granted = max(0, min(wanted, self.limit - self.used))
            self.used += granted
            return granted

    def give_back(self, pages: int) -> None:
        with self._lock:
            self.used = max(0, self.used - max(0, pages))

    @property
    def spent(self) -> bool:
        return self.used >= self.limit


def read_in_worker(data: bytes, url: str | None, content_type: str | None, limits: Limits, allowance: int,
                   tesseract: str) -> DocumentText:
    """In a worker: one document read with at most ``allowance`` pages of OCR (the share of the night's budget the
    crawl's process gave it) and the Tesseract command of the crawl's settings."""
    return read_document(data, url=url, content_type=content_type, limits=limits, budget=OcrBudget(allowance),
                         tesseract=Tesseract(tesseract, limits.ocr_lang, limits.ocr_timeout))


def deadline(limits: Limits, allowance: int) -> float:
    """Seconds a document may take in its worker: two minutes for opening, text layers and a legacy converter (a
    1,000-page text layer reads in ~10 s), plus each page of OCR it may do with its own time limit."""
    return 120.0 + limits.convert_timeout + allowance * (limits.ocr_timeout + 10.0)


def shutdown(wait: bool = False) -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=wait, cancel_futures=True)
        _pool = None


def _get_pool(size: int) -> ProcessPoolExecutor:
    global _pool, _size
    if _pool is None or _size != size:
        shutdown()
        context = multiprocessing.get_context("forkserver")  # never fork the reactor's threads
        context.set_forkserver_preload(["crawler.documents"])
        _pool, _size = ProcessPoolExecutor(max_workers=size, mp_context=context, initializer=end_with,
                                           initargs=(os.getpid(),)), size
        atexit.unregister(shutdown)
        atexit.register(shutdown)
    return _pool


def _stop(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's workers (one of them is stuck on a document) and forget the pool; the other documents in
    it fail with BrokenProcessPool and are sent to the next pool."""
    global _pool
    setattr(pool, STOPPED, True)
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            process.kill()
    pool.shutdown(wait=False)
    if _pool is pool:
        _pool = None


def _slots_for(size: int) -> asyncio.Semaphore:
    global _slots
    loop = asyncio.get_running_loop()
    if _slots[0] is not loop:
        _slots = (loop, asyncio.Semaphore(size))
    return _slots[1]


async def read_beside(data: bytes, *, url: str | None, content_type: str | None, limits: Limits, allowance: int,
                      tesseract: str, workers: int, timeout: float | None = None) -> DocumentText:
    """``read_document`` in a document worker, within ``timeout`` seconds (default ``deadline(limits,
    allowance)``); a document that times out or kills its worker comes back as a DocumentText with the error."""
    size = max(1, int(workers))
    timeout = timeout or deadline(limits, allowance)
    args = (data, url, content_type, limits, allowance, tesseract)
    async with _slots_for(size):
        for attempt in range(3):
            pool = _get_pool(size)
            try:
                future = pool.submit(read_in_worker, *args)
                return await asyncio.wait_for(asyncio.wrap_future(future), timeout)
            except asyncio.TimeoutError:
                _stop(pool)
                return _failed(data, f"reading took longer than {timeout:g} s: the document worker was stopped")
            except BrokenProcessPool:
                if getattr(pool, STOPPED, False) and attempt < 2:
                    continue  # stopped for another document's sake: this one goes to a fresh pool
                if _pool is pool:
                    shutdown()
                if attempt < 1:
                    continue  # the worker died: once more in a fresh one (it may have been another document)
                return _failed(data, "the document worker died reading it (a crash on these bytes)")
    return _failed(data, "the document workers were stopped three times")


def _failed(data: bytes, error: str) -> DocumentText:
    import hashlib

    return DocumentText("application/octet-stream", "unknown", len(data), hashlib.sha256(data).hexdigest(),
                        error=error)
