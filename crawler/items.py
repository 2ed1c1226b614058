"""The unified article item, one class for every site, and its JSON Schema (``article.schema.json``)."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import scrapy
from scrapy.item import ItemMeta

SCHEMA_FILE = Path(__file__).with_name("article.schema.json")


@lru_cache(maxsize=1)
def article_schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


# The article's fields are declared once, in article.schema.json (with a description each); the item class, the
# stored columns (crawler/store/schema.py) and validation all read them from there.
ARTICLE_FIELDS = list(article_schema()["properties"])
# Working fields, never stored as such nor exported: the MinHash for the writer (computed when the article is read,
# stored as article_minhash), the date candidates between extraction and the date stage ([[source, raw text],
# ...]), and the fallbacks extraction keeps for the checks after it: other methods' bodies ([[method, html], ...],
# used by crawler/clean/check.py) and the runner-up titles ([[method, text], ...], used for titles a site repeats), and
# where the page's response is in the WARC archive ([file, offset, fetch time], stored in article_archive).
WORKING_FIELDS = ("story_signature", "date_candidates", "body_alternatives", "title_alternatives", "archive_record")

ArticleItem = ItemMeta("ArticleItem", (scrapy.Item,), {
    "__module__": __name__,
    "__doc__": "The unified article item: the properties of article.schema.json, plus the working fields.",
    **{name: scrapy.Field(description=spec.get("description")) for name, spec in article_schema()["properties"].items()},
    **{name: scrapy.Field() for name in WORKING_FIELDS},
})


class ArticleGone(scrapy.Item):
    """A known article URL that answers 404/410, or left its listing: marked removed, never deleted."""

    url = scrapy.Field()
    site = scrapy.Field()
    reason = scrapy.Field()  # "http 404", "http 410", "gone from listing"
    seen_at = scrapy.Field()
