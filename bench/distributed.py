"""Distributed crawl benchmark: pages per second with 1, 2 and 4 workers, measured side by side in one run.

    .venv/bin/python bench/distributed.py [--articles 200] [--latency 0.1] [--workers 1,2,4]

A local server (tests/harness/synthetic.py) answers every request after a fixed delay, like a distant portal; each
worker keeps one request at a time per site (politeness), so one worker is bound by the latency and more
workers should scale almost linearly. Each configuration is a full night: redis-server started fresh, seed,
N worker processes, the writer until the run ends by itself; the time runs from seeding to the writer's exit.
"""
from __future__ import annotations

import sys

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the test harness (tests/harness)
from harness.local_redis import LocalRun, redis_server
from harness.synthetic import SyntheticMirror

ROOT = Path(__file__).resolve().parent.parent


def one_run(workers: int, articles: int, latency: float, folder: Path) -> dict:
    with redis_server() as url, SyntheticMirror(sites=1, articles=articles, delay=latency) as mirror:
        host = mirror.hosts[0]
        args = ["-a", f"start_urls={mirror.start_url(host)}", "-a", f"base_url={mirror.base_url(host)}",
                "-a", "max_pages=1000"]
        db = folder / f"w{workers}.db"
        run = LocalRun(url, db, args, env={"CCHC_REDIS_WORKER_TTL": "10"})
        started = time.perf_counter()
        run.seed()
        run.start_workers(workers)
        writer = run.writer(timeout=1800)
        elapsed = time.perf_counter() - started
        run.wait_workers()
        pages = sum(n for path, n in mirror.hits.items() if not path.endswith("robots.txt"))
    stored = sqlite3.connect(db).execute("select count(*) from articles").fetchone()[0]
    if writer.returncode != 0 or stored != articles:
        raise SystemExit(f"{workers} workers: writer exit {writer.returncode}, {stored}/{articles} stored\n{writer.stderr[-1500:]}")
    return {"workers": workers, "pages": pages, "seconds": elapsed, "rate": pages / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds the server waits before each answer")
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    print(f"{args.articles} articles + listing pages, {args.latency * 1000:.0f} ms latency per request, one site")
    with tempfile.TemporaryDirectory() as tmp:
        results = [one_run(n, args.articles, args.latency, Path(tmp)) for n in counts]
    base = results[0]["rate"]
    print(f"{'workers':>7} {'pages':>6} {'seconds':>8} {'pages/s':>8} {'vs 1':>6} {'efficiency':>10}")
    for r in results:
        print(f"{r['workers']:>7} {r['pages']:>6} {r['seconds']:>8.1f} {r['rate']:>8.2f} {r['rate'] / base:>5.2f}x "
              f"{r['rate'] / base / (r['workers'] / results[0]['workers']):>9.0%}")


if __name__ == "__main__":
    main()
