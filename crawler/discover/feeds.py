"""RSS 2.0 and Atom feeds: finding them on a page, and reading their entries (feedparser).

Vietnamese feeds have their quirks: HTML entities in titles ("Hà N&#7897;i"), RFC 822 dates with ``+0700`` or no
zone at all (local time, not UTC as feedparser assumes), CDATA descriptions holding HTML. An entry's date is
read from the feed's own text, so a date without a zone is Vietnamese time; a date more than a day ahead is
no date (a wrong clock or a scheduled post), never "now".
"""
from __future__ import annotations

import email.utils
import html
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin, urlsplit

import feedparser
from parsel import Selector

from crawler.registry import domain_matches, host_of
from crawler.vi.dates import LOCAL_TZ, parse_date
from crawler.vi.text import clean_text

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")
# Paths where Vietnamese portals and newspapers put a feed or a feed index (tried only when the page names none).
USUAL_PATHS = ("/rss", "/rss.html", "/rss.htm", "/rss.xml", "/feed", "/rss-feed", "/home.rss", "/trang-chu.rss")
# A link to a feed: its path ends like one ("/rss/thoi-su.rss", "/rss/chinh-tri.xml", "/feed") or its text says RSS.
# A path that only *contains* "rss" is not enough: danang.gov.vn's articles live under /rss/-/asset_publisher/...
_FEED_PATH = re.compile(r"(\.rss|/rss|/feed|/atom|[/-]rss\.xml|/rss/[\w-]+\.xml|\.atom|/rss\w*\.(html?|aspx|php))/?$",
                        re.I)  # ... and a feed index page: /rss.html, /rssMain.html, /RSS.aspx
_FEED_TEXT = re.compile(r"^(rss|atom|feed)\b|\brss$", re.I)
# A link drawn as an RSS icon: its own class, or a child's, has an "rss" token ("sprite rss", "icorss", "icon-rss"),
# or its image is an RSS icon (".../rss.png", alt="RSS"). baocantho.com.vn links each section's feed so:
# <a href="/rss/cate/thoi-su/"><span class="sprite rss"></span></a>.
_RSS_TOKEN = re.compile(r"(^|[\s_-])(ico-?)?rss(-?icon|-?feed)?($|[\s_-])|\bicorss\b", re.I)
FUTURE_TOLERANCE = timedelta(days=1)


@dataclass(frozen=True)
class FeedLink:
    url: str
    title: str
    why: str  # "<link rel=alternate>", "feed link", "usual path"


@dataclass
class FeedEntry:
    url: str
    title: str | None
    published: datetime | None
    date_raw: str | None
    summary_html: str | None


@dataclass
class Feed:
    url: str
    kind: str  # "rss20", "atom10", ... (feedparser's version), "" when the body is not a feed
    entries: list[FeedEntry]
    problems: list[str]  # malformed XML that was read anyway, dates dropped, entries outside the site

    @property
    def is_feed(self) -> bool:
        return bool(self.kind)


def find_feeds(sel: Selector, url: str, domains: tuple[str, ...] = ()) -> list[FeedLink]:
    """The feeds a page announces (``<link rel="alternate">``) and links to (a feed index page such as /rss
    lists one per section), on the site's own domains, in page order."""
    domains = domains or (host_of(url),)
    found: dict[str, FeedLink] = {}
    for link in sel.xpath("//link[@href]"):
        rel, kind = (link.attrib.get("rel") or "").lower(), (link.attrib.get("type") or "").lower()
        if "alternate" in rel and kind in FEED_TYPES:
            href = urljoin(url, link.attrib["href"].strip())
            found.setdefault(href, FeedLink(href, clean_text(link.attrib.get("title")) or "", "<link rel=alternate>"))
    for a in sel.xpath("//a[@href]"):
        href = urljoin(url, a.attrib["href"].strip())
        text = clean_text(a.xpath("string()").get()) or clean_text(a.attrib.get("title")) or ""
        if not href.startswith(("http://", "https://")) or not domain_matches(host_of(href), domains):
            continue
        if _FEED_PATH.search(urlsplit(href).path) or (_FEED_TEXT.search(text) and len(text) <= 20):
            found.setdefault(href, FeedLink(href, text, "feed link"))
        elif len(text) <= 40 and _rss_icon(a.root):
            found.setdefault(href, FeedLink(href, text, "RSS icon link"))
    return list(found.values())


def _rss_icon(anchor) -> bool:
    """The link is drawn as an RSS icon (a class token or an icon image), whatever its path says."""
    for node in anchor.iter():
        if not isinstance(node.tag, str):
            continue
        if _RSS_TOKEN.search(node.get("class") or ""):
            return True
        if node.tag == "img" and (_FEED_TEXT.search(node.get("alt") or "")
                                  or re.search(r"(^|[/_-])rss[\w-]*\.(png|gif|jpe?g|svg)$", node.get("src") or "", re.I)):
            return True
    return False


def usual_feed_urls(url: str) -> list[str]:
    root = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    return [root + path for path in USUAL_PATHS]


def _entry_date(entry, now: datetime) -> tuple[datetime | None, str | None]:
    raw = entry.get("published") or entry.get("updated") or entry.get("created")
    if not raw:
        return None, None
    value = None
    try:
        value = email.utils.parsedate_to_datetime(raw)  # RFC 822: "Mon, 01 Dec 2025 08:00:00 +0700"
    except (TypeError, ValueError, IndexError):
        try:
            value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))  # Atom: RFC 3339
        except ValueError:
            value = parse_date(raw, now=now)  # whatever a CMS wrote: "01/12/2025 08:00"
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_TZ)  # no zone in a Vietnamese feed: Vietnamese time
    if value is not None and value > now + FUTURE_TOLERANCE:
        return None, raw
    return value, raw


def parse_feed(body: bytes, url: str, domains: tuple[str, ...] = (), now: datetime | None = None) -> Feed:
    """The entries of an RSS/Atom body. A body that is no feed (an HTML error page) gives ``kind == ""``."""
    now = now or datetime.now(timezone.utc)
    parsed = feedparser.parse(body, response_headers={"content-location": url})
    problems = []
    # NonXMLContentType only says that no XML content type header was given (we pass none): not a problem.
    if parsed.get("bozo") and type(parsed.get("bozo_exception")).__name__ not in ("NonXMLContentType", "NoneType"):
        problems.append(f"malformed feed read anyway: {type(parsed.bozo_exception).__name__}")
    if not parsed.get("version"):
        return Feed(url, "", [], problems + ["not a feed (no RSS or Atom root element)"])
    domains = domains or (host_of(url),)
    entries, outside, future = [], 0, 0
    for entry in parsed.entries:
        link = (entry.get("link") or "").strip()
        if not link:
            continue
        link = urljoin(url, link)
        if not domain_matches(host_of(link), domains):
            outside += 1
            continue
        published, raw = _entry_date(entry, now)
        future += published is None and raw is not None
        title = clean_text(html.unescape(entry.get("title") or "")) or None
        summary = (entry.get("summary") or "").strip() or None
        entries.append(FeedEntry(link, title, published, raw, summary))
    if outside:
        problems.append(f"{outside} entries outside the site's domains left out")
    if future:
        problems.append(f"{future} entry dates unreadable or in the future: no date")
    return Feed(url, parsed.version, entries, problems)
