"""Is the prepared article one the database may hold? Its fields against the article's JSON Schema
(crawler/article.schema.json). The crawl drops an invalid article in pipelines/validation.py, counted by the
field that failed; ``python -m crawler extract`` prints the same errors."""
from __future__ import annotations

import fastjsonschema
from jsonschema import Draft202012Validator

from crawler.documents import waiting_for_ocr
from crawler.items import WORKING_FIELDS, article_schema
from crawler.prepare.stages import documents_text

_validator = None
_fast_check = None


# Characters of document text that make a notice whose own body is missing or short an article: a page whose
# whole text is "Xem chi tiết tại đây" and a plan's 3 pages (the shortest real administrative notice is a few
# hundred characters; a scan left without OCR has none and does not count).
DOCUMENT_BODY_MIN = 200


def body_from_documents(item: dict) -> bool:
    """The article's own body is missing or shorter than the schema allows, and the documents it attaches have
    text, or are scans whose text waits for OCR (Tesseract missing, the night's budget spent: a later night
    reads them): the notice's content is its documents (pipelines/validation.py keeps it, counted)."""
    body = item.get("body_text")
    short = not isinstance(body, str) or len(body) < article_schema()["properties"]["body_text"]["minLength"]
    if not short:
        return False
    waiting = any(isinstance(a, dict) and a.get("sha256") and waiting_for_ocr(a.get("notes"))
                  for a in item.get("attachments") or ())
    return waiting or len(documents_text(item).strip()) >= DOCUMENT_BODY_MIN


def validation_errors(item: dict) -> list[str]:
    """Schema violations as short "field: message" strings; empty when the item is valid. A body that is missing
    or short is no violation when the article's documents hold its text (``body_from_documents``).

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
    if errors and all(e.startswith("body_text:") for e in errors) and body_from_documents(item):
        return []
    return errors
