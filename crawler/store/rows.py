"""An article as a stored row, its entries in the full-text index and ``article_topics``, and what writing one
reports (``WriteResult``, ``ROW_ERRORS``): shared by the nightly writer (crawler/store/articles.py) and the bulk
import (crawler/store/bulk.py)."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from crawler.store.schema import COLUMN_FIELDS, FTS_COLUMNS, JSON_FIELDS
from crawler.vi.text import d_folded_terms, repair_unstorable


@dataclass
class WriteResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    sources_added: int = 0
    rejected: int = 0


# Errors of one row (a value SQLite cannot bind or hold, a constraint), as opposed to errors of the database
# (disk full, read-only, corrupt: sqlite3.OperationalError / DatabaseError), which stop the writer.
ROW_ERRORS = (sqlite3.IntegrityError, sqlite3.InterfaceError, sqlite3.DataError, ValueError, TypeError,
              OverflowError, UnicodeError)


FTS_INSERT = (f"insert into articles_fts (rowid, {', '.join(FTS_COLUMNS)}) "
              f"values (?, {', '.join('?' * len(FTS_COLUMNS))})")


def stored_row(item) -> dict:
    """The ``articles`` row of an item: every field as SQLite stores it (JSON fields as text, the bodies as plain
    text), with the "đ" search terms."""
    row = {name: repair_unstorable(item.get(name)) for name in COLUMN_FIELDS}
    for name in JSON_FIELDS:
        if row[name] is not None:
            row[name] = json.dumps(row[name], ensure_ascii=False)
    row["from_cchc_section"] = int(bool(row["from_cchc_section"]))
    row["search_extra"] = d_folded_terms(row["title"], row["lead"], row["body_text"])
    return row


def cchc_flag(row: dict) -> int:
    """articles.cchc of a row being written (schema.CCHC_EXPRESSION, in Python): relevant and not removed."""
    relevant = (row.get("relevance") or 0) >= 0.5 or bool(row.get("from_cchc_section"))
    return int(relevant and (row.get("status") or "active") != "removed")


def fts_values(article_id: int, row: dict) -> list:
    return [article_id, *(row[column] for column in FTS_COLUMNS)]


def topic_rows(article_id: int, row: dict) -> list[tuple[str, int]]:
    return [(topic, article_id) for topic in (json.loads(row["topics"]) if row.get("topics") else [])]


# After the article's row is written: its cchc flag (articles.cchc, see cchc_flag) goes with each topic row.
TOPICS_INSERT = ("insert or ignore into article_topics (topic, article_id, cchc) "
                 "values (?, ?, (select cchc from articles where id = ?))")


def index_text(conn, article_id: int, row: dict) -> None:
    """The article's full-text entry and its topic rows (the index is kept by the writer, not by triggers)."""
    conn.execute(FTS_INSERT, fts_values(article_id, row))
    conn.executemany(TOPICS_INSERT, [(t, a, a) for t, a in topic_rows(article_id, row)])


def unindex(conn, article_id: int) -> None:
    """Take the stored version out of the full-text index and out of ``article_topics``, before the row changes:
    FTS5's 'delete' is given the text that was indexed, read from the row itself."""
    *old, topics = conn.execute(f"select {', '.join(FTS_COLUMNS)}, topics from articles where id = ?",
                                [article_id]).fetchone()
    conn.execute(f"insert into articles_fts (articles_fts, rowid, {', '.join(FTS_COLUMNS)}) "
                 f"values ('delete', ?, {', '.join('?' * len(FTS_COLUMNS))})", [article_id, *old])
    # article_topics is keyed (topic, article_id), with no index on the article: its old topics say which rows
    conn.executemany("delete from article_topics where topic = ? and article_id = ?", topic_rows(article_id, {"topics": topics}))
