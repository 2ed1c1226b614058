"""The database schema and its versioned migrations.

``schema_version`` holds the number of the last migration applied and ``schema_migrations`` when each ran.
A database opens by applying the migrations above its version, in order, inside the caller's transaction: no
column checks at open time once a file is current. To change the schema, append a function to ``MIGRATIONS``;
never edit one that has shipped.

Until issue 17 every database said version 1 whatever its columns (they were checked at each open), so
version 1 means "unversioned": migration 2 brings any such file, from the first schema on
(tests/fixtures/old-schemas/), to the first versioned schema, and is written to be safe to run on any of them.
"""
from __future__ import annotations

from datetime import datetime, timezone

from crawler.items import ARTICLE_FIELDS, article_schema
from crawler.store.compact import register_store_functions
from crawler.store.documents import create_document_tables
from crawler.minhash import band_keys
from crawler.store.syndication import create_story_tables, read_signature, stored_signature

FTS_COLUMNS = ["title", "lead", "body_text", "search_extra"]
FTS_TOKENIZE = "unicode61 remove_diacritics 2"
# Schema 4's index held no text and read none (contentless), because the bodies were compressed.
CONTENTLESS_FTS_CREATE = (f"create virtual table articles_fts using fts5({', '.join(FTS_COLUMNS)}, content='', "
                          f"tokenize='{FTS_TOKENIZE}')")
# Since schema 5 the index reads its text from `articles` (external content): still no second copy of the text,
# and any SQLite client can run snippet(), highlight(), 'rebuild' and 'integrity-check' on it. The writer adds and
# removes entries itself (crawler/store/rows.py), with the stored text: no trigger, so that status, story and
# removal updates never touch the index.
FTS_CREATE = (f"create virtual table articles_fts using fts5({', '.join(FTS_COLUMNS)}, content='articles', "
              f"content_rowid='id', tokenize='{FTS_TOKENIZE}')")
# The reading view's rule (crawler/store/browsing.py): CCHC-relevant and not removed; the column articles.cchc
# since schema 4 (rows.cchc_flag on insert, a trigger on update). Its indexes serve the view's facets and its
# newest-first order (the view sorts by the `published` expression).
CCHC_EXPRESSION = ("coalesce(relevance >= 0.5 or from_cchc_section = 1, 0) "
                   "and coalesce(status, 'active') != 'removed'")
PUBLISHED_DISPLAY = "replace(substr(published_at_local, 1, 16), 'T', ' ')"
BROWSE_INDEXES = {  # each also holds `site`: the view joins sites on it, so the facet scans need no row
    "articles_cchc_province": "cchc, province, site", "articles_cchc_former": "cchc, province_before_2025, site",
    # the month index also holds the province since schema 5: CCHC articles per province and period
    # (crawler/store/periods.py) count it alone, 1.3 s -> 0.09 s at 120,000 articles
    "articles_cchc_month": "cchc, published_month, province, site", "articles_cchc_site": "cchc, site",
    "articles_cchc_published": f"cchc, {PUBLISHED_DISPLAY}, site",
}
# Item fields stored compressed by schema 4 only (crawler/store/compact.py): field -> column.
PACKED_FIELDS = {"body_text": "body_z", "body_html": "body_html_z"}
JSON_FIELDS = ("tags", "images", "topics", "topic_terms", "extraction")
CRAWL_RUN_COLUMNS = {
    "run_id": str, "site": str, "spider": str, "started_at": str, "finished_at": str, "finish_reason": str,
    "pages": int, "listing_pages": int, "not_modified": int, "new": int, "updated": int, "duplicates": int,
    "unchanged": int, "dropped": int, "removed": int, "blocked": int, "errors": str, "http_status": str,
    "date_share": float, "body_share": float, "median_body_length": int, "monitor_status": str,
    "monitor_failures": str, "worker": str, "verdict": str, "verdict_reason": str,
    # extraction health (schema 6): article pages read, articles that passed, JSON {reason: n} of the dropped,
    # JSON {field: n} of the fallbacks taken
    "article_pages": int, "extracted": int, "drop_reasons": str, "fallbacks": str,
}
_SQL_TYPES = {"number": float, "integer": int, "boolean": int}  # JSON Schema type -> column type; the rest is text
# Columns the database adds to the item's fields.
STORE_COLUMNS = {"first_seen_at": str, "updated_at": str, "search_extra": str, "story_id": int,
                 "story_similarity": float, "is_first_source": int, "removed_at": str, "removed_reason": str,
                 "published_month": str, "status": str}
