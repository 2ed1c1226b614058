"""End-to-end throughput: the full crawl against a bare Scrapy spider, on the same local mirror, in one run.

    .venv/bin/python bench/throughput.py [--sites 4] [--articles 500] [--rounds 2]
    .venv/bin/python bench/throughput.py --memory [--articles 5000]     # RSS over a 20,000-page crawl
    .venv/bin/python bench/throughput.py --before ../before              # + an earlier commit's full crawl

The mirror (tests/harness/synthetic.py) serves ``sites`` x ``articles`` article pages (recorded pages of four CMS
families with new titles, dates and bodies) and their listing pages on 127.0.0.1 with no delay. Each crawl
is a separate process with the project's settings:

- full: the generic spider on every site (one crawler per site, as `crawlall` runs them), all pipelines,
  near-duplicate grouping and SQLite, into a new database;
- bare: a spider that follows the same listing and article links and yields the raw HTML, no pipelines;
- peer: the pipeline a user would write instead, outside this project with Scrapy's default settings: the same
  links, trafilatura's ``bare_extraction`` on every article and sqlite-utils (one insert per article, FTS5
  kept by triggers) into a new database.

Rounds alternate bare/full and the best round of each is compared (the machine's noise hits both). The time
runs from the first spider opening to the last closing (process start-up excluded).
With ``--memory`` the full crawl samples its own peak RSS every tenth of the pages.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the test harness (tests/harness)

ROOT = Path(__file__).resolve().parent.parent
os.chdir(ROOT)


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def marks_factory() -> dict:
    return {"opened": None, "closed": None, "pages": 0, "samples": [], "cpu_at_open": (0.0, 0.0), "cpu": 0.0,
            "cpu_others": 0.0}


def cpu_seconds() -> float:
    """User + system CPU of this process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def tree_cpu_seconds() -> tuple[float, float]:
    """User + system CPU of this process, and of every live process under it (the extraction workers are
    children of multiprocessing's fork server, itself a child of the crawl), from /proc (none elsewhere)."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return cpu_seconds(), 0.0
    parent, ticks = {}, {}
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after "pid (command name)"
        except OSError:  # the process ended meanwhile
            continue
        pid = int(stat.parent.name)
        parent[pid], ticks[pid] = int(fields[1]), int(fields[11]) + int(fields[12])  # ppid, utime + stime
    mine, changed = {os.getpid()}, True
    while changed:
        grown = {pid for pid, ppid in parent.items() if ppid in mine} | mine
        changed, mine = grown != mine, grown
    tick = os.sysconf("SC_CLK_TCK")
    return ticks.get(os.getpid(), 0) / tick, sum(ticks.get(pid, 0) for pid in mine - {os.getpid()}) / tick


def mark_open(marks: dict) -> None:
    """The first spider opens: the crawl's clock and CPU count start (start-up, imports and settings, excluded)."""
    if marks["opened"] is None:
        marks["opened"], marks["cpu_at_open"] = time.perf_counter(), tree_cpu_seconds()


def mark_closed(marks: dict) -> None:
    """A spider closes: the last one to close ends the crawl (the workers still live: their CPU is counted)."""
    (own, others), (own_at_open, others_at_open) = tree_cpu_seconds(), marks["cpu_at_open"]
    marks["closed"], marks["cpu"], marks["cpu_others"] = time.perf_counter(), own - own_at_open, others - others_at_open


