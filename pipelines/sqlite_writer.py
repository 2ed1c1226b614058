"""SQLite writer (sqlite-utils): ``articles`` + ``article_urls`` + FTS5, WAL, small committed batches."""
from __future__ import annotations

from scrapy.exceptions import NotConfigured

from crawler.storage import ArticleStore


class SQLiteWriterPipeline:
    def __init__(self, db_path: str, batch_size: int, stats):
        self.db_path, self.batch_size, self.stats = db_path, batch_size, stats
        self.store: ArticleStore | None = None

    @classmethod
    def from_crawler(cls, crawler):
        path = crawler.settings.get("CCHC_DB")
        if not path:
            raise NotConfigured("CCHC_DB is empty: items go to feeds only")
        return cls(path, crawler.settings.getint("CCHC_DB_BATCH_SIZE", 20), crawler.stats)

    def open_spider(self):
        self.store = ArticleStore.shared(self.db_path, self.batch_size)
        self.stats.set_value("cchc/db_path", self.db_path)

    def close_spider(self):
        if self.store is not None:
            self.store.release()
            self.store = None

    def process_item(self, item):
        self.store.add(dict(item))
        self.stats.inc_value("cchc/stored")
        return item
