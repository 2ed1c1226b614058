"""Where an article page states its publication date: candidates in order of trust, each with its source.

The date pipeline parses them in order with ``crawler.dates.parse_date`` and keeps the first that parses,
together with the raw text and the source, so every stored date has provenance.
"""
from __future__ import annotations

import re

from parsel import Selector

from crawler.dates import parse_date
from crawler.extract.content import in_boilerplate, node_text, select

_DATEISH_ATTR = re.compile(r"date|time|ngay|publish|timer|posted|meta|thoi-gian|ngaydang", re.I)
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
    for node in sel.xpath("//time[@datetime]"):
        if not in_boilerplate(node.root):
            found.append(["meta", node.attrib["datetime"]])
            break
    found.extend(["visible-text", text] for text in _visible_dates(sel)[:2])
    match = _URL_DATE.search(url)
    if match:
        found.append(["url", "-".join(match.groups())])
    return found


def _visible_dates(sel: Selector) -> list[str]:
    """Short texts with a date in elements whose class or id looks like a date line, outside boilerplate."""
    texts: list[str] = []
    for node in sel.xpath("//body//*[@class or @id]"):
        marker = f"{node.attrib.get('class', '')} {node.attrib.get('id', '')}"
        if not _DATEISH_ATTR.search(marker):
            continue
        text = node_text(node)
        if not text or len(text) > 160 or not _HAS_DATE.search(text):
            continue
        if in_boilerplate(node.root) or node.xpath(".//a[contains(@href, '/')]"):
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
