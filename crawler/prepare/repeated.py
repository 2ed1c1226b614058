"""A title the site gives every page is not an article's title: the site's name, a section's name ("THÔNG BÁO"),
"Trang chủ". Extraction checks each page alone (crawler/extract/title.py); this check sees many pages of a site:
from the REPEATS-th article of a site with one title and different texts on, the title gives way to the page's
runner-up (an item's working field ``title_alternatives``), and what depends on the title (content hash, topics,
story signature) is computed again. The swap is recorded in the article's ``extraction`` record and counted as a
title fallback (crawl_runs.fallbacks).

Run by the crawl over one run's articles (pipelines/repeated_titles.py) and by ``reextract`` over the archive's,
which bounds what it remembers (``remember``: the most recently seen titles) so that its memory stays flat over
millions of pages: a title a site repeats keeps coming back and stays remembered.
"""
from __future__ import annotations

from collections import OrderedDict

from crawler.prepare.stages import retitled
from crawler.stats import Stat
from crawler.vi.text import normalize_for_compare

# Pages of one site with one title and different texts before the title counts as the site's, not the article's.
REPEATS = 3


class RepeatedTitles:
    def __init__(self, remember: int | None = None, known=()):
        self.remember = remember
        self.seen: OrderedDict = OrderedDict()  # (site, title) -> content hashes
        # (site, title) already given to REPEATS or more different articles (``reextract``: from the database, so
        # that a part of the history, --since, is judged as the whole was)
        self.known = {(site, normalize_for_compare(title)) for site, title in known}

    def _hashes(self, key) -> set:
        hashes = self.seen.get(key)
        if hashes is None:
            hashes = self.seen[key] = set()
            if self.remember and len(self.seen) > self.remember:
                self.seen.popitem(last=False)
        elif self.remember:
            self.seen.move_to_end(key)
        return hashes

    def check(self, article, stats) -> bool:
        """Retitle ``article`` (a dict-like item) if its title is one its site repeats; True when it did."""
        title = normalize_for_compare(article.get("title"))
        if not title:
            return False
        site = article.get("site")
        hashes = self._hashes((site, title))
        hashes.add(article.get("content_hash"))
        if len(hashes) < REPEATS and (site, title) not in self.known:
            return False
        for method, text in article.get("title_alternatives") or ():
            other = normalize_for_compare(text)
            if other != title and len(self.seen.get((site, other), ())) < REPEATS - 1 and (site, other) not in self.known:
                self._retitle(article, text, method, stats)
                return True
        return False

    @staticmethod
    def _retitle(article, text: str, method: str, stats) -> None:
        extraction = dict(article.get("extraction") or {})
        extraction.setdefault("fallbacks", []).append(
            f"title: {extraction.get('title')} {article['title'][:60]!r} is the title of {REPEATS} or more pages of this "
            f"site; took {method}")
        extraction["title"] = method
        article["extraction"] = extraction
        retitled(article, text)
        stats.inc_value(Stat.fallback("title"))
