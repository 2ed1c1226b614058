"""The download handler: local mirrors, and a browser (scrapy-playwright) only for requests that ask for it.

A spider given ``base_url=http://127.0.0.1:8000`` (or every spider, with ``CCHC_MIRROR=http://127.0.0.1:8000/{host}``)
has its hosts mapped to that address: the request goes to the mirror with the same path and query, and the
response comes back under the real URL, so robots.txt, link resolution, deduplication and the stored items all
see the real site's URLs. A mirror on this machine needs no politeness delay: its downloader slots wait nothing
and AutoThrottle leaves them alone (the live site's politeness settings stay as declared).

Requests with ``meta["playwright"]`` are rendered in Chromium through scrapy-playwright
(crawler/fetch/browser_handler.py, imported and started with the first such request); everything else goes
straight to Scrapy's HTTP/1.1 handler, so the many sites that never need a browser pay nothing for it, not even
Playwright's import.
"""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import IgnoreRequest

from crawler.urls import is_loopback
from crawler.registry import host_of
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


class MirrorDownloadHandler(HTTP11DownloadHandler):
    """HTTP(S) for every spider: mirrors and, per request, the browser."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.crawler, self.stats = crawler, crawler.stats
        self._browser = None
        self._mirrors: dict[str, str] | None = None
        self._mirror_is_local = False
        # Keep-alive connections per host: a local mirror takes several requests at once (live sites one).
        self._pool.maxPersistentPerHost = max(self._pool.maxPersistentPerHost,
                                              crawler.settings.getint("CCHC_MIRROR_CONCURRENCY"))

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
            if slot.latercall is not None:
                # Sending the first request (robots.txt), Scrapy already set the next one's wait by the live
                # site's delay (AutoThrottle's start delay, 2 s): nothing to wait for here. The queue is taken up
                # again when this download ends.
                slot.latercall.cancel()
                slot.latercall = None

    def browser(self):
        """The browser handler, built (and Playwright imported) on the first request that needs it."""
        if self._browser is None:
            from crawler.fetch.browser_handler import BrowserDownloadHandler

            self._browser = BrowserDownloadHandler(self.crawler)
        return self._browser

    async def download_request(self, request):
        target = mirror_url(request.url, self.mirrors())
        if target is not None:
            request.meta[Meta.FETCHED_FROM] = target  # the archive says where the bytes really came from
            if self._mirror_is_local:
                self._no_delay(request)
        sent = request if target is None else request.replace(url=target)
        if not request.meta.get("playwright"):
            response = await super().download_request(sent)
            return response if target is None else response.replace(url=request.url, request=request)
        response = await self.browser().download_request(sent)
        if sent is not request and Meta.RAW_RESPONSE in sent.meta:  # the page before rendering, for the archive
            request.meta[Meta.RAW_RESPONSE] = sent.meta.pop(Meta.RAW_RESPONSE)
        if response.url.startswith("chrome-error:"):
            # Chromium's own error page ("This site can't be reached"): the page moved its window to another
            # host (refused) or the navigation failed. Not the article.
            self.stats.inc_value(Stat.BROWSER_ERROR_PAGE)
            raise IgnoreRequest(f"the browser showed its error page for {request.url} (the page navigated away "
                                f"or failed to load)")
        return response if target is None else response.replace(url=request.url, request=request)

    async def close(self) -> None:
        await super().close()
        if self._browser is not None:
            await self._browser.close()
