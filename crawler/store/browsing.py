"""What the browser shows: label tables, the reading views and the comparison queries built from them.

- ``sites`` and ``topics``: the registry's and the lexicon's Vietnamese names (crawler/sites.toml,
  crawler/vi/topics.toml), refreshed whenever the database is opened, so that views and queries show
  "Báo Đắk Nông" and "Một cửa, một cửa liên thông" instead of ``baodaknong`` and ``mot_cua``.
- ``all_documents``: the documents articles attach, with their header, for the documents view (search, facets by
  type, issuer and year).
- ``cchc_articles``: the CCHC-relevant articles (relevance at least 0.5, or listed in a CCHC section), not
  removed, with plain-text columns a reader and a spreadsheet both want; ``all_articles``: every article.
  Views are derived objects, not migrations: they are recreated when their SQL here changes.
- ``pivot_queries``: the saved queries built here: CCHC articles per province and period (crawler/store/periods.py)
  and the topic pivot (one column per topic of the lexicon), written for Datasette when ``browse`` starts.
"""
from __future__ import annotations

from crawler.registry import registry
from crawler.store.periods import PROVINCE_PERIODS
from crawler.vi.topics import lexicon

# Between the topic labels of an article in the reading views and in exports ("Một cửa, một cửa liên thông" holds
# a comma): plain words in Datasette's CSV and `python -m crawler export` alike.
TOPIC_SEPARATOR = "; "
# `published` is the expression of the index articles_cchc_published (crawler/store/schema.py): the view's
# newest-first order walks that index.
_COLUMNS = f"""a.id, a.title,
       replace(substr(a.published_at_local, 1, 16), 'T', ' ') as published,
       a.published_month as month, a.province, a.province_before_2025 as former_province,
       coalesce(s.name, a.site) as source,
       (select group_concat(label_vi, '{TOPIC_SEPARATOR}') from (select t.label_vi from json_each(a.topics) j
          join topics t on t.key = j.value order by j.key)) as topics,
       a.lead, a.url"""
VIEWS = {
    "cchc_articles": f"""create view cchc_articles as
select {_COLUMNS}
from articles a left join sites s on s.key = a.site
where a.cchc = 1""",
    "all_articles": f"""create view all_articles as
select {_COLUMNS}, round(a.relevance, 2) as relevance, a.status
from articles a left join sites s on s.key = a.site""",
    # The documents articles attach (crawler/store/documents.py), one row per distinct file: its header (type,
    # number, date, issuer, subject), how it was read, its first lines, how many articles attach it and where.
    "all_documents": """create view all_documents as
select d.id, d.doc_type as type, d.doc_number as number, d.issued_date as issued, substr(d.issued_date, 1, 4) as year,
       d.issuer, d.subject, d.pages, d.text_source as read_from, substr(d.text, 1, 300) as beginning,
       (select count(distinct l.article_id) from article_documents l where l.sha256 = d.sha256) as articles,
       (select min(l.url) from article_documents l where l.sha256 = d.sha256) as url, d.error, d.sha256
from documents d""",
    # The bodies beside the title (schema 4 stored them compressed and this view read them; kept for the queries
    # written then: the bodies are plain columns of `articles` now).
    "article_bodies": """create view article_bodies as
select id, url, title, lead, body_text, body_html
from articles""",
}


# The topic facet of the reading views (crawler/web/plugins/label_facets.py): counted in article_topics, not by
# unpacking every row's JSON list. Unfiltered, one scan of that narrow table; filtered, over the view's matches.
_LABELLED = ("select t.label_vi as value, x.n as count from ({counts}) x join topics t on t.key = x.topic "
             "order by count desc, value")
TOPIC_COUNTS = {  # counted by key on an index (article_topics_cchc_topic, or the primary key), labelled after
    "cchc_articles": _LABELLED.format(counts="select topic, count(*) as n from article_topics where cchc = 1 group by topic"),
    "all_articles": _LABELLED.format(counts="select topic, count(*) as n from article_topics group by topic"),
}
TOPIC_COUNTS_FILTERED = ("select t.label_vi as value, count(*) as count from article_topics x join topics t on "
                         "t.key = x.topic where x.article_id in (select id from ({sql})) group by x.topic "
                         "order by count desc, value")
