"""What the browser loads and waits for (scrapy-playwright settings and request meta)."""
from __future__ import annotations

from urllib.parse import urlsplit

from scrapy_playwright.page import PageMethod

from crawler.urls import is_loopback

HEAVY_RESOURCES = {"image", "media", "font"}


def _base_domain(host: str) -> str:
    parts = host.split(".")
    keep = 3 if len(parts) >= 3 and parts[-2] in ("gov", "com", "org", "edu", "net", "info") else 2
    return ".".join(parts[-keep:])


def same_site(url: str, page_url: str) -> bool:
    """``url`` belongs to the site of ``page_url``: the same registrable domain (cdn.baohatinh.vn with
    baohatinh.vn), or, for loopback mirrors, the very same host and port (another port is another server)."""
    a, b = urlsplit(url), urlsplit(page_url)
    host, page_host = a.hostname or "", b.hostname or ""
    if not host or not page_host:
        return False
    if is_loopback(page_url) or is_loopback(url):
        return host == page_host and _port(a) == _port(b)
    return host == page_host or _base_domain(host) == _base_domain(page_host)


def _port(parts) -> int | None:
    try:
        return parts.port or {"http": 80, "https": 443, "ws": 80, "wss": 443}.get(parts.scheme)
    except ValueError:
        return None


def page_site_url(request) -> str | None:
    """The URL whose site a browser request may reach: the top window's URL, or, while the crawler's own
    navigation is in flight (the window is still about:blank), the URL the crawler asked for (the first of the
    redirect chain). None for a request without a page (a service worker)."""
    try:
        top = request.frame.page.main_frame.url
    except Exception:  # noqa: BLE001 - service workers have no frame
        return None
    if top and top != "about:blank":
        return top
    first = request
    while first.redirected_from is not None:
        first = first.redirected_from
    return first.url


def abort_heavy(request) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: when rendering a page, never download images, audio/video or fonts, and never
    contact another site than the page's own: iframes, scripts, beacons and a script that moves the window to
    another host are all compared with the top window's site, not with their own frame's URL."""
    if request.resource_type in HEAVY_RESOURCES:
        return True
    site = page_site_url(request)
    return site is None or not same_site(request.url, site)


async def guard_context(context) -> None:
    """What page routes cannot see, for the whole browser context: popups (window.open is removed, a window a
    script opens anyway is refused and closed), WebSockets (never connected: a crawl needs none), and any request
    of a page that a crawled page opened. Service workers are blocked by the context option."""
    await context.add_init_script("window.open = function () { return null; };")
    await context.route_web_socket("**/*", _refuse_websocket)
    await context.route("**/*", _context_route)

    async def close_popup(page):
        if await page.opener() is not None:
            await page.close()

    context.on("page", close_popup)


async def _refuse_websocket(websocket) -> None:
    await websocket.close()


async def _context_route(route) -> None:
    """Requests no page route handled: a popup's (opened by a crawled page), or anything off-site."""
    request = route.request
    try:
        popup = await request.frame.page.opener() is not None
    except Exception:  # noqa: BLE001 - no frame: a worker
        popup = True
    if popup or abort_heavy(request):
        await route.abort()
    else:
        await route.fallback()


def browser_meta(wait_for: str | None, timeout_ms: int = 20_000) -> dict:
    """Request meta that renders the page in Chromium and waits for ``wait_for`` (a CSS selector) to appear,
    or, without one, for the network to go quiet. Never a fixed sleep."""
    if wait_for:
        method = PageMethod("wait_for_selector", wait_for, timeout=timeout_ms)
    else:
        method = PageMethod("wait_for_load_state", "networkidle", timeout=timeout_ms)
    return {"playwright": True, "playwright_context": "cchc", "playwright_page_methods": [method]}
