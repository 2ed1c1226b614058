"""Versions and archived responses of articles (schema 8, issue 33).

- ``article_archive``: where the response of an article's current version is in the WARC archive (file, offset,
  when it was fetched) and when that response was last read again (``reextracted_at``);
- ``article_versions``: every earlier version, now with why it was replaced (``reason``: "edited" when the page
  at the source changed, "re-extracted" when today's extraction read the same archived response differently),
  the fields that changed (``changed``, a JSON list), the old values of those outside the version's own columns
  (``earlier``, JSON) and where that version's response is (``warc_file``, ``warc_offset``).
"""
from __future__ import annotations

import json

from crawler.store.rows import stored_row
from crawler.store.schema import COLUMN_FIELDS, VERSION_FIELDS, _add_missing_columns

EDITED, REEXTRACTED = "edited", "re-extracted"
# The fields a new reading of a page can change (the URL and the first crawl time are the row's identity), as the
# articles table holds them (attachments are rows of article_documents: a re-reading fetches no document).
COMPARED_FIELDS = tuple(f for f in COLUMN_FIELDS if f not in ("url", "crawled_at"))
_SELECT_COMPARED = f"select {', '.join(f'[{f}]' for f in COMPARED_FIELDS)} from articles where id = ?"
ARCHIVE_INSERT = ("insert or replace into article_archive (article_id, warc_file, warc_offset, fetched_at) "
                  "values (?, ?, ?, ?)")


def create_archive_tables(db) -> None:
    """Where each article version's response is in the WARC archive (issue 33): ``article_archive`` (per article:
    file, offset, fetch time, last re-extraction; narrow, so retention and ``reextract`` never read the wide rows);
    ``article_versions`` gains why a version was replaced ("edited" at the source, or "re-extracted"), the fields
    that changed, the old values of those outside its columns, and where its response is."""
    conn = db.conn
    conn.execute("create table if not exists article_archive (article_id integer primary key references articles(id), "
                 "warc_file text not null, warc_offset integer not null, fetched_at text, reextracted_at text)")
    conn.execute("create index if not exists article_archive_file on article_archive (warc_file)")
    conn.execute("create index if not exists article_archive_fetched on article_archive (fetched_at)")
    _add_missing_columns(db["article_versions"], {"reason": str, "changed": str, "earlier": str, "warc_file": str,
                                                  "warc_offset": int})
    conn.execute("update article_versions set reason = 'edited' where reason is null")


def stored_fields(conn, article_id: int) -> dict | None:
    row = conn.execute(_SELECT_COMPARED, [article_id]).fetchone()
    return None if row is None else dict(zip(COMPARED_FIELDS, row))


def differences(old: dict, new: dict) -> dict[str, tuple]:
    """field -> (stored value, new value) of the compared fields that differ (rows as ``stored_row`` makes them)."""
    return {f: (old.get(f), new.get(f)) for f in COMPARED_FIELDS if f in new and old.get(f) != new.get(f)}


def keep_version(conn, article_id: int, now: str, reason: str, new: dict) -> None:
    """The stored version of ``article_id`` into ``article_versions``, before ``new`` replaces it."""
    old = stored_fields(conn, article_id) or {}
    changed = differences(old, new)
    seen_from, = conn.execute(
        "select max(coalesce(a.updated_at, a.first_seen_at), coalesce(r.reextracted_at, '')) from articles a "
        "left join article_archive r on r.article_id = a.id where a.id = ?", [article_id]).fetchone()
    archived = conn.execute("select warc_file, warc_offset from article_archive where article_id = ?",
                            [article_id]).fetchone() or (None, None)
    conn.execute(
        f"insert into article_versions (article_id, {', '.join(VERSION_FIELDS)}, seen_from, replaced_at, reason, "
        f"changed, earlier, warc_file, warc_offset) values (?, {', '.join('?' * len(VERSION_FIELDS))}, ?, ?, ?, ?, ?, ?, ?)",
        [article_id, *(old.get(f) for f in VERSION_FIELDS), seen_from, now, reason,
         json.dumps(sorted(changed)), json.dumps({f: old.get(f) for f in sorted(changed) if f not in VERSION_FIELDS},
                                                 ensure_ascii=False), *archived])


def set_archived(conn, article_id: int, archive) -> None:
    """The current version's response: ``archive`` is the item's ``archive_record`` [file, offset, fetched at]."""
    if archive:
        conn.execute(ARCHIVE_INSERT, [article_id, archive[0], int(archive[1]), archive[2] if len(archive) > 2 else None])


def link_if_missing(conn, url: str, archive) -> None:
    """The archived response of the article stored at ``url``, if it has none yet."""
    conn.execute("insert or ignore into article_archive (article_id, warc_file, warc_offset, fetched_at) "
                 "select article_id, ?, ?, ? from article_urls where url = ?",
                 [archive[0], int(archive[1]), archive[2] if len(archive) > 2 else None, url])


