"""Text cleaning: NFC, entities, whitespace, boilerplate, repeated leads/captions, drop caps (crawler.cleaning)."""
from __future__ import annotations

from crawler.cleaning import clean_article
from crawler.items import ArticleItem
from pipelines.base import StatsPipeline


class TextCleaningPipeline(StatsPipeline):
    def process_item(self, item):
        if not isinstance(item, ArticleItem):
            return item
        report = clean_article(item)
        for reason, count in report.dropped.items():
            self.stats.inc_value(f"cchc/cleaning/{reason}", count)
        return item
