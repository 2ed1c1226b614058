"""The unified article item, one class for every site, and its JSON Schema (``article.schema.json``)."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import scrapy

SCHEMA_FILE = Path(__file__).with_name("article.schema.json")


class ArticleItem(scrapy.Item):
    url = scrapy.Field()
    canonical_url = scrapy.Field()
    site = scrapy.Field()
    province = scrapy.Field()
    province_before_2025 = scrapy.Field()
    title = scrapy.Field()
    lead = scrapy.Field()
    body_text = scrapy.Field()
    body_html = scrapy.Field()
    author = scrapy.Field()
    source_attribution = scrapy.Field()
    category = scrapy.Field()
    tags = scrapy.Field()
    images = scrapy.Field()
    published_at = scrapy.Field()
    published_at_local = scrapy.Field()
    date_raw = scrapy.Field()
    date_source = scrapy.Field()
    content_hash = scrapy.Field()
    from_cchc_section = scrapy.Field()
    topics = scrapy.Field()
    topic_terms = scrapy.Field()
    relevance = scrapy.Field()
    crawled_at = scrapy.Field()
    story_signature = scrapy.Field()  # internal: MinHash for the writer (pipelines/story_signature.py), not stored as such
    # Working field between extraction and the date pipeline, removed by it: [[source, raw text], ...]
    date_candidates = scrapy.Field()


class ArticleGone(scrapy.Item):
    """A known article URL that answers 404/410, or left its listing: marked removed, never deleted."""

    url = scrapy.Field()
    site = scrapy.Field()
    reason = scrapy.Field()  # "http 404", "http 410", "gone from listing"
    seen_at = scrapy.Field()


ARTICLE_FIELDS = [name for name in ArticleItem.fields if name not in ("date_candidates", "story_signature")]


@lru_cache(maxsize=1)
def article_schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
