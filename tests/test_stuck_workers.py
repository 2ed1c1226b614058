"""Issue 30 items 3 and 9: a stuck extraction worker must not hold the night, a night has a time limit, and
worker processes end with the crawl or import that started them.

Processes are found through /proc (children of the crawl: multiprocessing's fork server; its children: the
workers). Every test kills what it found in a ``finally``, so that a failure here leaves nothing behind."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, crawl_stats, rows
from harness.synthetic import SyntheticMirror

SCRAPY = str(Path(sys.executable).with_name("scrapy"))


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:  # field 4, after the command name in parentheses
                found.append(int(entry.name))
    return found


def descendants(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        kids = children(queue.pop())
        found += kids
        queue += kids
    return found


def alive(pid: int) -> bool:
    """Running, stopped or sleeping; not a zombie (exited, waiting to be reaped) and not gone."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def wait_until(condition, seconds: float = 120, step: float = 0.1) -> bool:
    """Poll ``condition`` (bounded; not a timing assertion: the bound only ends a test that would hang)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def kill_all(pids) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGCONT)
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def article_hits(mirror) -> int:
    return sum(n for path, n in mirror.hits.items() if "/bai-viet-so-" in path)


def start_crawl(mirror, db, **env):
    host = mirror.hosts[0]
    return subprocess.Popen([SCRAPY, "crawl", "generic", "-a", f"start_urls={mirror.start_url(host)}",
                             "-a", f"base_url={mirror.base_url(host)}", "-a", "max_pages=100"], cwd=ROOT,
                            env=dict(os.environ, CCHC_DB=str(db), CCHC_LOG_LEVEL="INFO", **env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def workers_of(crawl_pid: int) -> list[int]:
    """The extraction workers: the children of the crawl's fork server."""
    return [pid for server in children(crawl_pid) for pid in children(server)]


# -- item 3: deadlines on every wait on a worker -----------------------------------------------------------------
def test_stopped_workers_do_not_hold_the_crawl(tmp_path):
    """Both extraction workers are stopped (SIGSTOP) after ~50 of 300 pages: before, the crawl waited forever
    with every page downloaded. Now the pages waiting on them are sent to fresh workers after
    CCHC_EXTRACT_TIMEOUT, every article is stored, and the stopped processes are gone. (Stopping both makes it
    certain that a page waits on a stopped worker; one stopped worker that is idle may hold only the pool's
    queue lock, which stalls the other as surely.)"""
    db, seen = tmp_path / "cchc.db", set()
    with SyntheticMirror(sites=1, articles=300, delay=0.01) as mirror:
        crawl = start_crawl(mirror, db, CCHC_EXTRACT_WORKERS="2", CCHC_EXTRACT_TIMEOUT="10")
        try:
            assert wait_until(lambda: article_hits(mirror) >= 50 and len(workers_of(crawl.pid)) == 2)
            stopped = workers_of(crawl.pid)
            seen.update(descendants(crawl.pid))
            for pid in stopped:
                os.kill(pid, signal.SIGSTOP)
            out, err = crawl.communicate(timeout=240)
        finally:
            seen.update(descendants(crawl.pid))
            crawl.kill()
            kill_all(seen)
    assert crawl.returncode == 0, err[-3000:]
    stats = crawl_stats(subprocess.CompletedProcess([], 0, out, err))
    assert stats["cchc/extract/timeout"] >= 1 and "cchc/dropped/extract_timeout" not in stats, stats
    assert rows(db, "select count(*) n from articles")[0]["n"] == 300
    assert "no answer from the extraction worker" in err
    assert wait_until(lambda: not any(alive(pid) for pid in stopped), 30), [p for p in stopped if alive(p)]


