"""Running many sites in one process (``scrapy crawlall``, ``python -m crawler run``, the offline demo).

Politeness still holds per domain (each site is its own crawler with its own download slots). One database,
one run lock per database, a progress line every ``CCHC_PROGRESS_INTERVAL`` seconds, a rotating log file, and a
per-site summary at the end; the exit status is non-zero when any site failed, so cron mails someone.
"""
from __future__ import annotations

import io
import logging
import logging.handlers
import os
import sqlite3
import sys
from collections import Counter
from pathlib import Path

# Imported here, near the bottom of the call stack, on purpose: the module defines deprecated aliases with
# scrapy.utils.deprecate.create_deprecated_class, which calls inspect.stack() and reads the source of every frame
# above it. Imported where Scrapy first needs it (the download handler, ~50 frames deep inside the engine's
# start) that cost ~0.1 s of every crawl's start (bench/startup.py).
import scrapy.core.downloader.contextfactory  # noqa: F401
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

from crawler.archive.place import archive_folder
from crawler.ops.lock import AlreadyRunning, RunLock
from crawler.ops.startup import describe, finish_interrupted, stats_of, watch
from crawler.monitor.verdicts import GOOD, download_errors, verdict
from crawler.registry import registry
from crawler.store import Store, migrate
from crawler.discover.extension import guesses_said, on_guesses
from crawler.stats import Stat

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


# The counts of a site's line besides pages and new articles, shown when not zero.
_COUNTS = ((Stat.UPDATED, "updated"), (Stat.DROPPED_DUPLICATE, "duplicates"), (Stat.DROPPED_INVALID, "invalid"),
           (Stat.REMOVED, "removed"))


def site_line(name: str, stats: dict, word: str, reason: str) -> str:
    """One line per site: pages, new articles (and the other counts that are not zero), then its verdict and
    reason, with its download errors by type when it is not ok (the tracebacks are in the log file)."""
    extra = "".join(f", {stats[key]} {label}" for key, label in _COUNTS if stats.get(key))
    errors = download_errors(stats)
    if errors and word not in GOOD and not reason.startswith("nothing answered"):
        extra += " (errors: " + ", ".join(f"{v} {k}" for k, v in sorted(errors.items())) + ")"
    # the verdict and its reason last, as `python -m crawler health` ends its line
    return (f"{name:<16} {stats.get('response_received_count', 0):>5} pages {stats.get(Stat.NEW, 0):>4} new{extra}  "
            f"{word}: {reason[:160]}")


def _site_line(name: str, stats: dict, db: str | None) -> str:
    word, reason = site_verdicts(db, {name: stats})[name]
    return site_line(name, stats, word, reason)


def crawl(jobs: list[tuple[str, dict]], settings, report_sites: bool = False) -> dict[str, dict]:
    """Run ``(spider name, spider kwargs)`` jobs in one process; return each spider's final stats.
    ``report_sites``: one line per site on standard error as it finishes."""
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
            if report_sites:  # once the monitors (later receivers of spider_closed) have recorded their verdict
                from twisted.internet import reactor  # the one CrawlerProcess installed

                reactor.callLater(0, lambda: print(_site_line(spider.name, results[spider.name], settings.get("CCHC_DB")),
                                                   flush=True))

        def not_started(exc, name=name):
            results[name] = {"finish_reason": "not_started", Stat.START_ERROR: describe(exc)}
            print(f"{name}: could not start: {describe(exc)}", file=sys.stderr, flush=True)
            done["sites"] += 1

        receivers.append(closed)
        crawler.signals.connect(closed, signal=signals.spider_closed)
        watch(process.crawl(crawler, **kwargs), not_started)
    _start_progress(crawlers, done, len(jobs), settings.getfloat("CCHC_PROGRESS_INTERVAL"))
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
        new = sum(s.get_value(Stat.NEW, 0) for s in stats)
        print(f"progress: {done['sites']}/{total} sites done, {pages} pages, {new} new articles", file=sys.stderr, flush=True)
        logger.info("progress: %d/%d sites done, %d pages, %d new articles", done["sites"], total, pages, new)

    task.LoopingCall(report).start(interval, now=False)


def site_verdicts(db: str | None, results: dict[str, dict]) -> dict[str, tuple[str, str]]:
    """site -> (verdict, reason): as recorded in this run's ``crawl_runs`` row (with the monitors' findings), or
    from the crawler's stats when there is no row (no database, or the spider never started)."""
    recorded: dict[str, tuple[str, str]] = {}
    try:
        with Store.opened(db) as store:
            if store is not None:
                recorded = store.recorded_verdicts([stats.get(Stat.RUN_ID) for stats in results.values()])
    except sqlite3.Error:
        pass
    return {name: recorded.get(stats.get(Stat.RUN_ID)) or verdict(stats) for name, stats in results.items()}