VERSION_FIELDS = ("content_hash", "title", "lead", "body_text", "body_html", "author", "published_at")
# The browsing view: what a reader wants per article, no internal columns; `article` links to the full row.
ARTICLE_VIEW = """
create view if not exists cchc_articles as
select id,
       '<a href="articles/' || id || '">' || replace(replace(replace(title, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')
         || '</a>' as article,
       published_at_local as published, published_month as month, province, site, topics, relevance, status,
       author, source_attribution, lead, url, story_id, is_first_source, published_at
from articles
"""


def _column_type(spec: dict):
    kinds = spec.get("type", "string")
    kinds = [kinds] if isinstance(kinds, str) else kinds
    return next((_SQL_TYPES[k] for k in kinds if k in _SQL_TYPES), str)


# Item fields kept in tables of their own, not as columns of `articles`: the attachments' documents are stored once
# per sha256 (`documents`, crawler/store/documents.py) and linked to each article that attaches them.
TABLE_FIELDS = ("attachments",)
COLUMN_FIELDS = [name for name in ARTICLE_FIELDS if name not in TABLE_FIELDS]


def article_columns() -> dict:
    """The item's fields as columns (types from article.schema.json), then the columns the store adds."""
    properties = article_schema()["properties"]
    return {**{name: _column_type(properties[name]) for name in COLUMN_FIELDS}, **STORE_COLUMNS}


def _add_missing_columns(table, wanted: dict) -> None:
    existing = table.columns_dict
    for name, kind in wanted.items():
        if name not in existing:
            table.add_column(name, kind)


def _index(table, column: str, unique: bool = False) -> None:
    if not any(ix.columns == [column] for ix in table.indexes):
        table.create_index([column], unique=unique)


def _narrow_fts_update_trigger(db) -> None:
    """sqlite-utils' FTS trigger re-indexes an article on *any* update; story, status and removal updates
    do not touch the text, so the trigger is limited to the indexed columns (FTS_COLUMNS)."""
    row = db.execute("select sql from sqlite_master where type = 'trigger' and name = 'articles_au'").fetchone()
    if row is None or " UPDATE OF " in row[0].upper():
        return
    columns = ", ".join(f'"{c}"' for c in FTS_COLUMNS)
    db.execute("drop trigger articles_au")
    db.execute(row[0].replace('AFTER UPDATE ON "articles"', f'AFTER UPDATE OF {columns} ON "articles"'))


def m002_first_versioned_schema(db) -> None:
    """Every table of the first wave, created or brought up to date in place (databases of any earlier
    commit: columns added, the FTS trigger narrowed, browsing columns filled for old rows)."""
    articles = db["articles"]
    if not articles.exists():
        articles.create(dict(id=int, **article_columns()), pk="id", not_null={"url", "site", "content_hash"})
        articles.enable_fts(FTS_COLUMNS, create_triggers=True, tokenize=FTS_TOKENIZE)
    _add_missing_columns(articles, article_columns())
    _index(articles, "content_hash", unique=True)
    _index(articles, "url", unique=True)
    for column in ("published_at", "site", "province", "story_id", "published_month", "status"):
        _index(articles, column)
    _narrow_fts_update_trigger(db)
    db.execute("update articles set published_month = substr(published_at_local, 1, 7) "
               "where published_month is null and published_at_local is not null")
    db.execute("update articles set status = case when removed_at is not null then 'removed' "
               "when updated_at is not null then 'edited' else 'active' end where status is null")
    create_story_tables(db)
    urls = db["article_urls"]
    if not urls.exists():
        urls.create({"url": str, "article_id": int, "site": str, "first_seen_at": str, "removed_at": str},
                    pk="url", foreign_keys=[("article_id", "articles", "id")])
        urls.create_index(["article_id"])
        urls.create_index(["site"])
    _add_missing_columns(urls, {"removed_at": str})
    if not db["article_versions"].exists():
        # Earlier versions of edited articles: what the page said from `seen_from` until `replaced_at`.
        db["article_versions"].create(
            {"id": int, "article_id": int, **{f: str for f in VERSION_FIELDS}, "seen_from": str, "replaced_at": str},
            pk="id", foreign_keys=[("article_id", "articles", "id")],
        )
        db["article_versions"].create_index(["article_id"])
    if not db["http_validators"].exists():
        # ETag / Last-Modified of listing pages, for conditional requests on the next run.
        db["http_validators"].create({"url": str, "etag": str, "last_modified": str, "checked_at": str}, pk="url")
    if not db["browser_sites"].exists():
        # Sites whose listings turned out to need a browser (the static HTML had no article links).
        db["browser_sites"].create({"site": str, "since": str, "listing_url": str}, pk="site")
    runs = db["crawl_runs"]
    if not runs.exists():
        runs.create(CRAWL_RUN_COLUMNS, pk="run_id")
        runs.create_index(["site", "started_at"])
    _add_missing_columns(runs, CRAWL_RUN_COLUMNS)  # e.g. verdict, verdict_reason (issue 16)
    db.execute(ARTICLE_VIEW)


