"""Articles that left their listing: a young known article (inside CCHC_RECHECK_DAYS) missing from listing
pages that still show older known articles is reported removed (``ArticleGone``, reason "gone from listing").

Judged once, when the spider is about to close (``spider_idle``), from what the spider reported (crawler/signals.py):
the article URLs of this run's listing pages (``listing_read``) and any listing that cannot vouch for the list
(``listing_trouble``: failed, blocked, answered 304; then nothing is judged by its absence), against the known
articles of the crawl state (``spider.known``). A distributed worker sees only part of the listings, so it
never judges.
"""
from __future__ import annotations

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured

from crawler.items import ArticleGone
from crawler.signals import listing_read, listing_trouble
from crawler.stats import Stat
from crawler.store import now_iso


def vanished(known, listed: set[str], trouble: bool) -> list[str]:
    """Young known articles (``known.recent``) missing from listing pages that still show older known articles."""
    if known is None or not listed or trouble:
        return []
    if not listed & (known.urls - known.recent):
        return []
    return sorted(known.recent - listed)


class VanishedArticlesExtension:
    def __init__(self, crawler):
        self.crawler = crawler
        self.checked = False
        self.listed: set[str] = set()
        self.trouble = False
        crawler.signals.connect(self.listing_read, signal=listing_read)
        crawler.signals.connect(self.listing_trouble, signal=listing_trouble)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)

    @classmethod
    def from_crawler(cls, crawler):
        if crawler.settings.get("CCHC_REDIS_URL"):
            raise NotConfigured("a distributed worker sees only part of the listings")
        return cls(crawler)

    def listing_read(self, url: str, articles: list[str]) -> None:
        self.listed.update(articles)

    def listing_trouble(self, url: str, reason: str) -> None:
        self.trouble = True

    def spider_idle(self, spider):
        if self.checked:
            return
        self.checked = True
        gone = vanished(getattr(spider, "known", None), self.listed, self.trouble)
        if gone:
            self.crawler.engine.crawl(scrapy.Request("data:,", callback=self.report, dont_filter=True,
                                                     cb_kwargs={"urls": gone, "site": spider.site_key}))
            raise DontCloseSpider

    def report(self, response, urls, site):
        for url in urls:
            self.crawler.stats.inc_value(Stat.GONE_UNLISTED)
            yield ArticleGone(url=url, site=site, reason="gone from listing", seen_at=now_iso())
