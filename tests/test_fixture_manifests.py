"""Fixture honesty: every page is in its folder's manifest, as recorded (with its origin) or synthetic."""
import filecmp
from datetime import date
from pathlib import Path

import pytest

from conftest import ROOT
from crawler.ops.saved_pages import read_manifest, untraceable

FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared" / "real-pages"
SHARED_DOCUMENTS = ROOT.parent / "shared" / "real-documents"  # issue 32's real PDFs (copied to fixtures/documents)
FOLDERS = sorted(p.parent for p in FIXTURES.rglob("MANIFEST.tsv"))


DOCUMENT_SUFFIXES = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".odt", ".ods"}


def page_files(folder: Path):
    """The pages and documents (issue 32) a folder holds: each is in its manifest."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*")
            if p.suffix == ".html" or p.suffix.lower() in DOCUMENT_SUFFIXES}


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_manifest_lists_every_page(folder):
    rows = read_manifest(folder)
    assert {r["file"] for r in rows} == page_files(folder)
    for r in rows:
        assert r["url"].startswith(("http://", "https://"))
        if r["provenance"] == "recorded":  # a page saved by others, or fetched live by `python -m crawler savefixture`
            assert not untraceable(r["source"]), f"{r['file']}: the source does not say where the page came from"
        if r.get("fetched"):
            date.fromisoformat(r["fetched"])  # the parser version a page tests is chosen by this date


def test_every_html_fixture_folder_has_a_manifest():
    for html in FIXTURES.rglob("*.html"):
        assert any(html.is_relative_to(folder) for folder in FOLDERS), html


@pytest.mark.skipif(not SHARED.exists(), reason="../shared not beside the repository")
def test_recorded_pages_are_byte_identical_to_the_shared_copies():
    checked = 0
    for folder in FOLDERS:
        for r in read_manifest(folder):
            if r["provenance"] != "recorded" or r["source"].startswith("fetched http"):
                continue
            if r["kind"] == "document":  # a real document: the copy in ../shared/real-documents
                assert filecmp.cmp(folder / r["file"], SHARED_DOCUMENTS / r["file"], shallow=False), r["file"]
                continue
            original = r["file"].replace("__", "/") if "__" in r["file"] else f"{folder.name}/{r['file']}"
            assert filecmp.cmp(folder / r["file"], SHARED / original, shallow=False), r["file"]
            checked += 1
    assert checked >= 9
