"""Fixture pages of a site, the form ``savefixture`` writes and the tests read: saved pages under
``<CCHC_FIXTURES_DIR>/sites/<domain>/`` (listed in its MANIFEST.tsv; the checkout's tests/fixtures by default) and
their expected output under ``<CCHC_FIXTURES_DIR>/expected/<domain>__<file>.json`` (``summarize``'s form). A draft
written by ``python -m crawler savefixture`` is ``<name>.draft.json`` until someone checks it and renames it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from pathlib import Path

from crawler.ops.saved_pages import read_manifest
from crawler.registry import Site
from crawler.settings import CCHC_FIXTURES_DIR

FIXTURES = Path(CCHC_FIXTURES_DIR)
SITES = FIXTURES / "sites"


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
        """``<fixtures>/expected/<domain>__<file>.json``, beside the ``<fixtures>/sites`` folder the page is in."""
        return self.site_folder.parent.parent / "expected" / f"{self.site_folder.name}__{self.row['file']}.json"

    @property
    def draft_path(self) -> Path:
        return self.expected_path.with_suffix(".draft.json")

    def expected(self) -> dict | None:
        path = self.expected_path
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def fixture_folder(site: Site, sites: Path | None = None) -> Path | None:
    """The site's fixture folder (named after its first domain), if it has one."""
    folder = (sites or SITES) / site.domains[0]
    return folder if (folder / "MANIFEST.tsv").exists() else None


def pages(site: Site, sites: Path | None = None) -> list[Page]:
    folder = fixture_folder(site, sites)
    return [] if folder is None else [Page(folder, row) for row in read_manifest(folder)]
