"""The documents articles attach: ``documents`` (one row per distinct file, by the sha256 of its bytes, with its
text as plain TEXT and the header of a Vietnamese administrative document), ``document_urls`` (the last answer at
each document URL: its file and the validators for a conditional request on a later night) and
``article_documents`` (which article attaches which document, in page order, with the error of one that could
not be fetched or read). ``documents_fts`` indexes the documents' text (external content over ``documents``,
like articles_fts), so that a search finds a notice by words that only its PDF holds.
"""
from __future__ import annotations

import json

from crawler.vi.text import d_folded_terms, repair_unstorable

# The attachment entry's fields (crawler/article.schema.json, attachments.items) that describe the file itself,
# stored once per sha256; `url`, `name` and a fetch's `error` belong to the link (article_documents).
DOCUMENT_FIELDS = ("content_type", "bytes", "pages", "text_source", "doc_type", "doc_number", "issued_date",
                   "issuer", "place", "subject", "signed_at", "signer", "ocr_pages", "ocr_pending", "notes", "error")
JSON_DOCUMENT_FIELDS = ("ocr_pages", "ocr_pending", "notes")
DOCUMENTS_FTS_COLUMNS = ["subject", "doc_number", "issuer", "text", "search_extra"]
FTS_TOKENIZE = "unicode61 remove_diacritics 2"  # as articles_fts (crawler/store/schema.py)


def create_document_tables(conn) -> None:
    """Schema 7's tables, view and index (crawler/store/schema.py, m007_documents). The text goes last in the
    row, after the small columns a listing or a facet reads."""
    conn.execute("""create table if not exists documents (
        id integer primary key, sha256 text not null unique, content_type text, bytes integer, pages integer,
        text_source text, doc_type text, doc_number text, issued_date text, issuer text, place text, subject text,
        signed_at text, signer text, ocr_pages text, ocr_pending text, notes text, error text,
        first_seen_at text, read_at text, search_extra text, text text)""")
    conn.execute("create index if not exists documents_type on documents (doc_type, issued_date)")
    conn.execute("create index if not exists documents_issuer on documents (issuer)")
    conn.execute(f"create virtual table if not exists documents_fts using fts5({', '.join(DOCUMENTS_FTS_COLUMNS)}, "
                 f"content='documents', content_rowid='id', tokenize='{FTS_TOKENIZE}')")
    conn.execute("""create table if not exists document_urls (
        url text primary key, sha256 text, content_type text, etag text, last_modified text, checked_at text)""")
    conn.execute("create index if not exists document_urls_sha256 on document_urls (sha256)")
    conn.execute("""create table if not exists article_documents (
        article_id integer not null references articles(id), position integer not null, url text not null,
        name text, sha256 text, error text, primary key (article_id, position))""")
    conn.execute("create index if not exists article_documents_sha256 on article_documents (sha256)")


# ---- reads ---------------------------------------------------------------------------------------------------------

def stored_document(conn, sha256: str) -> dict | None:
    """The stored reading of the file with this sha256, as an attachment entry's fields (with ``text`` and
    ``sha256``), or None."""
    cursor = conn.execute(f"select sha256, text, {', '.join(DOCUMENT_FIELDS)} from documents where sha256 = ?",
                          [sha256])
    row = cursor.fetchone()
    if row is None:
        return None
    entry = dict(zip([d[0] for d in cursor.description], row))
    for name in JSON_DOCUMENT_FIELDS:
        entry[name] = json.loads(entry[name]) if entry[name] else []
    return entry


def document_at(conn, url: str) -> dict | None:
    """The last answer at a document URL: ``{sha256, content_type, etag, last_modified}``, or None."""
    cursor = conn.execute("select sha256, content_type, etag, last_modified from document_urls where url = ?", [url])
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row)) if row else None


def documents_waiting(conn, site: str, limit: int) -> list[tuple[str, str]]:
    """(url, sha256) of the documents a site's articles attach whose pages still wait for OCR (the night's budget
    ran out, or Tesseract was missing: crawler.documents.model.BUDGET_SPENT / OCR_UNAVAILABLE in their notes)."""
    return [tuple(r) for r in conn.execute(
        "select min(l.url), d.sha256 from documents d join article_documents l on l.sha256 = d.sha256 "
        "join articles a on a.id = l.article_id where a.site = ? and (d.notes like '%OCR budget of the night spent%' "
        "or d.notes like '%OCR unavailable%') group by d.sha256 order by min(a.id) desc limit ?", [site, limit])]


