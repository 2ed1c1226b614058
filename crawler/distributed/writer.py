"""``python -m crawler writer``: the one process that writes SQLite in a distributed crawl.

It drains ``cchc:items`` in batches into the article store, with the same dedup decision as a single-process
crawl (``Store.classify``), and trims a batch from Redis only after it is committed (a writer that dies
loses nothing; what it had half-written comes again and is recognised as unchanged). Workers' ``crawl_runs``
rows are stored with the article counts the writer found for them. With ``until_done`` it ends when the run is
over: no queued request, nothing in flight, no live worker, no item left.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections import Counter, defaultdict

from crawler.distributed.keys import Keys, connect, ping_once
from crawler.distributed.scheduler import requeue_dead
from crawler.items import ArticleGone, ArticleItem
from crawler.store import DUPLICATE, NEW, ROW_ERRORS, UNCHANGED, UPDATED, Store

logger = logging.getLogger(__name__)
# Remove the batch just written from the head of the list, only if it is still there: a trim that redis-py
# re-sends after a timeout (Redis had run it) must not remove the next, unwritten batch too.
_TRIM = """
local n = tonumber(ARGV[1])
if redis.call('LINDEX', KEYS[1], 0) == ARGV[2] and redis.call('LINDEX', KEYS[1], n - 1) == ARGV[3] then
  redis.call('LTRIM', KEYS[1], n, -1)
  return 1
