"""Validation against the article JSON Schema; invalid items are dropped with a counted, logged reason."""
from __future__ import annotations

from crawler.prepare import validation_errors
from crawler.stats import Invalid, Stat
from pipelines.base import ArticlePipeline


class ValidationPipeline(ArticlePipeline):
    def process_article(self, article) -> None:
        errors = validation_errors(article)
        if errors:
            field = errors[0].split(":", 1)[0]
            self.stats.inc_value(Stat.DROPPED_INVALID)
            self.stats.inc_value(Stat.invalid_field(field))
            raise Invalid(f"invalid article {article.get('url')}: {'; '.join(errors)}", log_level="WARNING")
