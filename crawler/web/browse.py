"""``python -m crawler browse [DB]``: Datasette on the database, read-only, with the project's metadata.

The metadata (titles and descriptions in Vietnamese and English, column descriptions, facets, newest-first
sorting, full-text search, canned queries, an Atom feed of a saved search, and a dashboard of charts with
datasette-dashboards) is built for the database's name, because Datasette keys metadata by it.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import sys
from pathlib import Path

from crawler.store.database import migrate

ROOT = Path(__file__).resolve().parents[2]

COLUMNS = {
    "title": "Tiêu đề / Title",
    "url": "Địa chỉ gốc / Original URL (where the article was first found)",
    "site": "Trang nguồn (khóa trong registry) / Source site (registry key)",
    "province": "Tỉnh, thành phố sau 1/7/2025 / Province after the 1 July 2025 merger",
    "province_before_2025": "Tỉnh trước sáp nhập / Province before the merger, where it differs",
    "lead": "Sapo / Lead",
    "body_text": "Nội dung / Body text (cleaned)",
    "body_html": "Nội dung HTML đã làm sạch / Sanitized body HTML",
    "published_at": "Ngày đăng (UTC) / Publication date, UTC",
    "published_at_local": "Ngày đăng (giờ Việt Nam) / Publication date, local time (+07:00)",
    "published_month": "Tháng đăng / Publication month",
    "date_raw": "Văn bản ngày gốc / The text the date was read from",
    "date_source": "Nguồn của ngày / Where the date came from (json-ld, meta, selector, visible-text, listing, url)",
    "source_attribution": "Nguồn trích dẫn / Attribution ('Theo ...', 'Nguồn: ...')",
    "topics": "Chủ đề CCHC / CCHC topics (crawler/vi/topics.toml)",
    "topic_terms": "Từ khóa khớp / The terms that matched, per topic",
    "relevance": "Mức liên quan CCHC (0-1) / CCHC relevance",
    "status": "Trạng thái / active, edited or removed",
    "story_id": "Mã câu chuyện / Story: near-duplicate copies share it",
    "is_first_source": "Nguồn đầu tiên / 1 for the earliest published copy of a story",
    "content_hash": "Mã băm nội dung / Content hash (SHA-256 of the normalized title and body)",
    "removed_at": "Ngày gỡ bỏ / When the page answered 404/410 or left its listing",
}


# Searches walk the full-text index newest-stored first and stop early: "cải cách hành chính" matches most of a
# CCHC database, and ranking or sorting every match costs seconds at a million articles. The rank is computed
# for the newest 1,000 matches only; snippets only for the 100 shown.
SEARCH_BEST = """select a.id, a.title, a.published_at_local as published, a.province, a.site,
  snippet(articles_fts, 2, '[', ']', ' … ', 24) as snippet, a.url
from (select rowid as hit, rank as score from (
        select rowid, rank from articles_fts where articles_fts match escape_fts(:q) order by rowid desc limit 1000)
      order by score limit 100) h
