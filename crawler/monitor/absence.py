"""Articles that left their listing: a young known article (inside CCHC_RECHECK_DAYS) missing from listing
pages that still show older known articles is reported removed (``ArticleGone``, reason "gone from listing").

Judged once, when the spider is about to close (``spider_idle``), from what the spider saw: ``spider.listed``
(article URLs on this run's listing pages), ``spider.known`` and ``spider.listing_trouble`` (a listing failed,
was blocked or answered 304: then nothing is judged by its absence). A distributed worker sees only part of
the listings, so it never judges.
"""
from __future__ import annotations

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured

from crawler.items import ArticleGone
from crawler.stats import Stat
from crawler.store.database import now_iso


def vanished(spider) -> list[str]:
    """Young known articles missing from listing pages that still show older known articles."""
    known, listed = getattr(spider, "known", None), getattr(spider, "listed", None)
    if known is None or not listed or getattr(spider, "listing_trouble", True):
        return []
    if not listed & (known.urls - known.recent):
        return []
    return sorted(known.recent - listed)


class VanishedArticlesExtension:
    def __init__(self, crawler):
        self.crawler = crawler
        self.checked = False
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)

    @classmethod
    def from_crawler(cls, crawler):
        if crawler.settings.get("CCHC_REDIS_URL"):
            raise NotConfigured("a distributed worker sees only part of the listings")
        return cls(crawler)

    def spider_idle(self, spider):
        if self.checked:
            return
        self.checked = True
        gone = vanished(spider)
        if gone:
            self.crawler.engine.crawl(scrapy.Request("data:,", callback=self.report, dont_filter=True,
                                                     cb_kwargs={"urls": gone, "site": spider.site_key}))
            raise DontCloseSpider

    def report(self, response, urls, site):
        for url in urls:
            self.crawler.stats.inc_value(Stat.GONE_UNLISTED)
            yield ArticleGone(url=url, site=site, reason="gone from listing", seen_at=now_iso())
