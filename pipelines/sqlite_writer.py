"""SQLite writer (sqlite-utils): ``articles`` + ``article_urls`` + FTS5, WAL, small committed batches."""
from __future__ import annotations

from crawler.items import ArticleGone
from pipelines.base import StorePipeline


class SQLiteWriterPipeline(StorePipeline):
    def open_spider(self):
        super().open_spider()
        self.stats.set_value("cchc/db_path", self.db_path)

    def process_item(self, item):
        if isinstance(item, ArticleGone):
            if self.store.mark_removed(item["url"], item["seen_at"], item["reason"]):
                self.stats.inc_value("cchc/removed")
            return item
        self.store.add(dict(item))
        self.stats.inc_value("cchc/stored")
        return item
