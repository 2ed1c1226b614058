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
