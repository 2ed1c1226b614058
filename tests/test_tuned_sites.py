"""Walks the registry, like fundus: a site with fixtures (tests/fixtures/sites/<domain>) is tuned, and keeps the
fixture contract (a listing page; for every parser version an article page fetched while it was valid, with
checked expected output); every tuned site has a listing with a next page, two article pages with expected
output, and no expected field is empty where the page visibly shows that field."""
import json
import re

import pytest
from parsel import Selector

from conftest import SITES
from crawler.extract import extract_links, response_from_file
from crawler.ops.saved_pages import read_manifest
from crawler.registry import registry
from harness.fixtures import contract_gaps, is_tuned
from expected_fields import EXPECTED

TUNED = sorted(key for key, site in registry().items() if is_tuned(site))  # a site with fixtures is tuned
# What "the page shows it" means for the optional fields, checked on the page's own markup.
SHOWN = {
    "lead_start": "//*[contains(@class,'sapo') or contains(@class,'text-intro') or contains(@class,'summary') "
                  "or contains(@class,'Summary') or @class='description'][string-length(normalize-space()) > 20]",
    "author": "//*[contains(@class,'author') or contains(@class,'Author')][string-length(normalize-space()) > 1]",
    "category": "//*[contains(@class,'breadcrumb') or contains(@class,'chuyenmuc')][string-length(normalize-space()) > 1]",
}
ATTRIBUTION = re.compile(r"^(Nguồn|Theo)\b(?! dõi)\s*:?[^,.;]{2,60}$")


def test_the_seed_sites_are_tuned_and_every_fixture_folder_is_a_site():
    """The seed provinces' portals and newspapers have fixtures (at least; a new site adds its own folder and
    nothing else), and every folder of tests/fixtures/sites belongs to a registry site (its first domain)."""
    seeds = {"hatinh_gov", "baohatinh", "lamdong_gov", "baolamdong", "caobang_gov", "baocaobang", "daknong_gov",
             "baodaknong"}
    assert seeds <= set(TUNED)
    first_domains = {site.domains[0] for site in registry().values()}
    orphans = [p.name for p in SITES.iterdir() if (p / "MANIFEST.tsv").exists() and p.name not in first_domains]
    assert not orphans, f"fixture folders named after no registry site's first domain: {orphans}"


def test_every_site_with_fixtures_keeps_the_fixture_contract():
    gaps = {key: contract_gaps(site) for key, site in registry().items()}
    missing = {key: found for key, found in gaps.items() if found}
    assert not missing, "fixture contract not met:\n" + "\n".join(
        f"  {key}: {'; '.join(found)}" for key, found in sorted(missing.items()))


def test_the_contract_names_what_is_missing(tmp_path, monkeypatch):
    """A site with two parser versions and pages of only the newer layout; a draft not yet checked."""
    import harness.fixtures as fixtures

    site = registry()["baohatinh"]
    folder = tmp_path / "sites" / site.domains[0]
    folder.mkdir(parents=True)
    (folder / "a.html").write_text("<html></html>", encoding="utf-8")
    (folder / "b.html").write_text("<html></html>", encoding="utf-8")
    (folder / "MANIFEST.tsv").write_text(
        "url\tfile\tprovenance\tkind\tsource\tfetched\n"
        "https://baohatinh.vn/a-post1.html\ta.html\tsynthetic\tarticle\ttest\t2025-03-01\n"
        "https://baohatinh.vn/b-post2.html\tb.html\tsynthetic\tarticle\ttest\t\n", encoding="utf-8")
    expected = tmp_path / "expected"
    expected.mkdir()
    (expected / "baohatinh.vn__a.html.json").write_text("{}", encoding="utf-8")
    (expected / "baohatinh.vn__b.html.draft.json").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(fixtures, "SITES", tmp_path / "sites")  # expected/ is found beside sites/
    assert contract_gaps(site) == [
        "no listing page",
        "b.html: expected output is a draft (baohatinh.vn__b.html.draft.json), not yet checked",
        "no article page fetched while parser version 1 (until 2020-01-01) was valid (a manifest row with fetched "
        "= a date it covers)",
    ]


@pytest.mark.parametrize("key", TUNED)
def test_tuned_site_has_fixtures_and_expected_output(key):
    site = registry()[key]
    folder = SITES / site.domains[0]
    manifest = read_manifest(folder)
    listings = [r for r in manifest if r["kind"] == "listing"]
    articles = [r for r in manifest if r["kind"] == "article"]
    assert listings and len(articles) >= 2

    first = listings[0]
    links = extract_links(response_from_file(str(folder / first["file"]), first["url"]), site)
    assert links.next_page or links.next_postback, "the first listing page links to the next one"
    assert set(links.articles) & {r["url"] for r in articles}, "the listing links to articles of the fixture"

    for row in articles:
        if row["file"].startswith("synthetic/"):
            continue  # sotttt's listing-derived pages; its recorded articles carry the expected output
        expected = json.loads((EXPECTED / f"{folder.name}__{row['file']}.json").read_text(encoding="utf-8"))
        assert expected["site"] == key and expected["province"] == site.province
        for field in ("title", "published_at", "published_at_local", "date_source", "body_start", "body_end"):
            assert expected[field], f"{row['file']}: {field} is empty"
        page = Selector(text=(folder / row["file"]).read_text(encoding="utf-8"))
        for field, xpath in SHOWN.items():
            if expected[field] is None:
                assert not page.xpath(xpath), f"{row['file']}: the page shows a {field} but none was extracted"
        if expected["source_attribution"] is None:
            paragraphs = [" ".join(p.split()) for p in page.xpath("//p").xpath("string(.)").getall()]
            assert not any(ATTRIBUTION.match(p) for p in paragraphs), f"{row['file']}: the page shows an attribution"
