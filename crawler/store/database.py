"""Opening the database: the one place that connects to SQLite.

``open_database`` is the writer's handle (integrity check, WAL, pragmas, migrations); ``connection`` is a short
connection for the crawl state, the monitors and health, taken after ``migrate`` so that an older file has
today's schema before anything queries it.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from crawler.store import browsing
from crawler.store.indexes import restore_dropped_indexes
from crawler.store.schema import apply_migrations


class DatabaseDamaged(sqlite3.DatabaseError):
    """The database file fails SQLite's integrity check (a damaged page): nothing is written into it."""


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def env_mb(name: str, default: int) -> int:
    raw = os.environ.get(name) or str(default)
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"environment variable {name}={raw!r} must be a whole number of MB (default {default})") from None


def integrity_problems(conn) -> list[str]:
    """What ``PRAGMA quick_check`` finds wrong (empty: the file is sound); a file that is not a database at all
    is one problem."""
    try:
        found = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if found == ["ok"] else found


NOT_A_DATABASE = "file is not a database"  # SQLite's word for a file whose first page is not an SQLite header


def damaged_message(path: str, problems: list[str]) -> str:
    if problems == [NOT_A_DATABASE]:  # another kind of file given by mistake, or a database whose header is damaged
        return (f"{path} is not an SQLite database, or its first page is damaged: nothing was written to it. If it is "
                f"the crawler's database, restore it from a backup, or try: sqlite3 {path} .recover | sqlite3 recovered.db")
    return (f"the database {path} is damaged ({'; '.join(problems)[:300]}): nothing was written to it. Restore it "
            f"from a backup, or recover what is readable with: sqlite3 {path} .recover | sqlite3 recovered.db")


def check_file(path: str) -> list[str]:
    """Every page read (``health``): the problems of a damaged file, empty when it is sound."""
    con = sqlite3.connect(path, timeout=10)
    try:
        return integrity_problems(con)
    finally:
        con.close()


def _refuse_folder(path: str) -> None:
    if Path(path).is_dir():
        raise sqlite3.OperationalError(f"CCHC_DB={path} is a folder, not a database file")


BUSY_SECONDS = 10.0  # how long a writer waits for another process's lock (PRAGMA busy_timeout, and below)


def _enable_wal(db: sqlite_utils.Database) -> None:
    """Switch the file to WAL, waiting for other processes meanwhile. SQLite answers "database is locked" at once,
    without its busy handler, when two connections switch a new file's journal mode together (two crawls
    started by one cron line: tests/test_faults.py::test_two_writers_and_a_reader_at_once failed two of four
    full test runs), so the switch is retried for as long as a busy lock is waited for elsewhere."""
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            db.enable_wal()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def open_database(path: str) -> sqlite_utils.Database:
    """The writer's connection, schema current. Quick-checked first on files up to CCHC_DB_CHECK_MAX_MB (default
    2048; it reads every page, about a second per few hundred MB): a damaged page stops the crawl before it
    writes into the file. Bigger databases are checked by ``python -m crawler health``."""
    _refuse_folder(path)
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        size = Path(path).stat().st_size if Path(path).exists() else 0
        db = sqlite_utils.Database(path)
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
        if not size:
            # A new file: 4 KB pages (SQLite's default, said here because it matters). With the bodies as plain text
            # a row is ~10 KB: on 16 KB pages a leaf holds one such row and leaves 29% of the table empty (17.9 KB
            # per article, bench/database.py); on 4 KB pages the row's tail goes to overflow pages that SQLite fills
            # exactly, and the small columns, first in the row, stay in the leaf: 14.8 KB. (Schema 4's compressed
            # 3 KB rows had 16 KB pages.) Only takes effect before the first table; a file keeps its page size.
            db.execute("PRAGMA page_size = 4096")
    except (OSError, sqlite3.Error) as exc:
        raise sqlite3.OperationalError(f"cannot open the database {path}: {exc}") from exc
    if size and size <= env_mb("CCHC_DB_CHECK_MAX_MB", 2048) * 1024 * 1024:
        problems = integrity_problems(db.conn)
        if problems:
            db.close()
            raise DatabaseDamaged(damaged_message(path, problems))
    _enable_wal(db)
    # With WAL, NORMAL is safe from corruption (a power cut may lose the last commits, which the next run
    # fetches again) and saves an fsync per batch.
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute(f"PRAGMA cache_size = -{env_mb('CCHC_DB_CACHE_MB', 32) * 1024}")  # KiB: a big database's indexes stay in memory
    with immediate(db):
        apply_migrations(db)
        browsing.refresh(db)  # label tables from the TOML files; the reading views when their SQL changed
        # indexes an interrupted bulk import left dropped (crawler/store/indexes.py); the note is for `health`
        _, db.cchc_index_note = restore_dropped_indexes(db.conn, path)
    return db


def refresh_statistics(db, full: bool = False) -> None:
    """The query planner's statistics (sqlite_stat1). Without them SQLite read the reading view filtered by month
    through the province index, 600,000 entries (3.1 s instead of 38 ms at a million articles). A full ANALYZE
    (``full``, or when the articles have none yet: cheap on a young database) reads every index, 15 s at a
    million articles: after a bulk import. A writer's close runs PRAGMA optimize, which analyzes again only
    tables that changed a lot. (Sampled statistics, ANALYZE with analysis_limit, misled the planner worse than
    none: the indexes lead with the 0/1 cchc flag.) A database another process is writing keeps its statistics."""
    try:
        known = db.execute("select 1 from sqlite_master where name = 'sqlite_stat1'").fetchone() and \
            db.execute("select 1 from sqlite_stat1 where tbl = 'articles' limit 1").fetchone()
        db.execute("ANALYZE" if full or not known else "PRAGMA optimize")
    except sqlite3.OperationalError:
        pass


@contextlib.contextmanager
def immediate(db: sqlite_utils.Database):
    """A BEGIN IMMEDIATE transaction: another process writing the same file waits (busy timeout) instead of
    racing us between a check and an insert."""
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


_MIGRATED: set[str] = set()


def migrate(path: str | Path | None) -> str:
    """Bring an existing database to today's schema (and check it is not damaged, and build indexes an
    interrupted import left dropped) before anything reads it: every reader (known URLs, health, monitors, the
    run summary) calls this first. Once per file and process; a missing file is left alone (the first write
    creates it). Returns what a person should know about the indexes (``health`` prints it), or ""."""
    if path:
        _refuse_folder(str(path))
    if not path or not Path(path).is_file():
        return ""
    key = str(Path(path).resolve())
    if key in _MIGRATED:
        return ""
    db = open_database(str(path))
    note = db.cchc_index_note
    db.close()
    _MIGRATED.add(key)
    return note


@contextlib.contextmanager
def connection(path: str | None):
    """A short connection (rows by name) to a migrated database, or None when there is no database yet."""
    if not path or not Path(path).exists():
        yield None
        return
    migrate(path)
    con = sqlite3.connect(path, timeout=10)
    con.row_factory = sqlite3.Row
    try:
        yield con
    finally:
        con.close()
