"""Fault injection for the reliability tests (tests/test_faults.py, tests/test_bulk_import.py), outside the
product: a test runs a crawl with ``harness.faults.database_fault(kind)`` in its environment, which puts
this folder on PYTHONPATH, so Python imports this module at start-up, before the crawler; it wraps
``open_database`` so that every connection the crawl opens refuses to write, as a full disk or a read-only file
would. ``kill_after(target)`` makes the process SIGKILL itself at a known point of its work (below)."""
import os

_FAULT = os.environ.get("CCHC_TESTING_DB_FAULT")
_PRAGMAS = {"full-disk": "PRAGMA max_page_count = 1",  # below the file's size: no page may be added
            "read-only": "PRAGMA query_only = 1"}

if _FAULT:
    if _FAULT not in _PRAGMAS:
        raise SystemExit(f"CCHC_TESTING_DB_FAULT={_FAULT!r}: use one of {sorted(_PRAGMAS)}")
    import crawler.store.database as database

    _open = database.open_database

    import sqlite3

    _WRITES = (sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE)

    def _no_room(action, *args):
        """A full disk refuses every write. max_page_count alone does not: rows still fit in the free space of
        pages the file already has (with 16 KB pages, a dozen articles did), where a real full disk would have
        refused the first WAL frame."""
        return sqlite3.SQLITE_DENY if action in _WRITES else sqlite3.SQLITE_OK

    def open_database(path):
        db = _open(path)
        db.execute(_PRAGMAS[_FAULT])
        if _FAULT == "full-disk":
            db.conn.set_authorizer(_no_room)
        return db

    # importing crawler.store.database ran the package's front door (crawler/store/__init__.py), whose modules
    # already hold the original by name: replace it there too
    import sys

    for _module in list(sys.modules.values()):
        if getattr(_module, "open_database", None) is _open:
            _module.open_database = open_database

# CCHC_TESTING_KILL_AFTER="module:Class.method": the process SIGKILLs itself when that method first returns, at a
# known moment of its work (an import that has dropped its indexes and loaded a chunk), as `kill -9` would.
_KILL_AFTER = os.environ.get("CCHC_TESTING_KILL_AFTER")

if _KILL_AFTER:
    import importlib
    import signal

    _module, _, _qualname = _KILL_AFTER.partition(":")
    _owner_name, _, _method = _qualname.rpartition(".")
    _owner = getattr(importlib.import_module(_module), _owner_name) if _owner_name else importlib.import_module(_module)
    _original = getattr(_owner, _method)

    def _then_die(*args, **kwargs):
        result = _original(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(_owner, _method, _then_die)
