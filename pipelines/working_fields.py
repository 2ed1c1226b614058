"""The last pipeline: an article's working fields (the MinHash for the writer, the date candidates) never reach
Scrapy's feed exports, whether or not a database is configured (with ``CCHC_DB`` empty the writer, which used
to drop the signature, is off)."""
from __future__ import annotations

from crawler.items import WORKING_FIELDS
from pipelines.base import ArticlePipeline


class WorkingFieldsPipeline(ArticlePipeline):
    def process_article(self, article) -> None:
        for name in WORKING_FIELDS:
            article.pop(name, None)
