"""Extraction beside the reactor: article pages are extracted in worker processes when the machine has cores to
spare, so downloading, the pipelines and SQLite go on in the crawl's process meanwhile.

Extraction is a pure function of the page (URL, bytes, encoding) and the site's entry, which is what a worker
receives; it sends back the item's fields. ``CCHC_EXTRACT_WORKERS``: ``auto`` (one worker per core but one,
none on a one-core machine), a number, or 0 for extraction in the crawl's own process as before. The pool is
shared by every crawler of the process (``crawlall``), started when the first article is extracted (a run
with nothing new never starts it) from a fork server that has already imported the extraction code, and shut
down when the process exits. A worker that dies is counted (``cchc/extract/worker_lost``), its page is extracted
in the crawl's process instead, and the pool is started again.
"""
from __future__ import annotations

import asyncio
import atexit
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime

from scrapy.http import HtmlResponse

from crawler.extract import extract_article
from crawler.stats import Stat

logger = logging.getLogger(__name__)
_pool: ProcessPoolExecutor | None = None
_size = 0


def worker_count(value) -> int:
    """CCHC_EXTRACT_WORKERS as a number of processes (0: extract in the crawl's process)."""
    if value in (None, "", "auto"):
        return max(0, (os.cpu_count() or 1) - 1)
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        raise ValueError(f"CCHC_EXTRACT_WORKERS={value!r}: 'auto' or a whole number of processes") from None


def extract_page(url: str, body: bytes, encoding: str, site, now: str, listing_date, feed_date, generic: bool) -> dict:
    """In a worker: the page rebuilt as a response, extracted; the item's fields as a plain dict (picklable)."""
    response = HtmlResponse(url=url, body=body, encoding=encoding)
    return dict(extract_article(response, site, now=datetime.fromisoformat(now), listing_date=listing_date,
                                feed_date=feed_date, generic=generic))


def _shutdown() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


def _get_pool(size: int) -> ProcessPoolExecutor:
    global _pool, _size
    if _pool is None or _size != size:
        _shutdown()
        context = multiprocessing.get_context("forkserver")  # never fork the reactor's threads
        context.set_forkserver_preload(["crawler.extract"])
        _pool, _size = ProcessPoolExecutor(max_workers=size, mp_context=context), size
        atexit.register(_shutdown)
    return _pool


async def extract_beside(crawler, response, site, *, now: datetime, listing_date=None, feed_date=None,
                         generic: bool = False):
    """The article item of ``response``: from a worker process when CCHC_EXTRACT_WORKERS allows, else here."""
    size = worker_count(crawler.settings.get("CCHC_EXTRACT_WORKERS"))
    if size == 0:
        return extract_article(response, site, now=now, listing_date=listing_date, feed_date=feed_date, generic=generic)
    from crawler.items import ArticleItem

    args = (response.url, response.body, response.encoding, site, now.isoformat(), listing_date, feed_date, generic)
    try:
        fields = await asyncio.wrap_future(_get_pool(size).submit(extract_page, *args))
    except BrokenProcessPool:
        crawler.stats.inc_value(Stat.EXTRACT_WORKER_LOST)
        logger.warning("an extraction worker died; %s is extracted in the crawl's process", response.url)
        _shutdown()
        return extract_article(response, site, now=now, listing_date=listing_date, feed_date=feed_date, generic=generic)
    return ArticleItem(**fields)
