"""What a body is, judged on its first bytes: an RSS/Atom feed, a sitemap, a sitemap index (gzip too).

The spiders route a response by it (a start URL may be a listing, a feed or a sitemap), the conditional-request
middleware keeps a sitemap index unconditional, discovery reads what it fetched by it: written once, on the ground
floor, for all of them."""
from __future__ import annotations

import re
import zlib


def looks_like_feed(body: bytes) -> bool:
    """An XML body whose root is an RSS, RDF or Atom element (without parsing it)."""
    head = body[:2048].lstrip().lower()
    return bool(re.search(rb"<(rss|rdf:rdf|feed)[\s>]", head))


def looks_like_sitemap(body: bytes) -> bool:
    if body[:2] == b"\x1f\x8b":
        return True
    head = body[:2048].lstrip().lower()
    return b"<urlset" in head or b"<sitemapindex" in head


def is_sitemap_index(body: bytes) -> bool:
    """A sitemap index (gzip or not), judged on its first bytes."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body[:8192], 4096)
        except zlib.error:
            return False
    return b"<sitemapindex" in body[:4096].lower()


def kind_of(body: bytes) -> str:
    """"feed", "sitemap" or "" (anything else: a page)."""
    if looks_like_feed(body):
        return "feed"
    if looks_like_sitemap(body):
        return "sitemap"
    return ""
