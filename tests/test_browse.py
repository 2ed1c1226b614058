"""Browsing with Datasette: the real server on a database built by a real crawl of the fixtures, checked through
its JSON API and in a real headless Chromium (Debian's chromium, driven by Playwright). Screenshots are saved
under browse_server.ARTIFACTS (a temporary folder)."""
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest

from browse_server import ARTIFACTS, db_rows as sql, http_get as get
from crawler.web.browse import metadata


@pytest.fixture(scope="module")
def db(browse_db):
    return browse_db


@pytest.fixture(scope="module")
def site(browse_site):
    return browse_site


def test_search_without_diacritics_finds_articles(site, db):
    rows = get(site + "/cchc/cchc_articles.json?_search=cai+cach+hanh+chinh&_shape=objects&_size=100")["rows"]
    expected = sql(db, "select count(*) from cchc_articles where id in (select rowid from articles_fts "
                       "where articles_fts match '\"cải cách hành chính\"')")[0][0]
    assert len(rows) == expected > 10
    hits = get(site + "/cchc/search.json?q=dak+nong&_shape=array")  # "đ" is not folded by the index: looked up both ways
    assert hits and all("Đắk Nông" in (h["snippet"] + h["title"]) for h in hits)
    assert all(h["snippet"] for h in hits)
    ranked = get(site + "/cchc/search.json?q=gia+nghia+mot+cua+lien+thong&mode=all&_shape=array")
    assert ranked[0]["title"] == "Gia Nghĩa triển khai mô hình một cửa liên thông cấp xã"
    assert get(site + "/cchc/search.json?q=gia+nghia+mot+cua+lien+thong&_shape=array") == []  # not a phrase


def test_facets_count_correctly(site, db):
    data = get(site + "/cchc/cchc_articles.json?_size=0&_facet=province&_facet_source=source&_facet=month"
                      "&_facet=former_province&_facet_topic=topics&_facet_size=max")
    facets = data["facet_results"]
    facets = facets.get("results", facets)  # layout differs between Datasette versions
    provinces = {f["value"]: f["count"] for f in facets["province"]["results"]}
    assert provinces == dict(sql(db, "select province, count(*) from cchc_articles where province is not null group by province"))
    former = {f["value"]: f["count"] for f in facets["former_province"]["results"]}
    assert former == {"Đắk Nông": 3}
    sources = {f["value"]: f["count"] for f in facets["source"]["results"]}
    assert sources == dict(sql(db, "select s.name, count(*) from articles a join sites s on s.key = a.site "
                                   "where a.id in (select id from cchc_articles) group by s.name"))
    topics = {f["value"]: f["count"] for f in facets["topics"]["results"]}
    expected = dict(sql(db, "select t.label_vi, count(*) from articles a, json_each(a.topics) j join topics t on t.key = j.value "
                            "where a.id in (select id from cchc_articles) group by t.label_vi"))
    assert topics == expected and "Một cửa, một cửa liên thông" in topics
    # the topic facet (crawler/web/plugins/label_facets.py) on a filtered view, and choosing a topic
    province = max(provinces, key=provinces.get)
    filtered = get(site + f"/cchc/cchc_articles.json?_size=0&province={quote(province)}&_facet_topic=topics")["facet_results"]
    filtered = {f["value"]: f["count"] for f in filtered.get("results", filtered)["topics"]["results"]}
    assert filtered == dict(sql(db, "select t.label_vi, count(*) from articles a, json_each(a.topics) j join topics t on "
                                    "t.key = j.value where a.id in (select id from cchc_articles where province = ?) "
                                    "group by t.label_vi", [province]))
    name = max(sources, key=sources.get)  # the source facet's choice (by the site's name)
    picked = get(site + f"/cchc/cchc_articles.json?_source={quote(name)}&_shape=array&_size=max&_col=id")
    assert sorted(r["id"] for r in picked) == [r[0] for r in sql(db, "select id from cchc_articles where source = ? "
                                                                      "order by id", [name])]
    chosen = get(site + f"/cchc/cchc_articles.json?_topic={quote('Một cửa, một cửa liên thông')}&_shape=array&_size=max&_col=id")
    assert sorted(r["id"] for r in chosen) == [r[0] for r in sql(
        db, "select c.id from cchc_articles c join articles a on a.id = c.id where exists (select 1 from json_each(a.topics) j "
            "join topics t on t.key = j.value where t.label_vi = ?) order by c.id",
        ["Một cửa, một cửa liên thông"])]
    everything = get(site + "/cchc/all_articles.json?_size=0&_facet=status")["facet_results"]
    everything = everything.get("results", everything)
    assert {f["value"] for f in everything["status"]["results"]} == {"active"}


