"""The worker side of the bulk import (crawler/store/bulk.py): an import file's lines as stored rows, in a process of
their own (``multiprocessing``), while the importing process writes the rows before them."""
from __future__ import annotations

import json
from functools import lru_cache

import fastjsonschema
from jsonschema import Draft202012Validator

from crawler.clean.render import sanitize_html
from crawler.items import article_schema
from crawler.prepare.stages import assign_content_hash, documents_text
from crawler.store.rows import stored_row
from crawler.minhash import band_keys, decode_signature, encode_signature, signature

REQUIRED = ("url", "site", "title", "body_text")
LINK_FIELDS = ("url", "canonical_url")  # shown as links by the browser and the feed: http(s) only


def _types_only(spec: dict, name: str = "") -> dict:
    """A property's JSON types (nested ones too), and for the link fields their http(s) pattern; not the
    crawl's quality rules (minimum lengths, date shapes), which a backfill from another tool may not meet."""
    out = {"type": spec["type"]} if "type" in spec else {}
    if name in LINK_FIELDS and "pattern" in spec:
        out["pattern"] = spec["pattern"]
    for key in ("items", "additionalProperties"):
        if isinstance(spec.get(key), dict):
            out[key] = _types_only(spec[key])
    if "properties" in spec:
        out["properties"] = {k: _types_only(v) for k, v in spec["properties"].items()}
    return out


@lru_cache(maxsize=1)
def _checks():
    schema = {"type": "object", "properties": {name: _types_only(spec, name)
                                               for name, spec in article_schema()["properties"].items()}}
    return fastjsonschema.compile(schema), Draft202012Validator(schema)


def wrong_field(item: dict) -> str | None:
    """What is wrong with a field of the item (a title that is a list, a ``javascript:`` URL), or None. Null
    values are absent values. The fast compiled check passes nearly every line; jsonschema names the field."""
    fast, full = _checks()
    present = {k: v for k, v in item.items() if v is not None}
    try:
        fast(present)
        return None
    except fastjsonschema.JsonSchemaException:
        pass
    for error in sorted(full.iter_errors(present), key=lambda e: list(e.path)):
        where = ".".join(str(p) for p in error.path) or "item"
        if error.validator == "pattern" and where in LINK_FIELDS:
            return f"{where}: {str(error.instance)[:80]!r} is not an http(s) URL"
        return f"{where}: {error.message[:120]}"
    return None


def prepare(numbered_lines: list[tuple[int, bytes]]) -> list[tuple[int, dict | None, str | None]]:
    """Worker side: (line number, stored row or None, reason skipped). The row carries ``_keys`` (band keys)
    and ``_signature`` (encoded MinHash). Bytes that are not UTF-8 are replaced (U+FFFD), as a crawl's text
    would be."""
    out = []
    for number, line in numbered_lines:
        if not line.strip():
            continue
        try:
            item = json.loads(line.decode("utf-8", "replace"))
        except ValueError as exc:
            out.append((number, None, f"not JSON ({exc.msg})"))
            continue
        if not isinstance(item, dict):
            out.append((number, None, "not an article (not a JSON object)"))
            continue
        # a notice whose content is the documents it attaches has no body of its own (crawler/prepare/validation.py)
        missing = [f for f in REQUIRED if not item.get(f) and not (f == "body_text" and documents_text(item).strip())]
        if missing:
            out.append((number, None, f"not an article (no {', '.join(missing)})"))
            continue
        wrong = wrong_field(item)
        if wrong:
            out.append((number, None, f"wrong field ({wrong})"))
            continue
        if isinstance(item.get("body_html"), str):  # what the browser renders: the crawl's allow-list, always
            item["body_html"] = sanitize_html(item["body_html"])
        if not item.get("content_hash"):
            assign_content_hash(item)
        values = decode_signature(item.get("story_signature"))
        if values is None:
            values = signature(item.get("title"), item.get("body_text"))
        try:
            row = stored_row(item)
        except (TypeError, ValueError) as exc:
            out.append((number, None, f"unstorable ({exc})"))
            continue
        row["_signature"] = None if values is None else encode_signature(values)
        row["_attachments"] = item.get("attachments") or None  # documents stored once and linked (bulk.py)
        row["_keys"] = [] if values is None else band_keys(values)
        out.append((number, row, None))
    return out
