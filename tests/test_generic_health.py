"""Issue 29: the generic path checks itself, records how it read each field, and says when a site's pages are not
being read.

- A site whose article pages answer 200 with a title and a date but no body is `broken` (exit 1, one line), not
  `ok` or `quiet`; crawl_runs holds the run's extraction health (article pages, extracted, drop reasons).
- A listing of department-portal notices (synthetic pages of tests/fixtures/generic: headline in a styled
  paragraph, date in a table cell, related lists with other dates) is crawled through the engine into the
  database with the right titles and dates, and each article records how its fields were found.
"""
from __future__ import annotations

import json

import pytest

from conftest import ROOT, rows, run_scrapy
from faults import FaultServer, ok
from crawler.monitor.verdicts import verdict
from crawler.stats import Stat
from crawler.ops.saved_pages import FixtureServer
from harness.gold import gold_pages

SITE = "https://bodiless.example.gov.vn"
MENU = "".join(f"<li><a href='/chuyen-muc-{n}'>Chuyên mục {n}</a></li>" for n in range(8))


def bodiless(n: int) -> bytes:
    """A page with the site's furniture, a headline and a date, and no article text (a template that broke)."""
    return (f"<html><head><meta charset='utf-8'><title>Thông báo số {n} về cải cách hành chính - Sở Nội vụ</title>"
            f"</head><body><div class='header'><ul class='menu'>{MENU}</ul></div><div class='main'>"
            f"<h1>Thông báo số {n} về cải cách hành chính</h1><div class='date'>05/03/2024 08:00</div>"
            f"<div class='content'></div></div><div class='footer'>Sở Nội vụ tỉnh, số 1 đường Trần Hưng Đạo</div>"
            f"</body></html>").encode()


def test_verdict_is_broken_when_most_article_pages_cannot_be_read():
    stats = {"finish_reason": "finished", Stat.LISTING_PAGES: 1, Stat.LISTING_WITH_LINKS: 1, "response_received_count": 8,
             Stat.ARTICLES_EXTRACTED: 6, Stat.DROPPED_INVALID: 6, Stat.invalid_field("body_text"): 6}
    quiet = ["History/Site still publishes as often as it used to: no new article for 641 days"]
    word, reason = verdict(stats, quiet)
    assert word == "broken" and reason.startswith("6 of 6 article pages answered but could not be read"), reason
    assert "body_text 6" in reason and "\n" not in reason
    fine = {**stats, Stat.DROPPED_INVALID: 1, Stat.invalid_field("body_text"): 1}
    assert verdict(fine, quiet)[0] == "quiet"  # one bad page of six: the site is read, and quiet


def test_a_start_listing_without_article_links_is_broken():
    stats = {"finish_reason": "finished", Stat.LISTING_PAGES: 2, Stat.LISTING_WITH_LINKS: 1, Stat.LISTING_NO_LINKS: 1,
             Stat.LISTING_START_NO_LINKS: 1, Stat.LISTING_START_NO_LINKS_URL: f"{SITE}/thong-bao",
             "response_received_count": 5, Stat.NEW: 3}
    assert verdict(stats) == ("broken", f"listing {SITE}/thong-bao answered with no article link")


def test_a_site_whose_articles_cannot_be_read_ends_broken(tmp_path):
    links = "".join(f"<li class='item'><a href='/thong-bao/thong-bao-so-{n}-ve-cai-cach-hanh-chinh-{1000 + n}.html'>"
                    f"Thông báo số {n} về cải cách hành chính</a></li>" for n in range(6))
    routes = {"/tin-tuc": ok(f"<html><body><ul class='news'>{links}</ul></body></html>".encode()),
              "/robots.txt": ok(b"User-agent: *\nAllow: /\n", "text/plain")}
    routes.update({f"/thong-bao/thong-bao-so-{n}-ve-cai-cach-hanh-chinh-{1000 + n}.html": ok(bodiless(n))
                   for n in range(6)})
    db = tmp_path / "cchc.db"
    with FaultServer(routes) as server:
        result = run_scrapy(["crawl", "generic", "-a", f"start_urls={SITE}/tin-tuc", "-a", f"base_url={server.base_url}",
                             "-s", "CCHC_BROWSER_FALLBACK=0"], db)
    assert result.returncode == 1, result.stderr[-3000:]
    run = rows(db, "select * from crawl_runs")[0]
    assert run["verdict"] == "broken", run
    assert run["verdict_reason"].startswith("6 of 6 article pages answered but could not be read"), run["verdict_reason"]
    assert run["article_pages"] == 6 and run["extracted"] == 0
    assert json.loads(run["drop_reasons"]) == {"body_text": 6}
    assert rows(db, "select count(*) as n from articles")[0]["n"] == 0


