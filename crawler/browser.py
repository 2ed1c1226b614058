"""What the browser loads and waits for (scrapy-playwright settings and request meta)."""
from __future__ import annotations

from urllib.parse import urlsplit

from scrapy_playwright.page import PageMethod

HEAVY_RESOURCES = {"image", "media", "font"}


def _base_domain(host: str) -> str:
    parts = host.split(".")
    keep = 3 if len(parts) >= 3 and parts[-2] in ("gov", "com", "org", "edu", "net", "info") else 2
    return ".".join(parts[-keep:])


def abort_heavy(request) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: when rendering a page, never download images, audio/video or fonts, and never
    contact another site than the page's own (scripts of a crawled page cannot make the crawler fetch elsewhere)."""
    if request.resource_type in HEAVY_RESOURCES:
        return True
    try:
        page_host = urlsplit(request.frame.url).hostname or ""
    except Exception:  # service workers have no frame
        return True
    host = urlsplit(request.url).hostname or ""
    return bool(page_host) and host != page_host and _base_domain(host) != _base_domain(page_host)


def browser_meta(wait_for: str | None, timeout_ms: int = 20_000) -> dict:
    """Request meta that renders the page in Chromium and waits for ``wait_for`` (a CSS selector) to appear,
    or, without one, for the network to go quiet. Never a fixed sleep."""
    if wait_for:
        method = PageMethod("wait_for_selector", wait_for, timeout=timeout_ms)
    else:
        method = PageMethod("wait_for_load_state", "networkidle", timeout=timeout_ms)
    return {"playwright": True, "playwright_context": "cchc", "playwright_page_methods": [method]}
