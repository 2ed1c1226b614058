"""The near-duplicate signature (MinHash) of each valid article, computed here rather than in the writer: in a
distributed crawl the workers compute it and the single SQLite writer only stores it. The writer removes the
field once stored, so feeds never carry it."""
from __future__ import annotations

from crawler.store.syndication import encode_signature, signature
from pipelines.base import ArticlePipeline


class StorySignaturePipeline(ArticlePipeline):
    pure = True

    def process_article(self, article) -> None:
        if article.get("story_signature") is None:  # a distributed worker may have computed it
            minhash = signature(article.get("title"), article.get("body_text"))
            if minhash is not None:
                article["story_signature"] = encode_signature(minhash)
