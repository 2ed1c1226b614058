"""Reading articles in worker processes (crawler/prepare/pool.py) changes where the work runs, never what is stored
or counted: the same fixture crawl with no worker and with workers (extraction and the preparation stages there)
stores the same articles and counts the same stats."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from conftest import ROOT, crawl_stats, rows, run_scrapy
from crawler.prepare import pool

COLUMNS = ("url", "title", "lead", "body_text", "body_html", "author", "published_at", "date_source", "topics",
           "relevance", "content_hash", "story_id", "images", "source_attribution")


def crawl(mirror, tmp_path, name, **env):
    db = tmp_path / f"{name}.db"
    result = run_scrapy(["crawl", "baodaknong", "-a", f"base_url={mirror.base_url('baodaknong.vn')}"], db, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    stats = {k: v for k, v in crawl_stats(result).items() if k.startswith("cchc/") and "time" not in k}
    columns = ", ".join(COLUMNS)
    stored = rows(db, f"select {columns} from articles order by url")
    # A story is named by its first stored article's id, which depends on the order the pages arrived in (workers
    # finish in any order): compared here as the articles it groups, by the first URL among them.
    first_url = {}
    for row in stored:
        first_url.setdefault(row["story_id"], row["url"])
    for row in stored:
        row["story_id"] = first_url[row["story_id"]]
    return stored, stats, result.stderr


def test_workers_store_and_count_the_same(mirror, tmp_path):
    here, here_stats, _ = crawl(mirror, tmp_path, "here", CCHC_EXTRACT_WORKERS="0")
    beside, beside_stats, log = crawl(mirror, tmp_path, "beside", CCHC_EXTRACT_WORKERS="1")
    two, two_stats, _ = crawl(mirror, tmp_path, "two", CCHC_EXTRACT_WORKERS="2")
    assert here and here == beside == two
    assert here_stats == beside_stats == two_stats
    assert here_stats.get("cchc/extract/worker_lost", 0) == 0 and "worker died" not in log


def test_a_lost_worker_falls_back_to_extraction_here(monkeypatch):
    from concurrent.futures.process import BrokenProcessPool

    class Broken:
        def submit(self, *args):
            raise BrokenProcessPool("a worker died")

    monkeypatch.setattr(pool, "_get_pool", lambda size: Broken())
    monkeypatch.setattr(pool, "_lost", 0)
    crawler = get_crawler(settings_dict={"CCHC_EXTRACT_WORKERS": "1"})
    body = (ROOT / "tests/fixtures/sites/plo.vn/article-post874715.html").read_bytes()
    response = HtmlResponse(url="https://plo.vn/vu-an-post874715.html", body=body, encoding="utf-8")
    coroutine = pool.read_beside(crawler, response, None, now=datetime.now(timezone.utc), cchc_section=True)
    with ThreadPoolExecutor(1) as thread:  # its own event loop, whatever loop an earlier test left in this thread
        item = thread.submit(asyncio.run, coroutine).result()
    assert item["title"] and item["from_cchc_section"] is True
    assert crawler.stats.get_value("cchc/extract/worker_lost") == 1


@pytest.mark.parametrize("value, cores, expected", [("auto", 1, 0), ("auto", 2, 2), ("auto", 8, 8), ("0", 8, 0),
                                                    ("3", 2, 3), ("", 4, 4)])
def test_worker_count(monkeypatch, value, cores, expected):
    monkeypatch.setattr(pool.os, "cpu_count", lambda: cores)
    assert pool.worker_count(value) == expected


def test_worker_count_rejects_nonsense():
    with pytest.raises(ValueError, match="CCHC_EXTRACT_WORKERS"):
        pool.worker_count("many")


OWNER = """
import os, sys, time
from crawler.prepare import pool
workers = pool._get_pool(2)
pids = {f.result() for f in [workers.submit(os.getpid) for _ in range(20)]}
print(" ".join(map(str, sorted(pids))), flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as status:
            return not any(line.startswith("State:") and "Z" in line for line in status)  # a zombie has ended
    except OSError:
        return False


def test_a_killed_crawl_leaves_no_extraction_worker_behind():
    """Issue 34, item 8 (and every killed nightly crawl): the workers and their fork server end once the process
    that owns the pool is killed; they used to wait on their queue for ever (crawler/lifeline.py)."""
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    owner = subprocess.Popen([sys.executable, "-c", OWNER], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        working = {int(pid) for pid in owner.stdout.readline().split()}

        def children(parents):
            return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _alive(int(p.name))
                    and any(f"PPid:\t{parent}\n" in Path(p, "status").read_text() for parent in parents)]

        helpers = children([owner.pid])  # the fork server, the resource tracker
        workers = children(helpers)
        assert working <= set(workers) and len(workers) == 2 and len(helpers) == 2
    finally:
        owner.send_signal(signal.SIGKILL)
        owner.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(map(_alive, workers + helpers)):
        time.sleep(0.2)
    assert not [pid for pid in workers + helpers if _alive(pid)]
