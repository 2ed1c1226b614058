"""Is the prepared article one the database may hold? Its fields against the article's JSON Schema
(crawler/article.schema.json). The crawl drops an invalid article in pipelines/validation.py, counted by the
field that failed; ``python -m crawler extract`` prints the same errors."""
from __future__ import annotations

import fastjsonschema
from jsonschema import Draft202012Validator

from crawler.items import WORKING_FIELDS, article_schema

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
