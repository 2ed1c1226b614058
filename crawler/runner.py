"""Running several spiders in one process and summarising them (the nightly job and the offline demo)."""
from __future__ import annotations

import sys

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

from crawler.registry import registry

_CONNECTION_ERRORS = ("CannotResolveHostError", "DNSLookupError", "DownloadConnectionRefusedError", "ConnectionRefusedError", "TCPTimedOutError", "TimeoutError",
                      "ConnectError", "NoRouteError", "ConnectionLost")


def crawl(jobs: list[tuple[str, dict]], overrides: dict | None = None) -> dict[str, dict]:
    """Run ``(spider name, spider kwargs)`` jobs in one process; return each spider's final stats."""
    settings = get_project_settings()
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    process = CrawlerProcess(settings)
    results: dict[str, dict] = {}
    receivers = []  # signal receivers are weak references: keep them alive
    for name, kwargs in jobs:
        crawler = process.create_crawler(name)

        def closed(spider, reason, crawler=crawler):
            stats = dict(crawler.stats.get_stats())
            stats["finish_reason"] = reason
            results[spider.name] = stats

        receivers.append(closed)
        crawler.signals.connect(closed, signal=signals.spider_closed)
        process.crawl(crawler, **kwargs)
    process.start()
    return results


def site_failed(stats: dict) -> bool:
    return stats.get("finish_reason") != "finished" or not stats.get("response_received_count")


def offline(stats: dict) -> bool:
    errors = [k for k in stats if k.startswith("downloader/exception_type_count/")]
    return not stats.get("response_received_count") and any(e.endswith(_CONNECTION_ERRORS) for e in errors)


def print_summary(results: dict[str, dict], out=sys.stdout) -> None:
    print(f"\n{'site':<16} {'pages':>6} {'stored':>6} {'dupl.':>6} {'invalid':>7} {'no date':>7}  status", file=out)
    for name, stats in sorted(results.items()):
        status = "ok" if not site_failed(stats) else ("unreachable" if offline(stats) else "FAILED")
        print(f"{name:<16} {stats.get('response_received_count', 0):>6} {stats.get('cchc/stored', 0):>6} "
              f"{stats.get('cchc/dropped/duplicate', 0):>6} {stats.get('cchc/dropped/invalid', 0):>7} "
              f"{stats.get('cchc/date/missing', 0):>7}  {status}", file=out)


def run_all(keys: list[str] | None = None) -> int:
    """The main job: every enabled registry site (or ``keys``) into CCHC_DB; non-zero exit if any site failed."""
    sites = [s for s in registry().values() if s.enabled and (not keys or s.key in keys)]
    unknown = set(keys or ()) - {s.key for s in sites}
    if unknown:
        print(f"unknown or disabled sites: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    import os

    results = crawl([(site.key, {}) for site in sites], {"LOG_LEVEL": os.environ.get("CCHC_LOG_LEVEL", "WARNING")})
    print_summary(results)
    db = get_project_settings().get("CCHC_DB")
    if results and all(offline(s) for s in results.values()):
        print("\nNo site could be reached: this machine seems to have no internet access.\n"
              "Try the offline demo, which crawls the saved pages bundled with the tests:\n"
              "    .venv/bin/python -m crawler demo\n", file=sys.stderr)
    else:
        print(f"\nDatabase: {db}\nBrowse it: .venv/bin/datasette {db} (then open http://127.0.0.1:8001)")
    return 1 if any(site_failed(s) for s in results.values()) else 0
