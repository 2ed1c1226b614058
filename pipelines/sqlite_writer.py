"""SQLite writer (sqlite-utils): ``articles`` + ``article_urls`` + FTS5, WAL, small committed batches."""
from __future__ import annotations

from pipelines.base import StorePipeline


class SQLiteWriterPipeline(StorePipeline):
    def open_spider(self):
        super().open_spider()
        self.stats.set_value("cchc/db_path", self.db_path)

    def process_item(self, item):
        self.store.add(dict(item))
        self.stats.inc_value("cchc/stored")
        return item
