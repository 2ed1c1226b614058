"""Running many sites in one process (``scrapy crawlall``, ``python -m crawler run``, the offline demo).

Politeness still holds per domain (each site is its own crawler with its own download slots). One database,
one run lock per database, a progress line every ``CCHC_PROGRESS_INTERVAL`` seconds, a rotating log file, and a
per-site summary at the end; the exit status is non-zero when any site failed, so cron mails someone.
"""
from __future__ import annotations

import json
import logging
import logging.handlers
import os
import sqlite3
import sys
from pathlib import Path

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

from crawler.lock import AlreadyRunning, RunLock
from crawler.startup import describe, finish_interrupted, stats_of, watch
from crawler.registry import registry
from crawler.storage import migrate

_CONNECTION_ERRORS = ("CannotResolveHostError", "DNSLookupError", "DownloadConnectionRefusedError",
                      "ConnectionRefusedError", "TCPTimedOutError", "TimeoutError", "ConnectError", "NoRouteError",
                      "ConnectionLost")
logger = logging.getLogger("cchc.run")


def project_settings(overrides: dict | None = None):
    settings = get_project_settings()
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def add_rotating_log(path: str | None, level: str = "INFO") -> None:
    """Also log to ``path``, rotated at 10 MB, five files kept."""
    if not path:
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=10 * 1024 * 1024, backupCount=5, encoding="utf-8")
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(asctime)s [%(name)s] %(levelname)s: %(message)s"))
    logging.getLogger().addHandler(handler)


def crawl(jobs: list[tuple[str, dict]], settings) -> dict[str, dict]:
    """Run ``(spider name, spider kwargs)`` jobs in one process; return each spider's final stats."""
    process = CrawlerProcess(settings)
    results: dict[str, dict] = {}
    receivers = []  # signal receivers are weak references: keep them alive
    done = {"sites": 0}
    crawlers = []
    for name, kwargs in jobs:
        crawler = process.create_crawler(name)
        crawlers.append(crawler)

        def closed(spider, reason, crawler=crawler):
            stats = dict(crawler.stats.get_stats())
            stats["finish_reason"] = reason
            results[spider.name] = stats
            done["sites"] += 1

        def not_started(exc, name=name):
            results[name] = {"finish_reason": "not_started", "cchc/start_error": describe(exc)}
            print(f"{name}: could not start: {describe(exc)}", file=sys.stderr, flush=True)
            done["sites"] += 1

        receivers.append(closed)
        crawler.signals.connect(closed, signal=signals.spider_closed)
        watch(process.crawl(crawler, **kwargs), not_started)
    _start_progress(crawlers, done, len(jobs), settings.getfloat("CCHC_PROGRESS_INTERVAL", 60))
    process.start()
    for crawler in crawlers:  # spiders a forced shutdown left open
        if finish_interrupted(crawler):
            stats = dict(crawler.stats.get_stats())
            results[crawler.spider.name] = stats
    return results


def _start_progress(crawlers, done, total, interval):
    if interval <= 0 or total < 2:
        return
    from twisted.internet import task

    def report():
        stats = [s for s in map(stats_of, crawlers) if s is not None]
        pages = sum(s.get_value("response_received_count", 0) for s in stats)
        new = sum(s.get_value("cchc/new", 0) for s in stats)
        print(f"progress: {done['sites']}/{total} sites done, {pages} pages, {new} new articles", file=sys.stderr, flush=True)
        logger.info("progress: %d/%d sites done, %d pages, %d new articles", done["sites"], total, pages, new)

    task.LoopingCall(report).start(interval, now=False)


def site_failed(stats: dict) -> bool:
    return stats.get("finish_reason") != "finished" or not stats.get("response_received_count")


def offline(stats: dict) -> bool:
    errors = [k for k in stats if k.startswith("downloader/exception_type_count/")]
    return not stats.get("response_received_count") and any(e.endswith(_CONNECTION_ERRORS) for e in errors)


def monitor_verdicts(db: str | None, results: dict[str, dict]) -> dict[str, str]:
    """site -> "passed"/"failed" from this run's ``crawl_runs`` rows."""
    if not db or not Path(db).is_file():
        return {}
    try:
        migrate(db)
    except sqlite3.Error:
        return {}
    con = sqlite3.connect(db, timeout=10)
    try:
        verdicts = {}
        for name, stats in results.items():
            row = con.execute("select monitor_status, monitor_failures from crawl_runs where run_id = ?",
                              [stats.get("cchc/run_id")]).fetchone()
            if row and row[0]:
                verdicts[name] = row[0] if row[0] == "passed" else "failed: " + "; ".join(json.loads(row[1] or "[]"))[:120]
        return verdicts
    except sqlite3.Error:
        return {}
    finally:
        con.close()


