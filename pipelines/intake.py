"""Items that are not this project's ArticleItem: an article-like one is validated like any other, anything
else passes through untouched.

Before, a plain dict item (``scrapy runspider`` in this folder, or any spider not built on the registry) skipped
every pipeline's ``isinstance(item, ArticleItem)`` guard and reached the writer, which stopped the whole crawl on
``NOT NULL constraint failed: articles.site``. Now an item with a ``url`` and a ``title``, ``body_html`` or
``body_text`` (read through itemadapter, so dicts, dataclasses, attrs and Scrapy items alike) becomes an
ArticleItem with the extractor's defaults, is prepared (crawler/prepare: cleaning, dates, hash, topics, signature)
and goes through validation, where a missing
site or title drops it with a counted reason (``cchc/dropped/invalid/<field>``). Fields the article schema does
not know drop it too (``cchc/dropped/invalid/unknown_fields``): a field silently lost is data lost.
"""
from __future__ import annotations

from datetime import datetime, timezone

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from crawler.items import ArticleGone, ArticleItem
from crawler.prepare import prepare
from pipelines.base import StatsPipeline
from crawler.stats import Stat

_LISTS = {"tags", "images", "topics", "topic_terms", "date_candidates", "attachments"}
_ARTICLE_HINTS = ("title", "body_html", "body_text")


def article_like(adapter: ItemAdapter) -> bool:
    return bool(adapter.get("url")) and any(adapter.get(name) for name in _ARTICLE_HINTS)


class ItemIntakePipeline(StatsPipeline):
    def process_item(self, item):
        if isinstance(item, (ArticleItem, ArticleGone)) or not ItemAdapter.is_item(item):
            return item
        adapter = ItemAdapter(item)
        if not article_like(adapter):
            self.stats.inc_value(Stat.INTAKE_NOT_ARTICLE)
            return item  # not an article: untouched, for the feeds
        unknown = sorted(set(adapter.keys()) - set(ArticleItem.fields))
        if unknown:
            self.stats.inc_value(Stat.DROPPED_INVALID)
            self.stats.inc_value(Stat.DROPPED_INVALID_UNKNOWN_FIELDS)
            raise DropItem(f"invalid article {adapter.get('url')}: fields the article schema does not have: {unknown}",
                           log_level="WARNING")
        article = ArticleItem({name: ([] if name in _LISTS else None) for name in ArticleItem.fields
                               if name != "story_signature"})
        article["from_cchc_section"] = False
        article["crawled_at"] = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        article.update({name: value for name, value in adapter.items()})
        self.stats.inc_value(Stat.INTAKE_CONVERTED)
        return prepare(article, self.stats)  # the stages a spider's own articles went through when read
