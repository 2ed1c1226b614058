"""Base spider: start URLs are listing pages; follow article links and next pages; extract each article.

Incremental by default: article URLs already known (CCHC_CRAWL_STATE) are skipped unless the article is young
enough to be re-checked; pagination stops at the first page with no unseen article; listing pages are
conditional requests (crawler/fetch/middlewares.py). Known articles that answer 404/410 are reported as
removed; those that leave a listing that still shows older articles, by crawler/monitor/absence.py. Mirrors
and their politeness are the download handler's (crawler/fetch/mirror.py).
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from urllib.parse import urlsplit

import scrapy
from scrapy.http import TextResponse
from scrapy.utils.misc import load_object

from crawler.formats import kind_of
from crawler.fetch.blocks import block_reason
from crawler.fetch.browser import browser_meta
from crawler.extract import extract_links
from crawler.prepare.pool import read_beside, warm_up
from crawler.items import ArticleGone
from crawler.registry import Site, host_of
from crawler.signals import listing_read, listing_trouble, listings_need_browser, suspicious_page
from crawler.ops.startup import check_database, check_settings
from crawler.stats import Meta, Stat
from spiders.feeds import LISTING_PRIORITY, FeedRoutes

GONE_STATUSES = (404, 410)


_FLAG_WORDS = {"1", "0", "true", "false", "yes", "no"}
_JS_WORDS = _FLAG_WORDS | {"none", "listings", "all"}


def _split(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value)


# The -a options every spider takes (ArticleSpider.__init__); an unknown one is ignored with a warning, since
# Scrapy would silently set it as an attribute ("-a max_page=2" did nothing). Names starting with "_" are left to
# the tools that pass them (scrapyd's _job).
SPIDER_ARGUMENTS = ("start_urls", "base_url", "max_pages", "cchc_section", "js")


def unknown_arguments_said(names) -> str:
    return (f"unknown -a option{'s' if len(names) > 1 else ''} {', '.join(sorted(names))} "
            f"(known: {', '.join(sorted(SPIDER_ARGUMENTS))})")


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class ArticleSpider(FeedRoutes, scrapy.Spider):
    """Spider arguments: ``start_urls`` (comma-separated listing URLs), ``max_pages`` (listing pages per start
    URL), ``base_url`` (crawl a mirror of the site at this address instead of the live host), ``cchc_section``
    (the start URLs are a CCHC section; default: the registry's word, or a CCHC-looking start URL path),
    ``js`` (render pages in Chromium: ``true``/``listings`` for listing pages, ``all`` for every page)."""

    site: Site | None = None
    generic_extraction = False
    distributed = False  # True in a worker of a distributed crawl (CCHC_REDIS_URL)

    def __init__(self, *args, start_urls=None, base_url=None, max_pages=None, cchc_section=None, js=None, **kwargs):
        self.unknown_arguments = sorted(k for k in kwargs if not k.startswith("_"))
        super().__init__(*args, **{k: v for k, v in kwargs.items() if k not in self.unknown_arguments})
        if self.unknown_arguments:
            self.logger.warning("%s: ignored %s", self.name, unknown_arguments_said(self.unknown_arguments))
        # A start URL may be a listing page, a feed or a sitemap (told apart by the response); a registry site
        # also starts from its feeds and sitemaps.
        urls = _split(start_urls) or (list(dict.fromkeys(self.site.start_urls + self.site.feeds + self.site.sitemaps))
                                      if self.site else [])
        if not urls:
            raise ValueError(f"{self.name}: no start URLs; pass -a start_urls=URL[,URL...]")
        for url in urls + ([base_url] if base_url else []):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                which = "base_url" if url == base_url else "start_urls"
                raise ValueError(f"-a {which}={url!r}: must be an absolute http(s) URL, e.g. https://sonoivu.example.gov.vn/tin-tuc")
        self.start_urls = urls
        self.feed_urls = set(self.site.feeds + self.site.sitemaps) if self.site else set()
        if max_pages is not None and not (str(max_pages).isdigit() and int(max_pages) > 0):
            raise ValueError(f"-a max_pages={max_pages!r}: must be a whole number of listing pages, at least 1")
        self.max_pages_arg = max_pages
        if js is not None and str(js).lower() not in _JS_WORDS:
            raise ValueError(f"-a js={js!r}: must be one of {', '.join(sorted(_JS_WORDS))}")
        if cchc_section is not None and str(cchc_section).lower() not in _FLAG_WORDS:
            raise ValueError(f"-a cchc_section={cchc_section!r}: must be one of {', '.join(sorted(_FLAG_WORDS))}")
        if cchc_section is not None:
            self.cchc_section = str(cchc_section).lower() in ("1", "true", "yes")
        else:
            self.cchc_section = self.site.cchc_section if self.site and not start_urls else all(
                re.search(r"cai-cach-hanh-chinh|cchc", u, re.I) for u in urls)
        self.base_url = base_url.rstrip("/") if base_url else None
        domains = self.site.all_domains if self.site else tuple(dict.fromkeys(host_of(u) for u in urls))
        self.allowed_domains = list(domains)
        js = str(js).lower() if js is not None else None
        self.browser_scope = ("all" if js == "all" else "listings" if js in ("1", "true", "yes", "listings")
                              else "none" if js in ("0", "false", "no", "none")
                              else self.site.browser if self.site else "none")
        self._known = None  # the crawl state, read on first use (``known``)

    @property
    def site_key(self) -> str:
        return self.site.key if self.site else host_of(self.start_urls[0])

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        check_settings(crawler.settings)
        check_database(crawler.settings)
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.browser_fallback = settings.getbool("CCHC_BROWSER_FALLBACK")
        spider.distributed = bool(settings.get("CCHC_REDIS_URL"))  # a worker takes its requests from Redis
        return spider

    @property
    def known(self):
        """What the crawl already knows about the site: CCHC_CRAWL_STATE (the database, or Redis for a distributed
        worker). Read on first use, because Scrapy applies add-ons (which choose the source) after creating the
        spider; it also sets the browser need and how deep the listings go."""
        if self._known is None:
            self._known, browser = load_object(self.crawler.settings.get("CCHC_CRAWL_STATE"))(self.crawler, self)
            if self.browser_scope == "none" and browser:
                self.browser_scope = "listings"
            default_pages = "CCHC_FIRST_CRAWL_PAGES" if self._known.first_crawl else "CCHC_MAX_PAGES"
            self._max_pages = int(self.max_pages_arg or self.crawler.settings.getint(default_pages, 10))
        return self._known

    @property
    def max_pages(self) -> int:
        """Listing pages followed per start URL: -a max_pages, else CCHC_FIRST_CRAWL_PAGES or CCHC_MAX_PAGES."""
        _ = self.known
        return self._max_pages

    async def start(self):
        _ = self.known  # the crawl state before the first request: it may switch the listings to the browser
        if self.distributed:
            return  # a worker takes its requests from the queue that `python -m crawler seed` filled
        for request in self.seed_requests():
            yield request

    def seed_requests(self):
        """The start of a run: the listing pages, and the young known articles to re-check."""
        for url in self.start_urls:
            yield self._listing_request(url, page=1)
        for url in self.known.routes:  # feeds and sitemaps an earlier run discovered (site_discoveries)
            if url not in self.start_urls:
                self.feed_urls.add(url)
                yield self._listing_request(url, page=1, browser=False)
        for url in sorted(self.known.recent):  # young articles are re-checked for edits and take-downs
            self.crawler.stats.inc_value(Stat.RECHECK_SCHEDULED)
            yield self._article_request(url, None)

    def _selector(self, name):
        return self.site.selectors().get(name) if self.site and not self.generic_extraction else None

    def _listing_meta(self, browser: bool) -> dict:
        meta = {Meta.LISTING: True, "handle_httpstatus_list": [304]}
        if browser:
            meta.update(browser_meta(self._selector("listing_links"), self.settings.getint("CCHC_BROWSER_WAIT_MS")))
        return meta

    def _listing_request(self, url, page, browser=None, **kwargs):
        browser = self.browser_scope != "none" if browser is None else browser
        return scrapy.Request(url, callback=self.parse_listing, errback=self._listing_failed, priority=LISTING_PRIORITY,
                              meta=self._listing_meta(browser), cb_kwargs={"page": page}, **kwargs)

    def _article_request(self, url, listing_date, feed_date=None):
        warm_up(self.crawler)  # the extraction workers start while this page downloads
        meta = {"handle_httpstatus_list": list(GONE_STATUSES)} if url in self.known.urls else {}
        if url in self.known.recent:
            meta[Meta.RECHECK] = True  # fetched again every run, also when fingerprints persist (Redis)
        if self.browser_scope == "all":
            meta.update(browser_meta(self._selector("body"), self.settings.getint("CCHC_BROWSER_WAIT_MS")))
        return scrapy.Request(url, callback=self.parse_article, errback=self._article_failed, meta=meta,
                              cb_kwargs={"listing_date": listing_date, "feed_date": feed_date})

    def _article_failed(self, failure):
        self.crawler.stats.inc_value(Stat.ARTICLES_FAILED)
        scheduler = getattr(self.crawler, "cchc_scheduler", None)
        if scheduler is not None:  # distributed: let the next run try this article again
            scheduler.df.forget(failure.request)

    def _listing_failed(self, failure):
        self.crawler.stats.inc_value(Stat.LISTING_FAILED)
        self._listing_trouble(failure.request.url, "failed")

    def _listing_trouble(self, url: str, reason: str) -> None:
        self.crawler.signals.send_catch_log(listing_trouble, url=url, reason=reason)

    def parse(self, response, **kwargs):
        return self.parse_listing(response, page=1)

    def parse_listing(self, response, page: int):
        stats = self.crawler.stats
        if response.status == 304:  # unchanged since the last complete run: nothing new here
            stats.inc_value(Stat.LISTING_NOT_MODIFIED)
            self._listing_trouble(response.url, "not modified")
            return
        if kind_of(response.body) or response.request.url in self.feed_urls:  # the response says so, or the registry
            yield from self.parse_feed_or_sitemap(response)
            return
        if not isinstance(response, TextResponse):
            stats.inc_value(Stat.LISTING_NOT_HTML)
            return
        if self._blocked(response):
            self._listing_trouble(response.url, "blocked")
            return
        links = extract_links(response, self.site, generic=self.generic_extraction, page=page)
        rendered = bool(response.meta.get("playwright"))
        if not links.articles and not rendered and self.browser_fallback and response.request.method == "GET":
            # Maybe the list is built by JavaScript: one more try through the browser.
            stats.inc_value(Stat.BROWSER_FALLBACK)
            yield self._listing_request(response.url, page, browser=True, dont_filter=True)
            return
        stats.inc_value(Stat.LISTING_PAGES)
        if rendered:
            stats.inc_value(Stat.LISTING_RENDERED)
        if links.articles and rendered and self.browser_scope == "none":
            self.browser_scope = "listings"  # the static HTML had no links: this site's listings need a browser
            stats.inc_value(Stat.BROWSER_REMEMBERED)
            self.crawler.signals.send_catch_log(listings_need_browser, site=self.site_key, url=response.url)
        stats.inc_value(Stat.listing_method(links.method))
        if links.method == "url-shape":
            stats.inc_value(Stat.fallback("listing"))
        if links.articles:
            stats.inc_value(Stat.LISTING_WITH_LINKS)
        else:
            stats.inc_value(Stat.LISTING_NO_LINKS)
            if page == 1 and response.request.method == "GET":  # a start page, not one deep in a pager
                stats.inc_value(Stat.LISTING_START_NO_LINKS)
                stats.set_value(Stat.LISTING_START_NO_LINKS_URL, response.url)
            self._listing_trouble(response.url, "no article links")
            self.crawler.signals.send_catch_log(suspicious_page, response=response, reason="listing without article links")
            self.logger.warning("no article links found on listing page %s", response.url)
        unseen = [u for u in links.articles if u not in self.known.urls]
        self.crawler.signals.send_catch_log(listing_read, url=response.url, articles=links.articles)
        for url in links.articles:
            if self.known.should_fetch(url):
                yield self._article_request(url, links.dates.get(url))
            else:
                stats.inc_value(Stat.LISTING_KNOWN_SKIPPED)
        if page >= self.max_pages or (not unseen and not self.known.first_crawl):
            return  # nothing new on this page: older pages hold nothing new either
        if links.next_page:
            yield response.follow(links.next_page, callback=self.parse_listing, errback=self._listing_failed,
                                  priority=LISTING_PRIORITY,
                                  meta=self._listing_meta(self.browser_scope != "none"), cb_kwargs={"page": page + 1})
        elif links.next_postback:  # ASP.NET pager: post the page's form back with the pager's event
            target, argument = links.next_postback
            yield scrapy.FormRequest.from_response(
                response, formdata={"__EVENTTARGET": target, "__EVENTARGUMENT": argument}, dont_click=True,
                meta={Meta.POSTBACK: True}, priority=LISTING_PRIORITY,
                callback=self.parse_listing, errback=self._listing_failed, cb_kwargs={"page": page + 1},
            )

    async def parse_article(self, response, listing_date: str | None = None, feed_date=None):
        if response.status in GONE_STATUSES:
            self.crawler.stats.inc_value(Stat.gone(response.status))
            yield ArticleGone(url=response.url, site=self.site_key, reason=f"http {response.status}", seen_at=now_iso())
            return
        if not isinstance(response, TextResponse):
            self.crawler.stats.inc_value(Stat.DROPPED_NOT_HTML)
            return
        if self._blocked(response):
            return
        self.crawler.stats.inc_value(Stat.ARTICLES_EXTRACTED)
        item = await read_beside(  # in a worker process when the machine has cores to spare
            self.crawler, response, self.site, now=datetime.now(timezone.utc), listing_date=listing_date,
            feed_date=tuple(feed_date) if feed_date else None, generic=self.generic_extraction,
            cchc_section=self.cchc_section,
        )
        if item is not None:  # None: dropped after two extraction timeouts (counted)
            yield item

    def _blocked(self, response) -> bool:
        reason = block_reason(response)
        if reason:
            self.crawler.stats.inc_value(Stat.BLOCKED)
            self.crawler.signals.send_catch_log(suspicious_page, response=response, reason=f"block page: {reason}")
            self.logger.warning("block page (%s) instead of content at %s", reason, response.url)
        return bool(reason)
