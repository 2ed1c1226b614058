"""Structured metadata of a page: JSON-LD, OpenGraph and microdata (extruct), plus plain <meta> tags."""
from __future__ import annotations

import logging
from typing import Any

from parsel import Selector

logger = logging.getLogger(__name__)
_ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "blogposting", "webpage", "analysisnewsarticle"}
_META_DATE_NAMES = (
    "article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate",
    "dc.date.issued", "dc.date", "dcterms.created", "date", "created_date",
)


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _name_of(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("name")
    return value if isinstance(value, str) else None


def _all_names(value: Any) -> list[str]:
    """Every author name of a JSON-LD ``author`` (one, a list, objects or strings), in order."""
    values = value if isinstance(value, list) else [value]
    return [n for n in (_name_of(v) for v in values) if n and n.strip()]


def _jsonld_articles(root) -> list[dict]:
    from extruct.jsonld import JsonLdExtractor  # extruct imports every syntax it knows: only when an article is read

    try:
        items = JsonLdExtractor().extract_items(root)
    except Exception as exc:  # malformed JSON-LD is common; it must not lose the article
        logger.debug("invalid JSON-LD: %s", exc)
        return []
    found: list[dict] = []
    stack = list(items)
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, dict):
            continue
        stack.extend(item.get("@graph", []))
        types = item.get("@type")
        types = types if isinstance(types, list) else [types]
        if any(isinstance(t, str) and t.lower() in _ARTICLE_TYPES for t in types):
            found.append(item)
    # Prefer real article types over a generic WebPage.
    found.sort(key=lambda i: str(i.get("@type")).lower() == "webpage")
    return found


def _opengraph(root) -> dict[str, str]:
    from extruct.opengraph import OpenGraphExtractor

    try:
        items = OpenGraphExtractor().extract_items(root)
    except Exception:
        return {}
    props: dict[str, str] = {}
    for item in items:
        for key, value in item.get("properties", []):
            props.setdefault(key.lower(), value)
    return props


def page_metadata(sel: Selector) -> dict[str, Any]:
    """Everything the page says about itself in machine-readable form. Values are raw strings or None."""
    root = sel.root
    meta: dict[str, str] = {}
    for node in sel.xpath("//meta[@content]"):
        name = (node.attrib.get("property") or node.attrib.get("name") or node.attrib.get("itemprop") or "")
        if name:
            meta.setdefault(name.strip().lower(), node.attrib["content"])
    og = _opengraph(root)
    articles = _jsonld_articles(root)
    ld = articles[0] if articles else {}
    dates: list[tuple[str, str]] = []
    if isinstance(ld.get("datePublished"), str):
        dates.append(("json-ld", ld["datePublished"]))
    for name in _META_DATE_NAMES:
        if meta.get(name):
            dates.append(("meta", meta[name]))
            break
    time_attr = sel.xpath("//*[@itemprop='datePublished']/@datetime | //*[@itemprop='datePublished']/@content").get()
    if time_attr:
        dates.append(("meta", time_attr))
    keywords = ld.get("keywords")
    if isinstance(keywords, str):
        keywords = [k.strip() for k in keywords.split(",")]
    return {
        "title": _first(ld.get("headline")) or og.get("og:title") or meta.get("twitter:title"),
        "description": ld.get("description") or og.get("og:description") or meta.get("description"),
        "author": _name_of(ld.get("author")) or meta.get("author") or meta.get("article:author"),
        "authors": _all_names(ld.get("author")) or [v for v in (meta.get("author"), meta.get("article:author"),
                                                                meta.get("dable:author")) if v],
        "section": _first(ld.get("articleSection")) or meta.get("article:section"),
        "tags": [t for t in (keywords or []) if isinstance(t, str) and t]
        or [n.attrib["content"] for n in sel.xpath("//meta[@property='article:tag'][@content]")],
        "canonical": sel.xpath("//link[@rel='canonical']/@href").get() or og.get("og:url"),
        "site_name": og.get("og:site_name"),
        "dates": dates,
        "html_title": sel.xpath("normalize-space(//title)").get() or None,
    }
