"""Redis key names and the connection, shared by the seeder, the workers and the writer."""
from __future__ import annotations

import os
import socket

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

DEFAULT_PREFIX = "cchc"


def connect(url: str) -> redis.Redis:
    """A client that retries a few times through short Redis outages."""
    return redis.Redis.from_url(url, retry=Retry(ExponentialBackoff(cap=5), 6),
                                retry_on_error=[redis.ConnectionError, redis.TimeoutError], health_check_interval=30)


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
