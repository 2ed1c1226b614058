"""Where an article page states its publication date: candidates in order of trust, each with its source.

The date pipeline parses them in order with ``crawler.vi.dates.parse_date`` and keeps the first that parses,
together with the raw text and the source, so every stored date has provenance.
"""
from __future__ import annotations

import re

from parsel import Selector

from crawler.vi.dates import parse_date
from crawler.extract.content import in_boilerplate, node_text, select
from crawler.extract.page_index import page_index
from crawler.vi.text import clean_text

_HAS_DATE = re.compile(r"\d{1,2}\s?[/.-]\s?\d{1,2}\s?[/.-]\s?\d{2,4}|\d{4}-\d{2}-\d{2}|tháng\s+\d{1,2}", re.I)
_URL_DATE = re.compile(r"/(20\d{2}|19\d{2})[/-]?(\d{2})[/-]?(\d{2})/")


def date_candidates(sel: Selector, url: str, meta: dict, selector: str | None) -> list[list[str]]:
    """Ordered [source, raw] pairs: structured data, site selector, visible text near the title, URL."""
    found: list[list[str]] = []
    for source, raw in meta.get("dates", []):
        found.append([source, raw])
    if selector:
        for node in select(sel, selector)[:2]:
            text = node_text(node) or (node.attrib.get("datetime") if hasattr(node, "attrib") else "")
            if text:
                found.append(["selector", text])
    for element in page_index(sel).times:
        if not in_boilerplate(element):
            found.append(["meta", element.get("datetime")])
            break
    found.extend(["visible-text", text] for text in _visible_dates(sel)[:2])
    match = _URL_DATE.search(url)
    if match:
        found.append(["url", "-".join(match.groups())])
    return found


def _visible_dates(sel: Selector) -> list[str]:
    """Short texts with a date in elements whose class or id looks like a date line, outside boilerplate."""
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
        if text not in texts:
            texts.append(text)
    return texts


def htmldate_candidate(html: str, url: str) -> list[str] | None:
    """Last resort: htmldate's original-date search; day precision only."""
    from htmldate import find_date

    try:
        found = find_date(html, url=url, original_date=True, extensive_search=False)
    except Exception:
        return None
    if found and parse_date(found):
        return ["htmldate", found]
    return None
