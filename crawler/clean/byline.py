"""The article's signature at the end of the body ("Tin, ảnh: Minh Anh", "Theo Báo Chính phủ") becomes the
author or the source attribution, and a lead the page cut short is replaced by the paragraph it came from."""
from __future__ import annotations

import re

from crawler.clean.blocks import Block, CleaningReport
from crawler.vi.text import normalize_for_compare

# End-of-body credit lines: "Tin, ảnh: Minh Anh", "Bài và ảnh: X", "Ảnh: T.H".
CREDIT_BYLINE_RE = re.compile(r"^(tin|bài|ảnh|video|clip)(\s*(,|và|-|&)\s*(tin|bài|ảnh|video|clip))*\s*:\s*(.{2,60}?)\.?$", re.I)
ATTRIBUTION_RE = re.compile(r"^[(\[]?\s*(theo|nguồn)\b[\s:]*(.{2,90}?)[)\]]?\.?$", re.I)


def take_signature(blocks: list[Block], item: dict, report: CleaningReport) -> None:
    """Trailing "Theo ..."/"Nguồn: ..." lines become ``source_attribution``, a trailing byline ``author``."""
    for _ in range(3):
        texts = [b for b in blocks if b.kind in ("p", "h")]
        if not texts:
            return
        last = texts[-1]
        match = ATTRIBUTION_RE.match(last.text)
        if match and len(last.text) <= 100:
            item["source_attribution"] = item.get("source_attribution") or last.text.strip("()[] ")
            blocks.remove(last)
            report.count("attribution_moved")
            continue
        credit = CREDIT_BYLINE_RE.match(last.text)
        if credit and len(last.text) <= 80:
            item["author"] = item.get("author") or credit.group(5).strip()
            blocks.remove(last)
            report.count("byline_moved")
            continue
        words = last.text.split()
        looks_like_name = (
            len(last.text) <= 40 and 1 <= len(words) <= 5 and not last.text.endswith((".", ":", ";", ","))
            or re.fullmatch(r"(?:[A-ZĐ]\.){1,3}[A-ZĐ]?\.?", last.text)
        )
        styled = last.right_aligned or last.emphasised or last.text.isupper()
        capitalised = all(w[:1].isupper() for w in words)
        # A right-aligned signature may be an office, not a person: "Văn phòng Sở", "Phòng Hành chính - Tổng hợp".
        office = last.right_aligned and words[0][:1].isupper() and not last.text.endswith(("!", "?"))
        if looks_like_name and (styled or capitalised and len(words) <= 4) and (capitalised or office):
            author = item.get("author")
            if not author or normalize_for_compare(author) == normalize_for_compare(last.text):
                item["author"] = author or last.text
                blocks.remove(last)
                report.count("byline_moved")
                continue
        return


def promote_truncated_lead(blocks: list[Block], item: dict, report: CleaningReport) -> None:
    """A lead cut short with "..." (meta description) that starts the first paragraph: that paragraph is the lead."""
    lead = item.get("lead") or ""
    if not lead.endswith(("...", "…")):
        return
    stem = normalize_for_compare(lead.rstrip(".… "))
    if sum(1 for b in blocks if b.kind == "p") < 2:
        first = next((b for b in blocks if b.kind == "p"), None)
        if first is not None and normalize_for_compare(first.text).startswith(stem):
            item["lead"] = None  # only a cut-off copy of the text itself
        return
    for block in blocks[:3]:
        if block.kind == "p" and len(stem) >= 30 and normalize_for_compare(block.text).startswith(stem):
            # The page has no sapo of its own: its first paragraph is the lead, and stays the body's start.
            item["lead"] = block.text
            report.count("lead_from_first_paragraph")
            return
