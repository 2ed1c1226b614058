"""Taking articles from a feed or a sitemap the crawl fetched: which article pages to request, with the date the
feed or News sitemap gives (a date source with provenance: ``date_source`` "feed" or "sitemap").

Pure functions of the response body, like extraction: the spider decides what a response is (a feed, a
sitemap, or else a listing page) by its bytes, not by its URL, so ``-a start_urls=`` takes any of the three.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from crawler.discover.feeds import parse_feed
from crawler.discover.sitemaps import parse_sitemap
from crawler.formats import kind_of


@dataclass
class Route:
    kind: str  # "feed", "sitemap", "sitemapindex"; "" when the body is neither
    articles: list[tuple[str, tuple[str, str] | None, datetime | None]] = field(default_factory=list)
    # (url, (date source, raw date text) or None, lastmod)
    sitemaps: list[str] = field(default_factory=list)  # child sitemaps of an index, newest first
    sitemaps_left_out: int = 0  # children beyond the cap
    problems: list[str] = field(default_factory=list)
    unreadable: bool = False  # announced as a feed or sitemap, but it is not one (an HTML error page)


# A year and month in a sitemap's URL (sitemap-2025-11.xml, /2025/11/sitemap.xml, sitemap_202511.xml), day optional.
_URL_MONTH = re.compile(r"(?<!\d)(20\d\d)[-_/]?(0[1-9]|1[0-2])(?:[-_/]?(0[1-9]|[12]\d|3[01]))?(?!\d)")


def _newest_first(entries, now: datetime) -> list:
    """Child sitemaps by their ``lastmod``, newest first; one without it by the month its URL names, if any;
    the rest after them, in the index's order (sorted() is stable)."""
    def when(entry) -> datetime:
        if entry.lastmod is not None:
            return entry.lastmod
        found = _URL_MONTH.findall(entry.url)
        if found:
            year, month, day = found[-1]
            return datetime(int(year), int(month), int(day or 1), tzinfo=now.tzinfo)
        return datetime.min.replace(tzinfo=now.tzinfo)

    return sorted(entries, key=when, reverse=True)


def route(body: bytes, url: str, domains: tuple[str, ...], now: datetime, limit: int,
          max_sitemaps: int | None = None) -> Route:
    """The article pages (newest first, at most ``limit``) and child sitemaps a feed or sitemap lists (newest
    first, at most ``max_sitemaps``: an index may list 10,000, and a night needs the newest)."""
    kind = kind_of(body)
    if kind == "feed":
        feed = parse_feed(body, url, domains, now)
        if not feed.is_feed:
            return Route("", problems=feed.problems, unreadable=True)
        entries = sorted(feed.entries, key=lambda e: e.published or datetime.min.replace(tzinfo=now.tzinfo), reverse=True)
        return Route("feed", [(e.url, ("feed", e.date_raw) if e.published else None, None) for e in entries[:limit]],
                     problems=feed.problems)
    if kind == "sitemap":
        sitemap = parse_sitemap(body, url, domains, now)
        if not sitemap.kind:
            return Route("", problems=sitemap.problems, unreadable=True)
        if sitemap.is_index:
            children = [e.url for e in _newest_first([e for e in sitemap.entries if e.url != url], now)]
            kept = children if max_sitemaps is None else children[:max(0, max_sitemaps)]
            return Route("sitemapindex", sitemaps=kept, sitemaps_left_out=len(children) - len(kept),
                         problems=sitemap.problems + (["the index lists itself"] if any(e.url == url for e in sitemap.entries) else []))
        oldest = datetime.min.replace(tzinfo=now.tzinfo)
        entries = sorted(sitemap.entries, key=lambda e: e.news_published or e.lastmod or oldest, reverse=True)
        return Route("sitemap", [(e.url, ("sitemap", e.date_raw) if e.news_published else None, e.lastmod)
                                 for e in entries[:limit]], problems=sitemap.problems)
    return Route("")


def needs_visit(url: str, lastmod: datetime | None, known_urls: set, recent: set, now: datetime,
                recheck_days: float) -> bool:
    """A sitemap's ``lastmod`` says a known page changed lately: visit it again even when it is not young."""
    if url not in known_urls or url in recent:
        return True
    return lastmod is not None and lastmod >= now - timedelta(days=recheck_days)
