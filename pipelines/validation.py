"""Validation against the article JSON Schema; invalid items are dropped with a counted, logged reason."""
from __future__ import annotations

from scrapy.exceptions import DropItem

from crawler.processing import validation_errors
from crawler.items import ArticleItem
from pipelines.base import StatsPipeline


class ValidationPipeline(StatsPipeline):
    def process_item(self, item):
        if not isinstance(item, ArticleItem):
            return item
        errors = validation_errors(item)
        if errors:
            field = errors[0].split(":", 1)[0]
            self.stats.inc_value("cchc/dropped/invalid")
            self.stats.inc_value(f"cchc/dropped/invalid/{field}")
            raise DropItem(f"invalid article {item.get('url')}: {'; '.join(errors)}", log_level="WARNING")
        return item
