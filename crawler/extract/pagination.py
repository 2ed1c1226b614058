"""Listing pagination: the next page's URL (a "next" link, numbered pager links, a JavaScript pager template)
or, on ASP.NET portals, the ``__doPostBack`` target of the next page."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urljoin, urlsplit

from parsel import Selector
from w3lib.url import canonicalize_url

from crawler.extract.content import LISTING_BOILERPLATE_RE, in_boilerplate, node_text, select

_PAGE_PARAMS = ("page", "p", "trang", "pageindex", "pagenumber", "pg")
_POSTBACK = re.compile(r"__doPostBack\(\s*'([^']*)'\s*,\s*'([^']*)'\s*\)")
_NEXT_WORDS = {"sau", "tiếp", "trang sau", "tiếp theo", "next", "›", "»", ">", ">>", "trang tiếp"}


# Page numbers in listing URLs: /trang-2.htm (dantri), /trang2.html, -page2, /page/2, /p2, _p2.html, ?p=2.
_PATH_PAGE = re.compile(r"/(?:page|trang)[/-]?(\d+)(?:\.html?)?/?$|[-_]page-?(\d+)(?:\.html?)?/?$|"
                        r"/p(\d+)(?:\.html?)?/?$|[-_]p(\d+)\.html?$", re.I)


def _page_number(url: str) -> int | None:
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query):
        key = key.lower()
        if (key in _PAGE_PARAMS or key.endswith("_cur") or key.endswith("page")) and value.isdigit():
            return int(value)
    match = _PATH_PAGE.search(parts.path)
    if match:
        return int(next(g for g in match.groups() if g is not None))
    return None


def _pager_anchors(sel: Selector, selector: str | None):
    return select(sel, selector) if selector else sel.xpath(
        "//*[contains(@class,'pag') or contains(@class,'Pag') or contains(@class,'paging') or contains(@class,'phantrang') "
        "or contains(@class,'page-nav') or contains(@id,'pag') or contains(@id,'Pag')]//a[@href]"
    )


def find_next_postback(sel: Selector, selector: str | None, current: int) -> tuple[str, str] | None:
    """The ``__doPostBack(target, argument)`` of the pager's next page, e.g. GridView's ``Page$2``."""
    by_number = None
    for a in _pager_anchors(sel, selector):
        match = _POSTBACK.search(a.attrib.get("href", ""))
        if not match:
            continue
        text = node_text(a).casefold()
        if text in _NEXT_WORDS or (a.attrib.get("title") or "").casefold() in _NEXT_WORDS:
            return match.group(1), match.group(2)
        number = re.search(r"(\d+)$", match.group(2))
        if (text.isdigit() and int(text) == current + 1) or (number and int(number.group(1)) == current + 1):
            by_number = by_number or (match.group(1), match.group(2))
    return by_number


def _numbered_anchors(sel: Selector, anchors):
    """(label, href) of pager links labelled with a page number; when no element is marked as a pager, every
    short number link of the page (numbered pagers with no "pag" class)."""
    def numbered(nodes):
        out = []
        for a in nodes:
            href = (a.attrib.get("href") or "").strip()
            text = node_text(a)
            if href and not href.startswith(("javascript:", "#")) and text.isdigit() and len(text) <= 4:
                out.append((int(text), href))
        return out
    found = numbered(anchors)
    if not found:
        found = numbered(sel.xpath("//a[@href]"))
    return found


_JS_PAGER = re.compile(r"(\w+)\.url\s*=\s*['\"]([^'\"]*\{0\}[^'\"]*\{1\}[^'\"]*)['\"]")


def _script_pager(sel: Selector, url: str) -> str | None:
    """A "Xem thêm" timeline filled by script, with its URL template in the page (the VCCorp CMS family,
    baochinhphu.vn: ``timeline.url = '/timelinelist/{0}/{1}.htm'``, ``timeline.pageIndex = 2``, zone id in
    ``<input id="hdZoneId">``): the next page is that template filled in."""
    for script in sel.xpath("//script[not(@src)]/text()").getall():
        match = _JS_PAGER.search(script)
        if not match:
            continue
        page = re.search(re.escape(match.group(1)) + r"\.pageIndex\s*=\s*(\d+)", script)
        zone = sel.xpath("//input[@id='hdZoneId']/@value").get()
        if page and zone and zone.isdigit():
            return urljoin(url, match.group(2).replace("{0}", zone).replace("{1}", page.group(1)))
    return None


# A link that continues the list below it: "Xem tiếp" (an image with that alt on SharePoint news web parts), "Trang
# sau", "Tiếp theo", "Next page". "Xem thêm" / "Tải thêm" (load more) also lead to a box's section page, so those
# count only when their URL is the listing's next page by number (vtcnews.vn: "Xem thêm" -> /trang-2.html).
_CONTINUE = re.compile(r"^(xem tiếp|trang sau|trang tiếp( theo)?|tiếp theo|next page|older posts|tin cũ hơn|các tin cũ hơn)\W*$",
                       re.I)
_MORE = re.compile(r"^(xem thêm|tải thêm|xem thêm tin|load more|more)\W*$", re.I)


def _label(a) -> str:
    text = " ".join(a.text_content().split())
    if not text:
        text = " ".join(filter(None, (img.get("alt") or img.get("title") for img in a.iter("img"))))
    return (text or a.get("title") or "").strip().casefold()


def _continuation(sel: Selector, url: str, articles: list[str] | None) -> str | None:
    """A "Xem tiếp"-like link after the list's last article link (or anywhere, when the list is not known)."""
    wanted = set(articles or ())
    started = not wanted
    current = _page_number(url) or 1
    for a in sel.root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        link = urljoin(url, href)
        if link.split("#", 1)[0] in wanted:
            started = True
            continue
        if not started or canonicalize_url(link) == canonicalize_url(url) or in_boilerplate(a, LISTING_BOILERPLATE_RE):
            continue
        label = _label(a)
        if _CONTINUE.match(label) or (_MORE.match(label) and _page_number(link) == current + 1):
            return link
    return None


