"""One verdict per site and run, in one vocabulary, with its reason in one line.

Used by the ``crawlall`` summary, ``scrapy crawl``'s exit status, ``crawl_runs`` (columns ``verdict`` and
``verdict_reason``), ``python -m crawler health`` and the alerts, so that they agree word for word:

- ``ok``: listing pages answered and gave article links;
- ``quiet``: as ok, but no new article for longer than the site's usual rhythm (Spidermon's history monitor);
- ``unreachable``: nothing answered (connection refused or reset, DNS, timeouts), or robots.txt could not be
  read so nothing may be fetched;
- ``blocked``: block or challenge pages instead of content, or robots.txt forbids the start pages;
- ``broken``: pages answered, but listings without article links (every listing, or a start URL's first page),
  or most article pages could not be read (no body, no title: dropped as invalid), or articles missing fields;
- ``failed``: the run could not start or did not finish (also when the run's time limit closed it: the reason
  says so and what it did before), its listings answered errors, or its errors or HTTP statuses went beyond the
  monitors' thresholds.

Every fact comes from the crawler's own stats (never the process's totals: under ``crawlall`` the log counts
are filtered per crawler, see ``crawler.monitor.extensions.CrawlerLogCounts``).
"""
from __future__ import annotations

from crawler.stats import Stat

TIME_LIMIT = "time_limit"  # the finish reason of crawler/ops/time_limit.py

GOOD = ("ok", "quiet")
# Download errors that mean "nobody answered" (Scrapy and Twisted exception class names).
CONNECTION_ERRORS = ("CannotResolveHostError", "DNSLookupError", "DownloadConnectionRefusedError",
                     "ConnectionRefusedError", "TCPTimedOutError", "TimeoutError", "DownloadTimeoutError",
                     "ConnectError", "NoRouteError", "ConnectionLost", "ResponseNeverReceived",
                     "ConnectionDone", "DownloadFailedError")
# Monitor names as Spidermon reports them ("<suite>/<monitor>: <reason>"), matched anywhere in the failure.
QUIET_MONITOR = "Site still publishes as often as it used to"
BROKEN_MONITORS = ("Listing pages still show article links", "Field Coverage", "Field coverage",
                   "Article bodies are as long as usual")
BLOCK_MONITOR = "No block or challenge page instead of content"
# The finish reason is judged here (a CLOSESPIDER_* limit the user asked for is fine; Spidermon's monitor
# expects "finished" only).
FINISH_MONITOR = "Finish Reason Monitor"


def _named(failure: str, names) -> bool:
    names = (names,) if isinstance(names, str) else names
    return any(name in failure.split(": ", 1)[0] for name in names)


def download_errors(stats: dict) -> dict[str, int]:
    """Download exceptions by class name, without the requests we refused ourselves (robots.txt, offsite)."""
    prefix = "downloader/exception_type_count/"
    errors = {k[len(prefix):].rsplit(".", 1)[-1]: v for k, v in stats.items() if k.startswith(prefix)}
    errors.pop("IgnoreRequest", None)
    return errors


def _statuses(stats: dict) -> dict[str, int]:
    """HTTP statuses other than 200/304 of the site's pages (robots.txt's and discovery's own answers left out)."""
    prefix = "downloader/response_status_count/"
    counts = {k[len(prefix):]: v - int(stats.get(f"robotstxt/response_status_count/{k[len(prefix):]}") or 0)
              - int(stats.get(Stat.discovery_status(k[len(prefix):])) or 0)
              for k, v in stats.items() if k.startswith(prefix) and not k.endswith(("/200", "/304"))}
    return {k: v for k, v in counts.items() if v > 0}


def _listed(stats: dict) -> int:
    return int(stats.get(Stat.LISTING_PAGES) or 0) + int(stats.get(Stat.LISTING_NOT_MODIFIED) or 0)


# Article pages that answered but gave no valid article: at this share of the run's article pages (and at least
# UNREADABLE_MIN of them, or all of them), the site's pages are not being read.
UNREADABLE_SHARE, UNREADABLE_MIN = 0.5, 3


def drop_reasons(stats: dict) -> dict[str, int]:
    """Invalid articles by the field that failed ({"body_text": 6, "title": 1})."""
    prefix = Stat.invalid_field("")
    return {k[len(prefix):]: int(v) for k, v in stats.items() if k.startswith(prefix) and k != prefix}


def unreadable_articles(stats: dict) -> str | None:
    """The reason when most article pages of the run answered but could not be read, else None."""
    pages = int(stats.get(Stat.ARTICLES_EXTRACTED) or 0)
    dropped = int(stats.get(Stat.DROPPED_INVALID) or 0)
    if not pages or dropped < UNREADABLE_SHARE * pages or (dropped < UNREADABLE_MIN and dropped < pages):
        return None
    why = ", ".join(f"{field} {n}" for field, n in sorted(drop_reasons(stats).items(), key=lambda kv: -kv[1]))
    return f"{dropped} of {pages} article pages answered but could not be read" + (f" (missing or invalid: {why})" if why else "")


