"""Validation against the article JSON Schema; invalid items are dropped with a counted, logged reason. A notice
whose own body is missing or short but whose documents hold text is kept, and counted."""
from __future__ import annotations

from crawler.prepare import body_from_documents, validation_errors
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
        if body_from_documents(article):  # a notice whose content is its documents ("xem chi tiết tại đây")
            self.stats.inc_value(Stat.DOCUMENTS_KEPT_NOTICES)
            if article.get("body_text") is None:
                self.stats.inc_value(Stat.DOCUMENTS_KEPT_NO_BODY)
