"""Why the extractor chose what it chose: for each field, the candidates considered, the one kept and the reason.

``python -m crawler extract PAGE --url URL --explain`` prints this; it is what a maintainer reads when a site
breaks. It calls the same finders as ``extract_article`` (nothing here decides anything on its own).
"""
from __future__ import annotations

from crawler.vi.dates import parse_date, to_local_iso
from crawler.extract.authors import author_candidates
from crawler.extract.body import density_candidates, find_body_element
from crawler.extract.content import element_text, in_boilerplate, lead_candidates
from crawler.extract.metadata import page_metadata
from crawler.extract.page_index import page_index
from crawler.vi.text import clean_text


def _describe(element) -> str:
    if element is None:
        return "(none)"
    path = []
    node = element
    while node is not None and node.tag not in ("html",) and len(path) < 4:
        marker = node.tag
        if node.get("id"):
            marker += f"#{node.get('id')}"
        if node.get("class"):
            marker += "." + ".".join(node.get("class").split()[:2])
        path.append(marker)
        node = node.getparent()
    return " < ".join(path)


def explain_article(response, item: dict, cleaning: dict, date_candidates: list) -> dict[str, dict]:
    """Field -> {"chosen": value, "candidates": [(value, why), ...]} for a prepared ``item`` of ``response``
    (``cleaning``: what cleaning dropped, reason -> count; ``date_candidates``: the item's candidates as extraction
    listed them, before the date stage used them)."""
    sel = response.selector
    meta = page_metadata(sel)
    index = page_index(sel)
    out: dict[str, dict] = {}

    titles = []
    for element in index.h1:
        text = element_text(element)
        if text:
            titles.append((text, f"<h1> {_describe(element)}" + (" (in a menu/sidebar)" if in_boilerplate(element) else "")))
    if meta.get("title"):
        titles.append((clean_text(meta["title"]), "og:title / JSON-LD headline"))
    if meta.get("html_title"):
        titles.append((clean_text(meta["html_title"]), "<title>"))
    extraction = item.get("extraction") or {}
    checks = extraction.get("fallbacks") or []
    out["title"] = {"chosen": f"{item.get('title')!r} by {extraction.get('title')}", "candidates": titles,
                    "rule": "in order of trust: the longest heading that <title>/og:title starts with, the first <h1>, "
                            "og:title, the nearest headline above the body, the longest part of <title>; a candidate "
                            "that is the site's name or shares nothing with the URL's words loses to the next; with "
                            "none left, the element that best agrees with the URL's words",
                    "checks": [c for c in checks if c.startswith("title:")]}

    body, _, why = find_body_element(sel)
    known = [(f"{len(element_text(e))} characters", f"known container {_describe(e)}") for e in index.known_body]
    scored = [(f"score {score:.1f}", f"density candidate {_describe(e)}") for score, e in density_candidates(sel)[:3]]
    out["body"] = {"chosen": f"{extraction.get('body')}: {_describe(body)} ({why or 'no container'})",
                   "candidates": known + scored,
                   "rule": "the site's selector, a known CMS container, or the densest paragraphs; checked after "
                           "cleaning: empty, most of it removed, or far shorter than another method's body -> the "
                           "fallback with clearly more prose (the same element lightly cleaned, the densest block, "
                           "trafilatura)",
                   "checks": [c for c in checks if c.startswith("body:")] + (
                       [f"doubt kept: {extraction['body_doubt']}"] if extraction.get("body_doubt") else []),
                   "cleaning": dict(cleaning), "body_chars": len(item.get("body_text") or ""),
                   "starts": (item.get("body_text") or "")[:120], "ends": (item.get("body_text") or "")[-120:]}

    leads = lead_candidates(sel, meta, body)
    if meta.get("description"):
        leads.append((clean_text(meta["description"]), "meta description (kept only if the page text has it)"))
    out["lead"] = {"chosen": item.get("lead"), "candidates": leads,
                   "rule": "a sapo element before or at the top of the body and not inside another article's card; "
                           "one agreeing with the meta description first"}

    authors = author_candidates(sel, meta)
    out["author"] = {"chosen": item.get("author"), "candidates": authors,
                     "rule": "the byline with the most names; publisher names and roles refused; else a signature "
                             "line at the end of the body ('Tin, ảnh: X', a right-aligned name)"}

    dates = []
    for source, raw in date_candidates:
        parsed = parse_date(raw)
        dates.append((raw, f"{source} -> {to_local_iso(parsed) if parsed else 'not a date'}"))
    out["date"] = {"chosen": f"{item.get('published_at_local')} from {item.get('date_source')}: {item.get('date_raw')!r}",
                   "candidates": dates,
                   "rule": "the first candidate that parses, in order of trust (structured data, the site's selector, "
                           "the date line next to the headline, <time>, date-like lines, the URL, the feed, htmldate "
                           "on the page without its masthead, menus and other articles' boxes); dates inside related "
                           "lists or sidebars are never candidates; a date-only value gives way to a later candidate "
                           "of the same day that has the time"}
    return out


def format_explanation(explanation: dict[str, dict]) -> str:
    lines = []
    for field, info in explanation.items():
        lines.append(f"== {field}: {info['chosen']!r}")
        if info.get("rule"):
            lines.append(f"   rule: {info['rule']}")
        for value, why in info.get("candidates", []):
            shown = value if len(str(value)) <= 110 else str(value)[:107] + "..."
            lines.append(f"   - {shown!r}  <- {why}")
        for check in info.get("checks", []):
            lines.append(f"   check: {check}")
        for key in ("cleaning", "body_chars", "starts", "ends"):
            if key in info:
                lines.append(f"   {key}: {info[key]!r}")
    return "\n".join(lines)



def explain_listing(response, links) -> str:
    """How a listing page's links were found: the method, why a fallback was taken, the page's same-shape link
    groups (the fallback's candidates), the next page and the dates."""
    from crawler.extract.listing_groups import page_links, shape_table
    from crawler.registry import host_of

    lines = [f"== links: {len(links.articles)} by {links.method}",
             "   rule: the largest repeated list of article-like links in the main column (not menus, footers, side "
             "columns, nor what follows the list's pager); when it finds fewer than 5, the largest group of "
             "same-shape links outside the site's furniture, favouring headline-length anchors and dates beside them"]
    lines += [f"   check: {note}" for note in links.notes]
    lines.append("== URL shapes of the page's links outside menus, header and footer (distinct URLs, average text):")
    for shape, count, average in shape_table(page_links(response.selector, response.url, (host_of(response.url),))):
        lines.append(f"   - {count:4} x {shape}  ({average} characters of anchor text)")
    lines.append(f"== next page: {links.next_page or links.next_postback}")
    lines.append(f"== dates beside the links: {len(links.dates)} of {len(links.articles)}")
    lines += [f"   - {url}" + (f"  ({links.dates[url]})" if url in links.dates else "") for url in links.articles]
    return "\n".join(lines)
