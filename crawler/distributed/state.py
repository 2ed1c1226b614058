"""What the database knows about a site, published to Redis by the seeder and read by the workers."""
from __future__ import annotations

from crawler.distributed.keys import Keys, connect, ping_once
from crawler.store import KnownArticles

_CHUNK = 5000


def publish_known(server, keys: Keys, spider: str, known: KnownArticles, browser: bool) -> None:
    pipe = server.pipeline()
    pipe.delete(keys.known(spider), keys.recent(spider))
    for key, urls in ((keys.known(spider), sorted(known.urls)), (keys.recent(spider), sorted(known.recent))):
        for i in range(0, len(urls), _CHUNK):
            pipe.sadd(key, *urls[i:i + _CHUNK])
    pipe.hset(keys.state(spider), mapping={"browser": int(browser)})
    pipe.execute()


def load_known(server, keys: Keys, spider: str) -> tuple[KnownArticles, bool]:
    urls = {u.decode() for u in server.smembers(keys.known(spider))}
    recent = {u.decode() for u in server.smembers(keys.recent(spider))}
    browser = server.hget(keys.state(spider), "browser") == b"1"
    return KnownArticles(urls, recent), browser


def crawl_state_from_redis(crawler, spider) -> tuple[KnownArticles, bool]:
    """CCHC_CRAWL_STATE of a distributed worker (set by the add-on): what the seeder published from the database."""
    settings = crawler.settings
    ping_once(settings.get("CCHC_REDIS_URL"))
    return load_known(connect(settings.get("CCHC_REDIS_URL")), Keys.from_settings(settings), spider.name)
