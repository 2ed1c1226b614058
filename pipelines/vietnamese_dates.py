"""Vietnamese dates: the first date candidate that parses, stored in UTC and local time with its provenance."""
from __future__ import annotations

from crawler.processing import assign_date
from crawler.stats import Stat
from pipelines.base import ArticlePipeline


class VietnameseDatesPipeline(ArticlePipeline):
    pure = True

    def process_article(self, article) -> None:
        if assign_date(article):
            self.stats.inc_value(Stat.date_source(article["date_source"]))
        else:
            self.stats.inc_value(Stat.DATE_MISSING)  # published_at stays null, never "now"
