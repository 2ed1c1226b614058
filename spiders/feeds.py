"""Feeds and sitemaps as listing pages: the part of ArticleSpider that takes articles from an RSS/Atom feed, a
feed index page, a sitemap or a sitemap index (the parsing is crawler/discover/routes.py's)."""
from __future__ import annotations

from datetime import datetime, timezone

import scrapy
from scrapy.http import TextResponse

from crawler.discover.feeds import find_feeds
from crawler.discover.routes import needs_visit, route
from crawler.stats import Stat

# Listing pages go before articles: they discover the work (several distributed workers share it sooner).
LISTING_PRIORITY = 10


class FeedRoutes:
    def parse_feed_or_sitemap(self, response):
        """Article pages from a feed or sitemap, newest first (CCHC_MAX_FEED_ARTICLES), each fetched once whatever
        the route (the duplicate filter); a sitemap index's children are read like it, newest first and capped
        (CCHC_MAX_SITEMAPS_PER_INDEX per index, CCHC_MAX_SITEMAPS per run), the rest counted."""
        stats, now = self.crawler.stats, datetime.now(timezone.utc)
        # Child sitemaps: at most CCHC_MAX_SITEMAPS_PER_INDEX of an index, CCHC_MAX_SITEMAPS in the whole run.
        budget = self.settings.getint("CCHC_MAX_SITEMAPS") - getattr(self, "_sitemaps_requested", 0)
        found = route(response.body, response.url, tuple(self.allowed_domains), now,
                      self.settings.getint("CCHC_MAX_FEED_ARTICLES"),
                      max_sitemaps=min(self.settings.getint("CCHC_MAX_SITEMAPS_PER_INDEX"), budget))
        if found.problems:
            stats.inc_value(Stat.FEED_OR_SITEMAP_PROBLEMS, len(found.problems))
            self.logger.info("%s: %s", response.url, "; ".join(found.problems))
        if not found.kind and isinstance(response, TextResponse) and not found.unreadable:
            feeds = [f.url for f in find_feeds(response.selector, response.url, tuple(self.allowed_domains))]
            if feeds:  # a feed index page (/rss lists one feed per section): read each feed
                stats.inc_value(Stat.FEED_INDEX)
                for url in feeds:
                    self.feed_urls.add(url)
                    yield self._listing_request(url, page=1, browser=False)
                return
        if found.unreadable or not found.kind:  # e.g. an HTML error page where the registry names a feed
            stats.inc_value(Stat.FEED_OR_SITEMAP_UNREADABLE)
            self._listing_trouble(response.url, "unreadable feed or sitemap")
            self.logger.warning("%s is neither a feed nor a sitemap: %s", response.url, "; ".join(found.problems))
            return
        stats.inc_value(Stat.LISTING_PAGES)
        stats.inc_value(Stat.FEEDS if found.kind == "feed" else Stat.SITEMAPS)
        if found.sitemaps_left_out:
            stats.inc_value(Stat.SITEMAPS_LEFT_OUT, found.sitemaps_left_out)
            self.logger.info("%s: the newest %d of its %d sitemaps read (CCHC_MAX_SITEMAPS_PER_INDEX, "
                             "CCHC_MAX_SITEMAPS)", response.url, len(found.sitemaps),
                             len(found.sitemaps) + found.sitemaps_left_out)
        self._sitemaps_requested = getattr(self, "_sitemaps_requested", 0) + len(found.sitemaps)
        for url in found.sitemaps:
            yield scrapy.Request(url, callback=self.parse_listing, errback=self._listing_failed, priority=LISTING_PRIORITY,
                                 meta=self._listing_meta(False), cb_kwargs={"page": 1})
        stats.inc_value(Stat.FEED_ENTRIES if found.kind == "feed" else Stat.SITEMAP_ENTRIES, len(found.articles))
        if found.kind != "sitemapindex":
            stats.inc_value(Stat.LISTING_WITH_LINKS if found.articles else Stat.LISTING_NO_LINKS)
        recheck = self.settings.getfloat("CCHC_RECHECK_DAYS")
        for url, date, lastmod in found.articles:
            if needs_visit(url, lastmod, self.known.urls, self.known.recent, now, recheck):
                yield self._article_request(url, None, feed_date=date)
            else:
                stats.inc_value(Stat.LISTING_KNOWN_SKIPPED)
