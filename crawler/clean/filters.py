"""Block filters: what in the located body is not the article's own text (page furniture, repeated title,
lead and captions, "related" lists that end the body, date lines). Each drop is counted in the report."""
from __future__ import annotations

import re

from crawler.clean.blocks import Block, CleaningReport
from crawler.vi.furniture import (ATTACHMENT_LINE_MAX, ATTACHMENT_LINE_RE, NOISE_BLOCK_RE, RELATED_HEADING_MAX,
                                   RELATED_HEADING_RE)
from crawler.vi.text import normalize_for_compare

ONLY_DATE_RE = re.compile(r"^[\w\s,:/|().+-]{6,40}$")


def clean_blocks(blocks: list[Block], item: dict, report: CleaningReport) -> list[Block]:
    title_norm = normalize_for_compare(item.get("title"))
    lead_norm = normalize_for_compare(item.get("lead"))
    kept: list[Block] = []
    seen: set[str] = set()
    text_blocks = sum(1 for b in blocks if b.kind in ("p", "h", "li", "table"))
    total_chars = sum(len(b.text) for b in blocks) or 1
    seen_chars = 0
    keep_repeats = _author_repeats(blocks)
    for index, block in enumerate(blocks):
        seen_chars += len(block.text)
        if block.kind == "img":
            kept.append(block)
            continue
        text = block.text
        if RELATED_HEADING_RE.search(text) and len(text) < RELATED_HEADING_MAX:
            report.count("related_block")
            rest = [b for b in blocks[index + 1:] if b.kind in ("p", "h", "li")]
            if seen_chars >= 0.6 * total_chars or not rest or sum(b.linked for b in rest) >= 0.5 * len(rest):
                break  # only other articles (or tags) follow
            continue  # a stray heading mid-article: drop it alone
        if NOISE_BLOCK_RE.match(text):
            report.count("boilerplate")
            continue
        if len(text) <= ATTACHMENT_LINE_MAX and ATTACHMENT_LINE_RE.match(text) and block.documents:
            report.count("attachment_line")  # the document it points to is the content, not this line
            continue
        norm = normalize_for_compare(text)
        if norm == title_norm:
            report.count("repeated_title")
            continue
        if lead_norm and text_blocks > 1 and (norm == lead_norm or (len(norm) > 40 and lead_norm.startswith(norm))):
            report.count("repeated_lead")
            continue
        if norm in seen and block.kind != "caption":
            echo_of_caption = kept and kept[-1].kind == "caption" and normalize_for_compare(kept[-1].text) == norm
            if echo_of_caption or not keep_repeats or len(norm) < REPEAT_KEPT_MIN:
                report.count("repeated_caption" if echo_of_caption else "repeated_paragraph")
                continue
        if block.kind == "caption" and norm in seen:
            report.count("repeated_caption")
            kept = [b for b in kept if not (b.kind != "img" and normalize_for_compare(b.text) == norm)] + [block]
            continue
        seen.add(norm)
        kept.append(block)
    while kept and kept[-1].kind in ("p", "li", "h") and kept[-1].linked:
        kept.pop()  # trailing "read also" links
        report.count("related_block")
    _drop_duplicate_captions(kept, report)
    _drop_date_lines(kept, report)
    return kept


# A long paragraph the page prints twice (an editor's slip, odp.cantho.gov.vn's blog posts) is the page's text and
# is kept; a page that repeats many of its paragraphs renders its body twice (a desktop and a mobile copy in one
# container), and the copies go. Short repeats (a pull quote, "Ảnh: ...") always go.
REPEAT_KEPT_MIN, REPEATS_KEPT_MAX = 120, 2


def _author_repeats(blocks: list[Block]) -> bool:
    """The page repeats at most REPEATS_KEPT_MAX of its paragraphs, and at most a quarter of them."""
    texts = [b.text for b in blocks if b.kind == "p" and len(b.text) >= REPEAT_KEPT_MIN]  # verbatim copies
    repeats = len(texts) - len(set(texts))
    return repeats <= REPEATS_KEPT_MAX and repeats * 4 <= len(texts)


def _drop_duplicate_captions(blocks: list[Block], report: CleaningReport) -> None:
    """A caption printed again as the following paragraph (seed 002) is kept once."""
    i = 0
    while i + 1 < len(blocks):
        a, b = blocks[i], blocks[i + 1]
        if a.kind == "caption" and b.kind == "p" and normalize_for_compare(a.text) == normalize_for_compare(b.text):
            del blocks[i + 1]
            report.count("repeated_caption")
            continue
        i += 1


def _drop_date_lines(blocks: list[Block], report: CleaningReport) -> None:
    from crawler.vi.dates import parse_date

    for block in list(blocks[:4]):
        if block.kind == "p" and len(block.text) <= 40 and ONLY_DATE_RE.match(block.text) and parse_date(block.text):
            blocks.remove(block)
            report.count("date_line")
