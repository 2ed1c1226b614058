"""Listing pages: the article links of the main list (not menus, footers or sidebars) and the next page.

Generic discovery groups article-like links by the repeated element they sit in (the list item) and keeps
the largest group outside boilerplate regions; registry selectors replace it for tuned sites.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urljoin, urlsplit

from parsel import Selector
from w3lib.url import canonicalize_url

from crawler.extract.content import in_boilerplate, node_text, select
from crawler.registry import domain_matches, host_of

_SKIP_EXT = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|zip|rar|jpe?g|png|gif|mp[34]|avi|apk)$", re.I)
_ARTICLE_HINTS = re.compile(
    r"view_content|/-/asset_publisher/|-post\d+\.html?$|-\d{4,}\.html?$|/\d{4,}\.html?$|/bai-viet/|/tin-tuc/.+/.+|"
    r"chitiettintuc|newsdetail|[?&](nid|newsid|itemid|id)=\d+|/\d{6}/[a-z0-9-]+-[0-9a-f]{7}/?$",
    re.I,
)
_PAGE_PARAMS = ("page", "p", "trang", "pageindex", "pagenumber", "pg")
_POSTBACK = re.compile(r"__doPostBack\(\s*'([^']*)'\s*,\s*'([^']*)'\s*\)")
_NEXT_WORDS = {"sau", "tiếp", "trang sau", "tiếp theo", "next", "›", "»", ">", ">>", "trang tiếp"}


@dataclass
class ListingLinks:
    articles: list[str] = field(default_factory=list)
    next_page: str | None = None
    # ASP.NET pagers post the form back instead of linking: (__EVENTTARGET, __EVENTARGUMENT) of the next page
    next_postback: tuple[str, str] | None = None
    dates: dict[str, str] = field(default_factory=dict)  # article URL -> date text shown in the listing


def _slug_words(path: str) -> int:
    last = [part for part in path.split("/") if part][-1:] or [""]
    return len(re.findall(r"[a-z0-9]+", last[0].lower().rsplit(".", 1)[0]))


def looks_like_article(url: str, text: str, domains: tuple[str, ...]) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or _SKIP_EXT.search(parts.path):
        return False
    if domains and not domain_matches(host_of(url), domains):
        return False
    if _ARTICLE_HINTS.search(url):
        return True
    # A long hyphenated slug plus a headline-length anchor text.
    return _slug_words(parts.path) >= 5 and len(text) >= 20


def _item_signature(element) -> str:
    return f"{element.tag}.{' '.join(sorted((element.get('class') or '').split()))}"


def _list_container(anchor):
    """Walk up from the link to the element that repeats among its siblings (the list item); return its parent."""
    node = anchor
    while node.getparent() is not None and node.getparent().tag not in ("body", "html"):
        parent = node.getparent()
        signature = _item_signature(node)
        twins = sum(1 for sibling in parent if isinstance(sibling.tag, str) and _item_signature(sibling) == signature)
        if twins >= 3:
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
        anchors = select(sel, selectors["listing_links"])
        for a in anchors:
            href = a.attrib.get("href")
            if href and not href.startswith(("javascript:", "#", "mailto:")):
                _add(result, urljoin(url, href.strip()))
    if not result.articles:
        _generic_links(sel, url, domains, result)
    _listing_dates(sel, url, result, selectors.get("listing_date"))
    result.next_page = find_next_page(sel, url, selectors.get("next_page"))
    if result.next_page is None:
        result.next_postback = find_next_postback(sel, selectors.get("next_page"), page or 1)
    return result


def _add(result: ListingLinks, link: str) -> None:
    link = link.split("#", 1)[0]
    if link not in result.articles:
        result.articles.append(link)


def _generic_links(sel: Selector, url: str, domains: tuple[str, ...], result: ListingLinks) -> None:
    groups: dict = {}
    order: list = []
    for a in sel.root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:", "tel:")):
            continue
        link = urljoin(url, href)
        text = " ".join(a.text_content().split())
        if not looks_like_article(link, text, domains) or in_boilerplate(a):
            continue
        container, signature = _list_container(a)
        if container is None:
            continue
        key = (container, signature)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append((link, text))
    if not groups:
        # Short lists (one or two items) repeat nothing: take headline-like article links outside boilerplate.
        for a in sel.root.iter("a"):
            link = urljoin(url, (a.get("href") or "").strip())
            text = " ".join(a.text_content().split())
            if len(text) >= 20 and looks_like_article(link, text, domains) and not in_boilerplate(a):
                _add(result, link)
        return

    def weight(key):
        links = groups[key]
        distinct = {link for link, _ in links}
        return len(distinct) * (1 + min(sum(len(t) for _, t in links) / len(links), 120) / 60)

    best = max(order, key=weight)
    # Lists split in several containers of the same kind (e.g. one per row) belong together.
    chosen = [k for k in order if k[1] == best[1] and k[0].tag == best[0].tag
              and _item_signature(k[0]) == _item_signature(best[0])]
    for key in chosen:
        for link, _ in groups[key]:
            _add(result, link)


def _listing_dates(sel: Selector, url: str, result: ListingLinks, date_selector: str | None) -> None:
    """Date text shown next to each article link, kept as a last-resort date source."""
    from crawler.extract.datefind import _HAS_DATE

    wanted = set(result.articles)
    for a in sel.xpath("//a[@href]"):
        link = urljoin(url, a.attrib["href"].strip()).split("#", 1)[0]
        if link not in wanted or link in result.dates:
            continue
        node = a
        for _ in range(4):  # look in the enclosing item only
            parent = node.xpath("..")
            if not parent:
                break
            node = parent[0]
            candidates = select(node, date_selector) if date_selector else node.xpath(".//*[not(self::a)]")
            for cand in candidates:
                text = node_text(cand)
                if text and len(text) <= 120 and _HAS_DATE.search(text) and not cand.xpath(".//a"):
                    result.dates[link] = text
                    break
            if link in result.dates:
                break


def _page_number(url: str) -> int | None:
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query):
        key = key.lower()
        if (key in _PAGE_PARAMS or key.endswith("_cur") or key.endswith("page")) and value.isdigit():
            return int(value)
    match = re.search(r"/(?:page|trang)[/-](\d+)/?$|[-_/]p(\d+)\.html?$", parts.path, re.I)
    if match:
        return int(match.group(1) or match.group(2))
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


def find_next_page(sel: Selector, url: str, selector: str | None = None) -> str | None:
    """The next listing page: rel=next, a "Sau/Tiếp/»" link, or the link to page N+1 of the pager."""
    for href in sel.xpath("//link[@rel='next']/@href | //a[@rel='next']/@href").getall():
        return urljoin(url, href)
    anchors = _pager_anchors(sel, selector)
    current = _page_number(url) or 1
    by_number: str | None = None
    for a in anchors:
        href = (a.attrib.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#")):
            continue
        link = urljoin(url, href)
        text = node_text(a).casefold()
        title = (a.attrib.get("title") or "").casefold()
        if text in _NEXT_WORDS or title in _NEXT_WORDS or "trang sau" in title or "next" in title:
            if canonicalize_url(link) != canonicalize_url(url):
                return link
        number = _page_number(link)
        if number is None and text.isdigit():
            number = int(text)
        if number == current + 1 and by_number is None:
            by_number = link
    return by_number
