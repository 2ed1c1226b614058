"""Listing pages: the article links of the main list (not menus, footers or sidebars) and the next page.

Generic discovery groups article-like links by the repeated element they sit in (the list item) and keeps
the largest group outside boilerplate regions; registry selectors replace it for tuned sites.
"""
from __future__ import annotations

import re
from collections import Counter
from itertools import islice
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urljoin, urlsplit

from parsel import Selector
from w3lib.url import canonicalize_url

from crawler.extract.content import LISTING_BOILERPLATE_RE, element_text, in_boilerplate, node_text, select
from crawler.registry import domain_matches, host_of
from crawler.fetch.urls import clean_url

# Links to files, not pages: documents, scans, media.
DOCUMENT_EXT = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|zip|rar|jpe?g|png|gif|mp[34]|avi|apk)$", re.I)
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


def find_next_page(sel: Selector, url: str, selector: str | None = None) -> str | None:
    """The next listing page: rel=next, a "Sau/Tiếp/»" pager link, the link to page N+1 of a numbered pager
    (one- or zero-based, with or without a "pag" class), or a script timeline's URL template."""
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
    return _script_pager(sel, url)
