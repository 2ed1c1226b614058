"""Content hash of the normalized title and body (same article, any URL or Unicode form -> same hash)."""
from __future__ import annotations

from crawler.processing import assign_content_hash
from pipelines.base import ArticlePipeline


class ContentHashPipeline(ArticlePipeline):
    pure = True

    def process_article(self, article) -> None:
        assign_content_hash(article)
