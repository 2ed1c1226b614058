"""The worker side of the bulk import (crawler/store/bulk.py): an import file's lines as stored rows, in a process of
their own (``multiprocessing``), while the importing process writes the rows before them."""
from __future__ import annotations

import json

from crawler.processing import assign_content_hash
from crawler.store.rows import stored_row
from crawler.store.syndication import band_keys, decode_signature, encode_signature, signature

REQUIRED = ("url", "site", "title", "body_text")


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
        missing = [f for f in REQUIRED if not item.get(f)]
        if missing:
            out.append((number, None, f"not an article (no {', '.join(missing)})"))
            continue
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
        row["_keys"] = [] if values is None else band_keys(values)
        out.append((number, row, None))
    return out