def peer_child(mirror: str, hosts: list[str], db_path: str, total: int, marks: dict) -> dict:
    """Scrapy with its defaults + trafilatura + sqlite-utils: the pipeline a user would write instead."""
    import scrapy
    import sqlite_utils
    import trafilatura
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    db = sqlite_utils.Database(db_path)
    db["articles"].create({"url": str, "title": str, "author": str, "date": str, "description": str, "text": str,
                           "sitename": str}, pk="url")
    db["articles"].enable_fts(["title", "description", "text"], create_triggers=True,
                              tokenize="unicode61 remove_diacritics 2")

    class PeerSpider(scrapy.Spider):
        name = "peer"

        def __init__(self, host, **kwargs):
            super().__init__(**kwargs)
            self.host, self.base = host, mirror.replace("{host}", host)
            self.start_urls = [f"{self.base}/cai-cach-hanh-chinh"]

        def parse(self, response):
            for href in response.css(".news-title a::attr(href), a.next::attr(href)").getall():
                url = self.base + href if href.startswith("/") else response.urljoin(href)
                yield scrapy.Request(url, callback=self.parse if "cai-cach-hanh-chinh?" in href else self.article)

        def article(self, response):
            doc = trafilatura.bare_extraction(response.text, url=response.url, with_metadata=True)
            doc = doc.as_dict() if hasattr(doc, "as_dict") else (doc or {})
            row = {k: doc.get(k) for k in ("title", "author", "date", "description", "text", "sitename")}
            db["articles"].insert({"url": response.url.replace(self.base, f"https://{self.host}"), **row}, replace=True)
            yield row

    def opened(spider):  # named: Scrapy holds signal receivers by weak reference
        mark_open(marks)

    def closed(spider):
        mark_closed(marks)

    def received(response, request, spider):
        marks["pages"] += 1

    process = CrawlerProcess({"LOG_LEVEL": "ERROR"})
    for host in hosts:
        crawler = process.create_crawler(PeerSpider)
        crawler.signals.connect(opened, signal=signals.spider_opened)
        crawler.signals.connect(closed, signal=signals.spider_closed)
        crawler.signals.connect(received, signal=signals.response_received)
        process.crawl(crawler, host=host)
    process.start()
    seconds = marks["closed"] - marks["opened"]
    stored = db["articles"].count
    return {"mode": "peer", "pages": marks["pages"], "seconds": seconds, "rate": marks["pages"] / seconds,
            "samples": [], "peak_rss_mb": round(rss_mb(), 1), "stored": stored, "cpu": marks["cpu"],
            "cpu_others": marks["cpu_others"]}


