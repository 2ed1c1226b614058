"""Text cleaning: NFC, entities, whitespace, boilerplate, repeated leads/captions, drop caps (crawler.clean.cleaning)."""
from __future__ import annotations

from crawler.clean.cleaning import clean_article
from crawler.items import ArticleItem
from crawler.vi.text import repair_unstorable
from pipelines.base import StatsPipeline


class TextCleaningPipeline(StatsPipeline):
    def process_item(self, item):
        if not isinstance(item, ArticleItem):
            return item
        for name, value in list(item.items()):  # every field, JSON-LD's author as much as the body
            repaired = repair_unstorable(value)
            if repaired is not value and repaired != value:
                item[name] = repaired
                self.stats.inc_value("cchc/cleaning/unstorable_text")
        report = clean_article(item)
        for reason, count in report.dropped.items():
            self.stats.inc_value(f"cchc/cleaning/{reason}", count)
        return item
