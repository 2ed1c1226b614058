"""Site monitors (Spidermon), run when each spider closes.

Spidermon's own monitors check the finish reason, errors, unwanted HTTP statuses and field coverage; the
monitors below add what only this project knows: soft blocks, listings without links, and comparisons with the
site's own history in ``crawl_runs`` and ``articles`` (a site that used to publish every few days and has gone
quiet, a median body length that fell by half). When a monitor fails, the run is marked failed in
``crawl_runs``, the suspicious pages are saved as fixture material, and alerts go out through the configured
channels (e-mail, a chat webhook, Telegram through Spidermon; all off by default).
"""
from __future__ import annotations

import csv
import json
import logging
import math
import statistics
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

from spidermon import Monitor, MonitorSuite, monitors
from spidermon.contrib.scrapy.monitors import (
    ErrorCountMonitor,
    FieldCoverageMonitor,
    FinishReasonMonitor,
    UnwantedHTTPCodesMonitor,
)
from spidermon.core.actions import Action
from spidermon.exceptions import SkipAction

from crawler import settings as project_settings
from crawler.registry import registry
from crawler.store import Store
from crawler.monitor.verdicts import verdict
from crawler.stats import Stat

logger = logging.getLogger(__name__)


def _site(data) -> str:
    return getattr(data.spider, "site_key", data.spider.name)


def _store(data) -> Store | None:
    return Store.of(data.crawler)


@monitors.name("Site health")
class SiteHealthMonitor(Monitor):
    @monitors.name("No block or challenge page instead of content")
    def test_no_soft_block(self):
        blocked = self.data.stats.get(Stat.BLOCKED, 0)
        self.assertEqual(blocked, 0, msg=f"{blocked} pages were block/challenge pages served with HTTP 200")

    @monitors.name("Listing pages still show article links")
    def test_listings_have_links(self):
        empty = self.data.stats.get(Stat.LISTING_NO_LINKS, 0)
        self.assertEqual(empty, 0, msg=f"{empty} listing pages had no article links (redesign or moved section?)")


@monitors.name("Site history")
class SiteHistoryMonitor(Monitor):
    """Compares the run with the site's own past, not with fixed thresholds."""

    @monitors.name("Site still publishes as often as it used to")
    def test_fresh_articles(self):
        site = registry().get(_site(self.data))
        if site is not None and site.archive:
            self.skipTest("archive site: no new articles expected")
        store = _store(self.data)
        if store is None:
            self.skipTest("no database")
        dates = store.newest_publication_dates(_site(self.data), 30)
        if len(dates) < 5:
            self.skipTest("fewer than 5 dated articles: no publishing rhythm yet")
        parsed = [datetime.fromisoformat(d.replace("Z", "+00:00")) for d in dates]
        gaps = [(a - b).total_seconds() / 86400 for a, b in zip(parsed, parsed[1:])]
        usual = max(statistics.median(gaps), 0.5)
        quiet = (datetime.now(timezone.utc) - parsed[0]).total_seconds() / 86400
        settings = self.data.crawler.settings
        limit = max(settings.getfloat("CCHC_STALE_FACTOR") * usual, settings.getfloat("CCHC_STALE_MIN_DAYS"))
        self.assertLessEqual(
            quiet, limit,
            msg=f"no new article for {quiet:.0f} days; the site usually publishes every {usual:.1f} days",
        )

    @monitors.name("Article bodies are as long as usual")
    def test_body_length(self):
        store = _store(self.data)
        if store is None:
            self.skipTest("no database")
        now, past = store.body_length_history(_site(self.data), self.data.stats.get(Stat.RUN_ID), 5)
        if not now or len(past) < 2:
            self.skipTest("not enough runs with articles to compare")
        usual = statistics.median(past)
        self.assertGreaterEqual(now, usual / 2, msg=f"median body length {now} is under half the usual {usual:.0f}")


class RecordMonitorResults(Action):
    """Writes the monitors' verdict into the run's ``crawl_runs`` row (read by ``python -m crawler health``)."""

    def run_action(self):
        failures = [f"{r.monitor.name}: {r.reason}" for r in self.result.monitors_failed_results]
        word, reason = verdict(dict(self.data.stats), failures)
        store = _store(self.data)
        if store is None:
            raise SkipAction("no database")
        store.record_monitor_result(self.data.stats.get(Stat.RUN_ID), failures, word, reason)


