"""Listing pages: the article links of the main list (not menus, footers or sidebars), their dates, and the
next page (crawler/extract/pagination.py).

Generic discovery groups article-like links by the repeated element they sit in (the list item) and keeps
the largest group outside boilerplate regions; registry selectors replace it for tuned sites.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from crawler.extract.content import LISTING_BOILERPLATE_RE, in_boilerplate, select
from crawler.registry import domain_matches, host_of
from crawler.extract.documents import DOCUMENT_EXT, is_document_url  # noqa: F401 - part of this module's API
from crawler.extract.listing_dates import listing_dates
from crawler.extract.listing_groups import FEW, page_links, shape_fallback
from crawler.extract.listing_layout import after_pager, main_column, side_column
from crawler.extract.pagination import find_next_page, find_next_postback
from crawler.urls import clean_url

_ARTICLE_HINTS = re.compile(
    r"view_content|/-/asset_publisher/|-post\d+\.html?$|-\d{4,}\.html?$|/\d{4,}\.html?$|/bai-viet/|/tin-tuc/.+/.+|"
    r"chitiettintuc|newsdetail|[?&](nid|newsid|itemid|id)=\d+|/\d{6}/[a-z0-9-]+-[0-9a-f]{7}/?$",
    re.I,
)


@dataclass
class ListingLinks:
    articles: list[str] = field(default_factory=list)
    next_page: str | None = None
    # ASP.NET pagers post the form back instead of linking: (__EVENTTARGET, __EVENTARGUMENT) of the next page
    next_postback: tuple[str, str] | None = None
    dates: dict[str, str] = field(default_factory=dict)  # article URL -> date text shown in the listing
    # How the links were found: "selector", "main-list" or "url-shape" (the fallback when the main-list finder
    # finds nothing or very little); ``notes`` say why (links --explain).
    method: str = "main-list"
    notes: list[str] = field(default_factory=list)
    _seen: set = field(default_factory=set, repr=False, compare=False)


def _slug_words(path: str) -> int:
    last = [part for part in path.split("/") if part][-1:] or [""]
    return len(re.findall(r"[a-z0-9]+", last[0].lower().rsplit(".", 1)[0]))


def looks_like_article(url: str, text: str, domains: tuple[str, ...]) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or is_document_url(url):
        return False
    if domains and not domain_matches(host_of(url), domains):
        return False
    if _ARTICLE_HINTS.search(url):
        return True
    # A long hyphenated slug plus a headline-length anchor text.
    return _slug_words(parts.path) >= 5 and len(text) >= 20


def _item_signature(element) -> str:
    return f"{element.tag}.{' '.join(sorted((element.get('class') or '').split()))}"


def _list_container(anchor, twins_cache: dict):
    """Walk up from the link to the element that repeats among its siblings (the list item); return its parent.
    ``twins_cache`` holds each parent's children counted by signature once (a 5,000-item list is counted once,
    not once per link)."""
    node = anchor
    while node.getparent() is not None and node.getparent().tag not in ("body", "html"):
        parent = node.getparent()
        signature = _item_signature(node)
        counts = twins_cache.get(parent)
        if counts is None:
            counts = twins_cache[parent] = Counter(_item_signature(c) for c in parent if isinstance(c.tag, str))
        if counts[signature] >= 3:
            return parent, signature
        node = parent
    return None, ""


def find_article_links(sel: Selector, url: str, domains: tuple[str, ...] = (), selectors: dict | None = None,
                       page: int | None = None) -> ListingLinks:
    """Article URLs of the main list, in page order, plus the next-page URL and listing dates."""
    selectors = selectors or {}
    domains = domains or (host_of(url),)
    result = ListingLinks()
    if selectors.get("listing_links"):
        result.method = "selector"
        anchors = select(sel, selectors["listing_links"])
        for a in anchors:
            href = a.attrib.get("href")
            if href and not href.startswith(("javascript:", "#", "mailto:")):
                _add(result, urljoin(url, href.strip()))
    if not result.articles:
        result.method = "main-list"
        _generic_links(sel, url, domains, result)
        _shape_fallback(sel, url, domains, result)
    result.dates.update(listing_dates(sel, url, result.articles, selectors.get("listing_date")))
    result.next_page = find_next_page(sel, url, selectors.get("next_page"), result.articles)
    if result.next_page is None:
        result.next_postback = find_next_postback(sel, selectors.get("next_page"), page or 1)
    return result


def _add(result: ListingLinks, link: str) -> None:
    link = clean_url(link.split("#", 1)[0])
    if link not in result._seen:
        result._seen.add(link)
        result.articles.append(link)


def _shape_fallback(sel: Selector, url: str, domains: tuple[str, ...], result: ListingLinks) -> None:
    """When the main-list finder found (almost) nothing: the largest group of same-shape links
    (crawler/extract/listing_groups.py), if it has more."""
    if len(result.articles) >= FEW:
        return
    urls, why = shape_fallback(page_links(sel, url, domains), url)
    if len(urls) > len(result.articles):
        result.notes.append(f"the main-list finder found {len(result.articles)} links; fallback: {why}")
        result.articles, result._seen, result.method = [], set(), "url-shape"
        for link in urls:
            _add(result, link)
    else:
        result.notes.append(f"the main-list finder found {len(result.articles)} links; {why}")


def _generic_links(sel: Selector, url: str, domains: tuple[str, ...], result: ListingLinks) -> None:
    """The main list's links into ``result``."""
    candidates = []  # (anchor, link, text) of article-like links outside menus, footers and sidebars
    for a in sel.root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:", "tel:")):
            continue
        link = urljoin(url, href).split("#", 1)[0]
        text = " ".join(a.text_content().split())
        if not looks_like_article(link, text, domains) or in_boilerplate(a, LISTING_BOILERPLATE_RE):
            continue
        candidates.append((a, link, text))
    groups: dict = {}
    order: list = []
    twins_cache: dict = {}
    for a, link, text in candidates:
        container, signature = _list_container(a, twins_cache)
        if container is None:
            continue
        key = (container, signature)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append((link, text))
    if not groups:
        # Short lists (one or two items) repeat nothing: take headline-like article links outside boilerplate.
        for a, link, text in candidates:
            if len(text) >= 20:
                _add(result, link)
        return

    def weight(key):
        links = groups[key]
        distinct = {link for link, _ in links}
        side = side_column(key[0], None, include_self=True)
        return len(distinct) * (1 + min(sum(len(t) for _, t in links) / len(links), 120) / 60) * (0.2 if side else 1)

    best = max(order, key=weight)
    column = main_column(best[0])
    in_column = set(column.iter("a"))
    # Inside the main column only a column beside the list is left out: a "hot" or "trending" block stacked with
    # the list is part of the section page (znews.vn: "Nổi bật" between the featured block and the list).
    listed = [(a, link, text) for a, link, text in candidates
              if a in in_column and not side_column(a, column, layout_only=True)]
    past_pager = after_pager(column, {a for a, _, _ in listed})
    titled = {link for a, link, text in candidates if len(text) >= 20}
    for a, link, text in listed:
        if a in past_pager:
            continue
        if link in titled:  # an image link counts through the same article's title link
            _add(result, link)
    _keep_majority_shape(result)


_ID_SHAPE = re.compile(r"\d{5,}")


def _keep_majority_shape(result: ListingLinks) -> None:
    """Where 80%+ of the list's URLs carry a numeric article id (…-20260307080054340.htm, -post404649.html,
    view_content/4377336-…), a URL without one is a topic or section page ("/chuyen-doi-so-ho-kinh-doanh-e1999.htm")."""
    def has_id(url):
        last = [part for part in urlsplit(url).path.split("/") if part][-1:] or [""]
        return bool(_ID_SHAPE.search(last[0])) or bool(re.search(r"[?&](id|nid|newsid|itemid)=\d+", url, re.I))
    if len(result.articles) >= 5 and sum(map(has_id, result.articles)) >= 0.8 * len(result.articles):
        result.articles = [u for u in result.articles if has_id(u)]