# ---- writes (inside the writer's transaction: crawler/store/articles.py) ------------------------------------------

def _better(new: dict, old: tuple) -> bool:
    """A new reading replaces the stored one when it got further: an error gone, fewer pages waiting for OCR."""
    old_pending, old_error, old_has_text = old
    if old_error and not new.get("error"):
        return True
    return bool(new.get("text")) and len(new.get("ocr_pending") or []) < len(json.loads(old_pending or "[]")) \
        or (not old_has_text and bool(new.get("text")))


def _row(entry: dict) -> dict:
    row = {name: repair_unstorable(entry.get(name)) for name in DOCUMENT_FIELDS}
    for name in JSON_DOCUMENT_FIELDS:
        row[name] = json.dumps(list(row[name] or []), ensure_ascii=False)
    row["text"] = repair_unstorable(entry.get("text")) or None
    row["search_extra"] = d_folded_terms(row["subject"], row["text"])
    return row


def _fts(conn, document_id: int, values: dict, delete: bool = False) -> None:
    columns = ", ".join(DOCUMENTS_FTS_COLUMNS)
    marks = ", ".join("?" * len(DOCUMENTS_FTS_COLUMNS))
    head, first = ("documents_fts, rowid", "'delete', ?") if delete else ("rowid", "?")
    conn.execute(f"insert into documents_fts ({head}, {columns}) values ({first}, {marks})",
                 [document_id, *(values.get(c) for c in DOCUMENTS_FTS_COLUMNS)])


def write_document(conn, entry: dict, now: str) -> bool:
    """Store one reading (an attachment entry with its ``sha256``): inserted, or replacing a less complete one
    (True: the articles that attach it may read differently now, crawler/store/retag.py)."""
    sha = entry["sha256"]
    old = conn.execute(f"select id, ocr_pending, error, text is not null, {', '.join(DOCUMENTS_FTS_COLUMNS)} "
                       "from documents where sha256 = ?", [sha]).fetchone()
    row = _row(entry)
    if old is None:
        columns = ["sha256", *row, "first_seen_at", "read_at"]
        cursor = conn.execute(f"insert into documents ({', '.join(columns)}) values ({', '.join('?' * len(columns))})",
                              [sha, *row.values(), now, now])
        _fts(conn, cursor.lastrowid, row)
        return False
    document_id, *state = old[:4]
    if not _better(entry, tuple(state)):
        return False
    _fts(conn, document_id, dict(zip(DOCUMENTS_FTS_COLUMNS, old[4:])), delete=True)
    conn.execute(f"update documents set {', '.join(f'{c} = ?' for c in row)}, read_at = ? where id = ?",
                 [*row.values(), now, document_id])
    _fts(conn, document_id, row)
    return True


def write_document_url(conn, url: str, sha256: str, content_type: str | None, etag: str | None,
                       last_modified: str | None, now: str) -> None:
    conn.execute("insert or replace into document_urls (url, sha256, content_type, etag, last_modified, checked_at) "
                 "values (?, ?, ?, ?, ?, ?)", [url, sha256, content_type, etag, last_modified, now])


def write_documents(conn, documents: list[tuple], now: str) -> set[str]:
    """A writer's queued documents (crawler/store/batch.py): ``(entry, url, etag, last_modified)`` each. Returns
    the sha256 of those whose stored reading was replaced by a fuller one."""
    replaced = set()
    for entry, url, etag, last_modified in documents:
        if write_document(conn, entry, now):
            replaced.add(entry["sha256"])
        if url:
            write_document_url(conn, url, entry["sha256"], entry.get("content_type"), etag, last_modified, now)
    return replaced


def link_documents(conn, article_id: int, attachments) -> None:
    """The article's attachments, in page order, replacing the links of its earlier version."""
    conn.execute("delete from article_documents where article_id = ?", [article_id])
    conn.executemany("insert into article_documents (article_id, position, url, name, sha256, error) "
                     "values (?, ?, ?, ?, ?, ?)",
                     [(article_id, n, a["url"], repair_unstorable(a.get("name")), a.get("sha256"),
                       repair_unstorable(a.get("error"))) for n, a in enumerate(attachments or []) if a.get("url")])