def m003_site_discoveries(db) -> None:
    """What the first run of a site with unverified start URLs found on its homepage and in its robots.txt
    (crawler/discover/extension.py): later runs also start from the feeds and sitemaps listed here."""
    db["site_discoveries"].create({"site": str, "discovered_at": str, "homepage": str, "feeds": str, "sitemaps": str,
                                   "cchc_sections": str, "news_sections": str, "cms": str, "problems": str},
                                  pk="site", if_not_exists=True)


def m004_compact_storage(db) -> None:
    """A million articles in under 8 KB each instead of 16 (bench/database.py): bodies compressed, the HTML as
    what it adds to the text (``body_z``, ``body_html_z``: crawler/store/compact.py); a contentless full-text
    index kept by the writer instead of triggers; MinHash signatures in 32 bits; LSH bands as one integer key
    per band in a table that is its own index (new keys first in a small one); ``articles.cchc`` and the
    indexes of the reading view; ``article_topics`` (one row per article and topic) for the topic facet and the
    topic pivots. Existing rows are converted in place."""
    conn = db.conn
    register_store_functions(conn)
    for trigger in ("articles_ai", "articles_ad", "articles_au"):
        conn.execute(f"drop trigger if exists [{trigger}]")
    conn.execute("drop table if exists articles_fts")
    columns = db["articles"].columns_dict
    for field, column in PACKED_FIELDS.items():
        if column not in columns:
            conn.execute(f"alter table articles add column [{column}] blob")
    if "body_text" in columns:
        conn.execute("update articles set body_z = cchc_pack_text(body_text), "
                     "body_html_z = cchc_pack_html(body_html, body_text)")
        for field in PACKED_FIELDS:
            conn.execute(f"alter table articles drop column [{field}]")
    conn.execute(CONTENTLESS_FTS_CREATE)
    conn.execute(f"insert into articles_fts (rowid, {', '.join(FTS_COLUMNS)}) "
                 "select id, title, lead, cchc_text(body_z), search_extra from articles")
    create_story_tables(db)
    if db["story_bands"].exists():
        conn.execute("drop table story_bands")
        rows = conn.execute("select article_id, signature from article_minhash").fetchall()
        for article_id, blob in rows:
            values = read_signature(blob)
            conn.execute("update article_minhash set signature = ? where article_id = ?",
                         [stored_signature(values), article_id])
            conn.executemany("insert or ignore into story_band_keys (key, article_id) values (?, ?)",
                             [(key, article_id) for key in band_keys(values)])
    # What the reading view cchc_articles shows (crawler/store/browsing.py), as a column, so that its facets and
    # its newest-first list are index scans at a million articles instead of table scans. A plain column (set by
    # the writer, kept by the trigger below), not a generated one: SQLite 3.40 never counts an index on a
    # generated column as covering, and every facet then read 600,000 rows.
    if "cchc" not in db["articles"].columns_dict:
        conn.execute("alter table articles add column cchc integer not null default 0")
    conn.execute(f"update articles set cchc = {CCHC_EXPRESSION}")
    conn.execute(f"""create trigger if not exists articles_cchc after update of status, relevance, from_cchc_section
        on articles begin
          update articles set cchc = {CCHC_EXPRESSION} where id = new.id;
        end""")
    for name, columns in BROWSE_INDEXES.items():
        conn.execute(f"create index if not exists [{name}] on articles ({columns})")
    # article_topics.cchc copies articles.cchc (the trigger keeps it), so the topic facet of the reading view
    # counts one narrow table.
    conn.execute("create table if not exists article_topics (topic text not null, article_id integer not null, "
                 "cchc integer not null default 0, primary key (topic, article_id)) without rowid")
    conn.execute("create index if not exists article_topics_cchc_topic on article_topics (cchc, topic)")
    conn.execute("insert or ignore into article_topics (topic, article_id, cchc) "
                 "select j.value, a.id, a.cchc from articles a, json_each(a.topics) j where json_valid(a.topics)")
    conn.execute("""create trigger if not exists article_topics_cchc after update of cchc
        on articles when old.cchc is not new.cchc begin
          update article_topics set cchc = new.cchc
          where article_id = new.id and topic in (select value from json_each(new.topics) where json_valid(new.topics));
        end""")


