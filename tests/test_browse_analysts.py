"""What an analyst sees (issue 19), in a real Chromium against the real `python -m crawler browse` server on a
database built by a real crawl of the fixtures (tests/browse_server.py). Every count is checked against SQL
over the stored text, never against the search index that produced it. Screenshots: browse_server.ARTIFACTS
(a temporary folder)."""
from __future__ import annotations

import csv
import io
import re
import sqlite3
from urllib.parse import urljoin

import pytest


from browse_server import ARTIFACTS, http_get
from crawler.vi.topics import fold

WIDTH = 1400


@pytest.fixture()
def page(chromium):
    page = chromium.new_page(viewport={"width": WIDTH, "height": 900})
    yield page
    page.close()


def query(db, sql, params=()):
    con = sqlite3.connect(db)
    con.create_function("folded", 1, fold)  # diacritic-free, case-folded, punctuation as spaces
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def ids_holding(db, phrase: str, view: str = "cchc_articles") -> set[int]:
    """Articles of `view` whose stored title, lead or body holds the phrase (diacritics and punctuation aside),
    read from the text itself."""
    pattern = re.compile(r"(?<!\w)" + re.escape(fold(phrase)) + r"(?!\w)")
    rows = query(db, f"select a.id, a.title, a.lead, a.body_text from articles a join {view} v on v.id = a.id")
    return {i for i, *texts in rows if any(pattern.search(fold(t)) for t in texts if t)}


def row_count(page) -> int:
    """The 'N rows' figure Datasette prints above a table."""
    return int(re.search(r"([\d,]+) rows?", page.inner_text("h3")).group(1).replace(",", ""))


def fits(page) -> None:
    widths = page.evaluate("""() => { const w = document.querySelector('.table-wrapper');
        return [document.documentElement.scrollWidth, w ? w.scrollWidth : 0, w ? w.clientWidth : 0]; }""")
    assert widths[0] <= WIDTH and widths[1] <= widths[2], f"page {widths[0]} px, table {widths[1]} px in {widths[2]} px"


@pytest.mark.parametrize("typed", ["mot cua", "cai cach hanh chinh", "dak nong"])
def test_phrase_search_finds_exactly_the_articles_holding_the_phrase(browse_site, browse_db, page, typed):
    expected = ids_holding(browse_db, typed)
    assert expected, typed
    page.goto(f"{browse_site}/cchc/cchc_articles?_search={typed.replace(' ', '+')}&_size=max")
    assert row_count(page) == len(expected)
    shown = {int(t) for t in page.locator("table.rows-and-columns tbody td.col-id").all_inner_texts()}
    assert shown == expected
    fits(page)
    page.screenshot(path=str(ARTIFACTS / f"search-{typed.replace(' ', '-')}.png"))


def test_typed_with_diacritics_means_those_words(browse_site, browse_db):
    # "một cửa" (one-stop) and not "một của" (one of): the index folds both to "mot cua".
    hits = http_get(f"{browse_site}/cchc/search.json?q=m%E1%BB%99t+c%E1%BB%ADa&_shape=array&_size=max")
    texts = {i: " ".join(t or "" for t in rest) for i, *rest in query(browse_db, "select id, title, lead, body_text from articles")}
    assert hits and all("một cửa" in texts[h["id"]].casefold() for h in hits)
    unaccented = http_get(f"{browse_site}/cchc/search.json?q=mot+cua&_shape=array&_size=max")
    assert {h["id"] for h in hits} <= {h["id"] for h in unaccented}


