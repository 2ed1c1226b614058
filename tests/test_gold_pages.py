"""Every gold page (real pages with hand-read truth) passes every check through the generic path.

Gold: ../shared/real-pages/**/*.gold.json (shared) and tests/gold/ (written here by reading the markup); scoring
rules in tests/harness/gold.py (GOLD.md's). A regression of the generic path on a real page fails here. The
synthetic pages of tests/fixtures/generic (department-portal notices and their listings, written here with their
gold) go through the same checks.
"""
from datetime import datetime, timezone

import pytest
from scrapy.http import HtmlResponse

from crawler.extract import extract_article, extract_links
from crawler.prepare import prepare
from harness.gold import SHARED_PAGES, _norm_url, gold_pages, is_httrack_mirror, result_from_item, score_article, score_listing

NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
PAGES = gold_pages() + gold_pages(synthetic=True)
ARTICLES = [p for p in PAGES if p.kind == "article"]
LISTINGS = [p for p in PAGES if p.kind == "listing"]


@pytest.mark.skipif(not SHARED_PAGES.exists(), reason="../shared not beside the repository")
def test_every_recorded_fixture_and_real_page_has_gold():
    """The project's gold covers the real article and listing pages it has (homepages are not scored)."""
    names = {p.name for p in PAGES}
    assert len(ARTICLES) >= 25 and len(LISTINGS) >= 13
    for must in ("vnexpress.net/article-4954454", "baolaocai.vn/article-post404649", "plo.vn/article-post874715",
                 "sotttt.hanoi.gov.vn/listing-cai-cach-hanh-chinh", "sotttt.hanoi.gov.vn/article-cchc-1660919"):
        assert must in names


@pytest.mark.parametrize("page", ARTICLES, ids=[p.name for p in ARTICLES])
def test_gold_article(page):
    item = extract_article(HtmlResponse(url=page.url, body=page.html_path.read_bytes()), generic=True, now=NOW)
    prepare(item)
    result = result_from_item(item)
    checks = score_article(page.gold, result)
    failed = sorted(name for name, ok in checks.items() if not ok)
    shown = {k: (v or "")[:80] if k != "body" else f"...{(v or '')[-80:]}" for k, v in result.items()}
    assert not failed, f"{page.name}: failed {failed}; got {shown}"


@pytest.mark.parametrize("page", LISTINGS, ids=[p.name for p in LISTINGS])
def test_gold_listing(page):
    html = page.html_path.read_bytes()
    httrack = is_httrack_mirror(html)
    links = extract_links(HtmlResponse(url=page.url, body=html), generic=True)
    checks = score_listing(page.gold, links.articles, links.next_page, httrack)
    assert checks["_found"] == checks["_wanted"], f"recall {checks['_found']}/{checks['_wanted']}"
    assert checks["no_sidebar"] and checks["next_page"], (links.next_page, checks)
    # Precision too: every link found is one of the main list's articles.
    found = {_norm_url(u, httrack) for u in links.articles}
    assert found <= {_norm_url(u, httrack) for u in page.gold["article_urls"]}
