"""What the browser loads and waits for (scrapy-playwright settings and request meta)."""
from __future__ import annotations

from scrapy_playwright.page import PageMethod

HEAVY_RESOURCES = {"image", "media", "font"}


def abort_heavy(request) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: never download images, audio/video or fonts when rendering a page."""
    return request.resource_type in HEAVY_RESOURCES


def browser_meta(wait_for: str | None, timeout_ms: int = 20_000) -> dict:
    """Request meta that renders the page in Chromium and waits for ``wait_for`` (a CSS selector) to appear,
    or, without one, for the network to go quiet. Never a fixed sleep."""
    if wait_for:
        method = PageMethod("wait_for_selector", wait_for, timeout=timeout_ms)
    else:
        method = PageMethod("wait_for_load_state", "networkidle", timeout=timeout_ms)
    return {"playwright": True, "playwright_context": "cchc", "playwright_page_methods": [method]}
