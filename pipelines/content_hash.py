"""Content hash of the normalized title and body (same article, any URL or Unicode form -> same hash)."""
from __future__ import annotations

from crawler.items import ArticleItem
from crawler.processing import assign_content_hash


class ContentHashPipeline:
    def process_item(self, item):
        if not isinstance(item, ArticleItem):
            return item
        assign_content_hash(item)
        return item