def test_a_page_that_hangs_every_worker_is_dropped_and_counted(monkeypatch):
    """A page whose extraction never ends in a worker (here: the worker is stopped each time) is sent to a fresh
    worker once, then dropped and counted; the crawl's process never extracts it itself (it could hang there
    as long, with the reactor)."""
    import asyncio
    import threading
    from concurrent.futures import Future
    from datetime import datetime, timezone

    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from crawler.prepare import pool

    class Hung:
        submitted = 0

        def submit(self, *args):
            Hung.submitted += 1
            return Future()  # never done

        def shutdown(self, **kwargs):
            pass

    monkeypatch.setattr(pool, "_get_pool", lambda size: Hung())
    monkeypatch.setattr(pool, "_here", lambda *args: pytest.fail("extracted in the crawl's process"))
    crawler = get_crawler(settings_dict={"CCHC_EXTRACT_WORKERS": "2", "CCHC_EXTRACT_TIMEOUT": "0.2"})
    response = HtmlResponse(url="https://plo.vn/a-post1.html", body=b"<html><body><p>x</p></body></html>", encoding="utf-8")
    coroutine = pool.read_beside(crawler, response, None, now=datetime.now(timezone.utc))
    result = {}
    # its own event loop in a daemon thread, given 60 s: before the fix it waited forever
    thread = threading.Thread(target=lambda: result.update(item=asyncio.run(coroutine)), daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the extraction still waits on a worker that never answers"
    assert result["item"] is None
    assert Hung.submitted == 2
    assert crawler.stats.get_value("cchc/extract/timeout") == 1
    assert crawler.stats.get_value("cchc/dropped/extract_timeout") == 1


def test_a_night_past_its_time_limit_closes_with_verdicts(tmp_path):
    """Two sites that cannot finish within CCHC_RUN_MAX_HOURS (here 0.005 h, 18 s: each has 2,000 articles on its
    10 listing pages and answers each request after 0.3 s, 8 at a time, so it needs 75 s at the very least, and
    longer on a loaded machine): crawlall closes both at the limit, stores what it fetched, gives each a verdict
    that says so, frees the run lock and exits 1."""
    sites = tmp_path / "sites.toml"
    header = (ROOT / "crawler/sites.toml").read_text(encoding="utf-8").split("\n[[site]]\n")[0]
    with SyntheticMirror(sites=2, articles=2000, per_page=200, delay=0.3, template="plo.vn") as mirror:
        entries = "".join(f'\n[[site]]\nkey = "cham_{n}"\nname = "Chậm {n}"\nprovince = "Hà Tĩnh"\nkind = "newspaper"\n'
                          f'domains = ["{host}"]\nstart_urls = ["{mirror.start_url(host)}"]\nverified = true\n'
                          for n, host in enumerate(mirror.hosts))
        sites.write_text(header + entries, encoding="utf-8")
        db = tmp_path / "cchc.db"
        env = dict(os.environ, CCHC_DB=str(db), CCHC_SITES_FILE=str(sites), CCHC_PROGRESS_INTERVAL="0")
        started = time.monotonic()
        result = subprocess.run([SCRAPY, "crawlall", "-s", f"CCHC_MIRROR={mirror.mirror_setting()}",
                                 "-s", "CCHC_RUN_MAX_HOURS=0.005", "-s", "CCHC_BROWSER_FALLBACK=0"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=400)
        took = time.monotonic() - started
        fetched = article_hits(mirror)
    assert result.returncode == 1, result.stderr[-3000:]
    runs = rows(db, "select site, finish_reason, verdict, verdict_reason from crawl_runs order by site")
    assert [r["site"] for r in runs] == ["cham_0", "cham_1"], runs
    for run in runs:
        assert run["finish_reason"] == "time_limit" and run["verdict"] == "failed", run
        assert run["verdict_reason"].startswith("stopped at the run's time limit (CCHC_RUN_MAX_HOURS=0.005): "), run
    assert "stopped at the run's time limit" in result.stdout  # the summary
    stored = rows(db, "select count(*) n from articles")[0]["n"]
    assert 0 < stored < 4000 and fetched < 4000  # what was fetched is stored; the night did not go on
    again = subprocess.run([SCRAPY, "crawlall", "--sites", "cham_0", "-s", "CCHC_MIRROR=http://127.0.0.1:9/{host}",
                            "-s", "RETRY_TIMES=0"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert "another crawl is running" not in again.stderr  # the lock was freed
    print(f"time limit 18 s: crawlall returned after {took:.0f} s")


# -- item 9: workers end with their parent -----------------------------------------------------------------------
def test_a_killed_crawl_leaves_no_worker_or_fork_server(tmp_path):
    seen = set()
    with SyntheticMirror(sites=1, articles=300, delay=0.02) as mirror:
        crawl = start_crawl(mirror, tmp_path / "cchc.db", CCHC_EXTRACT_WORKERS="2")
        try:
            assert wait_until(lambda: article_hits(mirror) >= 30 and len(workers_of(crawl.pid)) == 2)
            seen.update(descendants(crawl.pid))
            assert len(seen) >= 3  # the fork server and two workers
            crawl.send_signal(signal.SIGKILL)
            crawl.wait(timeout=60)
            gone = wait_until(lambda: not any(alive(pid) for pid in seen), 30)
            left = [pid for pid in seen if alive(pid)]
        finally:
            crawl.kill()
            kill_all(seen)
    assert gone, f"still running after their crawl was killed: {left}"


def test_a_killed_import_leaves_no_parse_worker(tmp_path):
    from harness.faults import kill_after
    from test_bulk_import import items, write_jsonl

    source = tmp_path / "items.jsonl"
    write_jsonl(source, items() * 3)
    seen = set()
    # killed after its first chunk is loaded, while its parse workers wait for the next
    env = dict(os.environ, **kill_after("crawler.store.bulk:BulkImporter._timed_load"))
    importer = subprocess.Popen([sys.executable, "-m", "crawler", "import", str(source), str(tmp_path / "cchc.db"),
                                 "--workers", "2"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        def watch():
            seen.update(descendants(importer.pid))
            return importer.poll() is not None
        assert wait_until(watch, 120, step=0.01)
        assert importer.returncode == -signal.SIGKILL
        gone = wait_until(lambda: not any(alive(pid) for pid in seen), 30)
        left = [pid for pid in seen if alive(pid)]
    finally:
        importer.kill()
        kill_all(seen)
    assert seen and gone, f"still running after their import was killed: {left}"
