"""The near-duplicate signature (MinHash) of each valid article, computed here rather than in the writer: in a
distributed crawl the workers compute it and the single SQLite writer only stores it. The writer removes the
field once stored, so feeds never carry it."""
from __future__ import annotations

from crawler.items import ArticleItem
from crawler.store.syndication import encode_signature, signature


class StorySignaturePipeline:
    def process_item(self, item):
        if isinstance(item, ArticleItem) and item.get("story_signature") is None:
            minhash = signature(item.get("title"), item.get("body_text"))
            if minhash is not None:
                item["story_signature"] = encode_signature(minhash)
        return item