def print_summary(results: dict[str, dict], db: str | None = None, out=sys.stdout) -> None:
    verdicts = monitor_verdicts(db, results)
    print(f"\n{'site':<16} {'pages':>6} {'new':>5} {'upd.':>5} {'dupl.':>5} {'invalid':>7} {'gone':>5}  status", file=out)
    for name, stats in sorted(results.items()):
        if stats.get("cchc/start_error"):
            status = f"FAILED (not started: {stats['cchc/start_error'][:100]})"
        elif site_failed(stats):
            status = "unreachable" if offline(stats) else f"FAILED ({stats.get('finish_reason')})"
        else:
            status = "ok" if verdicts.get(name, "passed") == "passed" else "MONITOR " + verdicts[name]
        print(f"{name:<16} {stats.get('response_received_count', 0):>6} {stats.get('cchc/new', 0):>5} "
              f"{stats.get('cchc/updated', 0):>5} {stats.get('cchc/dropped/duplicate', 0):>5} "
              f"{stats.get('cchc/dropped/invalid', 0):>7} {stats.get('cchc/removed', 0):>5}  {status}", file=out)


def run_all(keys: list[str] | None = None, overrides: dict | None = None, jobs: list[tuple[str, dict]] | None = None) -> int:
    """Crawl every enabled registry site (or ``keys``) into CCHC_DB under the run lock; the exit status."""
    settings = project_settings({"LOG_LEVEL": os.environ.get("CCHC_LOG_LEVEL", "WARNING"), **(overrides or {})})
    if jobs is None:
        sites = [s for s in registry().values() if s.enabled and (not keys or s.key in keys)]
        unknown = set(keys or ()) - {s.key for s in sites}
        if unknown:
            print(f"unknown or disabled sites: {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        jobs = [(site.key, {}) for site in sites]
    if settings.get("CCHC_REDIS_URL"):
        return _run_worker(jobs, settings)
    db = settings.get("CCHC_DB")
    lock = RunLock(settings.get("CCHC_LOCK_FILE") or f"{db or 'output/cchc.db'}.lock")
    try:
        lock.acquire()
    except AlreadyRunning as exc:
        hours = settings.getfloat("CCHC_LOCK_MAX_HOURS", 20)
        if exc.age_hours is not None and exc.age_hours > hours:  # a run older than a night is hung, not busy
            print(f"Not starting: {exc}, for {exc.age_hours:.0f} h (more than CCHC_LOCK_MAX_HOURS={hours:g}): that run "
                  f"seems hung; stop it (kill {exc.pid or '<pid>'}) and the next run takes over.", file=sys.stderr)
            return 1
        print(f"Not starting: {exc}.", file=sys.stderr)
        return 0
    try:
        migrate(db)  # before any spider reads it: an older schema gets today's, a damaged file stops here
    except sqlite3.Error as exc:
        lock.release()
        print(f"crawlall: cannot use the database: {exc}", file=sys.stderr)
        return 1
    try:
        if lock.previous:
            print(f"Took over a stale lock ({lock.previous}): that run is no longer alive.", file=sys.stderr)
        add_rotating_log(settings.get("CCHC_LOG_FILE"), settings.get("CCHC_LOG_FILE_LEVEL", "INFO"))
        results = crawl(jobs, settings)
    finally:
        lock.release()
    if not results:
        print("crawlall: no site was crawled (no spider could start)", file=sys.stderr)
        return 1
    print_summary(results, db)
    if results and all(offline(s) for s in results.values()):
        print("\nNo site could be reached: this machine seems to have no internet access.\n"
              "Try the offline demo, which crawls the saved pages bundled with the tests:\n"
              "    .venv/bin/python -m crawler demo\n", file=sys.stderr)
    else:
        print(f"\nDatabase: {db}\nBrowse it: .venv/bin/python -m crawler browse {db}")
    failed = any(site_failed(s) for s in results.values())
    failed |= any(v != "passed" for v in monitor_verdicts(db, results).values())
    return 1 if failed else 0


def _run_worker(jobs: list[tuple[str, dict]], settings) -> int:
    """A distributed worker: no database, no lock (many workers share the queue); fails when a site did not finish."""
    results = crawl(jobs, settings)
    print(f"\n{'site':<16} {'pages':>6} {'items':>6}  status")
    for name, stats in sorted(results.items()):
        print(f"{name:<16} {stats.get('response_received_count', 0):>6} {stats.get('cchc/distributed/items_pushed', 0):>6}"
              f"  {stats.get('finish_reason')}")
    return 1 if any(s.get("finish_reason") != "finished" for s in results.values()) else 0