def print_summary(results: dict[str, dict], db: str | None = None, out=sys.stdout,
                  sites_shown: bool = True) -> dict[str, tuple[str, str]]:
    """The run's summary: verdicts counted, the totals, the sites still on guesses; ``sites_shown`` False (cron:
    no line was printed as each site finished) first gives the line of every site that is not ok or quiet.
    Returns the verdicts."""
    verdicts = site_verdicts(db, results)
    if not sites_shown:
        for name, stats in sorted(results.items()):
            if verdicts[name][0] not in GOOD:
                print(site_line(name, stats, *verdicts[name]), file=out)
    words = Counter(word for word, _ in verdicts.values())
    totals = {label: sum(s.get(key, 0) for s in results.values()) for key, label in
              (("response_received_count", "pages"), (Stat.NEW, "new"), *_COUNTS)}
    print(f"\n{len(results)} sites: " + ", ".join(f"{n} {word}" for word, n in sorted(words.items(), key=lambda w: -w[1]))
          + "; " + ", ".join(f"{n} {label}" for label, n in totals.items()), file=out)
    try:
        guessing = on_guesses(db, sorted(results))
    except sqlite3.Error:
        guessing = []
    if guessing:
        print(guesses_said(guessing, shown=6), file=out)
    return verdicts


def run_all(keys: list[str] | None = None, overrides: dict | None = None, jobs: list[tuple[str, dict]] | None = None,
            cron: bool = False) -> int:
    """Crawl every enabled registry site (or ``keys``) into CCHC_DB under the run lock; the exit status (1 when
    any site's verdict is not ok or quiet).

    The terminal gets one line per site as it finishes and the summary; the full log (tracebacks included) goes
    to CCHC_LOG_FILE (default: logs/crawl.log beside the database, rotated at 10 MB, five kept), and the console
    log only shows records at CCHC_CRAWLALL_CONSOLE_LEVEL (CCHC_LOG_LEVEL, default CRITICAL). ``cron``: nothing
    on the terminal unless a site is not ok or quiet, then the summary (what cron mails)."""
    settings = project_settings(overrides)
    if "LOG_LEVEL" not in (overrides or {}):
        settings.set("LOG_LEVEL", settings.get("CCHC_CRAWLALL_CONSOLE_LEVEL"), priority="cmdline")
    if cron:
        settings.set("CCHC_PROGRESS_INTERVAL", 0, priority="cmdline")
    elif not os.environ.get("CCHC_USER_AGENT"):
        print("note: CCHC_USER_AGENT is not set: sites see a generic user agent. Name yourself and a contact: "
              "export CCHC_USER_AGENT='cchc-crawler (+https://your.org)'", file=sys.stderr)
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
    if not db:
        print("crawlall: CCHC_DB is empty: crawlall stores into a database (or set CCHC_REDIS_URL for a worker)",
              file=sys.stderr)
        return 1
    lock = RunLock(settings.get("CCHC_LOCK_FILE") or f"{db}.lock")
    try:
        lock.acquire()
    except OSError as exc:  # the database's folder is missing or not writable
        print(f"crawlall: cannot create the run lock {lock.path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except AlreadyRunning as exc:
        hours = settings.getfloat("CCHC_LOCK_MAX_HOURS")
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
        log_file = settings.get("CCHC_LOG_FILE") or str(Path(db).parent / "logs" / "crawl.log")
        add_rotating_log(log_file, settings.get("CCHC_LOG_FILE_LEVEL"))
        results = crawl(jobs, settings, report_sites=not cron)
    finally:
        lock.release()
    if not results:
        print("crawlall: no site was crawled (no spider could start)", file=sys.stderr)
        return 1
    table = io.StringIO()
    verdicts = print_summary(results, db, out=table, sites_shown=not cron)
    failing = not all(word in GOOD for word, _ in verdicts.values())
    every_site = "\n".join(site_line(name, stats, *verdicts[name]) for name, stats in sorted(results.items()))
    logger.info("summary:\n%s\n%s", every_site, table.getvalue())  # the log keeps every site's line
    if cron and not failing:
        return 0
    print(table.getvalue(), end="")
    if results and all(word == "unreachable" for word, _ in verdicts.values()):
        print("\nNo site could be reached: this machine seems to have no internet access.\n"
              "Try the offline demo, which crawls the saved pages bundled with the tests:\n"
              "    .venv/bin/python -m crawler demo\n", file=sys.stderr)
    else:
        print(f"\nDatabase: {db}\nBrowse it: .venv/bin/python -m crawler browse {db}")
        archive = archive_folder(settings)
        if archive is not None and archive.is_dir():
            print(f"Archive: {archive} (every response, in WARC files; `python -m crawler reextract {db}` reads "
                  "them again)")
    return 1 if failing else 0


def _run_worker(jobs: list[tuple[str, dict]], settings) -> int:
    """A distributed worker: no database, no lock (many workers share the queue); fails when a site did not finish."""
    results = crawl(jobs, settings)
    print(f"\n{'site':<16} {'pages':>6} {'items':>6}  status")
    for name, stats in sorted(results.items()):
        print(f"{name:<16} {stats.get('response_received_count', 0):>6} {stats.get(Stat.DISTRIBUTED_ITEMS_PUSHED, 0):>6}"
              f"  {stats.get('finish_reason')}")
    return 1 if any(s.get("finish_reason") != "finished" for s in results.values()) else 0