def child(mode: str, mirror: str, hosts: list[str], db: str, total: int) -> dict:
    """Run one crawl in this process; the figures as a dict."""
    import scrapy
    from scrapy import signals

    from crawler.ops.runner import project_settings

    class BareSpider(scrapy.Spider):
        """Downloads what the full crawl downloads (listing pages, then every article) and yields the HTML."""
        name = "bare"
        custom_settings = {"ITEM_PIPELINES": {}}

        def __init__(self, start_url, **kwargs):
            super().__init__(**kwargs)
            self.start_urls = [start_url]
            host = start_url.split("/")[2]
            # what the project's download handler reads to send the host to the mirror
            self.allowed_domains, self.base_url = [host], mirror.replace("{host}", host)

        def parse(self, response):
            for href in response.css(".news-title a::attr(href), a.next::attr(href)").getall():
                yield response.follow(href, callback=self.parse if "cai-cach-hanh-chinh?" in href else self.article)

        def article(self, response):
            yield {"url": response.url, "html": response.text}

    if mode == "peer":
        return peer_child(mirror, hosts, db, total, marks_factory())
    overrides = {"CCHC_MIRROR": mirror, "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "ERROR"), "CCHC_PROGRESS_INTERVAL": 0, "CCHC_DB": db if mode == "full" else "",
                 "SPIDERMON_ENABLED": mode == "full", "CCHC_FIRST_CRAWL_PAGES": 100_000, "CCHC_BROWSER_FALLBACK": False,
                 # what the project's spiders set by themselves for a loopback mirror (the bare spider is not one)
                 "DOWNLOAD_DELAY": 0, "DOWNLOAD_DELAY_JITTER": 0, "AUTOTHROTTLE_ENABLED": False}
    settings = project_settings(overrides)
    if mode == "full":
        jobs = [("generic", {"start_urls": f"https://{h}/cai-cach-hanh-chinh"}) for h in hosts]
    else:
        jobs = [(BareSpider, {"start_url": f"https://{h}/cai-cach-hanh-chinh"}) for h in hosts]
    marks = marks_factory()
    step = max(1, total // 10)

    def opened(spider):
        mark_open(marks)

    def closed(spider):
        mark_closed(marks)

    def response(response, request, spider):
        marks["pages"] += 1
        if marks["pages"] % step == 0:
            marks["samples"].append((marks["pages"], round(rss_mb(), 1)))

    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(settings)
    crawlers = []
    for spidercls, kwargs in jobs:
        crawler = process.create_crawler(spidercls)
        crawlers.append(crawler)
        crawler.signals.connect(opened, signal=signals.spider_opened)
        crawler.signals.connect(closed, signal=signals.spider_closed)
        crawler.signals.connect(response, signal=signals.response_received)
        process.crawl(crawler, **kwargs)
    if os.environ.get("BENCH_PROFILE"):  # BENCH_PROFILE=out.prof: cProfile of this crawl's process
        import cProfile

        cProfile.runctx("process.start()", globals(), {"process": process}, os.environ["BENCH_PROFILE"])
    else:
        process.start()
    seconds = marks["closed"] - marks["opened"]
    archive: dict = {}  # the WARC archive's counts (bench/archive.py), summed over the crawlers
    for crawler in crawlers:
        for key, value in (crawler.stats.get_stats() or {}).items():
            if key.startswith("cchc/archive/") and isinstance(value, (int, float)):
                archive[key] = archive.get(key, 0) + value
    return {"mode": mode, "pages": marks["pages"], "seconds": seconds, "rate": marks["pages"] / seconds,
            "samples": marks["samples"], "peak_rss_mb": round(rss_mb(), 1), "cpu": marks["cpu"],
            "cpu_others": marks["cpu_others"], "archive": archive}


BEFORE: list[str] = []  # --before: a checkout of an earlier commit, crawled as "before" in the same rounds


def run_child(mode: str, mirror, hosts, db: str, total: int) -> dict:
    """One crawl in a new process; with its CPU per page (the crawl's process and the processes it started, the
    extraction workers, from the first spider's opening to the last one's closing) and the mirror's (a thread of
    this process)."""
    own_cpu = cpu_seconds()
    script, env = __file__, None
    if mode == "before":  # the full crawl of another checkout (--before), by that checkout's own bench
        script, mode = str(Path(BEFORE[0]) / "bench" / "throughput.py"), "full"
        env = {**os.environ, "PYTHONPATH": BEFORE[0]}
    out = subprocess.run([sys.executable, script, "--child", mode, "--mirror", mirror.mirror_setting(),
                          "--hosts", ",".join(hosts), "--db", db, "--total", str(total)],
                         capture_output=True, text=True, timeout=7200, env=env)
    if out.returncode != 0:
        raise SystemExit(f"{mode} crawl failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    pages = max(1, result["pages"])
    result["cpu_ms"] = (result["cpu"] + result["cpu_others"]) * 1000 / pages
    result["workers_cpu_ms"] = result["cpu_others"] * 1000 / pages
    result["mirror_cpu_ms"] = (cpu_seconds() - own_cpu) * 1000 / pages
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=4)
    parser.add_argument("--articles", type=int, default=500, help="articles per site")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--template", help="one recorded page for every site, e.g. vnexpress.net (222 KB)")
    parser.add_argument("--memory", action="store_true", help="one full crawl, RSS sampled at 10 points")
    parser.add_argument("--only", choices=["bare", "peer", "full"], help="run one of the three (with BENCH_PROFILE=FILE: "
                        "a cProfile of its crawl process)")
    parser.add_argument("--before", help="a checkout of an earlier commit (git worktree add ../before COMMIT): its full "
                        "crawl runs in the same rounds, for a before/after of CPU per page")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--mirror", help=argparse.SUPPRESS)
    parser.add_argument("--hosts", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--total", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.mirror, args.hosts.split(","), args.db, args.total)))
        return

    from harness.synthetic import SyntheticMirror

    articles = 5000 if args.memory and args.articles == 500 else args.articles
    with SyntheticMirror(sites=args.sites, articles=articles, template=args.template) as mirror, \
            tempfile.TemporaryDirectory() as tmp:
        total = args.sites * (articles + mirror.pages_per_site) + args.sites  # + robots.txt
        print(f"{args.sites} sites x {articles} articles ({total} requests per crawl), 127.0.0.1, no delay; "
              f"{os.cpu_count()} CPUs")
        if args.memory:
            r = run_child("full", mirror, mirror.hosts, f"{tmp}/memory.db", total)
            print(f"full crawl: {r['pages']} pages in {r['seconds']:.0f} s ({r['rate']:.1f} pages/s)")
            print("pages   RSS MB")
            for pages, mb in r["samples"]:
                print(f"{pages:>6} {mb:>8.1f}")
            first, last = r["samples"][0][1], r["samples"][-1][1]
            print(f"last / first sample: {last / first:.2f} (target: within 20%, i.e. <= 1.20)")
            return
        results = {"bare": [], "peer": [], "full": [], "before": []}
        if args.before:
            BEFORE.append(str(Path(args.before).resolve()))
        modes = ("bare", "peer", "full") + (("before",) if args.before else ())
        for n in range(args.rounds):
            for mode in ([args.only] if args.only else modes):
                r = run_child(mode, mirror, mirror.hosts, f"{tmp}/{mode}-{n}.db", total)
                results[mode].append(r)
                print(f"round {n + 1} {mode:<6}: {r['pages']} pages in {r['seconds']:.1f} s = {r['rate']:.1f} pages/s, "
                      f"peak RSS {r['peak_rss_mb']:.0f} MB, CPU {r['cpu_ms']:.1f} ms a page "
                      f"({r['workers_cpu_ms']:.1f} of them in its extraction workers; + mirror {r['mirror_cpu_ms']:.1f})")
        if args.only:
            return
        bare, peer, full = (max(r["rate"] for r in results[m]) for m in ("bare", "peer", "full"))
        print(f"best: bare {bare:.1f} pages/s, peer (Scrapy + trafilatura + sqlite-utils) {peer:.1f} pages/s, "
              f"this project {full:.1f} pages/s")
        print(f"this project / peer = {full / peer:.2f} (target >= 1.50); this project / bare = {full / bare:.2f} "
              f"(target >= 0.60)")
        # What the CPU allows: a crawl that keeps every core busy (itself and the mirror) runs at most at
        # cores / (CPU per page). Its ratio to the bare spider's measured rate shows whether a target is reachable
        # on this machine at all, whatever the scheduling.
        cores = os.cpu_count() or 1
        print(f"CPU per page (mean of the rounds; the crawl's processes while it crawls, + the mirror) and the "
              f"most that allows on {cores} CPUs:")
        for mode in modes:
            crawl = sum(r["cpu_ms"] for r in results[mode]) / len(results[mode])
            served = sum(r["mirror_cpu_ms"] for r in results[mode]) / len(results[mode])
            ceiling = cores * 1000 / (crawl + served)
            print(f"    {mode:<6}: {crawl:5.1f} + {served:.1f} ms -> at most {ceiling:6.1f} pages/s = "
                  f"{ceiling / bare:.2f} x the bare spider's measured rate")
        if args.before:
            after_ms, before_ms, peer_ms = (sum(r["cpu_ms"] for r in results[m]) / len(results[m])
                                            for m in ("full", "before", "peer"))
            print(f"CPU per page, this checkout / {args.before}: {after_ms:.1f} / {before_ms:.1f} ms = "
                  f"{after_ms / before_ms:.2f}; / the peer's {peer_ms:.1f} ms = {after_ms / peer_ms:.2f}")


if __name__ == "__main__":
    main()
