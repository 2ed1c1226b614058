"""Listing dates: the date text a listing prints next to each article link, kept as a last-resort date source
(and as evidence that a group of links is a list of articles)."""
from __future__ import annotations

from itertools import islice
from urllib.parse import urljoin

from parsel import Selector

from crawler.extract.content import element_text, select
from crawler.extract.datefind import _HAS_DATE


def listing_dates(sel: Selector, url: str, articles: list[str], date_selector: str | None) -> dict[str, str]:
    """Date text shown next to each article link, kept as a last-resort date source.

    The date is looked for in the link's own list item: its ancestors (up to four) as long as they hold no other
    article's link, or, in a flat list (links and dates side by side in one container), the few siblings that
    follow the link before the next one. Each element is read a bounded number of times, so a 5,000-link
    listing costs about as much as 5,000 small items (the earlier walk read the whole list once per link)."""
    wanted = set(articles)
    dates: dict[str, str] = {}
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
        if link in dates:
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
            dates[link] = found
    return dates


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
