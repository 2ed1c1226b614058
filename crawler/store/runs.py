"""``crawl_runs``: one row per site and run (figures, monitors' findings, verdict), and the history the
monitors and ``health`` compare a run with. Functions of an open database (``db``: sqlite-utils, the store's
own connection, crawler/store/door.py)."""
from __future__ import annotations

import json
import sqlite3

COUNT_COLUMNS = ("new", "updated", "duplicates", "unchanged", "removed")


def _rows(db, sql: str, params=()) -> list[sqlite3.Row]:
    cursor = db.conn.cursor()
    cursor.row_factory = sqlite3.Row
    return cursor.execute(sql, params).fetchall()


def insert_run(db, row: dict) -> None:
    """A run's row (a crawl's own, after its last batch; a distributed worker's, as the writer received it)."""
    with db.atomic():
        db["crawl_runs"].insert(row, pk="run_id", replace=True, alter=True)


def set_run_counts(db, counts_by_run: dict[str, dict]) -> None:
    """The distributed writer's final article counts on its workers' rows."""
    with db.atomic():
        for run_id, counts in counts_by_run.items():
            db.execute(f"update crawl_runs set {', '.join(f'{c} = ?' for c in COUNT_COLUMNS)} where run_id = ?",
                       [counts.get(c, 0) for c in COUNT_COLUMNS] + [run_id])


def record_monitor_result(db, run_id: str, failures: list[str], verdict: str, reason: str) -> None:
    """The monitors' findings and the run's final verdict."""
    with db.atomic():
        db.execute("update crawl_runs set monitor_status = ?, monitor_failures = ?, verdict = ?, verdict_reason = ? "
                   "where run_id = ?", ["failed" if failures else "passed", json.dumps(failures, ensure_ascii=False),
                                        verdict, reason, run_id])


def recorded_verdicts(db, run_ids: list[str]) -> dict[str, tuple[str, str]]:
    """run_id -> (verdict, reason) as recorded (by the run and its monitors)."""
    found = {}
    for run_id in run_ids:
        row = db.execute("select verdict, verdict_reason from crawl_runs where run_id = ?", [run_id]).fetchone()
        if row and row[0]:
            found[run_id] = (row[0], row[1] or "")
    return found


def newest_publication_dates(db, site: str, limit: int = 30) -> list[str]:
    """The site's newest publication dates (UTC ISO), newest first."""
    return [r[0] for r in db.execute("select published_at from articles where site = ? and published_at is not "
                                     "null order by published_at desc limit ?", [site, limit])]


def body_length_history(db, site: str, run_id: str, limit: int = 5):
    """(this run's median body length, the medians of the site's previous runs with articles)."""
    now = db.execute("select median_body_length from crawl_runs where run_id = ?", [run_id]).fetchone()
    past = [r[0] for r in db.execute(
        "select median_body_length from crawl_runs where site = ? and run_id != ? and median_body_length > 0 "
        "order by started_at desc limit ?", [site, run_id, limit])]
    return (now[0] if now else None), past


def runs_by_site(db) -> tuple[dict[str, list[dict]], dict[str, str]]:
    """Every run per site, oldest first, and each site's newest publication date."""
    runs: dict[str, list[dict]] = {}
    for row in _rows(db, "select * from crawl_runs order by started_at"):
        runs.setdefault(row["site"], []).append(dict(row))
    newest = {r[0]: r[1] for r in db.execute("select site, max(published_at) from articles group by site")}
    return runs, newest
