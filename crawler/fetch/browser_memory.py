"""Remembers a site whose listings showed article links only in a browser (``listings_need_browser``, sent by
spiders/base.py): the next runs render its listings from the start (``browser_sites``, read back with the
crawl state)."""
from __future__ import annotations

from scrapy.exceptions import NotConfigured

from crawler.signals import listings_need_browser
from crawler.store import Store


class BrowserMemory:
    def __init__(self, crawler):
        self.crawler = crawler
        crawler.signals.connect(self.remember, signal=listings_need_browser)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("CCHC_DB"):
            raise NotConfigured("no database to remember sites that need a browser in")
        return cls(crawler)

    def remember(self, site: str, url: str) -> None:
        Store.of(self.crawler).remember_browser(site, url)
