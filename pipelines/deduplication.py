"""Deduplication by content hash: a second copy is recorded as another source URL, not stored again."""
from __future__ import annotations

from scrapy.exceptions import DropItem

from crawler.items import ArticleItem
from pipelines.base import StorePipeline


class DeduplicationPipeline(StorePipeline):
    def process_item(self, item):
        if not isinstance(item, ArticleItem):
            return item
        store, url, digest = self.store, item["url"], item["content_hash"]
        known = store.known_hash_for_url(url)
        if known == digest and not store.is_removed(url):
            self.stats.inc_value("cchc/dropped/unchanged")
            raise DropItem(f"unchanged: {url}", log_level="DEBUG")
        if known is None and (digest in store.pending_hashes() or store.article_id_for_hash(digest) is not None):
            store.add_source(url, digest, item["site"])
            self.stats.inc_value("cchc/dropped/duplicate")
            raise DropItem(f"duplicate content, recorded as another source: {url}", log_level="INFO")
        self.stats.inc_value("cchc/new" if known is None else "cchc/updated")
        return item
