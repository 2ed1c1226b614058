"""Crawling a local mirror as if it were the real site.

A spider given ``base_url=http://127.0.0.1:8000`` maps its hosts to that address: the download handler sends
the request to the mirror with the same path and query, then gives the response back under the real URL. So
robots.txt, link resolution, deduplication and the stored items all see the real site's URLs.
"""
from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit, urlunsplit

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

from crawler.registry import host_of


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


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class MirrorDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler, redirecting mirrored hosts (``spider.mirrors``) to the mirror."""

    async def download_request(self, request):
        spider = getattr(self.crawler, "spider", None)
        target = mirror_url(request.url, getattr(spider, "mirrors", None))
        if target is None:
            return await super().download_request(request)
        response = await super().download_request(request.replace(url=target))
        return response.replace(url=request.url)
