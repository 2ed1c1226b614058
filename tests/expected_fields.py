"""The fields compared for every article fixture (tests/fixtures/expected/*.json): tests/harness/fixtures.py."""
from __future__ import annotations

import csv
from pathlib import Path

from crawler.ops.fixture_pages import EXACT, Page, summarize  # noqa: F401 - the tests' names

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED = FIXTURES / "expected"


def article_fixtures() -> list[tuple[str, Path, str]]:
    """(id, file, url) of every article page of a registry site's fixtures (tests/fixtures/sites/<domain>) with a
    manifest. The pages of tests/fixtures/generic have hand-written gold instead (tests/harness/gold.py)."""
    found = []
    for manifest in sorted((FIXTURES / "sites").rglob("MANIFEST.tsv")):
        with open(manifest, encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                if row["kind"] == "article" and not row["file"].startswith("synthetic/"):
                    found.append((f"{manifest.parent.name}/{row['file']}", manifest.parent / row["file"], row["url"]))
    return found


def extraction_time(ident: str):
    """The "now" a fixture page is extracted at: its manifest's ``fetched`` date, else 2026-11-01 (fixed, so that
    relative dates and the parser version are the same on every run)."""
    folder, name = ident.split("/", 1)
    manifest = next(m for m in FIXTURES.rglob("MANIFEST.tsv") if m.parent.name == folder)
    with open(manifest, encoding="utf-8") as fh:
        row = next(r for r in csv.DictReader(fh, delimiter="\t") if r["file"] == name)
    return Page(manifest.parent, row).extraction_time
