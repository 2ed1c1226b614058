"""Deduplication by content hash: a second copy is recorded as another source URL, not stored again."""
from __future__ import annotations

from scrapy.exceptions import DropItem, NotConfigured

from crawler.storage import ArticleStore


class DeduplicationPipeline:
    def __init__(self, db_path: str, batch_size: int, stats):
        self.db_path, self.batch_size, self.stats = db_path, batch_size, stats
        self.store: ArticleStore | None = None

    @classmethod
    def from_crawler(cls, crawler):
        path = crawler.settings.get("CCHC_DB")
        if not path:
            raise NotConfigured("CCHC_DB is empty: no database, no deduplication")
        return cls(path, crawler.settings.getint("CCHC_DB_BATCH_SIZE", 20), crawler.stats)

    def open_spider(self):
        self.store = ArticleStore.shared(self.db_path, self.batch_size)

    def close_spider(self):
        if self.store is not None:
            self.store.release()
            self.store = None

    def process_item(self, item):
        store, url, digest = self.store, item["url"], item["content_hash"]
        if store.known_hash_for_url(url) == digest:
            self.stats.inc_value("cchc/dropped/unchanged")
            raise DropItem(f"unchanged: {url}", log_level="DEBUG")
        if digest in store.pending_hashes() or store.article_id_for_hash(digest) is not None:
            store.add_source(url, digest, item["site"])
            self.stats.inc_value("cchc/dropped/duplicate")
            raise DropItem(f"duplicate content, recorded as another source: {url}", log_level="INFO")
        return item
