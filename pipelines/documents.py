"""The documents an article attaches, fetched and read before the article goes on (crawler/fetch/documents.py):
the item waits here, its page stays the scraper's until its documents are in, and then its attachment entries
hold each document's text and header (or the error that kept it from them), and its topics and relevance are
tagged again with that text (crawler/prepare: ``with_documents``). Validation, deduplication and the writer come
after. ``CCHC_DOCUMENTS = 0`` leaves the candidates as they are (links without text)."""
from __future__ import annotations

from scrapy.exceptions import NotConfigured

from crawler.fetch.documents import DocumentFetcher
from crawler.items import ArticleItem
from crawler.prepare import with_documents
from pipelines.base import StatsPipeline


class DocumentsPipeline(StatsPipeline):
    def __init__(self, stats, crawler):
        super().__init__(stats)
        self.crawler = crawler
        self.fetcher: DocumentFetcher | None = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("CCHC_DOCUMENTS"):
            raise NotConfigured("CCHC_DOCUMENTS is off: attachments are kept as links, unread")
        return cls(crawler.stats, crawler)

    def open_spider(self):
        self.fetcher = DocumentFetcher(self.crawler)

    async def process_item(self, item):
        if not isinstance(item, ArticleItem) or not item.get("attachments"):
            return item
        attachments = [a for a in item["attachments"] if isinstance(a, dict) and a.get("url")]
        if all(a.get("sha256") or a.get("error") for a in attachments):
            return item  # read already (an item of another spider, or prepared twice)
        with_documents(item, await self.fetcher.attachments(attachments), self.stats)
        return item
