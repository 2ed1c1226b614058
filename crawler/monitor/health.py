"""``python -m crawler health``: one line per site from ``crawl_runs``; non-zero exit when any site is failing."""
from __future__ import annotations

import json
import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path

from crawler.discover.extension import guesses_said, on_guesses
from crawler.registry import registry
from crawler.store import Store, check_file, damaged_message, migrate
from crawler.monitor.verdicts import GOOD
from crawler.vi.dates import local_display


def _days_since(iso: str | None, now: datetime) -> float | None:
    if not iso:
        return None
    return (now - datetime.fromisoformat(iso.replace("Z", "+00:00"))).total_seconds() / 86400


def site_health(db_path: str, now: datetime | None = None) -> list[dict]:
    """Per site (every enabled registry site, plus any other site in the database): the last run and its
    verdict, the last successful run, articles new in the last run, days since the newest article."""
    now = now or datetime.now(timezone.utc)
    with Store.opened(db_path) as store:
        runs, newest = store.runs_by_site() if store is not None else ({}, {})
    sites = [s.key for s in registry().values() if s.enabled]
    sites += sorted(set(runs) - set(sites))
    report = []
    for site in sites:
        history = runs.get(site, [])
        last = history[-1] if history else None
        good = [r for r in history if (r.get("verdict") in GOOD if r.get("verdict") else
                                       r["finish_reason"] == "finished" and r["monitor_status"] != "failed" and r["pages"])]
        if last is None:
            status = "never run"
        elif last.get("verdict"):  # the run's verdict, word for word as the run's summary printed it
            status = f"{last['verdict']}: {last.get('verdict_reason') or ''}"
        elif last["finish_reason"] != "finished" or not last["pages"]:
            status = "FAILING: " + (last["finish_reason"] or "no pages")
        elif last["monitor_status"] == "failed":
            status = "FAILING: " + "; ".join(json.loads(last["monitor_failures"] or "[]"))
        else:
            status = "ok"
        report.append({
            "site": site, "last_run": last and last["finished_at"], "last_success": good[-1]["finished_at"] if good else None,
            "new_last_run": last and last["new"], "days_since_newest": _days_since(newest.get(site), now),
            "status": status,
        })
    return report


def print_health(db_path: str, out=sys.stdout, show_never: bool = False) -> int:
    if not Path(db_path).exists():
        print(f"no database at {db_path}: nothing has been crawled yet", file=sys.stderr)
        return 2
    try:
        problems = check_file(db_path)  # every page read: a damaged file is never "ok"
        if problems:
            print(f"FAILING: {damaged_message(db_path, problems)}", file=sys.stderr)
            return 1
        index_note = migrate(db_path)  # also builds indexes an interrupted import left dropped, and says so
    except sqlite3.Error as exc:
        print(f"FAILING: cannot read the database {db_path}: {exc}", file=sys.stderr)
        return 1
    rows = site_health(db_path)
    print(f"{'site':<16} {'last success (VN)':<17} {'new':>4} {'days quiet':>10}  status", file=out)
    failing = 0
    for row in rows:
        if row["status"] == "never run" and not show_never:
            continue
        failing += not row["status"].startswith(("never run", "ok", "quiet"))
        quiet = "" if row["days_since_newest"] is None else f"{row['days_since_newest']:.0f}"
        print(f"{row['site']:<16} {local_display(row['last_success']) or '-':<17} {row['new_last_run'] if row['new_last_run'] is not None else '-':>4} "
              f"{quiet:>10}  {row['status'][:160]}", file=out)
    never = sum(r["status"] == "never run" for r in rows)
    print(f"\n{len(rows) - never} sites crawled, {failing} failing, {never} never run", file=out)
    guessing = on_guesses(db_path, [r["site"] for r in rows if r["status"] != "never run"])
    if guessing:
        print(guesses_said(guessing), file=out)
    if index_note:
        print(f"note: {index_note}", file=out)
    archive_failing, lines = _archive(db_path)
    print("\n".join(lines), file=out)
    return 1 if failing or archive_failing else 0


def _archive(db_path: str) -> tuple[bool, list[str]]:
    """The WARC archive beside the database (or CCHC_ARCHIVE_DIR): writable, and readable back (crawler/archive)."""
    from crawler import settings
    from crawler.archive.check import archive_health
    from crawler.archive.place import folder_for

    with Store.opened(db_path) as store:
        linked, _, *newest = store.archive_summary()
    return archive_health(folder_for(settings.CCHC_ARCHIVE_DIR, db_path), linked, tuple(newest))
