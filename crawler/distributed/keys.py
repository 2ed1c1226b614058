"""Redis key names and the connection, shared by the seeder, the workers and the writer."""
from __future__ import annotations

import os
import socket

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

DEFAULT_PREFIX = "cchc"


def connect(url: str) -> redis.Redis:
    """A client that rides out Redis outages of about a minute and a half (a restart, a stalled server): each
    command waits at most CCHC_REDIS_TIMEOUT seconds (default 30; a stalled server is noticed, not waited on
    forever) and is retried 15 times with backoff up to 8 s. Commands that are re-sent must be safe to repeat:
    the scheduler's take and the writer's trim are."""
    timeout = float(os.environ.get("CCHC_REDIS_TIMEOUT") or 30)
    return redis.Redis.from_url(url, retry=Retry(ExponentialBackoff(cap=8, base=0.25), 15),
                                retry_on_error=[redis.ConnectionError, redis.TimeoutError], health_check_interval=30,
                                socket_timeout=timeout, socket_connect_timeout=timeout)


def ping_once(url: str, timeout: float = 5) -> None:
    """Fail at once, naming the setting, when Redis cannot be reached at start (the patient client of
    ``connect`` would retry for a minute and a half)."""
    try:
        redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout).ping()
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise redis.ConnectionError(f"CCHC_REDIS_URL={url}: cannot reach Redis ({exc})") from None


def worker_id(settings=None) -> str:
    """``CCHC_WORKER_ID`` or host:pid."""
    given = (settings.get("CCHC_WORKER_ID") if settings is not None else None) or os.environ.get("CCHC_WORKER_ID")
    return given or f"{socket.gethostname()}:{os.getpid()}"


class Keys:
    """``Keys(prefix).requests(spider)`` and friends."""

    def __init__(self, prefix: str = DEFAULT_PREFIX):
        self.prefix = prefix or DEFAULT_PREFIX

    def requests(self, spider: str) -> str:
        return f"{self.prefix}:{spider}:requests"

    def seen(self, spider: str) -> str:
        return f"{self.prefix}:{spider}:seen"

    def seen_run(self, spider: str) -> str:
        return f"{self.prefix}:{spider}:seen-run"

    def inflight(self, spider: str, worker: str = "*") -> str:
        return f"{self.prefix}:{spider}:inflight:{worker}"

    def last_take(self, spider: str, worker: str) -> str:
        """The worker's last take from the queue (take id and request token), so a re-sent take repeats it."""
        return f"{self.prefix}:{spider}:last-take:{worker}"

    def requeued(self, spider: str) -> str:
        """Requests put back into the queue from workers found dead, this night (emptied by ``seed``)."""
        return f"{self.prefix}:{spider}:requeued"

    def alive(self, spider: str, worker: str = "*") -> str:
        return f"{self.prefix}:{spider}:alive:{worker}"

    def known(self, spider: str) -> str:
        return f"{self.prefix}:{spider}:known"

    def recent(self, spider: str) -> str:
        return f"{self.prefix}:{spider}:recent"

    def state(self, spider: str) -> str:
        return f"{self.prefix}:{spider}:state"

    @property
    def spiders(self) -> str:
        return f"{self.prefix}:spiders"

    @property
    def items(self) -> str:
        return f"{self.prefix}:items"

    @property
    def runs(self) -> str:
        return f"{self.prefix}:runs"

    @classmethod
    def from_settings(cls, settings) -> "Keys":
        return cls(settings.get("CCHC_REDIS_PREFIX") or DEFAULT_PREFIX)
