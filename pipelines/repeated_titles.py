"""A title the site gives every page is not an article's title: the site's name, a section's name ("THÔNG BÁO"),
"Trang chủ". Extraction checks each page alone (crawler/extract/title.py); this stage sees the run: from the
REPEATS-th article of a site with one title and different texts on, the title gives way to the page's runner-up
(an item's working field ``title_alternatives``), and what depends on the title (content hash, topics, story
signature) is computed again. The swap is recorded in the article's ``extraction`` record and counted as a title
fallback (crawl_runs.fallbacks)."""
from __future__ import annotations

from collections import defaultdict

from crawler.prepare.stages import retitled
from crawler.stats import Stat
from crawler.vi.text import normalize_for_compare
from pipelines.base import ArticlePipeline

# Pages of one site with one title and different texts before the title counts as the site's, not the article's.
REPEATS = 3


class RepeatedTitlesPipeline(ArticlePipeline):
    def __init__(self, stats):
        super().__init__(stats)
        self.seen: dict = defaultdict(lambda: defaultdict(set))  # site -> title -> content hashes

    def process_article(self, article) -> None:
        title = normalize_for_compare(article.get("title"))
        if not title:
            return
        hashes = self.seen[article.get("site")][title]
        hashes.add(article.get("content_hash"))
        if len(hashes) < REPEATS:
            return
        repeated = self.seen[article.get("site")]
        for method, text in article.get("title_alternatives") or ():
            if normalize_for_compare(text) != title and len(repeated.get(normalize_for_compare(text), ())) < REPEATS - 1:
                self._retitle(article, text, method, len(hashes))
                return

    def _retitle(self, article, text: str, method: str, pages: int) -> None:
        extraction = dict(article.get("extraction") or {})
        extraction.setdefault("fallbacks", []).append(
            f"title: {extraction.get('title')} {article['title'][:60]!r} is the title of {pages} pages of this site; "
            f"took {method}")
        extraction["title"] = method
        article["extraction"] = extraction
        retitled(article, text)
        self.stats.inc_value(Stat.fallback("title"))