def test_every_canned_query_runs(site, db):
    queries = metadata(str(db))["databases"]["cchc"]["queries"]
    assert {"newest_by_province", "per_province_month", "topic_shares", "quiet_provinces", "shared_stories",
            "edited_and_removed", "site_health", "search", "search_newest", "search_feed", "same_story"} <= set(queries)
    for name in queries:
        rows = get(f"{site}/cchc/{name}.json?q=cai+cach&_shape=array&_size=max")
        assert isinstance(rows, list), name
        if name not in ("edited_and_removed", "same_story"):  # nothing edited in the demo; same_story needs a story
            assert rows, f"{name} returned no row"
    shared = get(site + "/cchc/shared_stories.json?_shape=array")
    assert len(shared) == 4 and all(r["sites"] == 2 for r in shared)
    health = get(site + "/cchc/site_health.json?_shape=array")
    assert len(health) == 14  # the 13 demo sites and one that could not be reached (browse_server.py)
    assert all(r["verdict"] in ("ok", "quiet", "unreachable", "blocked", "broken", "failed") for r in health)


def test_atom_feed_of_a_saved_search(site):
    feed = get(site + "/cchc/search_feed.atom?q=mot+cua")
    assert feed.startswith("<?xml") and "<feed" in feed and feed.count("<entry>") >= 3


def test_read_only(site):
    with pytest.raises(urllib.error.HTTPError) as error:
        get(site + "/cchc.json?sql=" + urllib.request.quote("delete from articles"))
    assert error.value.code == 400
    request = urllib.request.Request(site + "/cchc/articles/-/insert", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=10)
    assert error.value.code in (403, 404, 405)


def test_browser_article_list_search_chart_and_article(site, chromium):
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(site + "/cchc/cchc_articles")
    assert "Tin cải cách hành chính / CCHC articles" in page.inner_text("h1")
    assert page.locator("table.rows-and-columns tbody tr").count() == 50  # page size, newest first
    page.screenshot(path=str(ARTIFACTS / "articles.png"))

    page.fill("input[name=_search]", "cai cach hanh chinh")
    page.press("input[name=_search]", "Enter")
    page.wait_for_url("**_search=cai+cach+hanh+chinh**")
    assert "cai cach hanh chinh" in page.inner_text("body")
    assert page.locator("table.rows-and-columns tbody tr").count() > 10
    page.screenshot(path=str(ARTIFACTS / "search.png"))

    page.goto(site + "/-/dashboards/cchc-overview")
    page.wait_for_selector(".vega-embed svg, .vega-embed canvas", timeout=30_000)
    assert page.locator(".vega-embed").count() == 3
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    page.goto(site + "/cchc/cchc_articles?_search=gia+nghia+trien+khai")
    page.click("td.col-title a")
    page.wait_for_selector("article.cchc-article .body p")
    assert page.inner_text("article.cchc-article h1") == "Gia Nghĩa triển khai mô hình một cửa liên thông cấp xã"
    body = page.inner_text("article.cchc-article .body")
    assert "Theo UBND thành phố Gia Nghĩa" in body and "<p>" not in body  # rendered as HTML, not shown as tags
    assert "Thanh Nga" in page.inner_text("article.cchc-article .meta")
    assert page.locator("article.cchc-article a[href^='https://baodaknong.vn/']").count() == 1  # the original
    page.screenshot(path=str(ARTIFACTS / "article.png"), full_page=True)
    page.close()
