"""``python -m crawler reextract [DB] [--site S] [--since DATE] [--dry-run]``: today's extraction over the archive.

Every stored article whose response is in the archive (``article_archive``) is read again from that response alone
(no network): the page rebuilt as the spider read it (crawler/archive/reader.py), then the article's one path,
``read_article`` (extraction and the preparation stages, in worker processes like the crawl's: ``read_page`` of
crawler/prepare/pool.py), validation and the check of titles a site repeats, as in a crawl. An article that now
reads differently is updated through the store's writer as a new version (``Store.revise``: the old one goes to
``article_versions`` with the reason "re-extracted" and the fields that changed); its URLs, status and history stay.
An article whose new reading would be dropped by validation, or reads as another stored article, is left as it is
and counted. ``--dry-run`` writes nothing and shows a few of the changes.

Memory stays flat however large the archive: articles are read in pages of ``PAGE`` by id, the workers hold a few
pages at a time, and the titles check remembers the most recent ``TITLES`` titles.
"""
from __future__ import annotations

import sys
import time
from collections import Counter, defaultdict, deque
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from scrapy.http import HtmlResponse

from crawler.archive.reader import ArchiveError, ArchiveReader, Missing, Truncated
from crawler.items import ArticleItem
from crawler.fetch.documents import entry_of
from crawler.prepare import RepeatedTitles, validation_errors, with_documents
from crawler.prepare.repeated import REPEATS
from crawler.prepare.pool import read_page
from crawler.prepare.stages import Counts
from crawler.registry import registry
from crawler.store import Store

PAGE = 500  # archived articles read from the database at a time
TITLES = 20_000  # (site, title) pairs the repeated-titles check remembers (~0.6 KB each: at most ~13 MB)
EXAMPLES = 3
PROGRESS_SECONDS = 10.0
VIETNAM = timezone(timedelta(hours=7))


@dataclass
class Summary:
    read: Counter = field(default_factory=Counter)  # site -> articles read again
    changed: Counter = field(default_factory=Counter)  # site -> articles that read differently
    fields: dict = field(default_factory=lambda: defaultdict(Counter))  # site -> field -> articles
    problems: Counter = field(default_factory=Counter)  # what could not be read again, in words -> articles
    details: dict = field(default_factory=dict)  # a problem -> its first occurrence's details (file, offset, error)
    examples: list = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 0

    @property
    def total(self) -> int:
        return sum(self.read.values())

    def rate(self) -> float:
        return self.total / self.seconds if self.seconds else 0.0


def since_utc(day: str | None) -> str | None:
    """``--since YYYY-MM-DD`` (a day in Vietnam) as the UTC time the archive's fetch times are compared with."""
    if not day:
        return None
    try:
        start = datetime.fromisoformat(day).replace(tzinfo=VIETNAM)
    except ValueError:
        raise ValueError(f"--since {day!r}: use a day such as 2026-11-01") from None
    return start.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _rows(store: Store, site, since):
    """Archived articles in pages by id, each page in archive order (file, offset): the reads go forward in a file."""
    after = 0
    while True:
        rows = store.archived_articles(site, since, after, PAGE)
        if not rows:
            return
        after = rows[-1]["id"]
        yield from sorted(rows, key=lambda r: (r["warc_file"], r["warc_offset"]))


def _job(row: dict, page, sites: dict):
    """The arguments of ``read_page`` for an archived page, or the reason it cannot be read."""
    response = page.response()
    if not isinstance(response, HtmlResponse):
        return f"not a web page ({response.headers.get('Content-Type', b'').decode('latin-1') or 'no type'})"
    context = page.context or {}
    feed_date = context.get("feed_date")
    cchc = context.get("cchc_section")
    # the spider's site: a registry site's (the generic spider's too, for a registered domain: spiders/generic.py)
    return (response.url, response.body, response.encoding, sites.get(row["site"]), _fetched(page, row),
            context.get("listing_date"), tuple(feed_date) if feed_date else None, bool(context.get("generic")),
            bool(row["from_cchc_section"]) if cchc is None else bool(cchc))


