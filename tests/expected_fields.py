"""The fields compared for every article fixture (tests/fixtures/expected/*.json)."""
from __future__ import annotations

import csv
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED = FIXTURES / "expected"
EXACT = ["site", "province", "province_before_2025", "title", "author", "source_attribution", "category",
         "published_at", "published_at_local", "date_source"]


def summarize(item: dict) -> dict:
    """The comparable view of an item: exact fields plus the start and end of the lead and body."""
    body = item.get("body_text") or ""
    lead = item.get("lead") or ""
    view = {name: item.get(name) for name in EXACT}
    view.update({"lead_start": lead[:80] or None, "body_start": body[:80], "body_end": body[-80:],
                 "image_count": len(item.get("images") or [])})
    return view


def article_fixtures() -> list[tuple[str, Path, str]]:
    """(id, file, url) of every article page under tests/fixtures with a manifest."""
    found = []
    for manifest in sorted(FIXTURES.rglob("MANIFEST.tsv")):
        with open(manifest, encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                if row["kind"] == "article" and not row["file"].startswith("synthetic/"):
                    found.append((f"{manifest.parent.name}/{row['file']}", manifest.parent / row["file"], row["url"]))
    return found
