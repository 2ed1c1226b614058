"""The documents an article attaches, fetched and read before the article goes on (crawler/fetch/documents.py):
the item waits here, its page stays the scraper's until its documents are in, and then its attachment entries
hold each document's text and header (or the error that kept it from them), and its topics and relevance are
tagged again with that text (crawler/prepare: ``with_documents``). Validation, deduplication and the writer come
after. ``CCHC_DOCUMENTS = 0`` leaves the candidates as they are (links without text).

When the site's pages are done (``spider_idle``), the documents its earlier articles attach whose pages still
wait for OCR (a night without Tesseract, or whose OCR budget ran out) are fetched and read again while this
night's budget lasts: an old notice's scan gets its text without its page being fetched again."""
from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.defer import deferred_from_coro

from crawler.fetch.documents import DocumentFetcher
from crawler.items import ArticleItem
from crawler.prepare import with_documents
from pipelines.base import StatsPipeline

logger = logging.getLogger(__name__)


class DocumentsPipeline(StatsPipeline):
    def __init__(self, stats, crawler):
        super().__init__(stats)
        self.crawler = crawler
        self.fetcher: DocumentFetcher | None = None
        self._catching_up = None  # None: not looked yet; False: nothing to do; a Deferred while it runs

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("CCHC_DOCUMENTS"):
            raise NotConfigured("CCHC_DOCUMENTS is off: attachments are kept as links, unread")
        return cls(crawler.stats, crawler)

    def open_spider(self):
        self.fetcher = DocumentFetcher(self.crawler)
        self.crawler.signals.connect(self._idle, signal=signals.spider_idle)

    async def process_item(self, item):
        if not isinstance(item, ArticleItem) or not item.get("attachments"):
            return item
        attachments = [a for a in item["attachments"] if isinstance(a, dict) and a.get("url")]
        if all(a.get("sha256") or a.get("error") for a in attachments):
            return item  # read already (an item of another spider, or prepared twice)
        with_documents(item, await self.fetcher.attachments(attachments), self.stats)
        return item

    def _idle(self, spider):
        if self._catching_up is None:
            waiting = self.fetcher.waiting(getattr(spider, "site_key", spider.name))
            if not waiting:
                self._catching_up = False
                return
            logger.info("%d documents of earlier articles wait for OCR: reading them now", len(waiting))
            self._catching_up = deferred_from_coro(self.fetcher.catch_up(waiting))
            self._catching_up.addErrback(lambda failure: logger.error("catching up on documents failed: %s",
                                                                      failure.getErrorMessage()))
        if self._catching_up and not self._catching_up.called:
            raise DontCloseSpider
