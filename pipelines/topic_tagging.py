"""CCHC topic tagging: topics and matched terms from the lexicon (crawler/vi/topics.toml), and a relevance score."""
from __future__ import annotations

from crawler.processing import assign_topics
from crawler.items import ArticleItem
from pipelines.base import StatsPipeline


class TopicTaggingPipeline(StatsPipeline):
    def process_item(self, item):
        if not isinstance(item, ArticleItem):
            return item
        topics = assign_topics(item)
        self.stats.inc_value("cchc/topics/relevant" if topics or item["from_cchc_section"] else "cchc/topics/none")
        return item
