"""Reading a stored database the way a downstream user does: Python's sqlite3 with no function registered, and the
`sqlite3` command-line shell when the machine has one (issue 34: pandas, R, DB Browser and the shell must read
every table and view, the article text as text, without this project's code)."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess

SQLITE3_CLI = shutil.which("sqlite3")


def tables_and_views(db) -> list[tuple[str, str]]:
    con = sqlite3.connect(db)
    try:
        return con.execute("select type, name from sqlite_master where type in ('table', 'view') "
                           "order by type, name").fetchall()
    finally:
        con.close()


def unreadable_with_plain_sqlite(db) -> list[str]:
    """Every table and view read in full through a connection with no project function: what fails, and any body
    stored as anything but text. Empty when a plain SQLite client reads it all."""
    problems = []
    con = sqlite3.connect(db)
    try:
        for kind, name in tables_and_views(db):
            try:
                con.execute(f"select * from [{name}]").fetchall()
            except sqlite3.Error as exc:
                problems.append(f"{kind} {name}: {exc}")
        kinds = con.execute("select distinct typeof(body_text), typeof(body_html) from articles").fetchall()
        problems += [f"articles bodies stored as {k}" for k in kinds if not set(k) <= {"text", "null"}]
        names = {name for _, name in tables_and_views(db)}
        for index in ("articles_fts", "documents_fts"):  # each index agrees with the text it reads from its table
            if index not in names:
                continue
            try:
                con.execute(f"insert into {index} ({index}, rank) values ('integrity-check', 1)")
            except sqlite3.Error as exc:
                problems.append(f"{index} integrity-check: {exc}")
        if "documents" in names:
            kinds = con.execute("select distinct typeof(text) from documents").fetchall()
            problems += [f"documents text stored as {k}" for (k,) in kinds if k not in ("text", "null")]
    finally:
        con.close()
    return problems


def sqlite3_shell(db, sql: str) -> subprocess.CompletedProcess:
    """``sqlite3 -bail DB SQL`` (the shell registers none of this project's functions). Decoded with replacement:
    article_minhash holds binary signatures, which the shell prints as they are."""
    result = subprocess.run([SQLITE3_CLI, "-bail", str(db), sql], capture_output=True, timeout=120)
    return subprocess.CompletedProcess(result.args, result.returncode, result.stdout.decode("utf-8", "replace"),
                                       result.stderr.decode("utf-8", "replace"))


def unreadable_with_sqlite3_shell(db) -> list[str]:
    """The same through the `sqlite3` shell: a count and the first rows of every table and view."""
    problems = []
    for kind, name in tables_and_views(db):
        result = sqlite3_shell(db, f"select count(*) from [{name}]; select * from [{name}] limit 3;")
        if result.returncode != 0 or result.stderr.strip():
            problems.append(f"{kind} {name}: {result.stderr.strip() or result.returncode}")
    return problems
