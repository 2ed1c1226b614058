"""Listing pages: the article links of the main list (not menus, footers or sidebars), their dates, and the
next page (crawler/extract/pagination.py).

Generic discovery groups article-like links by the repeated element they sit in (the list item) and keeps
the largest group outside boilerplate regions; registry selectors replace it for tuned sites.
"""
from __future__ import annotations

import re
from collections import Counter
from itertools import islice
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from crawler.extract.content import LISTING_BOILERPLATE_RE, element_text, in_boilerplate, select
from crawler.registry import domain_matches, host_of
from crawler.extract.pagination import find_next_page, find_next_postback
from crawler.fetch.urls import clean_url

# Links to files, not pages: documents, scans, media.
DOCUMENT_EXT = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|zip|rar|jpe?g|png|gif|mp[34]|avi|apk)$", re.I)
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
    _seen: set = field(default_factory=set, repr=False, compare=False)


def _slug_words(path: str) -> int:
    last = [part for part in path.split("/") if part][-1:] or [""]
    return len(re.findall(r"[a-z0-9]+", last[0].lower().rsplit(".", 1)[0]))


def looks_like_article(url: str, text: str, domains: tuple[str, ...]) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or DOCUMENT_EXT.search(parts.path):
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
    link = clean_url(link.split("#", 1)[0])
    if link not in result._seen:
        result._seen.add(link)
        result.articles.append(link)


# A side column of a listing page ("box-right", "list-box-right", "cot-phai", "col-right"): not the main list.
_SIDE_COLUMN = re.compile(r"(^|[\s_-])(right|cot-?phai|phai|aside|side|sidebar|col-?right|right-?col|most|hot|"
                          r"trending|xem-?nhieu|doc-?nhieu|noi-?bat-?sidebar)($|[\s_-])", re.I)
# Page furniture that bounds the main column: the site's header, menus and footer.
_FURNITURE = re.compile(r"(^|[\s_-])(header|footer|nav|navbar|menu|mainmenu|topbar|top-bar|site-header)($|[\s_-])", re.I)
_PAGER = re.compile(r"pag|phantrang|phan-trang|page-nav|trang-so", re.I)


def _side_column(element, stop, include_self: bool = False) -> bool:
    """The element sits in a side column (below ``stop``, the main column, when given)."""
    for node in ([element] if include_self else []) + list(element.iterancestors()):
        if node is stop:
            return False
        marker = f"{node.get('class') or ''} {node.get('id') or ''}"
        if marker.strip() and _SIDE_COLUMN.search(marker):
            return True
    return False


_SITE_PART = re.compile(r"(^|[\s_-])(header|footer|site-header)($|[\s_-])", re.I)


def _is_furniture(element) -> bool:
    """The site's header or footer (8+ links), or a menu of 15+ links: a section's own sub-section menu
    (dantri.com.vn: 8 links above the list) is part of the main column."""
    marker = f"{element.get('class') or ''} {element.get('id') or ''}"
    if element.tag in ("header", "footer") or _SITE_PART.search(marker):
        need = 8
    elif element.tag == "nav" or (marker.strip() and _FURNITURE.search(marker)):
        need = 15
    else:
        return False
    return sum(1 for _ in element.iter("a")) >= need


def _main_column(container):
    """The highest ancestor of the best list that holds none of the site's header, menus or footer: the lead
    story, top stories and every block of the list sit in it; boxes beside it are excluded later."""
    root = container.getroottree().getroot()
    # Each furniture element with its ancestors (element objects, not id(): lxml proxies die and ids get reused).
    furniture = [(element, set(element.iterancestors()))
                 for element in root.iter() if isinstance(element.tag, str) and _is_furniture(element)]
    column = container
    while column.getparent() is not None and column.getparent().tag not in ("html", "body"):
        parent = column.getparent()
        if any(parent in above and column not in above and own is not column for own, above in furniture):
            break  # the parent also holds the header, a big menu or the footer
        column = parent
    return column


def _after_pager(column, listed: set) -> set:
    """The links that follow the column's pager: the main list ends at the first pager after one of its links
    (a pager above the list does not count); what comes after it is other boxes (dantri.com.vn's older features
    and sub-section cards)."""
    started = pager = False
    after: set = set()
    for element in column.iter():
        if pager:
            if element.tag == "a":
                after.add(element)  # the pager's own links are numbers, never article links
        elif element in listed:
            started = True
        elif started and element.tag in ("div", "ul", "nav", "p", "section"):
            marker = f"{element.get('class') or ''} {element.get('id') or ''}"
            pager = bool(_PAGER.search(marker)) and sum(1 for _ in element.iter("a")) >= 2
    return after


def _generic_links(sel: Selector, url: str, domains: tuple[str, ...], result: ListingLinks) -> None:
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
        side = _side_column(key[0], None, include_self=True)
        return len(distinct) * (1 + min(sum(len(t) for _, t in links) / len(links), 120) / 60) * (0.2 if side else 1)

    best = max(order, key=weight)
    column = _main_column(best[0])
    in_column = set(column.iter("a"))
    listed = [(a, link, text) for a, link, text in candidates if a in in_column and not _side_column(a, column)]
    after_pager = _after_pager(column, {a for a, _, _ in listed})
    titled = {link for a, link, text in candidates if len(text) >= 20}
    for a, link, text in listed:
        if a in after_pager:
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


def _listing_dates(sel: Selector, url: str, result: ListingLinks, date_selector: str | None) -> None:
    """Date text shown next to each article link, kept as a last-resort date source.

    The date is looked for in the link's own list item: its ancestors (up to four) as long as they hold no other
    article's link, or, in a flat list (links and dates side by side in one container), the few siblings that
    follow the link before the next one. Each element is read a bounded number of times, so a 5,000-link
    listing costs about as much as 5,000 small items (the earlier walk read the whole list once per link)."""
    from crawler.extract.datefind import _HAS_DATE

    wanted = set(result.articles)
    anchors = []
    holders: dict = {}  # element -> the distinct wanted links below it (up to 4 levels above each link)
    for a in sel.root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href:
            continue
        link = urljoin(url, href).split("#", 1)[0]
        if link not in wanted:
            continue
        anchors.append((a, link))
        for depth, node in enumerate(a.iterancestors()):
            if depth >= 4:
                break
            holders.setdefault(node, set()).add(link)
    selected = None
    if date_selector:
        selected = {node.root for node in select(sel, date_selector)}

    for a, link in anchors:
        if link in result.dates:
            continue
        found = None
        for depth, node in enumerate(a.iterancestors()):
            if depth >= 4 or len(holders.get(node, ())) > 1:
                break
            found = _first_date(node, selected, _HAS_DATE)
            if found:
                break
        if not found:  # flat list: the siblings after the link, up to the next link
            for sibling in islice(a.itersiblings(), 3):
                if not isinstance(sibling.tag, str) or sibling.tag == "a" or any(True for _ in sibling.iter("a")):
                    break
                found = _first_date(sibling, selected, _HAS_DATE, include_self=True)
                if found:
                    break
        if found:
            result.dates[link] = found


def _first_date(element, selected, has_date, include_self: bool = False) -> str | None:
    """The first short date-like text of an element without links below ``element`` (``selected``: only the
    registry's date elements)."""
    nodes = element.iter() if include_self else element.iterdescendants()
    for node in nodes:
        if not isinstance(node.tag, str) or node.tag == "a":
            continue
        if selected is not None and node not in selected:
            continue
        if any(True for _ in node.iter("a")):
            continue
        text = element_text(node)
        if text and len(text) <= 120 and has_date.search(text):
            return text
    return None
