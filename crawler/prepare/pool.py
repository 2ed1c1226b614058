"""Reading articles beside the reactor: article pages are read (extracted and prepared, crawler/prepare/article.py)
in worker processes when the machine has cores to spare, so downloading, deduplication and SQLite go on in the
crawl's process meanwhile.

``CCHC_EXTRACT_WORKERS``: ``auto`` (one worker per core but one, none on a one-core machine), a number, or 0 for
reading in the crawl's own process. Reading is a pure function of the page (URL, bytes, encoding) and the site's
entry, which is what a worker receives; it sends back the prepared item's fields and the stats the stages counted,
which the crawl adds to its own: the item and the counts are the same with or without workers. The pool is shared by every
crawler of the process (``crawlall``), started when the first article is extracted (a run with nothing new never
starts it) from a fork server that has already imported the extraction code, and shut down when the process
exits. A worker that dies is counted (``cchc/extract/worker_lost``), its page is extracted in the crawl's process
instead, and the pool is started again; after three, extraction stays in the crawl's process. A worker that does not
answer within ``CCHC_EXTRACT_TIMEOUT`` seconds (stopped, or looping on a page) no longer holds the crawl: the
pool's workers are killed (``cchc/extract/timeout``), the page goes to a fresh worker, and a page that times out
there too is dropped and counted (``cchc/dropped/extract_timeout``): extracting it in the crawl's process could
block the reactor as long. Workers end with the crawl's process (crawler/lifeline.py). Workers import the
crawl's main module like any multiprocessing child, so a script that runs a crawl in its own process needs the
usual ``if __name__ == "__main__":`` guard.

"""
from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime

from scrapy.http import HtmlResponse

from crawler.lifeline import end_with
from crawler.prepare.article import read_article
from crawler.prepare.stages import Counts
from crawler.stats import Stat

logger = logging.getLogger(__name__)
_pool: ProcessPoolExecutor | None = None
_size = 0
_lost = 0
MAX_LOST = 3  # workers lost before the process gives up on the pool (e.g. a script without a __main__ guard)


def worker_count(value) -> int:
    """CCHC_EXTRACT_WORKERS as a number of processes (0: extract in the crawl's process)."""
    if value in (None, "", "auto"):  # one per core; none on one core, where a worker only adds its overhead
        cores = os.cpu_count() or 1
        return cores if cores > 1 else 0
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        raise ValueError(f"CCHC_EXTRACT_WORKERS={value!r}: 'auto' or a whole number of processes") from None


def read_page(url: str, body: bytes, encoding: str, site, now: str, listing_date, feed_date, generic: bool,
              cchc_section: bool) -> tuple[dict, dict]:
    """In a worker: the page rebuilt as a response and read; the item's fields as a plain dict (picklable) and the
    stats the stages counted."""
    stats = Counts()
    item = read_article(HtmlResponse(url=url, body=body, encoding=encoding), site, now=datetime.fromisoformat(now),
                        listing_date=listing_date, feed_date=feed_date, generic=generic, cchc_section=cchc_section,
                        stats=stats)
    return dict(item), stats.counts


def shutdown(wait: bool = False) -> None:
    """Stop the workers (at exit; a test session calls it before checking that nothing is left running)."""
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=wait, cancel_futures=True)
        _pool = None


def _get_pool(size: int) -> ProcessPoolExecutor:
    global _pool, _size
    if _pool is None or _size != size:
        shutdown()
        context = multiprocessing.get_context("forkserver")  # never fork the reactor's threads
        context.set_forkserver_preload(["crawler.prepare"])
        # end_with: a worker ends when this process does (crawler/lifeline.py), never outlives a killed crawl
        _pool, _size = ProcessPoolExecutor(max_workers=size, mp_context=context, initializer=end_with,
                                           initargs=(os.getpid(),)), size
        atexit.unregister(shutdown)  # registered once, whichever pool is current at exit
        atexit.register(shutdown)
    return _pool


