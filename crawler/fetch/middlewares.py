"""Downloader middlewares."""
from __future__ import annotations

import codecs
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import TextResponse

from crawler.vi.encoding import best_encoding, meta_charset
from crawler.store import Store
from crawler.formats import is_sitemap_index
from crawler.stats import Meta, Stat


class EncodingMiddleware:
    """Re-decodes a page whose declared charset does not fit its bytes (counted as cchc/encoding/fixed/...)."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_response(self, request, response):
        if not isinstance(response, TextResponse) or not response.body:
            return response
        header = response.headers.get(b"Content-Type", b"").decode("latin-1")
        declared = header.split("charset=", 1)[1].split(";")[0].strip() if "charset=" in header.lower() else None
        chosen = best_encoding(response.body, [declared, meta_charset(response.body)])
        current = codecs.lookup(response.encoding).name
        if chosen is None or chosen == current:
            return response
        self.stats.inc_value(Stat.encoding_fixed(current, chosen))
        return response.replace(encoding=chosen)


class ConditionalListingMiddleware:
    """If-None-Match / If-Modified-Since on listing pages, with the validators of the last complete run.

    Validators seen in this run are saved when it finishes normally and no article failed to download, so
    that a 304 next time never hides an article this run could not fetch.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.seen: dict[str, tuple[str | None, str | None]] = {}
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("CCHC_DB") or not crawler.settings.getbool("CCHC_CONDITIONAL_LISTINGS"):
            raise NotConfigured("conditional listing requests need CCHC_DB")
        return cls(crawler)

    def process_request(self, request):
        if not request.meta.get(Meta.LISTING) or request.method != "GET" or request.meta.get("playwright"):
            return None
        etag, modified = Store.of(self.crawler).validators([request.url]).get(request.url, (None, None))
        if etag:
            request.headers.setdefault(b"If-None-Match", etag)
        if modified:
            request.headers.setdefault(b"If-Modified-Since", modified)
        return None

    def process_response(self, request, response):
        if request.meta.get(Meta.LISTING) and request.method == "GET" and response.status == 200:
            if is_sitemap_index(response.body):
                # Fetched in full every night: many indexes do not change when their sitemaps do (no <lastmod>),
                # and a 304 would hide the children; the children themselves are conditional.
                return response
            etag = response.headers.get(b"ETag")
            modified = response.headers.get(b"Last-Modified")
            if etag or modified:
                self.seen[request.url] = (etag and etag.decode("latin-1"), modified and modified.decode("latin-1"))
        return response

    def spider_closed(self, spider, reason):
        stats = self.crawler.stats
        if reason == "finished" and self.seen and not stats.get_value(Stat.ARTICLES_FAILED):
            Store.of(self.crawler).save_validators(self.seen)


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retries, plus: a 429/503 with Retry-After slows that site's download slot for as long as asked
    (at most ``CCHC_MAX_RETRY_AFTER`` seconds) before the retry goes out."""

    def process_response(self, request, response):
        value = response.headers.get(b"Retry-After") if response.status in (429, 503) else None
        if value:
            delay = _retry_after_seconds(value.decode("latin-1"))
            if delay is not None:
                delay = min(delay, self.crawler.settings.getfloat("CCHC_MAX_RETRY_AFTER"))
                downloader = self.crawler.engine.downloader
                key = request.meta.get("download_slot") or downloader.get_slot_key(request)
                slot = downloader.slots.get(key)
                if slot is not None:
                    slot.delay = max(slot.delay, delay)
                self.crawler.stats.inc_value(Stat.RETRY_AFTER)
        return super().process_response(request, response)


def _retry_after_seconds(value: str) -> float | None:
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
