"""``crawl_runs``: one row per site and run (figures, monitors' findings, verdict), and the history the
monitors and ``health`` compare a run with."""
from __future__ import annotations

import json

from crawler.store.articles import ArticleStore
from crawler.store.database import connection

COUNT_COLUMNS = ("new", "updated", "duplicates", "unchanged", "removed")


def record_run(db_path: str, row: dict) -> None:
    """The run's row, written after the store's last batch (so that its counts and the articles agree)."""
    store = ArticleStore.shared(db_path)
    try:
        store.flush()
        with store.db.atomic():
            store.db["crawl_runs"].insert(row, pk="run_id", replace=True, alter=True)
    finally:
        store.release()


def insert_run(store: ArticleStore, row: dict) -> None:
    """A worker's row, as the distributed writer received it."""
    store.db["crawl_runs"].insert(row, pk="run_id", replace=True, alter=True)


def set_run_counts(store: ArticleStore, counts_by_run: dict[str, dict]) -> None:
    """The distributed writer's final article counts on its workers' rows."""
    with store.db.atomic():
        for run_id, counts in counts_by_run.items():
            store.db.execute(f"update crawl_runs set {', '.join(f'{c} = ?' for c in COUNT_COLUMNS)} where run_id = ?",
                             [counts.get(c, 0) for c in COUNT_COLUMNS] + [run_id])


def record_monitor_result(db_path: str, run_id: str, failures: list[str], verdict: str, reason: str) -> bool:
    """The monitors' findings and the run's final verdict; False when there is no database."""
    with connection(db_path) as con:
        if con is None:
            return False
        with con:
            con.execute("update crawl_runs set monitor_status = ?, monitor_failures = ?, verdict = ?, "
                        "verdict_reason = ? where run_id = ?",
                        ["failed" if failures else "passed", json.dumps(failures, ensure_ascii=False), verdict,
                         reason, run_id])
    return True


def recorded_verdicts(db_path: str | None, run_ids: list[str]) -> dict[str, tuple[str, str]]:
    """run_id -> (verdict, reason) as recorded (by the run and its monitors)."""
    found = {}
    with connection(db_path) as con:
        if con is None:
            return found
        for run_id in run_ids:
            row = con.execute("select verdict, verdict_reason from crawl_runs where run_id = ?", [run_id]).fetchone()
            if row and row[0]:
                found[run_id] = (row[0], row[1] or "")
    return found


def newest_publication_dates(db_path: str | None, site: str, limit: int = 30) -> list[str] | None:
    """The site's newest publication dates (UTC ISO), newest first; None when there is no database."""
    with connection(db_path) as con:
        if con is None:
            return None
        return [r[0] for r in con.execute("select published_at from articles where site = ? and published_at is not "
                                          "null order by published_at desc limit ?", [site, limit])]


def body_length_history(db_path: str | None, site: str, run_id: str, limit: int = 5):
    """(this run's median body length, the medians of the site's previous runs with articles); None without a
    database."""
    with connection(db_path) as con:
        if con is None:
            return None
        now = con.execute("select median_body_length from crawl_runs where run_id = ?", [run_id]).fetchone()
        past = [r[0] for r in con.execute(
            "select median_body_length from crawl_runs where site = ? and run_id != ? and median_body_length > 0 "
            "order by started_at desc limit ?", [site, run_id, limit])]
    return (now[0] if now else None), past


def runs_by_site(db_path: str) -> tuple[dict[str, list[dict]], dict[str, str]]:
    """Every run per site, oldest first, and each site's newest publication date."""
    with connection(db_path) as con:
        runs: dict[str, list[dict]] = {}
        for row in con.execute("select * from crawl_runs order by started_at"):
            runs.setdefault(row["site"], []).append(dict(row))
        newest = {r[0]: r[1] for r in con.execute("select site, max(published_at) from articles group by site")}
    return runs, newest
