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


def explain_article(response, item: dict, report, date_candidates: list) -> dict[str, dict]:
    """Field -> {"chosen": value, "candidates": [(value, why), ...]} for a processed ``item`` of ``response``
    (``date_candidates``: the item's candidates as extraction listed them, before the date step used them)."""
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
    out["title"] = {"chosen": item.get("title"), "candidates": titles,
                    "rule": "the longest heading-like element that <title>/og:title starts with; else og:title; "
                            "else the first <h1> outside menus"}

    body, _, why = find_body_element(sel)
    known = [(f"{len(element_text(e))} characters", f"known container {_describe(e)}") for e in index.known_body]
    scored = [(f"score {score:.1f}", f"density candidate {_describe(e)}") for score, e in density_candidates(sel)[:3]]
    out["body"] = {"chosen": f"{_describe(body)} ({why or 'trafilatura fallback'})", "candidates": known + scored,
                   "cleaning": dict(report.dropped), "body_chars": len(item.get("body_text") or ""),
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
                   "rule": "the first candidate that parses, in order of trust; a date-only value gives way to a later "
                           "candidate of the same day that has the time"}
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
        for key in ("cleaning", "body_chars", "starts", "ends"):
            if key in info:
                lines.append(f"   {key}: {info[key]!r}")
    return "\n".join(lines)

