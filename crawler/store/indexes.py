"""The secondary indexes a bulk import drops while it loads (crawler/store/bulk.py), and their repair.

An import drops them, loads, and builds them again at the end (a sorted build instead of a million random
inserts). An import that is killed, or stops on a full disk, used to leave them dropped: every later crawl and
every Datasette page then scanned whole tables, and nothing said why. Now the import holds a lock file beside
the database while it runs (``<db>.import-lock``, an flock the kernel drops when the process dies), and every
open of the database (``open_database``: a crawl, ``health``, ``browse``, the next import) builds the missing
ones again when no import holds that lock, and says so.
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from pathlib import Path

from crawler.store.schema import BROWSE_INDEXES

logger = logging.getLogger(__name__)

# The non-unique indexes of the tables an import fills, except the story index, which the writer's path reads
# for every near-duplicate (the first source of its story). The unique ones (content hash, URL) always stay.
DEFERRED_INDEXES = {
    "idx_articles_published_at": "articles (published_at)", "idx_articles_site": "articles (site)",
    "idx_articles_province": "articles (province)",
    "idx_articles_published_month": "articles (published_month)", "idx_articles_status": "articles (status)",
    "idx_article_urls_article_id": "article_urls (article_id)", "idx_article_urls_site": "article_urls (site)",
    **{name: f"articles ({columns})" for name, columns in BROWSE_INDEXES.items()},
    "article_topics_cchc_topic": "article_topics (cchc, topic)",
}


class ImportRunning(RuntimeError):
    """Another import into the same database holds its lock."""


def _lock_path(db_path) -> Path:
    return Path(str(db_path) + ".import-lock")


@contextlib.contextmanager
def import_lock(db_path):
    """Held by an import for as long as it may have indexes dropped."""
    path = _lock_path(db_path)
    fh = open(path, "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        owner = fh.read().strip() or "another process"
        fh.close()
        raise ImportRunning(f"another import into {db_path} is running ({owner})") from None
    fh.seek(0)
    fh.truncate()
    fh.write(f"pid {os.getpid()}\n")
    fh.flush()
    try:
        yield
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


def import_running(db_path) -> bool:
    path = _lock_path(db_path)
    if not path.exists():
        return False
    with open(path) as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
    return False


def _columns_indexed(conn, table: str) -> set[tuple[str, ...]]:
    """The column lists of ``table``'s indexes (an index made by an older version under another name counts)."""
    found = set()
    for index in conn.execute(f"pragma index_list([{table}])").fetchall():
        found.add(tuple(r[2] for r in conn.execute(f"pragma index_info([{index[1]}])")))
    return found


def missing_indexes(conn) -> list[str]:
    """The deferred indexes the database lacks (none on a database without articles yet)."""
    tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    if not {"articles", "article_urls", "article_topics"} <= tables:
        return []
    present = {r[0] for r in conn.execute("select name from sqlite_master where type = 'index'")}
    missing = []
    for name, target in DEFERRED_INDEXES.items():
        table, columns = target.split(" ", 1)
        if name not in present and tuple(c.strip() for c in columns.strip("()").split(",")) not in \
                _columns_indexed(conn, table):
            missing.append(name)
    return missing


def build(conn, names) -> None:
    for name in names:
        conn.execute(f"create index if not exists [{name}] on {DEFERRED_INDEXES[name]}")


def restore_dropped_indexes(conn, db_path) -> tuple[list[str], str]:
    """Build the deferred indexes an interrupted import left dropped, inside the caller's transaction:
    (the names built, a note for a person; both empty when nothing was missing)."""
    missing = missing_indexes(conn)
    if not missing:
        return [], ""
    if import_running(db_path):
        note = (f"an import into {db_path} is running: {len(missing)} secondary indexes are dropped until it ends "
                "(it builds them again)")
        logger.info(note)
        return [], note
    build(conn, missing)
    note = (f"{db_path}: built {len(missing)} secondary indexes again that an interrupted import had left dropped "
            f"({', '.join(missing[:3])}{', ...' if len(missing) > 3 else ''})")
    logger.warning(note)
    return missing, note
