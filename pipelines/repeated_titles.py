"""A title the site gives every page is not an article's title: the check over a run's articles
(crawler/prepare/repeated.py, which ``reextract`` runs too), as a pipeline: it needs the run."""
from __future__ import annotations

from crawler.prepare.repeated import RepeatedTitles
from pipelines.base import ArticlePipeline


class RepeatedTitlesPipeline(ArticlePipeline):
    def __init__(self, stats):
        super().__init__(stats)
        self.titles = RepeatedTitles()

    def process_article(self, article) -> None:
        self.titles.check(article, self.stats)
