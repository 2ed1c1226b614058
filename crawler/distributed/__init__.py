"""Distributed crawling on Redis (scrapy-redis): many workers on many machines, one SQLite writer.

Set ``CCHC_REDIS_URL`` (environment or ``-s``) and a crawl becomes a *worker* (see ``addon.py``):

- scrapy-redis's scheduler keeps every spider's request queue in Redis (``cchc:<spider>:requests``), so any
  number of worker processes share it; its duplicate filter keeps article fingerprints (``cchc:<spider>:seen``)
  for good, while listing pages, ASP.NET postbacks and re-checks go to a per-run set (``seen-run``) that the
  seeding command empties and that expires, so that the next night fetches them again;
- a request a worker takes is moved, in one Lua script, from the queue to that worker's in-flight hash and
  removed from it once its callback has run; a worker whose heartbeat key has expired (killed, machine lost)
  has its in-flight requests put back into the queue by whichever process notices first;
- workers run extraction and the cleaning/date/hash/topic/validation pipelines, then push finished items to the
  list ``cchc:items``; SQLite has one writer, ``python -m crawler writer``, which drains that list through the
  same deduplication and writer pipelines as a single-process crawl and records each worker's ``crawl_runs``
  row; it deletes items from Redis only after they are committed;
- a worker's spider closes when the queue is empty and no live worker has a request in flight; the writer ends
  when, in addition, every worker has closed and the item list is empty;
- ``python -m crawler seed`` starts a night: for each site it publishes what the database already knows (so
  workers skip known articles and re-check young ones as a single process would) and queues the start pages.
"""
