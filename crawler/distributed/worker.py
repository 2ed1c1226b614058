"""The worker side: a heartbeat per spider, the idle rule that ends a distributed run, and marking requests done."""
from __future__ import annotations

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured

from crawler.stats import Stat


def _scheduler(crawler):
    return getattr(crawler, "cchc_scheduler", None)


class WorkerExtension:
    """Keeps ``cchc:<spider>:alive:<worker>`` alive (TTL ``CCHC_REDIS_WORKER_TTL`` seconds) while the spider runs,
    and keeps an idle spider open while the queue has requests or another live worker has some in flight."""

    def __init__(self, crawler, ttl: int, poll: float = 0.5):
        from twisted.internet import task

        self.crawler, self.ttl, self.poll = crawler, max(2, ttl), poll
        self.beat = task.LoopingCall(self._beat)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("CCHC_REDIS_URL"):
            raise NotConfigured
        settings = crawler.settings
        return cls(crawler, settings.getint("CCHC_REDIS_WORKER_TTL"), settings.getfloat("CCHC_REDIS_POLL"))

    def _alive_key(self):
        scheduler = _scheduler(self.crawler)
        return scheduler.keys.alive(scheduler.spider.name, scheduler.worker)

    def _beat(self):
        scheduler = _scheduler(self.crawler)
        if scheduler is not None:
            scheduler.server.set(self._alive_key(), "1", ex=self.ttl)

    def spider_opened(self, spider):
        self._beat()
        self.beat.start(self.ttl / 3, now=False)  # its Deferred fires only when the loop stops: not returned

    def spider_idle(self, spider):
        scheduler = _scheduler(self.crawler)
        if scheduler is None:
            return
        scheduler.drop_own_inflight()
        if scheduler.others_busy() or scheduler.has_pending_requests():
            self.crawler.stats.inc_value(Stat.DISTRIBUTED_IDLE_WAITS)
            self._wake_soon()
            raise DontCloseSpider

    def _wake_soon(self):
        """Look at the shared queue again in ``CCHC_REDIS_POLL`` seconds, not at the engine's 5-second heartbeat."""
        slot = getattr(self.crawler.engine, "_slot", None)  # Scrapy internals; without them the heartbeat does it
        if slot is not None and hasattr(slot, "nextcall"):
            slot.nextcall.schedule(self.poll)

    def spider_closed(self, spider, reason):
        if self.beat.running:
            self.beat.stop()
        scheduler = _scheduler(self.crawler)
        if scheduler is not None:
            scheduler.server.delete(self._alive_key())


class InflightDoneMiddleware:
    """Spider middleware: once a response's callback has yielded everything (items pushed, requests queued),
    its request leaves this worker's in-flight hash."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("CCHC_REDIS_URL"):
            raise NotConfigured
        return cls(crawler)

    def _done(self, response):
        from twisted.internet import reactor

        scheduler = _scheduler(self.crawler)
        if scheduler is not None and response.request is not None:
            # after the scraper has handed the last output to the item pipelines and the scheduler
            reactor.callLater(0, scheduler.done, response.request)

    def process_spider_output(self, response, result):
        yield from result
        self._done(response)

    async def process_spider_output_async(self, response, result):
        async for item in result:
            yield item
        self._done(response)

    def process_spider_exception(self, response, exception):
        self._done(response)
