"""Extraction is a pure function of the response: each article fixture against its expected JSON, field by field."""
import json
from datetime import datetime, timezone

import pytest

from crawler.extract import extract_article, extract_links, response_from_file
from crawler.processing import process_article
from expected_fields import EXPECTED, article_fixtures, summarize

NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
FIXTURES = article_fixtures()
NOISE = ["Viết bình luận", "Ý kiến bạn đọc", "FormShield", "EmailPrintAa", "Tắt bộ gõ", "Số ký tự còn lại",
         "Bình luận của bạn", "Tin liên quan", "Chia sẻ", "In bài"]


def test_every_article_fixture_has_expected_output():
    assert len(FIXTURES) >= 12
    for ident, _, _ in FIXTURES:
        assert (EXPECTED / (ident.replace("/", "__") + ".json")).exists(), ident


@pytest.mark.parametrize("ident,path,url", FIXTURES, ids=[f[0] for f in FIXTURES])
def test_article_matches_expected(ident, path, url):
    item = extract_article(response_from_file(str(path), url), now=NOW)
    report, errors = process_article(item, NOW)
    assert errors == []
    expected = json.loads((EXPECTED / (ident.replace("/", "__") + ".json")).read_text(encoding="utf-8"))
    got = summarize(item)
    for field, value in expected.items():
        assert got[field] == value, f"{ident}: {field}"
    for noise in NOISE:
        assert noise not in item["body_text"], f"{ident}: {noise!r} left in the body"
    assert item["date_raw"], "the raw date text is kept"


@pytest.mark.parametrize("ident,path,url", [f for f in FIXTURES if "seed-" in f[0]], ids=lambda v: str(v)[-30:])
def test_seed_text_survives_cleaning(ident, path, url):
    """Every paragraph of the seed's article text is in the body (noise out, text in)."""
    item = extract_article(response_from_file(str(path), url), now=NOW)
    process_article(item, NOW)
    body = item["body_text"]
    assert len(body) > 3000
    assert "\n\n\n" not in body and "  " not in body and "&nbsp;" not in body and "\u00a0" not in body


def test_generic_path_needs_no_selectors():
    path = next(p for i, p, u in FIXTURES if i.endswith("3235385.html"))
    url = next(u for i, p, u in FIXTURES if i.endswith("3235385.html"))
    item = extract_article(response_from_file(str(path), url), now=NOW, generic=True)
    process_article(item, NOW)
    assert item["title"] == "Hà Nội tiếp tục duy trì vị trí thứ 2 về Chỉ số cải cách hành chính"
    assert item["published_at"] == "2019-05-27T09:40:00Z" and item["date_source"] == "visible-text"
    assert item["author"] == "Phạm Linh"
    assert "Pho Ban bien tap" not in item["body_text"]


def test_listing_links_and_next_page_on_recorded_liferay_listing():
    from conftest import SITES

    page = SITES / "sotttt.hanoi.gov.vn" / "listing-cai-cach-hanh-chinh.html"
    links = extract_links(response_from_file(str(page), "https://sotttt.hanoi.gov.vn/cai-cach-hanh-chinh"), generic=True)
    assert len(links.articles) == 20
    assert all("/cai-cach-hanh-chinh/-/view_content/" in u for u in links.articles)
    assert links.next_page.endswith("_101_cur=2")
    assert links.dates[links.articles[0]].startswith("Ngày đăng 17/05/2022")


def test_page_without_date_keeps_published_at_null():
    from scrapy.http import HtmlResponse

    body = ("<html><head><title>Tin không ngày</title></head><body><h1>Tin không có ngày đăng trên trang</h1>"
            "<div class='content'><p>" + "Nội dung bài viết về cải cách hành chính, không kèm ngày tháng. " * 5 +
            "</p></div></body></html>").encode()
    item = extract_article(HtmlResponse("https://example.gov.vn/tin-khong-ngay", body=body, encoding="utf-8"), now=NOW)
    process_article(item, NOW)
    assert item["published_at"] is None and item["published_at_local"] is None
    assert item["crawled_at"] == "2026-11-01T00:00:00Z"