def verdict(stats: dict, monitor_failures: list[str] | None = None) -> tuple[str, str]:
    """(word, reason) for one run from its stats and its failed monitors ("<monitor name>: <reason>"), with what
    the reason must also say (a robots.txt that was a web page)."""
    word, reason = _verdict(stats, monitor_failures)
    if stats.get(Stat.ROBOTS_NOT_TEXT):
        kind = stats.get(Stat.ROBOTS_NOT_TEXT_KIND) or "no text"
        reason += f"; robots.txt answered {kind}, read as no rules"
    return word, reason + documents_said(stats)


def document_failures(stats: dict) -> dict[str, int]:
    """Attachments without text by why ({"http_404": 2, "too_large": 1})."""
    prefix = Stat.document_failed("")
    return {k[len(prefix):]: int(v) for k, v in stats.items() if k.startswith(prefix)}


def documents_said(stats: dict) -> str:
    """What the reason adds about the run's documents: scans stored without their text because Tesseract is
    missing (the articles are fine; the machine lacks OCR), and attachments that gave no text, by why."""
    said = ""
    without = int(stats.get(Stat.DOCUMENTS_WITHOUT_OCR) or 0)
    if without:
        why = stats.get(Stat.DOCUMENTS_OCR_UNAVAILABLE) or "OCR unavailable"
        said += f"; {without} document{'s' if without > 1 else ''} stored without OCR ({why})"
    failures = {k: v for k, v in document_failures(stats).items() if k != "no_ocr" or not without}
    if failures:
        total = sum(failures.values())
        listed = ", ".join(f"{kind} {n}" for kind, n in sorted(failures.items(), key=lambda kv: -kv[1]))
        said += f"; {total} attachment{'s' if total > 1 else ''} without text ({listed})"
    return said


def _verdict(stats: dict, monitor_failures: list[str] | None = None) -> tuple[str, str]:
    failures = list(monitor_failures or [])
    if stats.get("finish_reason") == TIME_LIMIT:
        # Closed at the run's time limit (crawler/ops/time_limit.py): judged on what it did, never "ok", since the
        # site's work was not done.
        word, why = _verdict({**stats, "finish_reason": "finished"}, failures)
        stopped = f"stopped at the run's time limit (CCHC_RUN_MAX_HOURS={stats.get(Stat.TIME_LIMIT_HOURS) or '?'})"
        return ("failed" if word in GOOD else word), f"{stopped}: {why}"
    if stats.get(Stat.START_ERROR):
        return "failed", f"could not start: {stats[Stat.START_ERROR]}"
    reason = stats.get("finish_reason")
    if reason not in ("finished", None) and not str(reason).startswith("closespider_"):
        detail = stats.get(Stat.DB_ERROR)
        return "failed", f"did not finish ({reason}{': ' + str(detail)[:120] if detail else ''})"
    errors, statuses = download_errors(stats), _statuses(stats)
    responses = int(stats.get("response_received_count") or 0)  # robots.txt's included
    if not _listed(stats):
        if not responses and errors and all(name in CONNECTION_ERRORS for name in errors):
            return "unreachable", "nothing answered: " + ", ".join(f"{v} {k}" for k, v in sorted(errors.items()))
        if stats.get("robotstxt/rfc9309/unreachable") and stats.get("robotstxt/forbidden"):
            return "unreachable", "robots.txt could not be read, so nothing may be fetched"
        if stats.get("robotstxt/forbidden"):
            return "blocked", "robots.txt forbids the start pages"
        if not responses and errors:
            return "failed", "no page answered: " + ", ".join(f"{v} {k}" for k, v in sorted(errors.items()))
    blocked = int(stats.get(Stat.BLOCKED) or 0)
    if blocked and (not _listed(stats) or 2 * blocked >= int(stats.get("response_received_count") or 0)):
        return "blocked", f"{blocked} block or challenge pages instead of content"
    if not _listed(stats):
        shown = ", ".join(f"{k} x{v}" for k, v in sorted(statuses.items())) or "no answer"
        return "failed", f"no listing page could be read (HTTP {shown})"
    failures = [f for f in failures if not _named(f, FINISH_MONITOR)]
    broken = [f for f in failures if _named(f, BROKEN_MONITORS)]
    if stats.get(Stat.LISTING_NO_LINKS) and not stats.get(Stat.LISTING_WITH_LINKS):
        return "broken", f"{stats[Stat.LISTING_NO_LINKS]} listing pages without article links (redesign or moved section?)"
    unreadable = unreadable_articles(stats)
    if unreadable:
        return "broken", unreadable
    if stats.get(Stat.LISTING_START_NO_LINKS):
        return "broken", (f"listing {stats.get(Stat.LISTING_START_NO_LINKS_URL)} answered with no article link"
                          + (f" ({stats[Stat.LISTING_START_NO_LINKS]} such start pages)"
                             if int(stats[Stat.LISTING_START_NO_LINKS]) > 1 else ""))
    if broken:
        return "broken", broken[0]
    serious = [f for f in failures if not _named(f, (QUIET_MONITOR, BLOCK_MONITOR))]
    if serious:
        return "failed", serious[0]
    if any(_named(f, QUIET_MONITOR) for f in failures):
        return "quiet", next(f for f in failures if _named(f, QUIET_MONITOR)).split(": ", 1)[-1].split(" : ")[-1]
    note = f"; {blocked} block pages among the articles" if blocked else ""
    return "ok", f"{int(stats.get(Stat.NEW) or 0)} new articles from {_listed(stats)} listing pages{note}"