def find_next_page(sel: Selector, url: str, selector: str | None = None, articles: list[str] | None = None) -> str | None:
    """The next listing page: rel=next, a "Sau/Tiếp/»" pager link, the link to page N+1 of a numbered pager
    (one- or zero-based, with or without a "pag" class), a script timeline's URL template, or a "Xem tiếp" link
    after the list (``articles``: the list's URLs, when known)."""
    for href in sel.xpath("//link[@rel='next']/@href | //a[@rel='next']/@href").getall():
        return urljoin(url, href)
    anchors = _pager_anchors(sel, selector)
    for a in anchors:
        href = (a.attrib.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#")):
            continue
        link = urljoin(url, href)
        text = node_text(a).casefold()
        title = (a.attrib.get("title") or "").casefold()
        if text in _NEXT_WORDS or title in _NEXT_WORDS or "trang sau" in title or "next" in title or "trang tiếp" in text:
            if canonicalize_url(link) != canonicalize_url(url):
                return link
    numbered = [(n, urljoin(url, href)) for n, href in _numbered_anchors(sel, anchors)]
    # Zero-based pagers label page 2 as ...-page1: the URL number is the label minus one.
    pairs = [(n, _page_number(link)) for n, link in numbered if _page_number(link) is not None]
    zero_based = bool(pairs) and sum(1 for n, u in pairs if u == n - 1) > sum(1 for n, u in pairs if u == n)
    current = _page_number(url)
    current_label = (current + 1 if zero_based else current) if current is not None else 1
    for n, link in numbered:
        if n == current_label + 1 and canonicalize_url(link) != canonicalize_url(url):
            return link
    for a in anchors:  # a pager link whose URL is page N+1 ("Sau »" -> ?page=2)
        href = (a.attrib.get("href") or "").strip()
        if href and not href.startswith(("javascript:", "#")) and _page_number(urljoin(url, href)) == (current or 1) + 1:
            return urljoin(url, href)
    return _script_pager(sel, url) or _continuation(sel, url, articles)
