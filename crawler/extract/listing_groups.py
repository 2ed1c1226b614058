"""A second opinion on a listing page, by URL shape (crawler/extract/shapes.py).

When the main-list finder returns nothing or very little, the page's same-site links outside the site's header,
menus and footer are grouped by URL shape, and the largest group that names articles (anchor text the length of a
headline, dates printed beside the links) is the list. Department portals list notices in table rows of relative
slug links, homepages in a dozen boxes: the finder, which looks for repeated item elements holding links that look
like articles, can miss both.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from urllib.parse import urljoin, urlsplit

from crawler.extract.content import LISTING_BOILERPLATE_RE, in_boilerplate
from crawler.extract.datefind import _HAS_DATE
from crawler.extract.documents import is_document_url
from crawler.extract.listing_layout import side_column
from crawler.extract.shapes import names_a_page, url_shape
from crawler.registry import domain_matches, host_of

# A main list shorter than this is checked against the shape groups (a section page lists 10-60 articles).
FEW = 5
# A group needs this many distinct URLs to be a list, and this average anchor text (characters) to be a list of
# headlines rather than a menu ("Giới thiệu", "Liên hệ" are short; "Bài viết 0013" is 13 characters).
GROUP_MIN, TEXT_MIN = 3, 10


def page_links(sel, url: str, domains: tuple[str, ...]) -> list[tuple]:
    """(anchor, URL, text) of the page's links to its own site's pages, outside its header, menus and footer."""
    found = []
    for a in sel.root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:", "tel:")):
            continue
        link = urljoin(url, href).split("#", 1)[0]
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or is_document_url(link):
            continue
        if domains and not domain_matches(host_of(link), domains):
            continue
        if in_boilerplate(a, LISTING_BOILERPLATE_RE):
            continue
        found.append((a, link, " ".join(a.text_content().split()) or (a.get("title") or "").strip()))
    return found


def _dated(anchor) -> bool:
    """A date is printed in the link or beside it (its parent or the parent's parent)."""
    for node in (anchor, anchor.getparent(), anchor.getparent().getparent() if anchor.getparent() is not None else None):
        if node is not None and len(node.text_content()) <= 400 and _HAS_DATE.search(node.text_content()):
            return True
    return False


def shape_fallback(links: list[tuple], url: str) -> tuple[list[str], str]:
    """(URLs, why) of the largest group of same-shape links that names articles; ([], why not) when none does."""
    listing = url.split("#", 1)[0].rstrip("/")
    groups: dict = defaultdict(list)
    for a, link, text in links:
        if link.rstrip("/") == listing:
            continue
        coarse, last = url_shape(link)
        groups[coarse].append((a, link, text, last))

    def weight(members):
        distinct = {m[1] for m in members}
        titles = {m[1]: m[2] for m in members if m[2]}
        average = sum(len(t) for t in titles.values()) / (len(titles) or 1)
        dated = sum(1 for m in members if _dated(m[0]))
        side = sum(1 for m in members if side_column(m[0], None)) > len(members) / 2
        return len(distinct) * (1 + min(average, 120) / 60) * (1 + dated / len(members)) * (0.2 if side else 1)

    best, best_weight = None, 0.0
    for coarse, members in groups.items():
        distinct = {m[1] for m in members}
        lasts = Counter(m[3] for m in members)
        texts = [m[2] for m in members if m[2]]
        if len(distinct) < GROUP_MIN or not names_a_page(coarse, lasts.most_common(1)[0][0]):
            continue
        if sum(len(t) for t in texts) / (len(texts) or 1) < TEXT_MIN:
            continue
        if weight(members) > best_weight:
            best, best_weight = members, weight(members)
    if best is None:
        return [], "no group of same-shape links names articles"
    side = sum(1 for m in best if side_column(m[0], None)) > len(best) / 2
    chosen = [m for m in best if side or not side_column(m[0], None)]
    urls = list(dict.fromkeys(m[1] for m in chosen))
    return urls, f"{len(urls)} links of one URL shape ({_describe(url_shape(urls[0]))})"


def _describe(shape) -> str:
    (host, depth, route, extension, query), last = shape
    path = "/".join(["…"] * (depth - 1 - len(route)) + list(route) + [last or "…"])
    return f"/{path}" + (f"?{'&'.join(query)}" if query else "")


def shape_table(links: list[tuple], limit: int = 8) -> list[tuple[str, int, int]]:
    """(shape, distinct URLs, average anchor text) of the page's largest same-shape groups: what
    ``links --explain`` shows."""
    groups: dict = defaultdict(dict)
    for _, link, text in links:
        coarse, last = url_shape(link)
        groups[(coarse, last)].setdefault(link, text)
    ranked = sorted(groups.items(), key=lambda kv: -len(kv[1]))[:limit]
    return [(_describe(shape), len(members), round(sum(len(t) for t in members.values()) / len(members)))
            for shape, members in ranked]
