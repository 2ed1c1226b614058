"""Vietnamese dates: the first date candidate that parses, stored in UTC and local time with its provenance."""
from __future__ import annotations

from crawler.processing import assign_date
from crawler.items import ArticleItem
from pipelines.base import StatsPipeline


class VietnameseDatesPipeline(StatsPipeline):
    def process_item(self, item):
        if not isinstance(item, ArticleItem):
            return item
        if assign_date(item):
            self.stats.inc_value(f"cchc/date/{item['date_source']}")
        else:
            self.stats.inc_value("cchc/date/missing")  # published_at stays null, never "now"
        return item