def m005_plain_text_bodies(db) -> None:
    """The bodies as plain TEXT again (issue 34): a stored database is for downstream use, and the sqlite3 shell,
    pandas or DB Browser read ``body_text`` and ``body_html`` without this project's functions. Bytes per article:
    bench/README.md. The columns go last in the row, after every small column, so that a query reading the
    small ones (the reading views, the facets) stops before the bodies. The full-text index becomes external
    content over ``articles`` (FTS_CREATE) and is rebuilt from the text (a few minutes per million articles)."""
    conn = db.conn
    register_store_functions(conn)  # cchc_text / cchc_html read schema 4's compressed columns
    conn.execute("drop view if exists article_bodies")  # it read body_z; browsing.refresh writes today's
    columns = db["articles"].columns_dict
    for field in PACKED_FIELDS:
        if field not in columns:
            conn.execute(f"alter table articles add column [{field}] text")
    if PACKED_FIELDS["body_text"] in columns:
        conn.execute("update articles set body_text = cchc_text(body_z), body_html = cchc_html(body_html_z, body_z)")
        for column in PACKED_FIELDS.values():
            conn.execute(f"alter table articles drop column [{column}]")
    conn.execute("drop table if exists articles_fts")
    conn.execute(FTS_CREATE)
    conn.execute("insert into articles_fts (articles_fts) values ('rebuild')")
    conn.execute("drop index if exists articles_cchc_month")  # schema 4's had no province (BROWSE_INDEXES)
    conn.execute(f"create index articles_cchc_month on articles ({BROWSE_INDEXES['articles_cchc_month']})")


def m006_extraction_health(db) -> None:
    """How each article's fields were found (``articles.extraction``, JSON: methods and fallbacks), and each run's
    extraction health in ``crawl_runs``: articles extracted, dropped by reason, fallbacks by field (issue 29)."""
    _add_missing_columns(db["articles"], {"extraction": str})
    _add_missing_columns(db["crawl_runs"], CRAWL_RUN_COLUMNS)


def m007_documents(db) -> None:
    """The documents articles attach (issue 32, crawler/store/documents.py): ``documents``, ``documents_fts``,
    ``document_urls``, ``article_documents``. Nothing to convert: earlier articles have no documents."""
    create_document_tables(db.conn)


def m008_archive(db) -> None:
    """Where each article version's response is in the WARC archive (issue 33, crawler/store/versions.py)."""
    from crawler.store.versions import create_archive_tables  # it reads this module's field lists

    create_archive_tables(db)


# Migration N is MIGRATIONS[N - 2]: the first one is number 2 (1 was the unversioned schema).
# Never renumber a shipped migration.
MIGRATIONS = [m002_first_versioned_schema, m003_site_discoveries, m004_compact_storage, m005_plain_text_bodies,
              m006_extraction_health, m007_documents, m008_archive]
SCHEMA_VERSION = len(MIGRATIONS) + 1


def current_version(db) -> int:
    if not db["schema_version"].exists():
        return 0
    row = db.execute("select version from schema_version where id = 1").fetchone()
    return row[0] if row else 0


def apply_migrations(db) -> list[str]:
    """Apply what the database lacks, in order; returns the names applied. The caller holds the transaction
    (BEGIN IMMEDIATE), so two processes opening one file take turns and a failed migration leaves no trace."""
    version = current_version(db)
    applied = []
    for number, migration in enumerate(MIGRATIONS, start=2):
        if number <= version:
            continue
        migration(db)
        now = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        db["schema_migrations"].insert({"version": number, "name": migration.__name__, "applied_at": now},
                                       pk="version", replace=True)
        db["schema_version"].insert({"id": 1, "version": number}, pk="id", replace=True)
        applied.append(migration.__name__)
    return applied