def test_notices_of_a_department_portal_are_crawled_right(tmp_path):
    """The synthetic SharePoint-era portal (tests/fixtures/generic/stc.daknong.gov.vn): its listing of table rows
    and its notices, crawled by the generic spider through the real engine."""
    folder = ROOT / "tests" / "fixtures" / "generic" / "stc.daknong.gov.vn"
    gold = {p.url: p.gold for p in gold_pages(synthetic=True) if p.name.startswith("stc.") and p.kind == "article"}
    db = tmp_path / "cchc.db"
    with FixtureServer([folder]) as server:
        result = run_scrapy(["crawl", "generic", "-a", "start_urls=https://stc.daknong.gov.vn/cai-cach-hanh-chinh",
                             "-a", f"base_url={server.base_url('stc.daknong.gov.vn')}", "-a", "max_pages=1",
                             "-s", "CCHC_BROWSER_FALLBACK=0"], db)
    stored = {r["url"]: r for r in rows(db, "select url, title, published_at_local, extraction from articles")}
    assert set(gold) <= set(stored), result.stderr[-3000:]
    for url, want in gold.items():
        got = stored[url]
        assert got["title"] == want["title"], (url, got["title"])
        # The page's own date; a page that states none takes the date its listing row prints ("(10.01.2019 09:00)"),
        # never one of its related lists' dates nor the clock of its masthead.
        expected = want["published_local"] or want["published_local_from_listing"]
        assert got["published_at_local"].startswith(expected[:16]), (url, got["published_at_local"], expected)
        how = json.loads(got["extraction"])
        assert how["title"] in ("slug-match", "heading-above-body") and how["body"], how
        assert any(f.startswith("title: html-title") for f in how["fallbacks"]), how  # <title> is the site's name


def test_a_title_the_site_gives_every_page_gives_way():
    """From the third article of one site titled alike (with different texts), the runner-up title is taken and
    the hash follows it."""
    from crawler.items import ArticleItem
    from crawler.prepare import prepare
    from crawler.stats import Stat
    from pipelines.repeated_titles import RepeatedTitlesPipeline

    class Stats:
        def __init__(self):
            self.counts = {}

        def inc_value(self, key, count=1):
            self.counts[key] = self.counts.get(key, 0) + count

    stats = Stats()
    stage = RepeatedTitlesPipeline(stats)
    titles = []
    for n in range(4):
        item = ArticleItem(url=f"{SITE}/Default.aspx?ItemID={n}", site="bodiless", title="THÔNG BÁO",
                           body_html=f"<p>Thông báo số {n}: Sở Nội vụ tổ chức kiểm tra công tác cải cách hành chính "
                                     f"tại {n + 2} đơn vị trong tháng.</p>", date_candidates=[],
                           title_alternatives=[["heading-above-body", f"Kiểm tra cải cách hành chính đợt {n}"]],
                           extraction={"title": "h1", "body": "density", "fallbacks": []},
                           crawled_at="2026-11-01T00:00:00Z", from_cchc_section=False)
        prepare(item)
        before = item["content_hash"]
        stage.process_item(item)
        titles.append(item["title"])
        if n >= 2:
            assert item["content_hash"] != before and item["extraction"]["title"] == "heading-above-body"
            assert "is the title of 3 or more pages" in item["extraction"]["fallbacks"][-1]
    assert titles == ["THÔNG BÁO", "THÔNG BÁO", "Kiểm tra cải cách hành chính đợt 2", "Kiểm tra cải cách hành chính đợt 3"]
    assert stats.counts[Stat.fallback("title")] == 2


def test_a_title_known_as_repeated_gives_way_from_the_first_article():
    """reextract primes the check with the titles the database has on three or more articles of a site, so a part of
    the history (--since) is judged as the whole was."""
    from crawler.items import ArticleItem
    from crawler.prepare import RepeatedTitles, prepare
    from crawler.prepare.stages import NoStats

    check = RepeatedTitles(remember=10, known=[("bodiless", "Thông báo")])
    item = ArticleItem(url=f"{SITE}/Default.aspx?ItemID=1", site="bodiless", title="THÔNG BÁO",
                       body_html="<p>Thông báo: Sở Nội vụ kiểm tra công tác cải cách hành chính tại hai đơn vị.</p>",
                       date_candidates=[], title_alternatives=[["heading-above-body", "Kiểm tra cải cách hành chính"]],
                       extraction={"title": "h1", "body": "density", "fallbacks": []},
                       crawled_at="2026-11-01T00:00:00Z", from_cchc_section=False)
    prepare(item)
    assert check.check(item, NoStats()) and item["title"] == "Kiểm tra cải cách hành chính"


@pytest.mark.skipif(not (ROOT.parent / "shared" / "real-pages").exists(), reason="../shared not beside the repository")
def test_links_and_extract_explain_say_which_method_and_why():
    """`links --explain` on the real 2017 homepage of baocaobang.vn (a seed newspaper, .bcb article URLs that no
    main-list rule knows) names the URL-shape fallback; `extract --explain` shows the title checks."""
    import subprocess
    import sys

    real = ROOT.parent / "shared" / "real-pages"
    result = subprocess.run([sys.executable, "-m", "crawler", "links", str(real / "baocaobang.vn/home-20171105-edited.html"),
                             "--url", "http://www.baocaobang.vn/", "--explain"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    head = result.stdout.splitlines()[0]
    assert head.startswith("== links: ") and head.endswith("by url-shape"), head
    assert int(head.split()[2]) >= 60
    assert "check: the main-list finder found 0 links; fallback:" in result.stdout and ".bcb" in result.stdout
    page = ROOT / "tests/fixtures/generic/stc.daknong.gov.vn/article-bao-cao-cchc-6-thang-2019.html"
    url = "https://stc.daknong.gov.vn/bao-cao-ket-qua-thuc-hien-cong-tac-cai-cach-hanh-chinh-6-thang-dau-nam-2019"
    result = subprocess.run([sys.executable, "-m", "crawler", "extract", str(page), "--url", url, "--generic", "--explain"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "check: title: html-title 'Sở Tài chính tỉnh ĐắkNông' is the site's name" in result.stdout
    assert "from near-title: '(26.07.2019 14:14)'" in result.stdout
