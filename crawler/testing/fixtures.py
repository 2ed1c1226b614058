"""The fixture contract of a site, like fundus': saved pages under ``tests/fixtures/sites/<domain>/`` (listed in
its MANIFEST.tsv) and their expected output under ``tests/fixtures/expected/<domain>__<file>.json``.

A site with a fixture folder is *tuned*: it must have a listing page and, for every parser version in the
registry, at least one article page fetched while that version was valid (the manifest's optional ``fetched``
column, a date; a page without one is today's layout) with expected output that a person checked. A draft
written by ``python -m crawler savefixture`` is ``<name>.draft.json`` until someone checks it and renames it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from pathlib import Path

from crawler.registry import Site
from crawler.testing.fixture_server import read_manifest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SITES = FIXTURES / "sites"
EXPECTED = FIXTURES / "expected"


# The fields compared for every article fixture: exact ones, plus the start and end of the lead and body.
EXACT = ["site", "province", "province_before_2025", "title", "author", "source_attribution", "category",
         "published_at", "published_at_local", "date_source"]


def summarize(item: dict) -> dict:
    """The comparable view of an item (the form of an expected JSON)."""
    body = item.get("body_text") or ""
    lead = item.get("lead") or ""
    view = {name: item.get(name) for name in EXACT}
    view.update({"lead_start": lead[:80] or None, "body_start": body[:80], "body_end": body[-80:],
                 "image_count": len(item.get("images") or [])})
    return view


@dataclass(frozen=True)
class Page:
    site_folder: Path
    row: dict

    @property
    def path(self) -> Path:
        return self.site_folder / self.row["file"]

    @property
    def url(self) -> str:
        return self.row["url"]

    @property
    def kind(self) -> str:
        return self.row["kind"]

    @property
    def fetched(self) -> date | None:
        raw = (self.row.get("fetched") or "").strip()
        return date.fromisoformat(raw) if raw else None

    @property
    def extraction_time(self) -> datetime:
        """The "now" the page is extracted at in tests: its fetch date, else a fixed day (relative dates stay put)."""
        return datetime.combine(self.fetched or date(2026, 11, 1), time(0, 0), tzinfo=timezone.utc)

    @property
    def expected_path(self) -> Path:
        return EXPECTED / f"{self.site_folder.name}__{self.row['file']}.json"

    @property
    def draft_path(self) -> Path:
        return self.expected_path.with_suffix(".draft.json")

    def expected(self) -> dict | None:
        path = self.expected_path
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def fixture_folder(site: Site) -> Path | None:
    """The site's fixture folder (named after its first domain), if it has one."""
    folder = SITES / site.domains[0]
    return folder if (folder / "MANIFEST.tsv").exists() else None


def is_tuned(site: Site) -> bool:
    return fixture_folder(site) is not None


def pages(site: Site) -> list[Page]:
    folder = fixture_folder(site)
    return [] if folder is None else [Page(folder, row) for row in read_manifest(folder)]


def parser_version(site: Site, day: date | None) -> int | None:
    """Index of the site's parser version valid on ``day`` (today when None); None when it has no versions."""
    day = day or date.today()
    for index, version in enumerate(site.parsers):
        if version.covers(day):
            return index
    return None


def _describe(site: Site, index: int) -> str:
    version = site.parsers[index]
    span = " ".join(filter(None, (f"from {version.valid_from}" if version.valid_from else "",
                                  f"until {version.valid_until}" if version.valid_until else "")))
    return f"parser version {index + 1} ({span or 'always'})"


def contract_gaps(site: Site) -> list[str]:
    """What the site's fixtures lack; empty when the contract holds (or the site has no fixtures)."""
    found = pages(site)
    if not found:
        return []
    gaps = []
    if not any(p.kind == "listing" for p in found):
        gaps.append("no listing page")
    articles = [p for p in found if p.kind == "article" and not p.row["file"].startswith("synthetic/")]
    checked = [p for p in articles if p.expected_path.exists()]
    gaps += [f"{p.row['file']}: expected output is a draft ({p.draft_path.name}), not yet checked"
             for p in articles if not p.expected_path.exists() and p.draft_path.exists()]
    gaps += [f"{p.row['file']}: no expected output" for p in articles
             if not p.expected_path.exists() and not p.draft_path.exists()]
    if not checked:
        gaps.append("no article page with expected output")
    covered = {parser_version(site, p.fetched) for p in checked}
    for index in range(len(site.parsers)):
        if index not in covered:
            gaps.append(f"no article page fetched while {_describe(site, index)} was valid "
                        f"(a manifest row with fetched = a date it covers)")
    return gaps