def mark_reextracted(conn, article_id: int, now: str) -> None:
    conn.execute("update article_archive set reextracted_at = ? where article_id = ?", [now, article_id])


def forget_files(conn, names: list[str]) -> int:
    """Locations in archive files that retention deleted: forgotten (the articles and versions stay)."""
    if not names:
        return 0
    marks = ", ".join("?" * len(names))
    gone = conn.execute(f"delete from article_archive where warc_file in ({marks})", names).rowcount
    conn.execute(f"update article_versions set warc_file = null, warc_offset = null where warc_file in ({marks})", names)
    return gone


def archived_articles(conn, site: str | None, since: str | None, after_id: int, limit: int) -> list[dict]:
    """The next ``limit`` archived articles after ``after_id`` (by id), of ``site`` and fetched since ``since``."""
    where, params = ["r.article_id > ?"], [after_id]
    if site:
        where.append("a.site = ?")
        params.append(site)
    if since:
        where.append("r.fetched_at >= ?")
        params.append(since)
    rows = conn.execute(
        "select r.article_id, r.warc_file, r.warc_offset, r.fetched_at, a.url, a.site, a.crawled_at, a.from_cchc_section "
        f"from article_archive r join articles a on a.id = r.article_id where {' and '.join(where)} "
        f"order by r.article_id limit {int(limit)}", params).fetchall()
    keys = ("id", "warc_file", "warc_offset", "fetched_at", "url", "site", "crawled_at", "from_cchc_section")
    return [dict(zip(keys, row)) for row in rows]


def repeated_titles(conn, site: str | None, at_least: int) -> list[tuple[str, str]]:
    """(site, title) that a site gives ``at_least`` stored articles (the check of titles a site repeats)."""
    where = "where site = ? " if site else ""
    return conn.execute(f"select site, title from articles {where}group by site, title having count(*) >= ?",
                        [site, at_least] if site else [at_least]).fetchall()


def archive_location(conn, url: str) -> tuple[str, int, str] | None:
    """(file, offset, site) of the archived response of the article stored at ``url``."""
    return conn.execute("select r.warc_file, r.warc_offset, a.site from article_urls u "
                        "join article_archive r on r.article_id = u.article_id join articles a on a.id = u.article_id "
                        "where u.url = ?", [url]).fetchone()


def archive_summary(conn) -> tuple[int, int, str | None, int | None]:
    """(articles with an archived response, distinct files, the newest location's file and offset)."""
    count, files = conn.execute("select count(*), count(distinct warc_file) from article_archive").fetchone()
    newest = conn.execute("select warc_file, warc_offset from article_archive order by fetched_at desc, article_id desc "
                          "limit 1").fetchone() or (None, None)
    return count, files, *newest


class Revisions:
    """``ArticleStore``'s re-reading of stored articles (``python -m crawler reextract``), through its batch."""

    def revise(self, article_id: int, item: dict, reason: str) -> None:
        """Queue a new reading of stored article ``article_id`` (``reextract``: the same archived response read by
        today's extraction): written with the batch as a new version, its old one kept in ``article_versions`` with
        ``reason``. Its URLs, status, removal and first crawl stay as they are."""
        row = stored_row(item)
        row["_signature"] = item.get("story_signature")
        row["_revise"] = (article_id, reason)
        if self.batch.add_row(row):
            self.flush()

    def differences(self, article_id: int, item: dict) -> dict[str, tuple] | None:
        """field -> (stored, new) where ``item`` differs from the stored article (None: no such article)."""
        old = stored_fields(self.db.conn, article_id)
        return None if old is None else differences(old, stored_row(item))

    def _revise(self, article_id: int, reason: str, row: dict, now: str, result: WriteResult, minhash) -> None:
        """A stored article read again (``revise``): a new version, unless it now reads as another stored article."""
        other = self.article_id_for_hash(row["content_hash"])
        if other is not None and other != article_id:  # the same text as another article: left as it is
            result.unchanged += 1
            return
        old = stored_fields(self.db.conn, article_id)
        if old is None or not differences(old, row):
            result.unchanged += 1
            return
        keep_version(self.db.conn, article_id, now, reason, row)
        self._unindex(article_id)
        update = {k: v for k, v in row.items() if k not in ("url", "crawled_at", "site")}
        update["published_month"] = (row.get("published_at_local") or "")[:7] or None
        self.db["articles"].update(article_id, update)
        self._index_text(article_id, row)
        mark_reextracted(self.db.conn, article_id, now)
        if (old.get("title"), old.get("body_text")) != (row.get("title"), row.get("body_text")):
            self.stories.assign(article_id, row["title"], row["body_text"], minhash)
        elif old.get("published_at") != row.get("published_at"):  # the first source of its story may change
            story = self.db.execute("select story_id from articles where id = ?", [article_id]).fetchone()[0]
            self.stories.first_source(story or article_id)
        result.updated += 1

