"""Vietnamese dates: the first date candidate that parses, stored in UTC and local time with its provenance."""
from __future__ import annotations

from crawler.processing import assign_date


class VietnameseDatesPipeline:
    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        if assign_date(item):
            self.stats.inc_value(f"cchc/date/{item['date_source']}")
        else:
            self.stats.inc_value("cchc/date/missing")  # published_at stays null, never "now"
        return item
