"""The fixture contract of a site, like fundus': a site with a fixture folder (crawler/ops/fixture_pages.py) is
*tuned*: it must have a listing page and, for every parser version in the registry, at least one article page
fetched while that version was valid (the manifest's optional ``fetched`` column, a date; a page without one is
today's layout) with expected output that a person checked."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from crawler.ops import fixture_pages
from crawler.ops.fixture_pages import Page, summarize  # noqa: F401 - the tests' view of the fixture form
from crawler.registry import Site

ROOT = Path(__file__).resolve().parents[2]
SITES = ROOT / "tests" / "fixtures" / "sites"  # the checkout's, whatever the working directory


def fixture_folder(site: Site) -> Path | None:
    return fixture_pages.fixture_folder(site, SITES)


def is_tuned(site: Site) -> bool:
    return fixture_folder(site) is not None


def pages(site: Site) -> list[Page]:
    return fixture_pages.pages(site, SITES)
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
