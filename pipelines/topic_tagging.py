"""CCHC topic tagging: topics and matched terms from the lexicon (crawler/vi/topics.toml), and a relevance score."""
from __future__ import annotations

from crawler.processing import assign_topics
from crawler.stats import Stat
from pipelines.base import ArticlePipeline


class TopicTaggingPipeline(ArticlePipeline):
    pure = True

    def process_article(self, article) -> None:
        topics = assign_topics(article)
        self.stats.inc_value(Stat.TOPICS_RELEVANT if topics or article["from_cchc_section"] else Stat.TOPICS_NONE)
