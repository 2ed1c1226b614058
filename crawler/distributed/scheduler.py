"""scrapy-redis's scheduler and duplicate filter, made safe for workers that die and for nightly runs."""
from __future__ import annotations

import hashlib
import logging
import uuid

from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

from crawler.urls import fingerprint_url
from crawler.distributed.keys import Keys, connect, worker_id
from crawler.stats import Meta, Stat

logger = logging.getLogger(__name__)

# Take the best request and record it as in flight for this worker, atomically (a crash in between loses nothing).
# The in-flight hash maps sha1(request) -> "<score>\n<request>", so that anyone can put it back unchanged.
# Safe to repeat: redis-py re-sends the script after a timeout although Redis may have run it already, so each
# call carries a take id (ARGV[1]) and the worker's last take is remembered (KEYS[3]): a repeated call returns the
# request it took the first time instead of taking (and losing) a second one.
_TAKE = """
local last = redis.call('GET', KEYS[3])
if last then
  local sep = string.find(last, '\\n', 1, true)
  if string.sub(last, 1, sep - 1) == ARGV[1] then
    local held = redis.call('HGET', KEYS[2], string.sub(last, sep + 1))
    if not held then return false end
    return string.sub(held, string.find(held, '\\n', 1, true) + 1)
  end
end
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
local token = redis.sha1hex(r[1])
redis.call('HSET', KEYS[2], token, r[2] .. '\\n' .. r[1])
redis.call('SET', KEYS[3], ARGV[1] .. '\\n' .. token, 'EX', 86400)
return r[1]
"""
# Put a dead worker's in-flight requests back into the queue, unless its heartbeat came back (KEYS[3]), and record
# each one in the night's list of requests put back (KEYS[4], kept ARGV[1] seconds): a page fetched twice in a
# night must be one of them (tests/test_distributed.py checks exactly that, whatever the machine's load).
_REQUEUE = """
if redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
local vals = redis.call('HVALS', KEYS[1])
for _, v in ipairs(vals) do
  local sep = string.find(v, '\\n', 1, true)
  redis.call('ZADD', KEYS[2], string.sub(v, 1, sep - 1), string.sub(v, sep + 1))
  redis.call('RPUSH', KEYS[4], string.sub(v, sep + 1))
end
if #vals > 0 then redis.call('EXPIRE', KEYS[4], ARGV[1]) end
redis.call('DEL', KEYS[1])
return #vals
"""
PER_RUN_META = (Meta.LISTING, Meta.POSTBACK, Meta.RECHECK)


def per_run(request) -> bool:
    """Listing pages, postbacks and re-checks are fetched again every night; articles only once."""
    return any(request.meta.get(k) for k in PER_RUN_META)


class RunAwareDupeFilter(RFPDupeFilter):
    """Article fingerprints persist across runs (``seen``); per-run requests go to ``seen-run``, which expires
    after ``CCHC_REDIS_RUN_TTL`` seconds and is emptied by ``python -m crawler seed``."""

    def __init__(self, server, key, run_key, run_ttl: int = 20 * 3600, debug=False):
        super().__init__(server, key, debug)
        self.run_key, self.run_ttl = run_key, run_ttl

    @classmethod
    def from_spider(cls, spider):
        settings = spider.settings
        keys = Keys.from_settings(settings)
        return cls(connect(settings.get("CCHC_REDIS_URL")), keys.seen(spider.name), keys.seen_run(spider.name),
                   settings.getint("CCHC_REDIS_RUN_TTL"), settings.getbool("DUPEFILTER_DEBUG"))

    def request_fingerprint(self, request) -> str:
        """scrapy-redis' fingerprint over crawler.urls.fingerprint_url (tracking parameters, http/https, www.
        folded), as in a single-process crawl."""
        return super().request_fingerprint(request.replace(url=fingerprint_url(request.url)))

    def request_seen(self, request) -> bool:
        fp = self.request_fingerprint(request)
        if not per_run(request):
            return self.server.sadd(self.key, fp) == 0
        pipe = self.server.pipeline()
        pipe.sadd(self.run_key, fp)
        pipe.expire(self.run_key, self.run_ttl)
        added, _ = pipe.execute()
        return added == 0

    def forget(self, request) -> None:
        """Let a later run try this request again (it failed for good this time)."""
        self.server.srem(self.run_key if per_run(request) else self.key, self.request_fingerprint(request))


class SharedScheduler(Scheduler):
    """The scrapy-redis scheduler, with an in-flight record per worker (see the package docstring)."""

    @classmethod
    def from_crawler(cls, crawler):
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        scheduler.keys = Keys.from_settings(crawler.settings)
        scheduler.worker = worker_id(crawler.settings)
        crawler.cchc_scheduler = scheduler
        return scheduler

    def open(self, spider):
        super().open(spider)
        self.inflight_key = self.keys.inflight(spider.name, self.worker)
        self.last_take_key = self.keys.last_take(spider.name, self.worker)
        self._take = self.server.register_script(_TAKE)
        self.server.sadd(self.keys.spiders, spider.name)

    def enqueue_request(self, request):
        old = request.meta.pop(Meta.INFLIGHT, None)
        if old:  # a redirect or retry of a request we hold: the new request replaces it
            self.server.hdel(self.inflight_key, old)
        return super().enqueue_request(request)

    def next_request(self):
        data = self._take(keys=[self.queue.key, self.inflight_key, self.last_take_key],
                          args=[uuid.uuid4().hex])
        if not data:
            return None
        request = self.queue._decode_request(data)
        request.meta[Meta.INFLIGHT] = hashlib.sha1(data).hexdigest()
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis", spider=self.spider)
        return request

    def done(self, request) -> None:
        """The request's callback has run (its items and requests are in Redis): forget it."""
        token = request.meta.get(Meta.INFLIGHT)
        if token:
            self.server.hdel(self.inflight_key, token)

    def drop_own_inflight(self) -> None:
        """Nothing is in flight in this process (the engine is idle): clear what errbacks left behind."""
        self.server.delete(self.inflight_key)

    def others_busy(self) -> bool:
        """Another live worker has requests in flight (they may queue more); dead workers' are put back first.
        Call after ``drop_own_inflight``."""
        moved, live = requeue_dead(self.server, self.keys, self.spider.name,
                                   self.crawler.settings.getint("CCHC_REDIS_RUN_TTL"))
        if moved:
            logger.warning("%d requests of a worker that is gone were put back into the queue", moved)
            self.crawler.stats.inc_value(Stat.DISTRIBUTED_REQUEUED, moved)
        return live > 0


def requeue_dead(server, keys: Keys, spider: str, run_ttl: int = 20 * 3600) -> tuple[int, int]:
    """(requests put back from dead workers, requests in flight at live workers) for one spider. What was put
    back is also listed in ``keys.requeued(spider)`` for the night."""
    script = server.register_script(_REQUEUE)
    moved = live = 0
    for key in server.scan_iter(match=keys.inflight(spider), count=500):
        key = key.decode()
        worker = key[len(keys.inflight(spider, "")):]
        count = server.hlen(key)
        if not count:
            continue
        result = script(keys=[key, keys.requests(spider), keys.alive(spider, worker), keys.requeued(spider)],
                        args=[run_ttl])
        if result == -1:
            live += count
        else:
            moved += result
    return moved, live