cross join articles_fts on articles_fts.rowid = h.hit
join articles a on a.id = h.hit
where articles_fts match escape_fts(:q)
order by h.score"""
SEARCH_NEWEST = """select a.id, a.title, a.published_at_local as published, a.province, a.site, a.lead, a.url
from (select rowid from articles_fts where articles_fts match escape_fts(:q) order by rowid desc limit 200) h
join articles a on a.id = h.rowid order by a.published_at desc limit 100"""


def _queries() -> dict:
    cchc = "(a.relevance >= 0.5 or a.from_cchc_section = 1)"
    return {
        "search": {
            "title": "Tìm kiếm / Search (không dấu cũng được / diacritics optional)",
            "description": "Full-text search over title, lead and body: the best matches among the 1,000 most recently "
                           "collected articles that match, with a snippet (bounded, so common words stay fast).",
            "sql": SEARCH_BEST,
        },
        "search_newest": {
            "title": "Tìm kiếm, mới nhất trước / Search, newest first",
            "description": "The 100 most recently collected articles that match, newest publication date first.",
            "sql": SEARCH_NEWEST,
        },
        "newest_by_province": {
            "title": "Tin CCHC mới nhất theo tỉnh / Newest CCHC articles per province",
            "sql": f"select province, published, title, site, url from (select a.province, a.published_at_local as published, "
                   f"a.title, a.site, a.url, row_number() over (partition by a.province order by a.published_at desc) as n "
                   f"from articles a where {cchc} and a.status != 'removed') where n <= 5 order by province, published desc",
        },
        "per_province_month": {
            "title": "Số tin CCHC theo tỉnh và tháng / CCHC articles per province per month",
            "sql": f"select a.province, a.published_month as month, count(*) as articles from articles a "
                   f"where {cchc} and a.published_month is not null group by a.province, a.published_month "
                   f"order by month desc, articles desc",
        },
        "shared_stories": {
            "title": "Tin đăng trên nhiều trang / Stories published by several sites",
            "description": "Same content (one article, several URLs) or near-duplicates (one story_id); the first source is the earliest published copy.",
            "sql": "with copies as (select a.story_id, u.site, u.url, a.published_at, a.is_first_source, a.title "
                   "from article_urls u join articles a on a.id = u.article_id where a.story_id is not null) "
                   "select story_id, (select title from copies c2 where c2.story_id = c.story_id order by is_first_source desc, "
                   "published_at limit 1) as title, count(distinct site) as sites, count(*) as urls, "
                   "min(published_at) as first_published, (select site from copies c3 where c3.story_id = c.story_id "
                   "order by published_at is null, published_at limit 1) as first_source, group_concat(distinct site) as all_sites "
                   "from copies c group by story_id having count(distinct site) > 1 order by first_published desc",
        },
        "edited_and_removed": {
            "title": "Tin bị sửa hoặc gỡ / Edited and removed articles",
            "sql": "select a.id, a.title, a.site, a.status, a.published_at_local as published, a.updated_at as edited_at, "
                   "(select count(*) from article_versions v where v.article_id = a.id) as earlier_versions, "
                   "a.removed_at, a.removed_reason, a.url from articles a where a.status in ('edited', 'removed') "
                   "order by coalesce(a.removed_at, a.updated_at) desc",
        },
        "site_health": {
            "title": "Tình trạng các trang / Site health (last run of each site)",
            "sql": "select r.site, r.verdict, r.verdict_reason, r.finished_at, r.finish_reason, r.monitor_status, r.pages, "
                   "r.new, r.updated, r.removed, r.blocked, r.date_share, r.body_share, r.median_body_length, "
                   "r.monitor_failures from crawl_runs r "
                   "where r.started_at = (select max(started_at) from crawl_runs r2 where r2.site = r.site) "
                   "order by coalesce(r.verdict, '') in ('ok', 'quiet'), r.site",
        },
        "search_feed": {
            "title": "Theo dõi một tìm kiếm / Follow a saved search (Atom: add .atom to the URL)",
            "description": "Subscribe to /DB/search_feed.atom?q=your+words in a feed reader.",
            "sql": "select a.url as atom_id, a.title as atom_title, coalesce(a.published_at, a.first_seen_at) as atom_updated, "
                   "a.url as atom_link, coalesce(a.lead, substr(a.body_text, 1, 400)) as atom_content, a.site as atom_author_name "
                   "from (select rowid from articles_fts where articles_fts match escape_fts(:q) "
                   "order by rowid desc limit 200) h join articles a on a.id = h.rowid order by a.published_at desc limit 50",
        },
    }


def _dashboard(db: str) -> dict:
    cchc = "(relevance >= 0.5 or from_cchc_section = 1)"
    return {
        "cchc-overview": {
            "title": "Cải cách hành chính theo tỉnh / Administrative reform news by province",
            "description": "CCHC articles per province per month, and the health of every crawled site.",
            "layout": [["per-month", "per-month"], ["per-province", "site-health"]],
            "charts": {
                "per-month": {
                    "title": "Tin CCHC theo tháng và tỉnh / CCHC articles per month and province",
                    "db": db,
                    "query": f"select published_month as month, province, count(*) as articles from articles "
                             f"where {cchc} and published_month is not null group by month, province order by month",
                    "library": "vega-lite",
                    "display": {
                        "mark": {"type": "bar", "tooltip": True},
                        "encoding": {
                            "x": {"field": "month", "type": "ordinal", "title": "Tháng / month"},
                            "y": {"field": "articles", "type": "quantitative", "title": "Số tin / articles"},
                            "color": {"field": "province", "type": "nominal", "title": "Tỉnh / province"},
                        },
                    },
                },
                "per-province": {
                    "title": "Tổng số tin CCHC theo tỉnh / CCHC articles per province",
                    "db": db,
                    "query": f"select province, count(*) as articles from articles where {cchc} and province is not null "
                             f"group by province order by articles desc",
                    "library": "vega-lite",
                    "display": {
                        "mark": {"type": "bar", "tooltip": True},
                        "encoding": {
                            "y": {"field": "province", "type": "nominal", "sort": "-x", "title": "Tỉnh / province"},
                            "x": {"field": "articles", "type": "quantitative", "title": "Số tin / articles"},
                        },
                    },
                },
                "site-health": {
                    "title": "Tình trạng lần chạy gần nhất / Last run per site",
                    "db": db,
                    "query": "select r.site, r.new, r.pages, coalesce(r.verdict, r.monitor_status, 'unknown') as status from crawl_runs r "
                             "where r.started_at = (select max(started_at) from crawl_runs r2 where r2.site = r.site)",
                    "library": "vega-lite",
                    "display": {
                        "mark": {"type": "bar", "tooltip": True},
                        "encoding": {
                            "y": {"field": "site", "type": "nominal", "title": "Trang / site"},
                            "x": {"field": "pages", "type": "quantitative", "title": "Trang đã tải / pages fetched"},
                            "color": {"field": "status", "type": "nominal",
                                      "scale": {"domain": ["passed", "failed", "unknown"], "range": ["#2a9d8f", "#e63946", "#999999"]}},
                        },
                    },
                },
            },
        }
    }


def metadata(db_path: str) -> dict:
    """Datasette metadata for the database at ``db_path``."""
    db = Path(db_path).stem
    facets = ["province", "site", {"array": "topics"}, "month", "status"]
    return {
        "title": "CCHC — tin cải cách hành chính các tỉnh / Administrative reform news from Vietnam's provinces",
        "description": "Bài viết về cải cách hành chính từ cổng thông tin và báo của 34 tỉnh, thành phố. "
                       "Articles on administrative reform from the portals and newspapers of the 34 provinces. "
                       "Tìm không dấu được: 'cai cach hanh chinh'. Search works without diacritics.",
        "source": "cchc-crawler", "source_url": "https://github.com/cchc-crawler/cchc-crawler",
        "databases": {
            db: {
                "title": "Tin cải cách hành chính / CCHC news",
                "queries": _queries(),
                "tables": {
                    "cchc_articles": {
                        "title": "Bài viết / Articles",
                        "description": "One row per article, newest first. Search without diacritics; facet by province, "
                                       "site, topic, month and status. Click a title for the full article.",
                        "sort_desc": "published_at", "facets": facets, "fts_table": "articles_fts", "fts_pk": "id",
                        "searchmode": "escaped", "size": 50,
                        # `article` is an escaped link built in SQL (crawler/store/schema.py ARTICLE_VIEW)
                        "plugins": {"datasette-render-html": {"columns": ["article"]}},
                    },
                    "articles": {
                        "title": "Bài viết, mọi cột / Articles, all columns",
                        "description": "Every stored field of every article. body_html is sanitized HTML and shown as such.",
                        "sort_desc": "published_at", "facets": ["province", "site", "status", "date_source"],
                        "label_column": "title", "columns": COLUMNS,
                        # body_html went through nh3 (crawler/clean/cleaning.py sanitize_html): safe to render
                        "plugins": {"datasette-render-html": {"columns": ["body_html"]}},
                    },
                    "article_urls": {"title": "Địa chỉ của bài / Every URL an article was found at",
                                     "description": "Republished copies: one article, several rows."},
                    "article_versions": {"title": "Phiên bản cũ / Earlier versions of edited articles"},
                    "crawl_runs": {"title": "Các lần chạy / Crawl runs", "sort_desc": "started_at",
                                   "facets": ["site", "verdict", "monitor_status", "finish_reason"],
                                   "description": "One row per spider run, with the monitors' verdict."},
                    **{name: {"hidden": True} for name in (
                        "article_minhash", "story_bands", "http_validators", "schema_version", "schema_migrations", "articles_fts",
                        "articles_fts_config", "articles_fts_data", "articles_fts_docsize", "articles_fts_idx")},
                },
            }
        },
        "plugins": {
            "datasette-dashboards": _dashboard(db),
        },
    }


def browse(db_path: str, host: str = "127.0.0.1", port: int = 8001) -> int:
    """Start Datasette (blocking) and print the address."""
    if not Path(db_path).exists():
        print(f"no database at {db_path}: crawl first (bin/crawl, or the offline demo: python -m crawler demo)", file=sys.stderr)
        return 2
    try:
        migrate(db_path)  # an older database gets today's columns (the canned queries read them)
    except sqlite3.Error as exc:
        print(f"note: {db_path} could not be brought to today's schema ({exc}); some pages may fail", file=sys.stderr)
    meta = Path(db_path).with_suffix(".datasette.json")
    meta.write_text(json.dumps(metadata(db_path), ensure_ascii=False, indent=1), encoding="utf-8")
    datasette = shutil.which("datasette", path=str(Path(sys.executable).parent)) or "datasette"
    print(f"Datasette on http://{host}:{port}/{Path(db_path).stem}/cchc_articles  (Ctrl-C to stop)", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: listening on {host}, reachable from other machines", file=sys.stderr)
    args = [datasette, "serve", db_path, "--metadata", str(meta), "--host", host, "--port", str(port),
            "--template-dir", str(Path(__file__).with_name("templates")),
            "--plugins-dir", str(Path(__file__).with_name("plugins")),
            "--setting", "default_page_size", "50", "--setting", "sql_time_limit_ms", "3000"]
    os.execv(datasette, args)
    return 0  # not reached
