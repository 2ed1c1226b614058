"""``python -m crawler writer``: the one process that writes SQLite in a distributed crawl.

It drains ``cchc:items`` in batches through the same deduplication and writer pipelines as a single-process
crawl, and trims a batch from Redis only after it is committed (a writer that dies loses nothing; what it had
half-written comes again and is recognised as unchanged). Workers' ``crawl_runs`` rows are stored with the
article counts the writer found for them. With ``until_done`` it ends when the run is over: no queued request,
nothing in flight, no live worker, no item left.
"""
from __future__ import annotations

import json
import logging
import time
from collections import Counter, defaultdict

from scrapy.exceptions import DropItem

from crawler.distributed.keys import Keys, connect, ping_once
from crawler.distributed.scheduler import requeue_dead
from crawler.items import ArticleGone, ArticleItem
from pipelines.deduplication import DeduplicationPipeline
from pipelines.sqlite_writer import SQLiteWriterPipeline

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
COUNTED = {"cchc/new": "new", "cchc/updated": "updated", "cchc/dropped/duplicate": "duplicates",
           "cchc/dropped/unchanged": "unchanged", "cchc/removed": "removed"}


class Stats(Counter):
    """The slice of Scrapy's stats collector that the pipelines use."""

    def inc_value(self, key, count=1, start=0):
        self[key] += count

    def set_value(self, key, value):
        self[key] = value

    def get_value(self, key, default=None):
        return self.get(key, default)


class Writer:
    def __init__(self, redis_url: str, db_path: str, prefix: str = "cchc", batch: int = 500):
        ping_once(redis_url)
        self.server, self.keys, self.batch = connect(redis_url), Keys(prefix), batch
        self._trim = self.server.register_script(_TRIM)
        self.stats = Stats()
        self.dedup = DeduplicationPipeline(self.stats, db_path, batch)
        self.writer = SQLiteWriterPipeline(self.stats, db_path, batch)
        self.writer.crawler = None
        self.writer.on_rejected = self._rejected
        self.run_of: dict[str, str] = {}  # article URL -> run id, for the batch being written
        self.per_run: dict[str, Counter] = defaultdict(Counter)
        self.runs_seen: set[str] = set()

    def _rejected(self, url: str, was_new: bool) -> None:
        self.per_run[self.run_of.get(url) or "?"]["new" if was_new else "updated"] -= 1

    def _write(self, payload: dict) -> None:
        cls = ArticleGone if payload.get("kind") == "gone" else ArticleItem
        item = cls(**payload["item"])
        self.run_of[item.get("url")] = payload.get("run_id")
        before = {k: self.stats[k] for k in COUNTED}
        try:
            self.writer.process_item(self.dedup.process_item(item))
        except DropItem:
            pass
        for key, column in COUNTED.items():
            if self.stats[key] != before[key]:
                self.per_run[payload.get("run_id") or "?"][column] += self.stats[key] - before[key]

    def drain_once(self) -> int:
        """Write one batch of items and the finished runs; the number of items written (-1: database failed)."""
        raw = self.server.lrange(self.keys.items, 0, self.batch - 1)
        for blob in raw:
            try:
                self._write(json.loads(blob))
            except (ValueError, KeyError, TypeError) as exc:  # not an item this version understands: keep it aside
                self.stats.inc_value("cchc/writer/bad_items")
                self.server.rpush(self.keys.items + ":bad", blob)
                logger.error("unreadable item moved to %s:bad: %s", self.keys.items, exc)
        if raw:
            self.writer.store.flush()
            self.run_of.clear()
            if self.writer.failed:
                return -1  # nothing trimmed: the batch is still in Redis for the next writer
            self._trim(keys=[self.keys.items], args=[len(raw), raw[0], raw[-1]])
        for blob in self.server.lrange(self.keys.runs, 0, 99):
            row = json.loads(blob)
            row.update(self.per_run.get(row["run_id"], {}))
            self.writer.store.db["crawl_runs"].insert(row, pk="run_id", replace=True, alter=True)
            self.runs_seen.add(row["run_id"])
            self._trim(keys=[self.keys.runs], args=[1, blob, blob])  # lpop, safe to repeat
        return len(raw)

    def pending(self) -> tuple[int, int, int]:
        """(queued requests, requests in flight at live workers, live workers), putting dead workers' work back."""
        queued = inflight = alive = 0
        for name in sorted(s.decode() for s in self.server.smembers(self.keys.spiders)):
            _moved, live = requeue_dead(self.server, self.keys, name)
            queued += self.server.zcard(self.keys.requests(name))
            inflight += live
            alive += sum(1 for _ in self.server.scan_iter(match=self.keys.alive(name), count=500))
        return queued, inflight, alive

    def finish_runs(self) -> None:
        """Put the final article counts on the workers' rows."""
        db = self.writer.store.db
        with db.atomic():
            for run_id in self.runs_seen:
                counts = self.per_run.get(run_id, {})
                db.execute("update crawl_runs set new = ?, updated = ?, duplicates = ?, unchanged = ?, removed = ? "
                           "where run_id = ?", [counts.get(c, 0) for c in ("new", "updated", "duplicates", "unchanged",
                                                                              "removed")] + [run_id])

    def run(self, until_done: bool = True, wait_workers: float = 600, poll: float = 0.5) -> int:
        """Drain until the run is over (or forever); exit status 0, 1 on a database error, 3 when work is left
        in Redis and no worker has been alive for ``wait_workers`` seconds."""
        self.dedup.open_spider()
        self.writer.open_spider()
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
            if not self.writer.failed:
                self.finish_runs()
            self.writer.close_spider()
            self.dedup.close_spider()

    def summary(self) -> str:
        counts = {column: self.stats[key] for key, column in COUNTED.items()}
        return ", ".join(f"{v} {k}" for k, v in counts.items()) + f"; {len(self.runs_seen)} worker runs recorded"
