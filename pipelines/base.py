"""Shared construction for the pipelines: crawl stats, the process-wide article store, and the one rule
for which items a pipeline works on (``ArticlePipeline``)."""
from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from crawler.items import ArticleItem
from crawler.store import Store


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
    """A pipeline that needs the database (``CCHC_DB``), through the crawl's store (crawler/store/door.py);
    disabled when the setting is empty."""

    def __init__(self, stats, crawler=None):
        super().__init__(stats)
        self.crawler = crawler
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("CCHC_DB"):
            raise NotConfigured("CCHC_DB is empty: no database (items go to feeds only)")
        return cls(crawler.stats, crawler)

    @property
    def db_path(self) -> str:
        return self.store.path if self.store is not None else self.crawler.settings.get("CCHC_DB")

    def open_spider(self):
        self.store = Store.of(self.crawler)

    def close_spider(self):
        self.store = None  # the store itself closes when the crawl's engine stops
