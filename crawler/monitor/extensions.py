"""Extensions: one ``crawl_runs`` row per spider run, and the pages worth keeping when a monitor fails."""
from __future__ import annotations

import json
import logging
import statistics
import uuid
from collections import deque
from datetime import datetime, timezone

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.items import ArticleItem
from crawler.prepare import body_from_documents
from crawler.prepare.stages import documents_text
from crawler.signals import suspicious_page
from crawler.monitor.verdicts import drop_reasons, verdict
from crawler.stats import Duplicate, Stat, Unchanged
from crawler.store import Store


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def run_row(stats: dict, site: str, spider: str, run_id: str, started_at: str, quality: dict) -> dict:
    """The ``crawl_runs`` row of a finished run, from the crawl stats."""
    def count(key):
        return int(stats.get(key) or 0)

    def grouped(prefix):
        return {k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix)}

    errors = grouped("downloader/exception_type_count/")
    errors.update({f"spider:{k}": v for k, v in grouped("spider_exceptions/").items()})
    return {
        "run_id": run_id, "site": site, "spider": spider, "started_at": started_at, "finished_at": _now(),
        "finish_reason": stats.get("finish_reason"), "pages": count("response_received_count"),
        "listing_pages": count(Stat.LISTING_PAGES), "not_modified": count(Stat.LISTING_NOT_MODIFIED),
        "new": count(Stat.NEW), "updated": count(Stat.UPDATED), "duplicates": count(Stat.DROPPED_DUPLICATE),
        "unchanged": count(Stat.DROPPED_UNCHANGED), "dropped": count(Stat.DROPPED_INVALID),
        "removed": count(Stat.REMOVED), "blocked": count(Stat.BLOCKED),
        "errors": json.dumps(errors, sort_keys=True), "http_status": json.dumps(grouped("downloader/response_status_count/"), sort_keys=True),
        # extraction health: article pages read, articles that passed validation, why the others were dropped, and
        # the fallbacks taken by field (body, title, listing)
        "article_pages": count(Stat.ARTICLES_EXTRACTED),
        "extracted": max(0, count(Stat.ARTICLES_EXTRACTED) - count(Stat.DROPPED_INVALID)),
        "drop_reasons": json.dumps(drop_reasons(stats), sort_keys=True),
        "fallbacks": json.dumps(grouped(Stat.FALLBACK_PREFIX), sort_keys=True),
        **quality, "monitor_status": None, "monitor_failures": None,
        **dict(zip(("verdict", "verdict_reason"), verdict(stats))),  # monitors refine it (RecordMonitorResults)
    }


class CrawlRunsExtension:
    """Writes the run's figures to ``crawl_runs``: pages, new/updated/duplicate/dropped articles, errors by
    type, HTTP statuses, share of articles with a date and with a body, median body length."""

    def __init__(self, crawler, redis_url: str | None = None):
        self.crawler, self.redis_url = crawler, redis_url
        self.run_id = uuid.uuid4().hex[:16]
        self.started_at = _now()
        self.items = self.with_date = self.with_body = 0
        self.body_lengths: list[int] = []
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if settings.get("CCHC_REDIS_URL"):  # a distributed worker: the writer stores the row
            return cls(crawler, settings.get("CCHC_REDIS_URL"))
        if not settings.get("CCHC_DB"):
            raise NotConfigured("crawl_runs needs CCHC_DB")
        return cls(crawler)

    def spider_opened(self, spider):
        self.crawler.stats.set_value(Stat.RUN_ID, self.run_id)

    def _count(self, item):
        if not isinstance(item, ArticleItem):
            return
        self.items += 1
        self.with_date += bool(item.get("published_at"))
        body = item.get("body_text") or ""
        if body_from_documents(item):  # a notice whose content is its documents: their text is its body here
            body = documents_text(item)
        self.with_body += bool(body)
        if len(self.body_lengths) < 100_000:
            self.body_lengths.append(len(body))

    def item_scraped(self, item, spider):
        self._count(item)

    def item_dropped(self, item, spider, exception, response=None):
        if not isinstance(exception, (Unchanged, Duplicate)):
            self._count(item)

    def quality(self) -> dict:
        return {
            "date_share": round(self.with_date / self.items, 3) if self.items else None,
            "body_share": round(self.with_body / self.items, 3) if self.items else None,
            "median_body_length": int(statistics.median(self.body_lengths)) if self.body_lengths else None,
        }

    def spider_closed(self, spider, reason):
        stats = dict(self.crawler.stats.get_stats())
        stats["finish_reason"] = reason
        site = getattr(spider, "site_key", spider.name)
        row = run_row(stats, site, spider.name, self.run_id, self.started_at, self.quality())
        if self.redis_url:
            from crawler.distributed.keys import Keys, connect, worker_id

            row["worker"] = worker_id(self.crawler.settings)
            connect(self.redis_url).rpush(Keys.from_settings(self.crawler.settings).runs, json.dumps(row))
            return
        Store.of(self.crawler).record_run(row)


