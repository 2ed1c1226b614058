"""Text cleaning: NFC, entities, whitespace, boilerplate, repeated leads/captions, drop caps (crawler.cleaning)."""
from __future__ import annotations

from crawler.cleaning import clean_article


class TextCleaningPipeline:
    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        report = clean_article(item)
        for reason, count in report.dropped.items():
            self.stats.inc_value(f"cchc/cleaning/{reason}", count)
        return item
