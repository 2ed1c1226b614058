"""Validation against the article JSON Schema; invalid items are dropped with a counted, logged reason."""
from __future__ import annotations

import logging

from scrapy.exceptions import DropItem

from crawler.processing import validation_errors

logger = logging.getLogger(__name__)


class ValidationPipeline:
    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        errors = validation_errors(item)
        if errors:
            field = errors[0].split(":", 1)[0]
            self.stats.inc_value("cchc/dropped/invalid")
            self.stats.inc_value(f"cchc/dropped/invalid/{field}")
            raise DropItem(f"invalid article {item.get('url')}: {'; '.join(errors)}", log_level="WARNING")
        return item