class SuspiciousPagesExtension:
    """Keeps the last few suspicious pages of a run (block pages, listings without links, invalid articles)
    in memory, so that a failing monitor can save them as fixtures. Bounded: ``CCHC_KEEP_PAGES`` pages."""

    def __init__(self, crawler, keep: int):
        self.pages: deque = deque(maxlen=keep)
        crawler.signals.connect(self.keep, signal=suspicious_page)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.suspicious_pages = self

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawler.settings.getint("CCHC_KEEP_PAGES"))

    def keep(self, response, reason):
        self.pages.append({"url": response.url, "status": response.status, "reason": reason, "body": response.body,
                           "fetched_at": _now()})

    def item_dropped(self, item, spider, exception, response=None):
        if response is not None and "invalid" in str(exception):
            self.keep(response, str(exception)[:200])


class ProgressExtension:
    """Logs one line every ``CCHC_PROGRESS_INTERVAL`` seconds: pages, new articles, items per minute."""

    def __init__(self, crawler, interval: float):
        from twisted.internet import task

        self.crawler, self.interval = crawler, interval
        self.task = task.LoopingCall(self.log)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        interval = crawler.settings.getfloat("CCHC_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        return cls(crawler, interval)

    def spider_opened(self, spider):
        self.task.start(self.interval, now=False)  # its Deferred fires only when the loop stops: not returned

    def spider_closed(self, spider):
        if self.task.running:
            self.task.stop()

    def log(self):
        import logging

        stats = self.crawler.stats
        logging.getLogger("cchc.progress").info(
            "%s: %d pages, %d new articles, %d updated, %d errors", self.crawler.spider.name,
            stats.get_value("response_received_count", 0), stats.get_value(Stat.NEW, 0),
            stats.get_value(Stat.UPDATED, 0), stats.get_value("log_count/ERROR", 0),
        )


class CrawlerLogCounts:
    """``log_count/<LEVEL>`` per crawler under ``crawlall``. Scrapy's LogCounterHandler counts every record of
    the process in every crawler's stats (scrapy/scrapy#1362), so after one flaky site every later site looked
    failed (14 -> 299 errors in one offline night). Here a record counts only for the crawler whose spider it
    names (Scrapy's own records carry ``spider``); one that names no spider counts only when this is the only
    crawler of the process (``scrapy crawl``). Nothing is lost: the log file has every record."""

    def __init__(self, crawler):
        from scrapy.utils.log import LogCounterHandler

        self.crawler = crawler
        for handler in logging.root.handlers:
            if isinstance(handler, LogCounterHandler) and handler.crawler is crawler:
                handler.addFilter(self.mine)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def mine(self, record: logging.LogRecord) -> bool:
        from scrapy.utils.log import LogCounterHandler

        spider = getattr(record, "spider", None)
        if spider is not None:
            return spider is getattr(self.crawler, "spider", None)
        crawler = getattr(record, "crawler", None)
        if crawler is not None:
            return crawler is self.crawler
        return sum(isinstance(h, LogCounterHandler) for h in logging.root.handlers) <= 1
