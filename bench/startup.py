"""Start-up: a nightly crawl of a site with nothing new, against a bare Scrapy spider that fetches the same
listing page, both timed from process start to exit, in one run.

    .venv/bin/python bench/startup.py [--rounds 5]

The synthetic mirror (tests/harness/synthetic.py) serves one site of 20 articles on 127.0.0.1. A first full
crawl stores them; then, alternating, ``scrapy crawl generic`` on the site's listing (every article known and
older than CCHC_RECHECK_DAYS: nothing to fetch but the listing and robots.txt) and ``scrapy runspider`` of a
bare spider (Scrapy's defaults) that fetches the listing page and stops. The medians are compared: the
target is at most 1.5x the bare spider's time.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BARE = '''
import scrapy
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the test harness (tests/harness)


class Bare(scrapy.Spider):
    name = "bare"

    def __init__(self, url, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [url]

    def parse(self, response):
        yield {"url": response.url, "links": len(response.css("a::attr(href)").getall())}
'''


def timed(args: list[str], env: dict, cwd=ROOT) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    from harness.synthetic import SyntheticMirror

    scrapy = str(Path(sys.executable).with_name("scrapy"))
    with SyntheticMirror(sites=1, articles=20) as mirror, tempfile.TemporaryDirectory() as tmp:
        host = mirror.hosts[0]
        env = dict(os.environ, CCHC_DB=f"{tmp}/cchc.db", CCHC_MIRROR=mirror.mirror_setting(), CCHC_LOG_LEVEL="ERROR",
                   CCHC_PROGRESS_INTERVAL="0")
        crawl = [scrapy, "crawl", "generic", "-a", f"start_urls={mirror.start_url(host)}", "-s", "LOG_LEVEL=ERROR"]
        first, result = timed(crawl, env)
        if result.returncode != 0:
            raise SystemExit(f"first crawl failed:\n{result.stderr[-3000:]}")
        (Path(tmp) / "bare.py").write_text(BARE, encoding="utf-8")
        bare = [scrapy, "runspider", f"{tmp}/bare.py", "-a", f"url={mirror.base_url(host)}/cai-cach-hanh-chinh",
                "-s", "LOG_LEVEL=ERROR"]
        bare_env = {k: v for k, v in os.environ.items() if not k.startswith(("CCHC_", "SCRAPY_"))}
        print(f"first crawl (20 new articles): {first:.2f} s; then {args.rounds} rounds of each, "
              f"{os.cpu_count()} CPUs")
        times = {"bare": [], "nothing new": []}
        for n in range(args.rounds):
            seconds, result = timed(bare, bare_env, cwd=tmp)  # outside the project: Scrapy's defaults
            times["bare"].append(seconds)
            seconds, result = timed(crawl, env)
            if result.returncode != 0:
                raise SystemExit(f"crawl failed:\n{result.stderr[-3000:]}")
            times["nothing new"].append(seconds)
            print(f"round {n + 1}: bare {times['bare'][-1]:.2f} s, nothing new {seconds:.2f} s", flush=True)
        bare_median, crawl_median = (statistics.median(times[k]) for k in ("bare", "nothing new"))
        print(f"median: bare Scrapy spider {bare_median:.2f} s, crawl with nothing new {crawl_median:.2f} s; "
              f"ratio {crawl_median / bare_median:.2f} (target <= 1.50)")


if __name__ == "__main__":
    main()
