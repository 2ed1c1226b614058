"""Deduplication by content hash (the decision is the store's: ``ArticleStore.classify``): a second copy is
recorded as another source URL, not stored again; an unchanged page is dropped quietly."""
from __future__ import annotations

from crawler.stats import Duplicate, Stat, Unchanged
from crawler.store import DUPLICATE, NEW, UNCHANGED
from pipelines.base import ArticlePipeline, StorePipeline


class DeduplicationPipeline(StorePipeline, ArticlePipeline):
    def process_article(self, article) -> None:
        url = article["url"]
        outcome = self.store.classify(url, article["content_hash"], article["site"])
        if outcome == UNCHANGED:
            self.store.archived_if_missing(url, article.get("archive_record"))  # stored before the archive existed
            self.stats.inc_value(Stat.DROPPED_UNCHANGED)
            raise Unchanged(f"unchanged: {url}", log_level="DEBUG")
        if outcome == DUPLICATE:
            self.stats.inc_value(Stat.DROPPED_DUPLICATE)
            raise Duplicate(f"duplicate content, recorded as another source: {url}", log_level="INFO")
        self.stats.inc_value(Stat.NEW if outcome == NEW else Stat.UPDATED)