def test_saved_search_page_modes_snippets_and_links(browse_site, browse_db, page):
    page.goto(f"{browse_site}/cchc/search?q=mot+cua")
    assert page.locator("select[name=mode]").count() == 1  # phrase / all / any as a choice
    assert "ngoặc kép" in page.inner_text("body") and "quotes" in page.inner_text("body")  # quoting documented
    assert page.locator("pre#sql-query, textarea#sql-editor").count() == 0  # SQL hidden
    rows = page.locator("table.rows-and-columns tbody tr")
    every = ids_holding(browse_db, "mot cua", view="articles")
    phrase_hits = rows.count()
    assert phrase_hits == min(100, len(every))
    links = page.locator("td.col-title a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert len(links) == rows.count() and all(re.search(r"/cchc/articles/\d+$", h) for h in links)
    assert page.locator("td.col-snippet mark").count() >= rows.count() - 1  # highlighted, not [bracketed]
    assert "[" not in "".join(page.locator("td.col-snippet").all_inner_texts())
    fits(page)
    page.screenshot(path=str(ARTIFACTS / "search-page.png"), full_page=True)

    page.select_option("select[name=mode]", "any")
    page.click("form.sql input[type=submit]")
    page.wait_for_url("**mode=any**")
    assert rows.count() > phrase_hits  # "mot" or "cua": many more


def test_empty_search_shows_the_newest_cchc_articles(browse_site, browse_db, page):
    newest = [t for (t,) in query(browse_db, "select title from cchc_articles order by published desc limit 3")]
    for path in ("/cchc/search", "/cchc/search?q=", "/cchc/search?q=+%22%22+", "/cchc/search_newest?q="):
        page.goto(browse_site + path)
        assert page.locator(".message-error").count() == 0, path
        assert page.locator("td.col-title").all_inner_texts()[:3] == newest, path
    page.screenshot(path=str(ARTIFACTS / "search-empty.png"))
    feed = http_get(browse_site + "/cchc/search_feed.atom")
    assert feed.count("<entry>") == min(50, query(browse_db, "select count(*) from cchc_articles")[0][0])
    assert f"<title>{newest[0]}</title>" in feed and "+07:00</updated>" in feed
    phrase = http_get(browse_site + "/cchc/search_feed.atom?q=mot+cua")
    assert phrase.count("<entry>") == len(ids_holding(browse_db, "mot cua", view="articles"))


def test_main_list_fits_and_speaks_vietnamese(browse_site, browse_db, page):
    page.goto(browse_site + "/cchc/cchc_articles")
    fits(page)
    names = {n for (n,) in query(browse_db, "select name from sites")}
    sources = page.locator("td.col-source").all_inner_texts()
    assert sources and set(sources) <= names
    topics = " ".join(page.locator("td.col-topics").all_inner_texts())
    assert "Cải cách hành chính" in topics and "_" not in topics and "[" not in topics
    assert page.locator("td.col-title a").count() == 50  # the title is the link to the article page
    assert "Đắk Nông" in page.inner_text("#facet-former_province")
    months = page.locator("#facet-month li a").all_inner_texts()
    assert months == sorted(months, reverse=True) and len(months) > 10  # calendar order, newest first
    assert page.locator("a[href$='/cchc/all_articles']").count() >= 1  # the switch to every article
    page.screenshot(path=str(ARTIFACTS / "articles.png"), full_page=True)
    page.goto(browse_site + "/cchc/all_articles")
    fits(page)
    assert row_count(page) == query(browse_db, "select count(*) from articles")[0][0]
    page.screenshot(path=str(ARTIFACTS / "all-articles.png"))


def test_csv_for_excel_has_a_bom_and_plain_titles(browse_site, browse_db, page):
    page.goto(browse_site + "/cchc/cchc_articles")
    href = page.locator("a", has_text=re.compile(r"^CSV$")).first.get_attribute("href")
    body = page.request.get(urljoin(page.url, href)).body()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    titles = [t for (t,) in query(browse_db, "select title from cchc_articles order by published desc")]
    assert [r["title"] for r in rows] == titles
    assert not any("<a " in r["title"] for r in rows)
    assert rows[0]["url"].startswith("http")


def test_saved_comparisons_answer_without_sql(browse_site, browse_db, page):
    provinces = {p for (p,) in query(browse_db, "select province from sites where province is not null")}
    for name in ("topic_shares", "quiet_provinces", "site_health", "shared_stories", "newest_by_province"):
        page.goto(f"{browse_site}/cchc/{name}")
        assert page.locator(".message-error").count() == 0, name
        assert page.locator("pre#sql-query").count() == 0, name
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    quiet = http_get(browse_site + "/cchc/quiet_provinces.json?_shape=array")
    assert {q["province"] for q in quiet} >= provinces
    health = http_get(browse_site + "/cchc/site_health.json?_shape=array")
    assert health[0]["verdict"] == "unreachable" and re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", health[0]["finished"])


def test_dashboard_months_are_continuous_ticks_whole_and_every_site_drawn(browse_site, page):
    page.goto(browse_site + "/-/dashboards/cchc-overview")
    page.wait_for_selector(".vega-embed svg, .vega-embed canvas", timeout=30_000)
    page.wait_for_timeout(1000)
    labels = page.locator(".vega-embed svg .role-axis-label text").evaluate_all("els => els.map(e => e.textContent)")
    assert labels and not [t for t in labels if re.fullmatch(r"\d+\.\d+", t)]  # no fractional ticks
    cells = page.evaluate("""() => [...document.querySelectorAll('.vega-embed svg')]
        .filter(svg => svg.textContent.includes('Kết quả / verdict'))
        .map(svg => svg.querySelectorAll('.mark-rect path').length)""")
    assert cells == [14]  # the site-health chart: one cell per site's last run, the unreachable one included
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
