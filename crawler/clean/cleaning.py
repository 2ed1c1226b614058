"""Article text cleaning: boilerplate, repeated leads and captions, lost drop caps, attribution and signature.

``clean_article(item)`` turns the located body HTML into a list of blocks (paragraphs, headings, list items,
images, data tables), fixes and filters them, and renders both ``body_text`` and a sanitized ``body_html``.
Every change that drops text is counted in the returned ``CleaningReport`` (the pipeline puts it in stats).
"""
from __future__ import annotations

from lxml import html as lxml_html

from crawler.clean.blocks import CleaningReport, attach_captions, blocks_from, prune, restore_drop_cap
from crawler.clean.byline import promote_truncated_lead, take_signature
from crawler.clean.filters import clean_blocks
from crawler.clean.render import render, sanitize_html  # noqa: F401 - the cleaning API
from crawler.vi.text import clean_text, normalize_for_compare

TITLE_MAX = 300


def _bounded_title(title: str | None, report: "CleaningReport") -> str | None:
    """``title`` cut to TITLE_MAX characters at a word boundary, with an ellipsis, and counted."""
    if title is None or len(title) <= TITLE_MAX:
        return title
    report.dropped["title_truncated"] += 1
    cut = title[:TITLE_MAX].rsplit(" ", 1)[0] or title[:TITLE_MAX]
    return cut.rstrip(" ,;:-–") + "…"


def clean_article(item: dict) -> CleaningReport:
    """Clean ``item`` in place: title, lead, body_text, body_html, images, author, source_attribution."""
    report = CleaningReport()
    item["title"] = _bounded_title(clean_text(item.get("title")), report)
    item["lead"] = clean_text(item.get("lead"))
    item["author"] = clean_text(item.get("author"))
    item["source_attribution"] = clean_text(item.get("source_attribution"))
    item["category"] = clean_text(item.get("category"))
    raw = item.get("body_html") or ""
    if not raw.strip():
        item["body_html"], item["body_text"], item["images"] = None, None, []
        return report
    root = lxml_html.fragment_fromstring(raw, create_parent="div")
    root.make_links_absolute(item["url"], resolve_base_href=False, handle_failures="discard")
    bylines: list[str | None] = []
    prune(root, bylines)
    blocks = blocks_from(root)
    blocks = attach_captions(blocks)
    restore_drop_cap(blocks, item.get("title"), item.get("lead"), report)
    blocks = clean_blocks(blocks, item, report)
    take_signature(blocks, item, report)
    promote_truncated_lead(blocks, item, report)
    if not item.get("author"):
        item["author"] = next((b for b in bylines if b), None)
    body_text, body_html = render(blocks)
    item["body_text"] = body_text or None
    item["body_html"] = body_html or None
    item["images"] = [{"url": b.src, "caption": b.caption} for b in blocks if b.kind == "img"]
    if item["lead"] and normalize_for_compare(item["lead"]) == normalize_for_compare(body_text):
        item["lead"] = None  # the "lead" was the whole text
    return report
