"""Discovery on a site's first run: for a registry site whose start URLs nobody verified and that names no feed
or sitemap, the run also reads its homepage and robots.txt (two requests) and stores what they offer in
``site_discoveries``: feeds, sitemaps (robots.txt ``Sitemap:`` lines), the CCHC and news sections of the menu,
the CMS guess. The next runs start from those feeds and sitemaps as well (crawler/store/incremental.py), and
``health`` and the run summary say which sites still run on guesses alone.
"""
from __future__ import annotations

from dataclasses import asdict
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import TextResponse

from crawler.discover.feeds import find_feeds
from crawler.discover.sections import guess_cms, rank_sections
from crawler.discover.sitemaps import robots_sitemaps
from crawler.stats import Stat
from crawler.store import Store

DISCOVERY_PRIORITY = 5  # after the listings (10), before the articles (0)


def runs_on_guesses(site) -> bool:
    return site is not None and not site.verified and not site.archive and not (site.feeds or site.sitemaps)


class FirstRunDiscovery:
    def __init__(self, crawler):
        self.crawler = crawler
        self.found: dict = {}
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("CCHC_DISCOVER") or settings.get("CCHC_REDIS_URL") or not settings.get("CCHC_DB"):
            raise NotConfigured("first-run discovery needs CCHC_DB and is off for distributed workers")
        return cls(crawler)

    def spider_opened(self, spider):
        site = getattr(spider, "site", None)
        if not runs_on_guesses(site) or Store.of(self.crawler).discovery(site.key) is not None:
            return
        parts = urlsplit(spider.start_urls[0])
        root = f"{parts.scheme}://{parts.netloc}"
        self.found = {"homepage": root + "/", "problems": []}
        for url, callback in ((root + "/", self.homepage), (root + "/robots.txt", self.robots)):
            self.crawler.engine.crawl(scrapy.Request(url, callback=callback, errback=self.failed, dont_filter=True,
                                                     priority=DISCOVERY_PRIORITY))

    def homepage(self, response):
        self.crawler.stats.inc_value(Stat.discovery_status(response.status))
        if not isinstance(response, TextResponse):
            self.found["problems"].append(f"the homepage is not a web page ({response.headers.get('Content-Type')})")
            return
        spider = self.crawler.spider
        domains = tuple(spider.allowed_domains)
        self.found["feeds"] = [asdict(f) for f in find_feeds(response.selector, response.url, domains)]
        cchc, news = rank_sections(response.selector, response.url)
        self.found["cchc_sections"], self.found["news_sections"] = [asdict(s) for s in cchc], [asdict(s) for s in news]
        cms = guess_cms(response.text)
        self.found["cms"] = cms[0][0] if cms else None
        self.crawler.stats.inc_value(Stat.DISCOVERY_HOMEPAGE)

    def robots(self, response):
        self.crawler.stats.inc_value(Stat.discovery_status(response.status))
        if response.status == 200:
            self.found["sitemaps"] = [{"url": u, "why": "robots.txt Sitemap: line"}
                                      for u in robots_sitemaps(response.body, response.url)]

    def failed(self, failure):
        response = getattr(failure.value, "response", None)  # an HttpError: the page answered 404, 500 ...
        if response is not None:
            self.crawler.stats.inc_value(Stat.discovery_status(response.status))
        self.found.setdefault("problems", []).append(f"{failure.request.url}: {failure.type.__name__}")

    def spider_closed(self, spider, reason):
        if "feeds" not in self.found:  # the homepage never answered: the next run tries again
            return
        Store.of(self.crawler).save_discovery(spider.site_key, self.found)
        self.crawler.stats.inc_value(Stat.DISCOVERY_SAVED)


def on_guesses(db_path: str | None, keys) -> list[str]:
    """The registry sites among ``keys`` that still run on unverified start URLs alone: no feed or sitemap in the
    registry, nothing (feed, sitemap, section) found by a first-run discovery, and no selectors of their own (a
    tuned site's listings and articles are read by selectors its fixtures check: tests/test_tuned_sites.py)."""
    from crawler.registry import registry

    sites = registry()
    with Store.opened(db_path) as store:
        found = store.all_discoveries() if store is not None else {}

    def helped(key):
        row = found.get(key)
        return bool(row and (row["feeds"] or row["sitemaps"] or row["cchc_sections"] or row["news_sections"]))
    return [k for k in keys if runs_on_guesses(sites.get(k)) and not sites[k].parsers and not helped(k)]


def guesses_said(guessing: list[str], shown: int | None = None) -> str:
    """The sentence ``health`` and the run summary print; ``shown``: name that many, on a line of their own, and
    say how many more (the run summary stays a few short lines with 70 sites on guesses)."""
    said = f"{len(guessing)} of them run on guesses (unverified start URLs; no feed, sitemap or section found yet)"
    if shown is None or len(guessing) <= shown:
        return f"{said}: {', '.join(guessing)}"
    return (f"{said}:\n  {', '.join(guessing[:shown])} and {len(guessing) - shown} more "
            f"(`python -m crawler health` lists them)")
