"""Article text cleaning: boilerplate, repeated leads and captions, lost drop caps, attribution and signature.

``clean_article(item)`` turns the located body HTML into a list of blocks (paragraphs, headings, list items,
images, data tables), fixes and filters them, and renders both ``body_text`` and a sanitized ``body_html``.
The cleaned body is then judged (crawler/clean/check.py): when it is implausible, the fallbacks extraction kept
are cleaned too and the best one is taken, and the item's ``extraction`` record says so.
Every change that drops text is counted in the returned ``CleaningReport`` (the pipeline puts it in stats).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lxml import html as lxml_html

from crawler.clean.blocks import (CleaningReport, attach_captions, blocks_from, drop_after_closing_cards, prune,
                                  restore_drop_cap)
from crawler.clean.byline import promote_truncated_lead, take_signature
from crawler.clean.check import KEPT_SHARE, SHORT_BODY, clearly_better, implausible, prose
from crawler.clean.filters import clean_blocks
from crawler.extract.body import prose_chars
from crawler.clean.render import render, sanitize_html  # noqa: F401 - the cleaning API
from crawler.vi.text import clean_text, normalize_for_compare

TITLE_MAX = 300
# The item fields that cleaning a body may change (a signature line becomes the author or the attribution, a lead
# cut short is replaced by the paragraph it came from).
_BODY_CONTEXT = ("url", "title", "lead", "author", "source_attribution")


@dataclass
class CleanedBody:
    text: str | None
    html: str | None
    images: list
    fields: dict  # the _BODY_CONTEXT fields after cleaning
    report: CleaningReport = field(default_factory=CleaningReport)
    # prose characters of the HTML before cleaning (crawler/extract/body.py's measure), when the check needs them
    raw_prose: int = 0


def _bounded_title(title: str | None, report: "CleaningReport") -> str | None:
    """``title`` cut to TITLE_MAX characters at a word boundary, with an ellipsis, and counted."""
    if title is None or len(title) <= TITLE_MAX:
        return title
    report.dropped["title_truncated"] += 1
    cut = title[:TITLE_MAX].rsplit(" ", 1)[0] or title[:TITLE_MAX]
    return cut.rstrip(" ,;:-–") + "…"


def clean_body(raw: str | None, context: dict, light: bool = False) -> CleanedBody:
    """The body HTML ``raw`` cleaned, as a function of it and the item's ``context`` fields (not changed)."""
    fields = {name: context.get(name) for name in _BODY_CONTEXT}
    if not (raw or "").strip():
        return CleanedBody(None, None, [], fields)
    report = CleaningReport()
    root = lxml_html.fragment_fromstring(raw, create_parent="div")
    # The check compares the cleaned text with the prose it came from (clean/check.py). When the cleaned text keeps
    # KEPT_SHARE of the element's whole text (an upper bound of its prose, one call in C), it keeps that share of
    # its prose too, and the walk that measures prose is skipped.
    whole = len(root.text_content())
    root.make_links_absolute(fields["url"], resolve_base_href=False, handle_failures="discard")
    bylines: list[str | None] = []
    if not light:
        drop_after_closing_cards(root, report)
    prune(root, bylines, light=light, report=report)
    blocks = blocks_from(root)
    blocks = attach_captions(blocks)
    restore_drop_cap(blocks, fields.get("title"), fields.get("lead"), report)
    blocks = clean_blocks(blocks, fields, report)
    take_signature(blocks, fields, report)
    promote_truncated_lead(blocks, fields, report)
    if not fields.get("author"):
        fields["author"] = next((b for b in bylines if b), None)
    body_text, body_html = render(blocks)
    images = [{"url": b.src, "caption": b.caption} for b in blocks if b.kind == "img"]
    raw_prose = 0 if len(body_text or "") >= KEPT_SHARE * whole else prose_chars(
        lxml_html.fragment_fromstring(raw, create_parent="div"))
    return CleanedBody(body_text or None, body_html or None, images, fields, report, raw_prose)


def choose_cleaned_body(item: dict, report: CleaningReport) -> CleanedBody:
    """The cleaned body of ``body_html``, or of a fallback when that one is implausible (crawler/clean/check.py);
    the item's ``extraction`` record gets the method used and, for a fallback, why."""
    extraction = item.get("extraction") if isinstance(item.get("extraction"), dict) else {}
    method = extraction.get("body") or "given"
    doubted = extraction.pop("body_doubt", None)  # why extraction kept fallbacks (crawler/extract/body.py)
    raw = item.get("body_html") or ""
    alternatives = item.pop("body_alternatives", None) or []
    first = clean_body(raw, item)
    doubt = implausible(first.text, first.raw_prose)
    if doubt is None and not alternatives:
        return first
    options = [(method, first)]
    if raw.strip() and (not first.text or len(first.text) < SHORT_BODY):
        options.append((f"{method}+light-cleaning", clean_body(raw, item, light=True)))  # the pre-cleaning body
    options += [(name, clean_body(html, item)) for name, html in alternatives]
    chosen, best = options[0]
    for name, option in options[1:]:
        if clearly_better(prose(option.text), prose(best.text)):
            chosen, best = name, option
    if best is not first:
        why = doubt or doubted or "a fallback has more prose"
        extraction.setdefault("fallbacks", []).append(
            f"body: {method} {why}; took {chosen} ({prose(best.text):,} characters of prose)")
        extraction["body"] = chosen
        report.count("body_fallback")
    elif doubt:
        extraction["body_doubt"] = doubt  # no fallback did better: kept, and said
    if extraction:
        item["extraction"] = extraction
    return best


def clean_fields(item: dict, report: CleaningReport | None = None) -> None:
    """The short fields in display form (NFC, entities, whitespace); the title bounded to TITLE_MAX."""
    report = report if report is not None else CleaningReport()
    item["title"] = _bounded_title(clean_text(item.get("title")), report)
    for name in ("lead", "author", "source_attribution", "category"):
        item[name] = clean_text(item.get(name))


def clean_article(item: dict) -> CleaningReport:
    """Clean ``item`` in place: title, lead, body_text, body_html, images, author, source_attribution."""
    report = CleaningReport()
    clean_fields(item, report)
    body = choose_cleaned_body(item, report)
    item.update(body.fields)
    item["body_text"], item["body_html"], item["images"] = body.text, body.html, body.images
    report.dropped.update(body.report.dropped)
    body_text = body.text or ""
    if item["lead"] and normalize_for_compare(item["lead"]) == normalize_for_compare(body_text):
        item["lead"] = None  # the "lead" was the whole text
    return report
