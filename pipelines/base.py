"""Shared construction for the pipelines: crawl stats, the process-wide article store, and the one rule
for which items a pipeline works on (``ArticlePipeline``)."""
from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from crawler.items import ArticleItem
from crawler.store.articles import ArticleStore
from crawler.store.batch import BATCH_SECONDS, BATCH_SIZE


class StatsPipeline:
    """A pipeline that counts what it does in the crawl stats."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)


class ArticlePipeline(StatsPipeline):
    """A pipeline of articles: an ``ArticleItem`` is handed to ``process_article`` through an ``ItemAdapter``;
    anything else (``ArticleGone``, the non-article items pipelines/intake.py lets through) passes untouched.
    Every ArticleItem that reaches the pipelines is prepared (crawler/prepare): read by the spider, or converted
    and prepared by the intake pipeline."""

    def process_item(self, item):
        if isinstance(item, ArticleItem):
            self.process_article(ItemAdapter(item))
        return item

    def process_article(self, article: ItemAdapter) -> None:
        raise NotImplementedError


class StorePipeline(StatsPipeline):
    """A pipeline that needs the database (``CCHC_DB``); disabled when the setting is empty."""

    def __init__(self, stats, db_path: str, batch_size: int = BATCH_SIZE, batch_seconds: float = BATCH_SECONDS):
        super().__init__(stats)
        self.db_path, self.batch_size, self.batch_seconds = db_path, batch_size, batch_seconds
        self.store: ArticleStore | None = None

    @classmethod
    def from_crawler(cls, crawler):
        path = crawler.settings.get("CCHC_DB")
        if not path:
            raise NotConfigured("CCHC_DB is empty: no database (items go to feeds only)")
        settings = crawler.settings
        return cls(crawler.stats, path, settings.getint("CCHC_DB_BATCH_SIZE", BATCH_SIZE),
                   settings.getfloat("CCHC_DB_BATCH_SECONDS", BATCH_SECONDS))

    def open_spider(self):
        self.store = ArticleStore.shared(self.db_path, self.batch_size, self.batch_seconds)

    def close_spider(self):
        if self.store is not None:
            self.store.release()
            self.store = None
