"""XML sitemaps: ``Sitemap:`` lines of robots.txt, sitemap indexes, gzip sitemaps, Google News sitemaps.

Built on Scrapy's sitemap support: robots.txt lines are read by ``scrapy.utils.sitemap.sitemap_urls_from_robots``,
gzip bodies are unpacked by ``scrapy.utils.gz.gunzip`` with a size limit, and the XML is read with the same
safe lxml parser options as ``scrapy.utils.sitemap.Sitemap`` (no entities, no network, recover). Unlike that
class, the document is read element by element (``iterparse``, each entry cleared once read), so a 50,000-URL
sitemap never becomes one tree in memory.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin

from lxml import etree
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import sitemap_urls_from_robots

from crawler.registry import domain_matches, host_of
from crawler.vi.dates import LOCAL_TZ

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemap protocol's limit for one uncompressed file
USUAL_PATHS = ("/sitemap.xml", "/sitemap_index.xml", "/sitemaps.xml", "/sitemap-news.xml")
FUTURE_TOLERANCE = timedelta(days=1)


@dataclass
class SitemapEntry:
    url: str
    lastmod: datetime | None = None
    news_title: str | None = None
    news_published: datetime | None = None
    date_raw: str | None = None


@dataclass
class Sitemap:
    url: str
    kind: str  # "urlset", "sitemapindex", "" when the body is not a sitemap
    entries: list[SitemapEntry]  # pages (urlset) or child sitemaps (sitemapindex)
    problems: list[str]

    @property
    def is_index(self) -> bool:
        return self.kind == "sitemapindex"


def robots_sitemaps(robots_body: bytes, base_url: str) -> list[str]:
    return list(dict.fromkeys(sitemap_urls_from_robots(robots_body, base_url=base_url)))


def usual_sitemap_urls(url: str) -> list[str]:
    return [urljoin(url, path) for path in USUAL_PATHS]


def _date(raw: str | None, now: datetime) -> datetime | None:
    if not raw:
        return None
    text = raw.strip()
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))  # W3C datetime: 2025-12-01, 2025-12-01T08:00+07:00
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    return None if value > now + FUTURE_TOLERANCE else value


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_sitemap(body: bytes, url: str, domains: tuple[str, ...] = (), now: datetime | None = None) -> Sitemap:
    """The entries of a sitemap or sitemap index (gzip or not). Entries outside ``domains`` (the sitemap's own
    host by default) are left out and counted; a body that is no sitemap gives ``kind == ""``."""
    now = now or datetime.now(timezone.utc)
    problems: list[str] = []
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body, max_size=MAX_SITEMAP_BYTES)
        except Exception as exc:  # noqa: BLE001 - a bad or oversized archive: counted, the crawl goes on
            return Sitemap(url, "", [], [f"cannot unpack the gzip sitemap: {type(exc).__name__}: {exc}"])
    domains = domains or (host_of(url),)
    kind, entries, outside, future = "", [], 0, 0
    current: dict = {}
    context = etree.iterparse(io.BytesIO(body), events=("start", "end"), recover=True, resolve_entities=False,
                              no_network=True, remove_comments=True, huge_tree=False)
    try:
        for event, element in context:
            name = _local(element.tag)
            if event == "start":
                if not kind:
                    if name not in ("urlset", "sitemapindex"):
                        return Sitemap(url, "", [], ["not a sitemap (root element <%s>)" % (name or "?")])
                    kind = name
                elif name in ("url", "sitemap"):
                    current = {}
                continue
            if name in ("loc", "lastmod", "publication_date", "title") and element.getparent() is not None:
                parent = _local(element.getparent().tag)
                if name == "title" and parent != "news":
                    continue
                current[name if name != "title" else "news_title"] = (element.text or "").strip()
            elif name in ("url", "sitemap"):
                loc = urljoin(url, current.get("loc") or "")
                if current.get("loc") and loc.startswith(("http://", "https://")):
                    if not domain_matches(host_of(loc), domains):
                        outside += 1
                    else:
                        raw = current.get("publication_date") or current.get("lastmod")
                        published, lastmod = _date(current.get("publication_date"), now), _date(current.get("lastmod"), now)
                        future += bool(raw) and (published or lastmod) is None
                        entries.append(SitemapEntry(loc, lastmod, current.get("news_title") or None, published, raw))
                element.clear(keep_tail=False)
                while element.getprevious() is not None:  # drop the entries already read
                    del element.getparent()[0]
    except etree.XMLSyntaxError as exc:
        if not kind:
            return Sitemap(url, "", [], [f"not a sitemap (malformed XML: {exc})"])
        problems.append(f"malformed XML, read up to: {exc}")
    if outside:
        problems.append(f"{outside} entries outside the site's domains left out")
    if future:
        problems.append(f"{future} dates unreadable or in the future: no date")
    return Sitemap(url, kind, entries, problems)