# A pool carries two marks: STOPPED, this process stopped it itself (its broken futures are no lost worker);
# BROKEN, a worker of it died (counted once in _lost, whatever pages that broke).
STOPPED, BROKEN = "_cchc_stopped", "_cchc_broken"


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Kill a pool's worker processes and forget the pool: one of them stopped answering (SIGSTOP, an endless
    loop on a page) and cannot be told which. The futures of the other pages in flight then fail with
    BrokenProcessPool and are sent to the next pool (``_in_worker``); the killed processes are reaped by the fork
    server."""
    global _pool
    if getattr(pool, STOPPED, False):
        return
    setattr(pool, STOPPED, True)
    for process in list((getattr(pool, "_processes", None) or {}).values()):  # concurrent.futures' own table
        with contextlib.suppress(Exception):
            process.kill()  # SIGKILL ends a stopped process too
    # Not cancel_futures: a cancelled future would cancel the coroutine awaiting it (the page would be lost);
    # the pool's manager fails every pending future with BrokenProcessPool once it sees its workers gone.
    pool.shutdown(wait=False)
    if _pool is pool:
        _pool = None


async def _in_worker(size: int, args: tuple, timeout: float) -> tuple[dict, dict]:
    """(fields, stats) of ``read_page(*args)`` from a worker, within ``timeout`` seconds (asyncio.TimeoutError,
    after stopping the pool's workers). A page whose pool this process stopped for another page's sake is sent
    again; a worker that died raises BrokenProcessPool."""
    global _lost
    for attempt in range(3):
        pool, future = _get_pool(size), None
        try:
            future = pool.submit(read_page, *args)  # raises BrokenProcessPool when a worker died before
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout)
        except asyncio.CancelledError:
            # the pool cancelled the work (shut down meanwhile), not someone this coroutine: send it again
            if future is not None and future.cancelled() and not asyncio.current_task().cancelling() and attempt < 2:
                continue
            raise
        except asyncio.TimeoutError:
            _stop_workers(pool)
            raise
        except BrokenProcessPool:
            if getattr(pool, STOPPED, False) and attempt < 2:
                continue
            if not getattr(pool, BROKEN, False):
                setattr(pool, BROKEN, True)
                _lost += 1
            if _pool is pool:
                shutdown()
            raise
    raise BrokenProcessPool("the extraction workers were stopped three times")


def warm_up(crawler) -> None:
    """Start the workers as soon as the crawl knows it will fetch an article (a listing yielded one), not when the
    first page arrives: starting a worker and importing the extraction code takes ~0.5 s, which then overlaps
    the downloads. Idempotent; nothing when the crawl extracts in its own process."""
    size = worker_count(crawler.settings.get("CCHC_EXTRACT_WORKERS")) if _lost < MAX_LOST else 0
    if size and (_pool is None or _size != size):
        pool = _get_pool(size)
        for _ in range(size):
            pool.submit(int)  # a worker process starts for each task it cannot give to an idle one


def _here(crawler, response, site, now, listing_date, feed_date, generic, cchc_section):
    return read_article(response, site, now=now, listing_date=listing_date, feed_date=feed_date, generic=generic,
                        cchc_section=cchc_section, stats=crawler.stats)


async def read_beside(crawler, response, site, *, now: datetime, listing_date=None, feed_date=None,
                      generic: bool = False, cchc_section: bool = False):
    """The prepared article item of ``response``: from a worker process when CCHC_EXTRACT_WORKERS allows, else read
    here. None when the page was dropped: reading it took longer than CCHC_EXTRACT_TIMEOUT twice, in two fresh
    workers."""
    size = worker_count(crawler.settings.get("CCHC_EXTRACT_WORKERS")) if _lost < MAX_LOST else 0
    if size == 0:
        return _here(crawler, response, site, now, listing_date, feed_date, generic, cchc_section)
    from crawler.items import ArticleItem

    args = (response.url, response.body, response.encoding, site, now.isoformat(), listing_date, feed_date, generic,
            cchc_section)
    timeout = crawler.settings.getfloat("CCHC_EXTRACT_TIMEOUT")
    try:
        try:
            fields, counts = await _in_worker(size, args, timeout)
        except asyncio.TimeoutError:
            crawler.stats.inc_value(Stat.EXTRACT_TIMEOUT)
            logger.warning("no answer from the extraction worker for %s within %g s (CCHC_EXTRACT_TIMEOUT): the "
                           "workers were stopped; the page goes to a fresh one", response.url, timeout)
            fields, counts = await _in_worker(size, args, timeout)  # once more
    except asyncio.TimeoutError:
        crawler.stats.inc_value(Stat.DROPPED_EXTRACT_TIMEOUT)
        logger.error("%s: extraction took more than %g s twice (CCHC_EXTRACT_TIMEOUT): dropped", response.url, timeout)
        return None
    except BrokenProcessPool:
        crawler.stats.inc_value(Stat.EXTRACT_WORKER_LOST)
        logger.warning("an extraction worker died; %s is read in the crawl's process%s", response.url,
                       "" if _lost < MAX_LOST else " (and every page after it: the workers keep dying; a script "
                       "that crawls in its own process needs an `if __name__ == \"__main__\":` guard)")
        return _here(crawler, response, site, now, listing_date, feed_date, generic, cchc_section)
    for key, count in counts.items():
        crawler.stats.inc_value(key, count)
    return ArticleItem(**fields)
