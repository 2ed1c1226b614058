"""Extraction beside the reactor: article pages are extracted in worker processes when the machine has cores to
spare, so downloading, deduplication and SQLite go on in the crawl's process meanwhile.

``CCHC_EXTRACT_WORKERS``: ``auto`` (one worker per core but one, none on a one-core machine), a number, or 0 for
extraction in the crawl's own process. Extraction is a pure function of the page (URL, bytes, encoding) and the
site's entry, which is what a worker receives; it sends back the item's fields. The pool is shared by every
crawler of the process (``crawlall``), started when the first article is extracted (a run with nothing new never
starts it) from a fork server that has already imported the extraction code, and shut down when the process
exits. A worker that dies is counted (``cchc/extract/worker_lost``), its page is extracted in the crawl's process
instead, and the pool is started again; after three, extraction stays in the crawl's process. Workers import the
crawl's main module like any multiprocessing child, so a script that runs a crawl in its own process needs the
usual ``if __name__ == "__main__":`` guard.

With ``CCHC_EXTRACT_PIPELINES`` the worker also runs the item pipelines that are pure functions of the item
(``pure = True``: cleaning, dates, content hash, topics, the MinHash signature), in the crawl's ITEM_PIPELINES
order, and sends back the fields marked ``prepared`` (those stages then pass the item through) with the stats
they counted, which the crawl adds to its own: the item and the counts are the same as without workers. Off by
default: on two cores (one worker) the crawl's process then waits for its worker (bench/throughput.py: 65 pages/s
against 90 with extraction alone); it is for machines with more cores.
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
from crawler.worker_lifetime import exit_with

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


class CountingStats:
    """The stats a pure pipeline stage counts in a worker, to be added to the crawl's."""

    def __init__(self):
        self.counts: dict[str, int] = {}

    def inc_value(self, key, count=1, start=0):
        self.counts[key] = self.counts.get(key, start) + count


_STAGES: dict[str, object] = {}


def _stage(path: str):
    if path not in _STAGES:
        from scrapy.utils.misc import load_object

        _STAGES[path] = load_object(path)
    return _STAGES[path]


def pure_stages(settings) -> tuple[str, ...]:
    """The enabled pure item pipelines, in the order the crawl runs them (dotted paths, for the workers)."""
    from scrapy.utils.conf import build_component_list
    from scrapy.utils.misc import load_object

    return tuple(p if isinstance(p, str) else f"{p.__module__}.{p.__qualname__}"
                 for p in build_component_list(settings.getwithbase("ITEM_PIPELINES"))
                 if getattr(load_object(p), "pure", False))


def prepare_page(url: str, body: bytes, encoding: str, site, now: str, listing_date, feed_date, generic: bool,
                 cchc_section: bool, stages: tuple[str, ...]) -> tuple[dict, dict]:
    """In a worker: the page rebuilt as a response, extracted, through the pure stages; the item's fields as a
    plain dict (picklable) and the stats the stages counted."""
    from itemadapter import ItemAdapter

    response = HtmlResponse(url=url, body=body, encoding=encoding)
    item = extract_article(response, site, now=datetime.fromisoformat(now), listing_date=listing_date,
                           feed_date=feed_date, generic=generic)
    item["from_cchc_section"] = cchc_section
    stats = CountingStats()
    for path in stages:
        _stage(path)(stats).process_article(ItemAdapter(item))
    item["prepared"] = bool(stages)
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
        context.set_forkserver_preload(["crawler.extract"])
        _pool, _size = ProcessPoolExecutor(max_workers=size, mp_context=context, initializer=exit_with,
                                           initargs=(os.getpid(),)), size  # a killed crawl leaves no worker
        atexit.unregister(shutdown)  # registered once, whichever pool is current at exit
        atexit.register(shutdown)
    return _pool


def warm_up(crawler) -> None:
    """Start the workers as soon as the crawl knows it will fetch an article (a listing yielded one), not when the
    first page arrives: starting a worker and importing the extraction code takes ~0.5 s, which then overlaps
    the downloads. Idempotent; nothing when the crawl extracts in its own process."""
    size = worker_count(crawler.settings.get("CCHC_EXTRACT_WORKERS")) if _lost < MAX_LOST else 0
    if size and (_pool is None or _size != size):
        pool = _get_pool(size)
        for _ in range(size):
            pool.submit(int)  # a worker process starts for each task it cannot give to an idle one


def _here(response, site, now, listing_date, feed_date, generic, cchc_section):
    item = extract_article(response, site, now=now, listing_date=listing_date, feed_date=feed_date, generic=generic)
    item["from_cchc_section"] = cchc_section
    return item


async def extract_beside(crawler, response, site, *, now: datetime, listing_date=None, feed_date=None,
                         generic: bool = False, cchc_section: bool = False):
    """The article item of ``response``: from a worker process, prepared by the pure stages, when
    CCHC_EXTRACT_WORKERS allows; else extracted here (the pipelines then do the rest)."""
    global _lost
    size = worker_count(crawler.settings.get("CCHC_EXTRACT_WORKERS")) if _lost < MAX_LOST else 0
    if size == 0:
        return _here(response, site, now, listing_date, feed_date, generic, cchc_section)
    from crawler.items import ArticleItem

    stages = getattr(crawler, "_cchc_pure_stages", None)
    if stages is None:
        wanted = crawler.settings.getbool("CCHC_EXTRACT_PIPELINES")
        stages = crawler._cchc_pure_stages = pure_stages(crawler.settings) if wanted else ()
    args = (response.url, response.body, response.encoding, site, now.isoformat(), listing_date, feed_date, generic,
            cchc_section, stages)
    try:
        fields, counts = await asyncio.wrap_future(_get_pool(size).submit(prepare_page, *args))
    except BrokenProcessPool:
        _lost += 1
        crawler.stats.inc_value(Stat.EXTRACT_WORKER_LOST)
        logger.warning("an extraction worker died; %s is extracted in the crawl's process%s", response.url,
                       "" if _lost < MAX_LOST else " (and every page after it: the workers keep dying; a script "
                       "that crawls in its own process needs an `if __name__ == \"__main__\":` guard)")
        shutdown()
        return _here(response, site, now, listing_date, feed_date, generic, cchc_section)
    for key, count in counts.items():
        crawler.stats.inc_value(key, count)
    return ArticleItem(**fields)