end
return 0
"""
# The store's outcome -> the crawl_runs column it counts in.
COLUMNS = {NEW: "new", UPDATED: "updated", DUPLICATE: "duplicates", UNCHANGED: "unchanged", "removed": "removed"}


class Writer:
    def __init__(self, redis_url: str, db_path: str, prefix: str = "cchc", batch: int = 500, run_ttl: int = 20 * 3600):
        ping_once(redis_url)
        self.server, self.keys, self.batch = connect(redis_url), Keys(prefix), batch
        self.run_ttl = run_ttl  # CCHC_REDIS_RUN_TTL: how long the night's list of requests put back is kept
        self._trim = self.server.register_script(_TRIM)
        self.db_path = db_path
        self.store: Store | None = None
        self.failed = False
        self.totals: Counter = Counter()  # by crawl_runs column, over the whole run
        self.bad_items = self.unwritable = 0
        self.run_of: dict[str, str] = {}  # article URL -> run id, for the batch being written
        self.per_run: dict[str, Counter] = defaultdict(Counter)
        self.runs_seen: set[str] = set()

    def _count(self, run_id: str | None, column: str, n: int = 1) -> None:
        self.per_run[run_id or "?"][column] += n
        self.totals[column] += n

    def _rejected(self, url: str, reason: str, was_new: bool) -> None:
        """A queued article SQLite refused when its batch was written (logged by the store)."""
        self.unwritable += 1
        self._count(self.run_of.get(url), "new" if was_new else "updated", -1)

    def _write(self, payload: dict) -> None:
        kind = ArticleGone if payload.get("kind") == "gone" else ArticleItem
        item, run_id = dict(kind(**payload["item"])), payload.get("run_id")  # a field unknown here: KeyError
        if kind is ArticleGone:
            if self.store.mark_removed(item["url"], item["seen_at"], item["reason"]):
                self._count(run_id, "removed")
            return
        url = item["url"]
        for entry in item.get("attachments") or ():  # documents a worker read: kept once per sha256, whatever the article
            if entry.get("sha256"):
                self.store.keep_document(entry, entry["url"])
        outcome = self.store.classify(url, item["content_hash"], item["site"])
        self._count(run_id, COLUMNS[outcome])
        if outcome in (UNCHANGED, DUPLICATE):
            return
        self.run_of[url] = run_id
        try:
            self.store.add(item, on_reject=self._rejected)
        except ROW_ERRORS as exc:  # this item only: counted, logged, the batch goes on
            self._rejected(url, f"{type(exc).__name__}: {exc}", outcome == NEW)
            logger.error("article %s not stored: %s", url, exc)

    def _flush(self) -> bool:
        try:
            self.store.flush()
            return True
        except sqlite3.Error as exc:
            self._database_failed(exc)
            return False

    def _database_failed(self, exc: Exception) -> int:
        self.failed = True
        self.store.discard_pending()
        logger.error("cannot write to the database %s: %s. Check free disk space and that the file and its "
                     "folder are writable; the batch stays in Redis for the next writer.", self.db_path, exc)
        return -1

    def drain_once(self) -> int:
        """Write one batch of items and the finished runs; the number of items written (-1: database failed)."""
        raw = self.server.lrange(self.keys.items, 0, self.batch - 1)
        try:
            for blob in raw:
                try:
                    self._write(json.loads(blob))
                except (ValueError, KeyError, TypeError, AttributeError) as exc:  # not an item this version understands
                    self.bad_items += 1
                    self.server.rpush(self.keys.items + ":bad", blob)
                    logger.error("unreadable item moved to %s:bad: %s", self.keys.items, exc)
        except sqlite3.Error as exc:  # the database, not the item (a batch flushed by add or mark_removed)
            return self._database_failed(exc)
        if raw:
            written = self._flush()
            self.run_of.clear()
            if not written:
                return -1  # nothing trimmed: the batch is still in Redis for the next writer
            self._trim(keys=[self.keys.items], args=[len(raw), raw[0], raw[-1]])
        for blob in self.server.lrange(self.keys.runs, 0, 99):
            row = json.loads(blob)
            row.update(self.per_run.get(row["run_id"], {}))
            self.store.insert_run(row)
            self.runs_seen.add(row["run_id"])
            self._trim(keys=[self.keys.runs], args=[1, blob, blob])  # lpop, safe to repeat
        return len(raw)

    def pending(self) -> tuple[int, int, int]:
        """(queued requests, requests in flight at live workers, live workers), putting dead workers' work back."""
        queued = inflight = alive = 0
        for name in sorted(s.decode() for s in self.server.smembers(self.keys.spiders)):
            moved, live = requeue_dead(self.server, self.keys, name, self.run_ttl)
            if moved:
                logger.warning("%s: %d requests of a worker that is gone were put back into the queue", name, moved)
            queued += self.server.zcard(self.keys.requests(name))
            inflight += live
            alive += sum(1 for _ in self.server.scan_iter(match=self.keys.alive(name), count=500))
        return queued, inflight, alive

    def finish_runs(self) -> None:
        """Put the final article counts on the workers' rows."""
        self.store.set_run_counts({run_id: self.per_run.get(run_id, {}) for run_id in self.runs_seen})

    def run(self, until_done: bool = True, wait_workers: float = 600, poll: float = 0.5) -> int:
        """Drain until the run is over (or forever); exit status 0, 1 on a database error, 3 when work is left
        in Redis and no worker has been alive for ``wait_workers`` seconds."""
        self.store = Store(self.db_path, self.batch)
        orphaned_since = None
        try:
            while True:
                written = self.drain_once()
                if written < 0:
                    return 1
                if written:
                    continue
                if not until_done:
                    time.sleep(poll)
                    continue
                queued, inflight, alive = self.pending()
                if not (queued or inflight or alive or self.server.llen(self.keys.items) or self.server.llen(self.keys.runs)):
                    return 0
                if alive:
                    orphaned_since = None
                else:
                    orphaned_since = orphaned_since or time.monotonic()
                    if time.monotonic() - orphaned_since > wait_workers:
                        logger.error("%d requests wait in Redis and no worker has been alive for %.0f s: start a "
                                     "worker (CCHC_REDIS_URL=... python -m crawler run) to finish them", queued, wait_workers)
                        return 3
                time.sleep(poll)
        finally:
            try:
                if not self.failed and self._flush():
                    self.finish_runs()
            finally:
                self.store.close()
                self.store = None

    def summary(self) -> str:
        counts = {column: self.totals[column] for column in COLUMNS.values()}
        extra = "".join(f"; {n} {what}" for n, what in ((self.unwritable, "not writable"), (self.bad_items, "unreadable"))
                        if n)
        return ", ".join(f"{v} {k}" for k, v in counts.items()) + f"; {len(self.runs_seen)} worker runs recorded{extra}"
