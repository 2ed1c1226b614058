"""Where an article page states its publication date: candidates in order of trust, each with its source.

The date pipeline parses them in order with ``crawler.vi.dates.parse_date`` and keeps the first that parses,
together with the raw text and the source, so every stored date has provenance.
"""
from __future__ import annotations

import re

from parsel import Selector

from crawler.vi.dates import parse_date
from crawler.extract.content import OTHER_PLACES_RE as _OTHER_PLACES, in_boilerplate, node_text, select
from crawler.extract.documents import is_document_url
from crawler.extract.page_index import page_index
from crawler.extract.zones import in_related_zone, related_zones
from crawler.vi.text import clean_text

_HAS_DATE = re.compile(r"\d{1,2}\s?[/.-]\s?\d{1,2}\s?[/.-]\s?\d{2,4}|\d{4}-\d{2}-\d{2}|tháng\s+\d{1,2}", re.I)
# How many elements before and after the headline (in document order) a date line may be: a title, a
# sapo-less date line and a share bar are a few elements apart; the next article's date is dozens away.
NEAR_TITLE = 12
# A date line is short: "(26.07.2019 14:14)", "Thứ sáu, 23/12/2025 09:02 (GMT+7)", "Cập nhật: 22/03/2019 09:15 |
# Lượt xem: 1.024" (60-ish characters at most with a label and a view counter).
DATE_LINE_MAX = 80
_URL_DATE = re.compile(r"/(20\d{2}|19\d{2})[/-]?(\d{2})[/-]?(\d{2})/")


def date_candidates(sel: Selector, url: str, meta: dict, selector: str | None, title_at=None) -> list[list[str]]:
    """Ordered [source, raw] pairs: structured data, site selector, the date next to the headline (``title_at``,
    its element), <time>, other visible date lines, URL. Dates inside menus, sidebars and "other articles" boxes
    are never candidates: they are other articles' dates."""
    found: list[list[str]] = []
    for source, raw in meta.get("dates", []):
        found.append([source, raw])
    if selector:
        for node in select(sel, selector)[:2]:
            text = node_text(node) or (node.attrib.get("datetime") if hasattr(node, "attrib") else "")
            if text:
                found.append(["selector", text])
    zones = related_zones(sel.root)
    near = _date_near(sel, title_at, zones) if title_at is not None else None
    if near:
        found.append(["near-title", near])
    for element in page_index(sel).times:
        if not in_boilerplate(element) and not in_related_zone(element, zones, title_at):
            found.append(["meta", element.get("datetime")])
            break
    found.extend(["visible-text", text] for text in _visible_dates(sel, zones, title_at)[:2])
    match = _URL_DATE.search(url)
    if match:
        found.append(["url", "-".join(match.groups())])
    return found


def _date_near(sel: Selector, title_at, zones: list) -> str | None:
    """The date printed next to the headline: the nearest short text with a date among the elements just
    before it (a table cell "(26.07.2019 14:14)" above a notice's headline) or just after it (the usual date
    line under a title), outside related boxes; after it wins a tie."""
    index = page_index(sel)
    order, start = index.order, index.order_position.get(title_at)
    if start is None:
        return None
    end = start + sum(1 for e in title_at.iterdescendants() if isinstance(e.tag, str))
    for distance in range(1, NEAR_TITLE + 1):
        for index in (end + distance, start - distance):
            if not 0 <= index < len(order):
                continue
            element = order[index]
            if element.tag in ("script", "style", "a") or len(element) > 3:
                continue
            if any(a is element for a in title_at.iterancestors()):
                continue
            if any(is_document_url(a.get("href") or "") for a in element.iter("a")):
                continue  # an attached file's name ("BC-so-248_15-02-2019.pdf") dates the document, not the page
            raw = " ".join(element.itertext())
            if len(raw) > 400:
                continue
            text = clean_text(raw)
            if not text or len(text) > DATE_LINE_MAX or not _HAS_DATE.search(text) or not parse_date(text):
                continue  # a sapo that mentions a date ("Từ ngày 01/4/2019, ...") is not a date line
            # A share bar beside the date line is fine (baocantho.com.vn: span.pubdate in div.sharemxh); menus,
            # sidebars and other articles' boxes are not.
            if in_boilerplate(element, _OTHER_PLACES) or in_related_zone(element, zones, title_at):
                continue
            return text
    return None


def _visible_dates(sel: Selector, zones: list, title_at=None) -> list[str]:
    """Short texts with a date in elements whose class or id looks like a date line, outside boilerplate and
    other articles' boxes."""
    texts: list[str] = []
    for element in page_index(sel).dateish:  # class or id looks like a date line
        raw = " ".join(element.itertext())
        if len(raw) > 2000:  # far longer than a date line even before spaces are folded
            continue
        text = clean_text(raw)
        if not text or len(text) > 160 or not _HAS_DATE.search(text):
            continue
        if in_boilerplate(element) or any("/" in (a.get("href") or "") for a in element.iter("a")):
            continue
        if in_related_zone(element, zones, title_at):
            continue
        if text not in texts:
            texts.append(text)
    return texts


def htmldate_candidate(sel: Selector, url: str, title_at=None) -> list[str] | None:
    """Last resort: htmldate's original-date search (day precision) on a copy of the page without its menus,
    sidebars, other articles' boxes and everything above the headline (``title_at``): htmldate reads any
    date-looking element, and on a portal page those are mostly other notices' dates ("Tin đã đưa (27/12/2018)")
    and the masthead's clock ("Thứ năm, 17/1/2019-3:05 PM": the day the page was read, not written)."""
    from copy import deepcopy

    from htmldate import find_date

    from crawler.extract.content import _marked

    root = sel.root
    drop = set(related_zones(root))
    drop.update(e for e in root.iter() if isinstance(e.tag, str) and e.tag != "form" and _marked(e))
    if title_at is not None:
        for node in [title_at, *title_at.iterancestors()]:
            drop.update(node.itersiblings(preceding=True))
    # The copy walks in the same order as the page: the n-th element of one is the n-th of the other.
    indices = [i for i, e in enumerate(root.iter()) if e in drop]
    copy = deepcopy(root)
    elements = list(copy.iter())
    for i in indices:
        if elements[i].getparent() is not None:
            elements[i].getparent().remove(elements[i])
    try:
        found = find_date(copy, url=url, original_date=True, extensive_search=False)
    except Exception:
        return None
    if found and parse_date(found):
        return ["htmldate", found]
    return None
