"""The run's time limit, ``CCHC_RUN_MAX_HOURS``: a night that cannot finish (a site that never stops answering
slowly, a worker that hangs) ends cleanly instead of holding the run lock, and with it every later night.

One deadline for the whole process, counted from the first spider that opens (``crawlall`` runs every site at
once in one process). At the deadline each spider still open is closed as Scrapy's CLOSESPIDER_TIMEOUT would
close it, with finish reason ``time_limit``: what was fetched is stored, its ``crawl_runs`` row is written, and
its verdict says it was stopped (crawler/monitor/verdicts.py). Closing waits for the requests in progress, which
are bounded (DOWNLOAD_TIMEOUT, CCHC_EXTRACT_TIMEOUT); if a spider is still not closed ``GRACE_SECONDS`` later,
the reactor is stopped and the run recorded as ``shutdown_forced`` (crawler/ops/startup.py), as a second Ctrl-C
would.
"""
from __future__ import annotations

import logging
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro

from crawler.monitor.verdicts import TIME_LIMIT as REASON
from crawler.stats import Stat

logger = logging.getLogger(__name__)
GRACE_SECONDS = 600  # two extraction timeouts and a download timeout, with room to spare
_deadline: float | None = None  # time.monotonic() of the process's deadline, set by the first spider that opens


class RunTimeLimit:
    def __init__(self, crawler, hours: float):
        self.crawler, self.hours = crawler, hours
        self.calls = []
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        hours = crawler.settings.getfloat("CCHC_RUN_MAX_HOURS")
        if hours <= 0:
            raise NotConfigured("CCHC_RUN_MAX_HOURS=0: no time limit")
        return cls(crawler, hours)

    def spider_opened(self, spider):
        global _deadline
        from twisted.internet import reactor

        if _deadline is None:
            _deadline = time.monotonic() + self.hours * 3600
        self.calls.append(reactor.callLater(max(0.0, _deadline - time.monotonic()), self._close, spider))

    def _close(self, spider):
        from twisted.internet import reactor

        engine = self.crawler.engine
        if engine is None or engine.spider is None:
            return
        self.crawler.stats.set_value(Stat.TIME_LIMIT_HOURS, self.hours)
        logger.warning("%s: the run's time limit is reached (CCHC_RUN_MAX_HOURS=%g): closing the spider",
                       spider.name, self.hours)
        deferred_from_coro(engine.close_spider_async(reason=REASON))
        self.calls.append(reactor.callLater(GRACE_SECONDS, self._force, spider))

    def _force(self, spider):
        from twisted.internet import reactor

        if self.crawler.engine is not None and self.crawler.engine.spider is not None and reactor.running:
            logger.error("%s: still not closed %d s after the time limit: stopping the run", spider.name, GRACE_SECONDS)
            reactor.stop()

    def spider_closed(self, spider, reason):
        for call in self.calls:
            if call.active():
                call.cancel()
