"""Base spider: start URLs are listing pages; follow article links and next pages; extract each article."""
from __future__ import annotations

from datetime import datetime, timezone

import re

import scrapy
from scrapy.http import TextResponse

from crawler.extract import extract_article, extract_links
from crawler.mirror import is_loopback
from crawler.registry import Site, host_of


def _split(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value)


class ArticleSpider(scrapy.Spider):
    """Spider arguments: ``start_urls`` (comma-separated listing URLs), ``max_pages`` (listing pages per start
    URL), ``base_url`` (crawl a mirror of the site at this address instead of the live host), ``cchc_section``
    (the start URLs are a CCHC section; default: the registry's word, or a CCHC-looking start URL path)."""

    site: Site | None = None
    generic_extraction = False

    def __init__(self, *args, start_urls=None, base_url=None, max_pages=None, cchc_section=None, **kwargs):
        super().__init__(*args, **kwargs)
        urls = _split(start_urls) or (list(self.site.start_urls) if self.site else [])
        if not urls:
            raise ValueError(f"{self.name}: no start URLs; pass -a start_urls=URL[,URL...]")
        self.start_urls = urls
        self.max_pages_arg = max_pages
        if cchc_section is not None:
            self.cchc_section = str(cchc_section).lower() in ("1", "true", "yes")
        else:
            self.cchc_section = self.site.cchc_section if self.site and not start_urls else all(
                re.search(r"cai-cach-hanh-chinh|cchc", u, re.I) for u in urls)
        self.base_url = base_url.rstrip("/") if base_url else None
        domains = self.site.all_domains if self.site else tuple(dict.fromkeys(host_of(u) for u in urls))
        self.allowed_domains = list(domains)
        self.mirrors = {d: self.base_url for d in domains} if self.base_url else {}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.max_pages = int(spider.max_pages_arg or crawler.settings.getint("CCHC_MAX_PAGES", 3))
        if spider.base_url and is_loopback(spider.base_url):
            # A mirror on this machine needs no politeness delays (settings are still writable here).
            for name, value in (("AUTOTHROTTLE_ENABLED", False), ("DOWNLOAD_DELAY", 0), ("DOWNLOAD_DELAY_JITTER", 0)):
                crawler.settings.set(name, value, priority="spider")
        return spider

    async def start(self):
        for url in self.start_urls:
            yield scrapy.Request(url, callback=self.parse_listing, cb_kwargs={"page": 1})

    def parse(self, response, **kwargs):
        return self.parse_listing(response, page=1)

    def parse_listing(self, response, page: int):
        if not isinstance(response, TextResponse):
            self.crawler.stats.inc_value("cchc/listing/not_html")
            return
        links = extract_links(response, self.site, generic=self.generic_extraction, page=page)
        self.crawler.stats.inc_value("cchc/listing/pages")
        if not links.articles:
            self.crawler.stats.inc_value("cchc/listing/no_links")
            self.logger.warning("no article links found on listing page %s", response.url)
        for url in links.articles:
            yield response.follow(url, callback=self.parse_article, cb_kwargs={"listing_date": links.dates.get(url)})
        if page >= self.max_pages:
            return
        if links.next_page:
            yield response.follow(links.next_page, callback=self.parse_listing, cb_kwargs={"page": page + 1})
        elif links.next_postback:  # ASP.NET pager: post the page's form back with the pager's event
            target, argument = links.next_postback
            yield scrapy.FormRequest.from_response(
                response, formdata={"__EVENTTARGET": target, "__EVENTARGUMENT": argument}, dont_click=True,
                callback=self.parse_listing, cb_kwargs={"page": page + 1},
            )

    def parse_article(self, response, listing_date: str | None = None):
        if not isinstance(response, TextResponse):
            self.crawler.stats.inc_value("cchc/dropped/not_html")
            return
        self.crawler.stats.inc_value("cchc/articles/extracted")
        item = extract_article(
            response, self.site, now=datetime.now(timezone.utc), listing_date=listing_date,
            generic=self.generic_extraction,
        )
        item["from_cchc_section"] = self.cchc_section
        yield item
