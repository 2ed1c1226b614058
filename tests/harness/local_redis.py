"""A distributed run on this machine, as the README's commands: for tests, benchmarks and trying it out.

``with redis_server() as url:`` starts ``redis-server`` on 127.0.0.1 (no persistence) and stops it afterwards;
``LocalRun`` seeds, starts N worker processes and runs the writer, each a separate process.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def redis_server(binary: str | None = None):
    """Yield the URL of a fresh redis-server on a free loopback port."""
    binary = binary or shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        raise RuntimeError("redis-server is not installed (bin/setup installs Debian's redis-server)")
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            raise RuntimeError(f"redis-server did not answer on port {port}")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class LocalRun:
    """``LocalRun(url, db, ["-a", "start_urls=..."], spider="generic")``: ``seed()``, ``start_workers(n)``,
    ``writer()`` (blocks until the run is over), ``wait_workers()``."""

    def __init__(self, redis_url: str, db: str | Path, spider_args: list[str], spider: str = "generic",
                 env: dict | None = None, log_dir: Path | None = None):
        self.spider, self.spider_args = spider, spider_args
        self.env = dict(os.environ, CCHC_REDIS_URL=redis_url, CCHC_DB=str(db), **(env or {}))
        self.log_dir = log_dir
        self.workers: list[subprocess.Popen] = []
        self.python = sys.executable

    def seed(self) -> subprocess.CompletedProcess:
        return subprocess.run([self.python, "-m", "crawler", "seed", "--spider", self.spider, *self.spider_args],
                              cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120)

    def start_workers(self, n: int) -> list[subprocess.Popen]:
        scrapy = str(Path(self.python).with_name("scrapy"))
        for i in range(n):
            log = open(self.log_dir / f"worker-{len(self.workers)}.log", "w") if self.log_dir else subprocess.DEVNULL
            self.workers.append(subprocess.Popen([scrapy, "crawl", self.spider, *self.spider_args], cwd=ROOT,
                                                 env=dict(self.env, CCHC_WORKER_ID=f"worker-{len(self.workers)}"),
                                                 stdout=subprocess.DEVNULL, stderr=log))
        return self.workers

    def writer(self, timeout: float = 600, wait_workers: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run([self.python, "-m", "crawler", "writer", "--wait-workers", str(wait_workers)], cwd=ROOT,
                              env=self.env, capture_output=True, text=True, timeout=timeout)

    def wait_workers(self, timeout: float = 120) -> list[int]:
        return [w.wait(timeout=timeout) for w in self.workers]

    def kill_all(self) -> None:
        for w in self.workers:
            if w.poll() is None:
                w.kill()
