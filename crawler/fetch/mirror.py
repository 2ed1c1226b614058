"""The download handler: local mirrors, and a browser (scrapy-playwright) only for requests that ask for it.

A spider given ``base_url=http://127.0.0.1:8000`` (or every spider, with ``CCHC_MIRROR=http://127.0.0.1:8000/{host}``)
has its hosts mapped to that address: the request goes to the mirror with the same path and query, and the
response comes back under the real URL, so robots.txt, link resolution, deduplication and the stored items all
see the real site's URLs. A mirror on this machine needs no politeness delay: its downloader slots wait nothing
and AutoThrottle leaves them alone (the live site's politeness settings stay as declared).

Requests with ``meta["playwright"]`` are rendered in Chromium through scrapy-playwright; everything else is
plain HTTP. Playwright itself starts only when the first such request arrives, so the many sites that never
need a browser pay nothing for it.
"""
from __future__ import annotations

import asyncio
from urllib.parse import urlsplit, urlunsplit

from scrapy.exceptions import IgnoreRequest
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from crawler.fetch.browser import guard_context
from crawler.registry import host_of
from crawler.fetch.urls import is_loopback
from crawler.stats import Meta, Stat


def mirror_url(url: str, mirrors: dict[str, str] | None) -> str | None:
    """The mirror URL for ``url`` if its host (or a parent domain) is mirrored, else None."""
    if not mirrors:
        return None
    host = host_of(url)
    base = mirrors.get(host) or next((b for d, b in mirrors.items() if host.endswith("." + d)), None)
    if base is None:
        return None
    parts, target = urlsplit(url), urlsplit(base)
    path = target.path.rstrip("/") + (parts.path or "/")
    return urlunsplit((target.scheme, target.netloc, path, parts.query, ""))


class MirrorDownloadHandler(ScrapyPlaywrightDownloadHandler):
    """HTTP(S) for every spider: mirrors and, per request, the browser."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self._start_lock = asyncio.Lock()
        self._mirrors: dict[str, str] | None = None
        self._mirror_is_local = False

    def mirrors(self) -> dict[str, str]:
        """host -> mirror address for this crawler's spider: its ``base_url`` argument, else CCHC_MIRROR."""
        if self._mirrors is None:
            spider = getattr(self.crawler, "spider", None)
            base = getattr(spider, "base_url", None)
            pattern = self.crawler.settings.get("CCHC_MIRROR")
            if not base and pattern and getattr(spider, "start_urls", None):
                base = pattern.replace("{host}", host_of(spider.start_urls[0])).rstrip("/")
            domains = getattr(spider, "allowed_domains", None) or []
            self._mirrors = {d: base for d in domains} if base else {}
            self._mirror_is_local = bool(base) and is_loopback(base)
        return self._mirrors

    def _no_delay(self, request) -> None:
        """The request's downloader slot (chosen before the handler runs) waits nothing from now on and takes
        CCHC_MIRROR_CONCURRENCY requests at once (a local mirror needs no politeness)."""
        request.meta["autothrottle_dont_adjust_delay"] = True
        engine = getattr(self.crawler, "engine", None)
        slot = engine.downloader.slots.get(request.meta.get("download_slot")) if engine else None
        if slot is not None:
            slot.delay, slot.jitter = 0, 0
            slot.concurrency = max(slot.concurrency, self.crawler.settings.getint("CCHC_MIRROR_CONCURRENCY"))

    async def _create_browser_context(self, name, context_kwargs, spider=None):
        """Every browser context is guarded (crawler.fetch.browser.guard_context) and has service workers blocked."""
        wrapper = await super()._create_browser_context(name, {**(context_kwargs or {}), "service_workers": "block"},
                                                        spider)
        await guard_context(wrapper.context)
        return wrapper

    # Playwright starts with the first browser request, not with every crawl: scrapy-playwright connects one
    # of these two to engine_started (which one depends on the reactor); starting it costs a Node.js driver
    # process and about a second per crawler.
    def _engine_started(self):
        return None

    async def _maybe_launch_in_thread(self) -> None:
        return None

    async def _download_request(self, request, spider=None):
        async with self._start_lock:
            if getattr(self, "browser_provider", None) is None:
                await self._launch()
        return await super()._download_request(request, spider)

    async def _download_request_with_retry(self, request, spider):
        # scrapy-playwright retries a page whose browser died (TargetClosedError): count those attempts
        attempts = request.meta.get(Meta.BROWSER_ATTEMPTS, 0) + 1
        request.meta[Meta.BROWSER_ATTEMPTS] = attempts
        if attempts > 1:
            self.stats.inc_value(Stat.BROWSER_PAGE_RETRIED)
        return await super()._download_request_with_retry(request=request, spider=spider)

    async def _browser_disconnected_callback(self):
        self.stats.inc_value(Stat.BROWSER_DISCONNECTED)
        await super()._browser_disconnected_callback()

    async def download_request(self, request):
        target = mirror_url(request.url, self.mirrors())
        if target is not None and self._mirror_is_local:
            self._no_delay(request)
        response = await super().download_request(request if target is None else request.replace(url=target))
        if response.url.startswith("chrome-error:"):
            # Chromium's own error page ("This site can't be reached"): the page moved its window to another
            # host (refused) or the navigation failed. Not the article.
            self.stats.inc_value(Stat.BROWSER_ERROR_PAGE)
            raise IgnoreRequest(f"the browser showed its error page for {request.url} (the page navigated away "
                                f"or failed to load)")
        return response if target is None else response.replace(url=request.url)