# The source facet: counted by site key (an index scan in key order), named afterwards. Grouping the view by its
# `source` name (a join per row, then a sort) took 5 s at a million articles.
_NAMED = ("select coalesce(s.name, x.site) as value, x.n as count from ({counts}) x left join sites s on s.key = x.site "
          "order by count desc, value")
SOURCE_COUNTS = {
    "cchc_articles": _NAMED.format(counts="select site, count(*) as n from articles where cchc = 1 group by site"),
    "all_articles": _NAMED.format(counts="select site, count(*) as n from articles group by site"),
}
SOURCE_COUNTS_FILTERED = _NAMED.format(counts="select a.site, count(*) as n from articles a where a.id in "
                                              "(select id from ({sql})) group by a.site")


def refresh_labels(db) -> None:
    """The label tables, rewritten from the registry and the lexicon (a hundred rows: cheap at every open)."""
    sites = [{"key": s.key, "name": s.name, "province": s.province, "former_province": s.province_before_2025,
              "kind": s.kind, "domain": s.domains[0] if s.domains else None} for s in registry().values()]
    topics = [{"key": t.key, "label_vi": t.label_vi, "label_en": t.label_en} for t in lexicon()]
    for name, rows in (("sites", sites), ("topics", topics)):
        table = db[name]
        table.create({k: str for k in rows[0]}, pk="key", if_not_exists=True)
        db.execute(f"delete from [{name}]")
        table.insert_all(rows, pk="key")


def refresh_views(db) -> None:
    """Create the views, or recreate one whose SQL is not today's (the earlier cchc_articles among them)."""
    for name, sql in VIEWS.items():
        row = db.execute("select sql from sqlite_master where type = 'view' and name = ?", [name]).fetchone()
        if row and row[0] == sql:
            continue
        db.execute(f"drop view if exists [{name}]")
        db.execute(sql)


def refresh(db) -> None:
    refresh_labels(db)
    refresh_views(db)


_PROVINCES = """(select province from sites where province is not null
        union select province from articles where province is not null)"""


def topic_share_query() -> str:
    """Provinces down, topics across: the share (%) of each province's CCHC articles that carry the topic."""
    cells = ",\n       ".join(
        f"round(100.0 * count(case when exists (select 1 from article_topics x where x.topic = '{t.key}' "
        f"and x.article_id = a.id) then 1 end)"
        f" / max(count(a.id), 1), 1) as [{t.label_vi} %]" for t in lexicon())
    return f"""select p.province as [Tỉnh / province], count(a.id) as [Số tin CCHC / CCHC articles],
       {cells}
from {_PROVINCES} p
left join articles a on a.province = p.province and a.cchc = 1
group by p.province
order by count(a.id) desc, p.province"""


def pivot_queries() -> dict[str, str]:
    """The SQL of the saved queries written here rather than in datasette.yaml: the province-by-period counts
    (crawler/store/periods.py) and the topic pivot, whose columns come from the lexicon."""
    return {"per_province_month": PROVINCE_PERIODS, "topic_shares": topic_share_query()}


# The article page (crawler/web/templates/row.html, crawler/web/plugins/cchc_pages.py): how many copies its story
# has (each URL of each article grouped with it: the "same story" link only when there are others; the saved query
# same_story lists them) and its topics, named.
STORY_SIZE = ("select count(*) from article_urls u join articles a on a.id = u.article_id "
              "where a.story_id = (select story_id from articles where id = :id)")
# The article page's documents (crawler/web/templates/row.html): type, number, date, a link, the first lines.
ARTICLE_DOCUMENTS = ("select l.position, l.url, l.name, l.error, d.id, d.doc_type, d.doc_number, d.issued_date, "
                     "d.issuer, d.subject, d.pages, d.text_source, d.error as reading_error, "
                     "substr(d.text, 1, 600) as beginning from article_documents l "
                     "left join documents d on d.sha256 = l.sha256 where l.article_id = :id order by l.position")
ARTICLE_TOPIC_LABELS = ("select t.label_vi from articles a, json_each(a.topics) j join topics t on t.key = j.value "
                        "where a.id = :id order by j.key")
# ... and where its response is in the WARC archive (crawler/archive): the "archived copy" link.
ARCHIVED_COPY = "select warc_file, warc_offset, fetched_at, reextracted_at from article_archive where article_id = :id"
