"""Crawls that could not start: the one line that names why, instead of a traceback and a later
``RuntimeError: Crawler.stats is not set yet``.

``Crawler.crawl`` fails before the spider opens when a component cannot be built: a database that is a folder or
is damaged, a spider argument that is missing or wrong, a Redis server that does not answer. Scrapy then logs the
failure as an unhandled error of a Deferred or an asyncio task; ``watch`` takes the failure instead, so the
command can print it as one line and exit non-zero.
"""
from __future__ import annotations

import logging
from typing import Callable

from twisted.internet.defer import Deferred

logger = logging.getLogger("cchc.start")


def describe(exc: BaseException) -> str:
    """``ExceptionType: message`` on one line (the first line of the message)."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def watch(outcome, on_failure: Callable[[BaseException], None]) -> None:
    """Call ``on_failure(exception)`` if the crawl ``outcome`` (a Deferred or an asyncio future) fails; the
    failure counts as handled (no "Unhandled error in Deferred")."""
    if isinstance(outcome, Deferred):
        def errback(failure):
            logger.debug("crawl failed to start", exc_info=(failure.type, failure.value, failure.getTracebackObject()))
            on_failure(failure.value)
        outcome.addErrback(errback)
    elif hasattr(outcome, "add_done_callback"):
        def done(future):
            if future.cancelled():
                return
            exc = future.exception()
            if exc is not None:
                logger.debug("crawl failed to start", exc_info=exc)
                on_failure(exc)
        outcome.add_done_callback(done)


def stats_of(crawler):
    """The crawler's stats collector, or None before the crawl started (Scrapy raises instead)."""
    try:
        return crawler.stats
    except (RuntimeError, AttributeError):
        return None


def check_settings(settings) -> None:
    """Every CCHC_* number or flag given with ``-s`` (or by a caller) has its declared type (crawler/settings.py):
    ``-s CCHC_MAX_PAGES=abc`` fails at start with a line that names the setting, not inside a component later."""
    from crawler import settings as defaults

    for name in dir(defaults):
        default = getattr(defaults, name)
        if not name.startswith("CCHC_") or not isinstance(default, (bool, int, float)):
            continue
        value = settings.get(name)
        if not isinstance(value, str):
            continue
        try:
            if isinstance(default, bool):
                settings.getbool(name)
            else:
                (int if isinstance(default, int) else float)(value)
        except ValueError:
            kind = "true or false (1/0)" if isinstance(default, bool) else "an integer" if isinstance(default, int) else "a number"
            raise ValueError(f"setting {name}={value!r} must be {kind} (default {default})") from None


def check_database(settings) -> None:
    """The database a single-process crawl will read and write (CCHC_DB) is usable: a folder, a damaged file, one
    that cannot be migrated, or a new one that cannot be created (a folder without write access) stops the crawl
    here, before the engine opens, with its one-line reason (an engine that opened and failed in its pipelines
    printed five tracebacks first). A distributed worker (CCHC_REDIS_URL) never opens it."""
    path = settings.get("CCHC_DB")
    if path and not settings.get("CCHC_REDIS_URL"):
        from pathlib import Path

        from crawler.store import migrate, open_database

        if not Path(path).exists():
            open_database(path).close()  # the file the crawl's first write would create
        migrate(path)


def finish_interrupted(crawler) -> bool:
    """After the reactor stopped: if this crawler's spider never closed (a second Ctrl-C / SIGINT, a forced
    shutdown), write what its pipelines still held and its ``crawl_runs`` row with finish reason
    ``shutdown_forced``. True if that was needed."""
    stats = stats_of(crawler)
    try:
        spider, extensions = crawler.spider, crawler.extensions
    except (RuntimeError, AttributeError):  # the crawl never started
        return False
    if stats is None or spider is None or stats.get_value("finish_reason") is not None:
        return False
    stats.set_value("finish_reason", "shutdown_forced")
    from crawler.monitor.extensions import CrawlRunsExtension
    from crawler.store import Store

    Store.flush_all()
    for extension in getattr(extensions, "middlewares", ()):
        if isinstance(extension, CrawlRunsExtension):
            extension.spider_closed(spider, "shutdown_forced")
    return True