def _fetched(page, row) -> str:
    """The time the page was fetched: relative dates ("2 giờ trước") are read against it, as the crawl read them."""
    raw = page.date or row.get("fetched_at") or row["crawled_at"]
    return datetime.fromisoformat(raw.replace("Z", "+00:00")).isoformat()


def _short(value, width: int = 70) -> str:
    text = " ".join(str(value).split()) if value is not None else "(none)"
    return text if len(text) <= width else text[:width - 1] + "…"


class Reextraction:
    def __init__(self, db_path: str, archive: Path | None, site=None, since=None, dry_run=False, workers: int = 0):
        self.db_path, self.archive, self.site, self.since = db_path, archive, site, since
        self.dry_run, self.workers = dry_run, workers
        self.summary = Summary(workers=workers)
        self.sites = registry()
        self.stats = Counts()
        self._broken = False  # a worker process died: the rest is read in this process

    def run(self, progress=None) -> Summary:
        started, shown = time.perf_counter(), time.perf_counter()
        with Store.opened(self.db_path) as store, ArchiveReader(self.archive) as reader:
            store.read_once()
            self.titles = RepeatedTitles(TITLES, store.repeated_titles(self.site, REPEATS))
            pool = self._pool()
            try:
                pending: deque = deque()
                for row in _rows(store, self.site, self.since):
                    pending.append((row, self._start(pool, reader, row)))
                    while len(pending) > max(2, 4 * self.workers):
                        self._finish(store, *pending.popleft())
                    if progress and time.perf_counter() - shown > PROGRESS_SECONDS:
                        shown = time.perf_counter()
                        self.summary.seconds = shown - started
                        print(f"reextract: {self.summary.total:,} articles read again "
                              f"({self.summary.rate():,.1f}/s)", file=progress, flush=True)
                while pending:
                    self._finish(store, *pending.popleft())
                if not self.dry_run:
                    store.flush()
            finally:
                if pool is not None:
                    pool.shutdown(wait=True, cancel_futures=True)
        self.summary.seconds = time.perf_counter() - started
        return self.summary

    def _pool(self):
        if not self.workers:
            return None
        import multiprocessing
        import os
        from concurrent.futures import ProcessPoolExecutor

        from crawler.lifeline import end_with

        context = multiprocessing.get_context("forkserver")  # as the crawl's workers (crawler/prepare/pool.py)
        context.set_forkserver_preload(["crawler.prepare"])
        return ProcessPoolExecutor(self.workers, mp_context=context, initializer=end_with, initargs=(os.getpid(),))

    def _start(self, pool, reader: ArchiveReader, row: dict):
        """The page's extraction: started in a worker (a future, with its arguments), done here, or why not."""
        try:
            page = reader.page(row["warc_file"], row["warc_offset"])
        except Missing:
            return "its archive file is missing"
        except Truncated as exc:  # the problems are counted by kind (a million damaged records: one line)
            return self._problem("its archived response is cut short", exc, row)
        except ArchiveError as exc:
            return self._problem("unreadable archived response", exc, row)
        try:
            job = _job(row, page, self.sites)
        except Exception as exc:  # noqa: BLE001 - headers or a body the response classes refuse: counted
            return self._problem("its archived response cannot be rebuilt as a page", exc, row)
        if isinstance(job, str):
            return job
        if pool is not None and not self._broken:
            try:
                return pool.submit(read_page, *job), job
            except BrokenProcessPool:
                self._broken = True
        try:
            return read_page(*job)
        except Exception as exc:  # noqa: BLE001 - as a worker's failure (_finish): counted, the others go on
            return self._problem(f"extraction failed ({type(exc).__name__})", exc, row)

    def _problem(self, kind: str, exc: Exception, row: dict | None = None) -> str:
        if kind not in self.summary.details:
            where = f"{row['warc_file']} @ {row['warc_offset']}: " if row else ""
            self.summary.details[kind] = f"{where}{type(exc).__name__}: {str(exc)[:120]}"
        return kind

    def _finish(self, store: Store, row: dict, outcome) -> None:
        if isinstance(outcome, str):
            self.summary.problems[outcome] += 1
            return
        try:
            if isinstance(outcome, tuple) and isinstance(outcome[0], Future):
                try:
                    outcome = outcome[0].result()
                except BrokenProcessPool:  # a worker died: this page and the rest are read here
                    self._broken = True
                    outcome = read_page(*outcome[1])
            fields, counts = outcome
        except Exception as exc:  # noqa: BLE001 - a page extraction fails on: counted, the others go on
            self.summary.problems[f"extraction failed ({type(exc).__name__})"] += 1
            return
        site = row["site"]
        self.summary.read[site] += 1
        item = ArticleItem(**fields)
        item["url"], item["site"], item["crawled_at"] = row["url"], site, row["crawled_at"]  # the row's identity
        if item.get("attachments"):  # the documents it links, as stored: their text tags topics and keeps notices
            with_documents(item, [stored_attachment(store, a) for a in item["attachments"]], self.stats)
        if validation_errors(item):
            self.summary.problems["the new reading would be dropped by validation (kept as stored)"] += 1
            return
        self.titles.check(item, self.stats)
        changed = store.differences(row["id"], item) or {}
        if not changed:
            return
        other = store.article_id_for_hash(item["content_hash"])
        if other is not None and other != row["id"]:
            self.summary.problems["it now reads as another stored article (kept as stored)"] += 1
            return
        self.summary.changed[site] += 1
        for name in changed:
            self.summary.fields[site][name] += 1
        if len(self.summary.examples) < EXAMPLES:
            self.summary.examples.append((row["url"], changed))
        if not self.dry_run:
            store.revise(row["id"], item)


