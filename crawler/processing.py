"""The per-item steps between extraction and storage, as pure functions.

The item pipelines call these one each; ``python -m crawler extract`` calls them in the same order, so the
command line shows exactly what a crawl would store (minus deduplication against the database).
"""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone

import fastjsonschema
from jsonschema import Draft202012Validator

from crawler.clean.cleaning import CleaningReport, clean_article
from crawler.vi.dates import has_time, parse_date, to_local_iso, to_utc_iso
from crawler.items import WORKING_FIELDS, article_schema
from crawler.vi.text import normalize_for_compare
from crawler.vi.topics import tag_topics


def assign_date(item: dict, now: datetime | None = None) -> bool:
    """Parse the date candidates in order; keep the first that parses, with its raw text and source.

    Returns False when no candidate gives a date: ``published_at`` stays None (never "now").
    """
    candidates = item.pop("date_candidates", None) or []
    if now is None and item.get("crawled_at"):
        now = datetime.fromisoformat(item["crawled_at"].replace("Z", "+00:00"))
    for position, (source, raw) in enumerate(candidates):
        parsed = parse_date(raw, now=now)
        if parsed is not None:
            if not has_time(raw):  # a day only: a later candidate of the same day may give the time
                for later_source, later_raw in candidates[position + 1:]:
                    later = parse_date(later_raw, now=now) if has_time(later_raw) else None
                    if later is not None and to_local_iso(later)[:10] == to_local_iso(parsed)[:10]:
                        parsed, source, raw = later, later_source, later_raw
                        break
            item["published_at"] = to_utc_iso(parsed)
            item["published_at_local"] = to_local_iso(parsed)
            item["date_raw"] = raw
            item["date_source"] = source
            return True
    item["published_at"] = item["published_at_local"] = None
    item["date_raw"] = candidates[0][1] if candidates else None
    item["date_source"] = None
    return False


def content_hash(title: str | None, body_text: str | None, captions: list[str] | tuple = ()) -> str:
    """SHA-256 of the title and the article's text blocks (paragraphs and photo captions) in comparison form and
    sorted: Unicode form, case, tone placement, spacing, and where a copy puts a caption (with its photo, or as
    a plain paragraph when a portal republishes the text without the photo) do not matter."""
    blocks = [normalize_for_compare(b) for b in re.split(r"\n\s*\n", body_text or "")]
    title_norm = normalize_for_compare(title)
    blocks += [c for c in (normalize_for_compare(c) for c in captions if c) if c != title_norm]  # a title as caption
    payload = title_norm + "\n" + "\n".join(sorted(b for b in blocks if b))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def assign_content_hash(item: dict) -> str:
    captions = [image.get("caption") for image in item.get("images") or [] if isinstance(image, dict)]
    item["content_hash"] = content_hash(item.get("title"), item.get("body_text"), captions)
    return item["content_hash"]


def assign_topics(item: dict) -> list[str]:
    """CCHC topics, the terms that matched and a relevance score (1.0 for articles of a CCHC section)."""
    item["from_cchc_section"] = bool(item.get("from_cchc_section"))
    topics, terms, relevance = tag_topics(item.get("title"), item.get("lead"), item.get("body_text"),
                                          item["from_cchc_section"])
    item["topics"], item["topic_terms"], item["relevance"] = topics, terms, relevance
    return topics


_validator = None
_fast_check = None


def validation_errors(item: dict) -> list[str]:
    """Schema violations as short "field: message" strings; empty when the item is valid.

    A valid item (nearly every one) is confirmed by fastjsonschema's compiled check, ~15x faster than
    jsonschema's (0.25 ms an article in the crawl's process); only an item it rejects goes through jsonschema,
    which lists every violation with its path. tests/test_validation_paths.py holds both to the same verdicts."""
    global _validator, _fast_check
    if _validator is None:
        _validator = Draft202012Validator(article_schema())
        _fast_check = fastjsonschema.compile(article_schema())
    fields = {k: v for k, v in dict(item).items() if k not in WORKING_FIELDS}  # the crawl's own, not the schema's
    try:
        _fast_check(fields)
        return []
    except fastjsonschema.JsonSchemaException:
        pass
    errors = []
    for error in sorted(_validator.iter_errors(fields), key=lambda e: list(e.path)):
        where = ".".join(str(p) for p in error.path) or (error.validator == "required" and error.message.split("'")[1]) or "item"
        errors.append(f"{where}: {error.message[:160]}")
    return errors


def process_article(item: dict, now: datetime | None = None) -> tuple[CleaningReport, list[str]]:
    """Cleaning, date, hash, topics and validation, in pipeline order. Returns the cleaning report and schema errors."""
    report = clean_article(item)
    assign_date(item, now or datetime.now(timezone.utc))
    assign_content_hash(item)
    assign_topics(item)
    return report, validation_errors(item)
