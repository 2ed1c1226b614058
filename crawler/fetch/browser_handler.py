"""The browser half of the download handler: scrapy-playwright, guarded (crawler/fetch/browser.py), started with
the first request that asks for a browser. Imported only then: Playwright's modules stay out of every crawl
that never needs a browser (crawler/fetch/mirror.py builds this handler on demand)."""
from __future__ import annotations

import asyncio
import contextlib

from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from crawler.archive.place import archive_folder
from crawler.fetch.browser import guard_context
from crawler.stats import Meta, Stat


class BrowserDownloadHandler(ScrapyPlaywrightDownloadHandler):
    """Requests with ``meta["playwright"]``, rendered in Chromium."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self._start_lock = asyncio.Lock()
        self._keep_raw = archive_folder(crawler.settings) is not None  # the archive keeps the page before rendering

    # Playwright starts with the first browser request, not with the crawl: scrapy-playwright connects one of
    # these two to engine_started (which one depends on the reactor), and this handler is built after it fired.
    def _engine_started(self):
        return None

    async def _maybe_launch_in_thread(self) -> None:
        return None

    async def _create_browser_context(self, name, context_kwargs, spider=None):
        """Every browser context is guarded (crawler.fetch.browser.guard_context) and has service workers blocked."""
        wrapper = await super()._create_browser_context(name, {**(context_kwargs or {}), "service_workers": "block"},
                                                        spider)
        await guard_context(wrapper.context)
        return wrapper

    async def _download_request(self, request, spider=None):
        async with self._start_lock:
            if getattr(self, "browser_provider", None) is None:
                await self._launch()
        return await super()._download_request(request, spider)

    async def _get_response_and_download(self, request, page, spider):
        """The navigation, and for the archive the network response of the page itself (status, headers, bytes) as
        the server sent it, before scripts changed the document (request meta ``Meta.RAW_RESPONSE``)."""
        response, download = await super()._get_response_and_download(request, page, spider)
        if response is not None and self._keep_raw:
            with contextlib.suppress(Exception):  # noqa: BLE001 - a body the browser no longer holds: DOM only
                headers = [(h["name"], h["value"]) for h in await response.headers_array()]
                request.meta[Meta.RAW_RESPONSE] = (response.status, response.status_text, headers, await response.body())
        return response, download

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