def stored_attachment(store: Store, candidate: dict) -> dict:
    """An attachment link found by today's extraction, with the reading the database has of the file its URL last
    answered (re-extraction fetches nothing: a document never read stays a link)."""
    known = store.document_at(candidate.get("url") or "")
    fields = store.stored_document(known["sha256"]) if known and known.get("sha256") else None
    return entry_of(candidate["url"], candidate.get("name"), fields) if fields else candidate


def report(summary: Summary, db_path: str, dry_run: bool, out=None) -> None:
    out = out or sys.stdout  # the stdout of the moment (not the one at import)
    sites = sorted(summary.read, key=lambda s: (-summary.changed[s], s))
    print(f"reextract {db_path}: {summary.total:,} archived articles of {len(sites)} site(s) read again in "
          f"{summary.seconds:.1f} s ({summary.rate():,.1f} articles/s, "
          f"{summary.workers or 'no'} worker process{'es' if summary.workers != 1 else ''})", file=out)
    if sites:
        print(f"{'site':<20} {'read':>7} {'changed':>8}  fields changed (articles)", file=out)
    for site in sites:
        fields = ", ".join(f"{name} {n}" for name, n in summary.fields[site].most_common())
        print(f"{site:<20} {summary.read[site]:>7,} {summary.changed[site]:>8,}  {fields or '-'}", file=out)
    changed = sum(summary.changed.values())
    for problem, n in summary.problems.most_common():
        first = summary.details.get(problem)
        print(f"not read again: {n:,} article(s): {problem}" + (f" (the first: {first})" if first else ""), file=out)
    if dry_run:
        print(f"dry run: nothing was written; {changed:,} article(s) would get a new version", file=out)
        for url, fields in summary.examples:
            print(f"  {url}", file=out)
            for name, (old, new) in list(fields.items())[:4]:
                print(f"    {name}: {_short(old)!s} -> {_short(new)!s}", file=out)
    else:
        print(f"{changed:,} article(s) updated, each with its earlier version kept in article_versions "
              "(reason 're-extracted')", file=out)
