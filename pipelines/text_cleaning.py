"""Text cleaning: NFC, entities, whitespace, boilerplate, repeated leads/captions, drop caps (crawler.clean.cleaning)."""
from __future__ import annotations

from crawler.clean.cleaning import clean_article
from crawler.stats import Stat
from crawler.vi.text import repair_unstorable
from pipelines.base import ArticlePipeline


class TextCleaningPipeline(ArticlePipeline):
    pure = True

    def process_article(self, article) -> None:
        for name, value in list(article.items()):  # every field, JSON-LD's author as much as the body
            repaired = repair_unstorable(value)
            if repaired is not value and repaired != value:
                article[name] = repaired
                self.stats.inc_value(Stat.CLEANING_UNSTORABLE_TEXT)
        report = clean_article(article)
        for reason, count in report.dropped.items():
            self.stats.inc_value(Stat.cleaning(reason), count)
        extraction = article.get("extraction") or {}
        for fallback in extraction.get("fallbacks") or ():  # "body: ...", "title: ..." (extraction health)
            self.stats.inc_value(Stat.fallback(fallback.split(":", 1)[0]))