class SaveSuspiciousPages(Action):
    """Saves the run's suspicious pages with a MANIFEST.tsv, ready to become a recorded fixture."""

    def run_action(self):
        keeper = getattr(self.data.crawler, "suspicious_pages", None)
        if keeper is None or not keeper.pages:
            raise SkipAction("no suspicious page kept")
        root = Path(self.data.crawler.settings.get("CCHC_FAILED_PAGES_DIR") or project_settings.CCHC_FAILED_PAGES_DIR)
        folder = root / _site(self.data) / str(self.data.stats.get(Stat.RUN_ID))
        folder.mkdir(parents=True, exist_ok=True)
        rows = []
        for n, page in enumerate(keeper.pages, 1):
            name = f"page-{n}.html"
            (folder / name).write_bytes(page["body"])
            rows.append({"url": page["url"], "file": name, "provenance": "recorded", "kind": "unknown",
                         "source": f"saved by the crawler's monitors on {page['fetched_at']} (HTTP {page['status']}): {page['reason']}"})
        with open(folder / "MANIFEST.tsv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, ["url", "file", "provenance", "kind", "source"], delimiter="\t")
            writer.writeheader()
            writer.writerows(rows)
        logger.warning("monitors failed: %d suspicious pages saved in %s", len(rows), folder)


def alert_text(result, data) -> str:
    found = [f"{r.monitor.name}: {r.reason}" for r in result.monitors_failed_results]
    word, reason = verdict(dict(data.stats), found)
    failures = "\n".join(f"- {f}" for f in found)
    return (f"cchc-crawler: site {_site(data)} needs attention (run {data.stats.get(Stat.RUN_ID)})\n"
            f"verdict: {word}: {reason}\n{failures}")


class WebhookAlert(Action):
    """POSTs {"text": ...} to ``CCHC_ALERT_WEBHOOK`` (Slack, Mattermost, Rocket.Chat or any JSON webhook)."""

    def __init__(self, url: str | None = None):
        super().__init__()
        self.url = url

    @classmethod
    def from_crawler_kwargs(cls, crawler):
        return {"url": crawler.settings.get("CCHC_ALERT_WEBHOOK")}

    def run_action(self):
        body = json.dumps({"text": alert_text(self.result, self.data)}, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (configured by the user)
            response.read()


class EmailAlert(Action):
    """Sends the alert by e-mail (``CCHC_ALERT_EMAIL_TO``, SMTP from ``CCHC_SMTP_*``; login and STARTTLS optional)."""

    def __init__(self, settings=None):
        super().__init__()
        self.settings = settings

    @classmethod
    def from_crawler_kwargs(cls, crawler):
        return {"settings": crawler.settings}

    def run_action(self):
        import smtplib
        from email.message import EmailMessage

        s = self.settings
        message = EmailMessage()
        message["From"] = s.get("CCHC_ALERT_EMAIL_FROM")
        message["To"] = ", ".join(s.getlist("CCHC_ALERT_EMAIL_TO"))
        message["Subject"] = f"cchc-crawler: {_site(self.data)} needs attention"
        message.set_content(alert_text(self.result, self.data))
        with smtplib.SMTP(s.get("CCHC_SMTP_HOST"), s.getint("CCHC_SMTP_PORT"), timeout=20) as smtp:
            if s.getbool("CCHC_SMTP_TLS"):
                smtp.starttls()
            if s.get("CCHC_SMTP_USER"):
                smtp.login(s.get("CCHC_SMTP_USER"), s.get("CCHC_SMTP_PASSWORD"))
            smtp.send_message(message)


@monitors.name("Field Coverage Monitor")
class ArticleFieldCoverageMonitor(FieldCoverageMonitor):
    """Spidermon's coverage rules, judged only when the run scraped articles: a night whose only items are
    removals (``ArticleGone``) has no article whose fields could be missing (Spidermon counts every item)."""

    def test_check_if_field_coverage_rules_are_met(self):
        stats = self.data.stats
        articles = stats.get("spidermon_item_scraped_count/ArticleItem")
        if not articles:
            self.skipTest("no article was scraped (only removals)")
        # Spidermon's rule, with one difference: a notice whose whole content is its documents ("xem chi tiết tại
        # đây" and a PDF) has no body of its own and is no extraction failure: its documents count as its body
        # (pipelines/validation.py keeps it and counts it).
        kept = int(stats.get(Stat.DOCUMENTS_KEPT_NO_BODY) or 0)
        failures = []
        for field, expected in self.crawler.settings.getdict("SPIDERMON_FIELD_COVERAGE_RULES").items():
            actual = stats.get(f"spidermon_field_coverage/{field}", 0)
            if field == "ArticleItem/body_text":
                actual = min(1.0, actual + kept / articles)
            if actual < expected and not math.isclose(actual, expected):
                failures.append(f"{field} (expected {expected}, got {round(actual, 3)})")
        self.assertFalse(failures, msg="\nThe following items did not meet field coverage rules:\n" + "\n".join(failures))


class SiteMonitorSuite(MonitorSuite):
    """Everything checked when a spider closes; failure actions depend on which channels are configured."""

    monitors = [
        FinishReasonMonitor, ErrorCountMonitor, UnwantedHTTPCodesMonitor, ArticleFieldCoverageMonitor,
        SiteHealthMonitor, SiteHistoryMonitor,
    ]
    monitors_finished_actions = [RecordMonitorResults]

    def __init__(self, *args, crawler=None, **kwargs):
        failed = [SaveSuspiciousPages]
        settings = crawler.settings if crawler else None
        if settings and settings.get("CCHC_ALERT_WEBHOOK"):
            failed.append(WebhookAlert)
        if settings and settings.getlist("CCHC_ALERT_EMAIL_TO"):
            failed.append(EmailAlert)
        if settings and settings.get("SPIDERMON_TELEGRAM_SENDER_TOKEN"):
            from spidermon.contrib.actions.telegram.notifiers import SendTelegramMessageSpiderFinished

            failed.append(SendTelegramMessageSpiderFinished)
        super().__init__(*args, crawler=crawler, monitors_failed_actions=failed, **kwargs)
