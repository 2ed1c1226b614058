"""The rows of an export (``python -m crawler export``): the reading views' columns, filtered by province,
month, source site and a search (in the articles' text and their documents'), newest first, with the topic list
as plain text for a spreadsheet and the documents each article attaches (type, number, date, subject: URL)."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from crawler.store.database import connection
from crawler.store.search import DOCUMENTS_LIST, DOCUMENTS_TEXT, MATCHING_ARTICLES, fts_query, matches_as_typed


@dataclass(frozen=True)
class ExportFilter:
    everything: bool = False  # all_articles instead of the CCHC-relevant cchc_articles
    province: str | None = None  # current or former province
    month: str | None = None  # YYYY-MM, or YYYY for a whole year
    site: str | None = None  # registry key
    search: str | None = None
    mode: str | None = None  # phrase (default), all or any: crawler/store/search.py

    def sql(self) -> tuple[str, list]:
        view = "all_articles" if self.everything else "cchc_articles"
        where, params = [], []
        if self.province:
            where.append("(v.province = ? or v.former_province = ?)")
            params += [self.province, self.province]
        if self.month:
            where.append("v.month like ?")
            params.append(self.month + "%")
        if self.site:
            where.append("v.id in (select id from articles where site = ?)")
            params.append(self.site)
        match = fts_query(self.search, self.mode) if self.search else None
        if self.search:  # in the article's text or in a document it attaches (every match: no limit)
            where.append(f"v.id in ({MATCHING_ARTICLES.format(match='?', limit=-1)})")
            params += [match or '""', match or '""']
        clause = (" where " + " and ".join(where)) if where else ""
        documents = DOCUMENTS_TEXT.format(article="v.id") if self.search else "null"
        sql = (f"select v.*, {DOCUMENTS_LIST.format(article='v.id')} as documents, a.body_text as _body, "
               f"{documents} as _documents from {view} v join articles a on a.id = v.id{clause} "
               "order by v.published desc, v.id desc")
        return sql, params


def filter_choices(db_path: str) -> dict[str, list[str]]:
    """What ``--province`` and ``--site`` may name: the provinces of the registry and of the stored articles
    (current and former), and the site keys."""
    with connection(db_path) as con:
        if con is None:
            raise FileNotFoundError(2, "no such file", db_path)
        provinces = [r[0] for r in con.execute(
            "select province from sites union select former_province from sites union select province from articles "
            "union select province_before_2025 from articles") if r[0]]
        sites = [r[0] for r in con.execute("select key from sites union select site from articles") if r[0]]
    return {"provinces": sorted(provinces), "sites": sorted(sites)}


def export_rows(db_path: str, spec: ExportFilter) -> tuple[list[str], Iterator[dict]]:
    """The column names and the rows (a generator: a whole database never sits in memory)."""
    sql, params = spec.sql()
    with connection(db_path) as con:
        if con is None:
            raise FileNotFoundError(f"no database at {db_path}")
        columns = [d[0] for d in con.execute(sql + " limit 0", params).description if d[0] not in ("_body", "_documents")]

    def rows() -> Iterator[dict]:
        with connection(db_path) as con:
            try:
                for row in con.execute(sql, params):
                    record = dict(row)
                    body, documents = record.pop("_body"), record.pop("_documents")
                    if spec.search and not (matches_as_typed(spec.search, spec.mode, record["title"], record["lead"], body)
                                            or matches_as_typed(spec.search, spec.mode, documents)):
                        continue
                    yield record
            except sqlite3.OperationalError as exc:
                raise ValueError(f"cannot export: {exc}") from exc

    return columns, rows()
