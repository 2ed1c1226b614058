"""URL shapes: what a site's article links have in common, whatever their words.

A listing's articles share one URL form: ``/<slug>-post<id>.html``, ``/blog/<slug>``,
``/Default.aspx?tabid=95&ItemID=<id>``, ``/<section>/-/view_content/<id>-<slug>``. Grouping a page's same-site
links by that form (``url_shape``) finds the list when nothing else does (a layout the main-list finder does not
know, a homepage) and extends a list the finder found to the other blocks of the main column that list the same
kind of page (a "featured" block above it, sub-section boxes below it).
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

# Query keys that select a section or a page of the CMS (their value is part of the shape: tabid=95 is the news
# module, tabid=96 a sidebar's), as opposed to the keys that name the item (ItemID, id, newsid: any value).
_SECTION_KEYS = {"tabid", "catid", "cat", "categoryid", "cateid", "cid", "mid", "moduleid", "pageid", "menu", "zone",
                 "chuyenmuc", "type", "lang", "p_p_id", "action", "view", "layout", "option", "task"}
_TRACKING = re.compile(r"^(utm_|fbclid|gclid|zarsrc|ref$|_ga)", re.I)
_TRAILING_ID = re.compile(r"(?:[-_.]?(post|ar|a|bv|n|d|c|t|tin|id|news|p))?(\d{4,})$", re.I)
_LEADING_ID = re.compile(r"^\d{4,}[-_]")
# Path segments that name a CMS route rather than a section: kept in the coarse form.
_ROUTES = {"view_content", "asset_publisher", "news", "tin-tuc", "tintuc", "blog", "bai-viet", "baiviet", "chi-tiet",
           "chitiet", "detail", "details", "posts", "post", "article", "articles", "tin", "thong-bao", "van-ban"}
_EXTENSION = re.compile(r"\.(html?|aspx?|php|jsp|bcb|vnp|shtml|cfm)$", re.I)


def _segment_shape(segment: str) -> str:
    """One path segment's form: "S" (a slug of 3+ words), "W" (a word or two), "9" (digits), with its id marker
    and extension: "S-post9.html", "9-S", "S", "W.aspx"."""
    extension = ""
    match = _EXTENSION.search(segment)
    if match:
        extension, segment = match.group(0).lower(), segment[:match.start()]
    if segment.isdigit():
        return f"9{extension}"
    prefix = ""
    if _LEADING_ID.match(segment):
        prefix, segment = "9-", _LEADING_ID.sub("", segment)
    suffix = ""
    match = _TRAILING_ID.search(segment)
    if match and segment[:match.start()] != "" or segment.isdigit():
        suffix = f"-{(match.group(1) or '').lower()}9" if match else "9"
        segment = segment[:match.start()] if match else ""
    words = [w for w in re.split(r"[-_+.\s]+", segment) if w]
    body = "S" if len(words) >= 3 else "W" if words else ""
    return f"{prefix}{body}{suffix}{extension}"


def url_shape(url: str) -> tuple[tuple, str]:
    """The form of a URL: (``coarse``, ``last``). ``coarse`` is its host, its number of path segments, the
    segments that name a CMS route ("-", "view_content", "blog" ...), the extension and the query's keys (with the
    values of section keys); ``last`` the form of the last segment (slug, id, both). A list's articles share the
    coarse form; most share the last one too (a few slugs are short or carry no id)."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    last = _segment_shape(segments[-1]) if segments else ""
    extension = _EXTENSION.search(segments[-1]).group(0).lower() if segments and _EXTENSION.search(segments[-1]) else ""
    route = tuple(s.lower() for s in segments[:-1] if s == "-" or s.lower() in _ROUTES)
    query = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        key = key.lower()
        if _TRACKING.match(key):
            continue
        query.append(f"{key}={value.lower()}" if key in _SECTION_KEYS else key)
    return ((parts.hostname or "").lower(), len(segments), route, extension, tuple(sorted(query))), last


def names_a_page(coarse: tuple, last: str) -> bool:
    """A form that can name one article: an id, a slug, or an item key in the query; not a section page such as
    "/thoi-su" or "/doanh-nhan.html" (one or two words, no id) at the top of the site."""
    _, depth, route, _, query = coarse
    return any("=" not in q for q in query) or "9" in last or last.startswith("S") or bool(route) or depth >= 2
