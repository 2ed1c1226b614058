"""Memory of a long browser crawl: 200 JavaScript-rendered pages through Chromium, RSS sampled all along.

    .venv/bin/python bench/browser.py [--pages 200]

A local site has one listing page per 20 articles (each list built by JavaScript from a JSON request) and
every article is rendered in the browser too (-a js=all). The resident memory of the crawler and all its child
processes (Playwright's driver and Chromium) is sampled every 0.2 s; the script prints the peak in the first,
middle and last tenth of the crawl (by pages served), so a leak shows as a rising peak.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path


from crawler.ops.saved_pages import FixtureServer

ROOT = Path(__file__).resolve().parent.parent

HOST = "js-bench.example.gov.vn"
LISTING = """<html><body><ul class="news" id="news"></ul>{next}
<script>fetch("/api/{n}.json").then(r => r.json()).then(items => {{ const ul = document.getElementById("news");
for (const i of items) {{ const li = document.createElement("li"); const a = document.createElement("a");
a.href = i.url; a.textContent = i.title; li.appendChild(a); ul.appendChild(li); }} }});</script></body></html>"""


def build(folder: Path, pages: int) -> None:
    rows = []
    per_list = 20
    lists = (pages + per_list - 1) // per_list
    for n in range(lists):
        nxt = f"<div class='pagination'><a href='/tin-tuc?page={n + 2}'>Trang sau</a></div>" if n + 1 < lists else ""
        (folder / f"list-{n}.html").write_text(LISTING.format(n=n, next=nxt), encoding="utf-8")
        url = f"https://{HOST}/tin-tuc" + (f"?page={n + 1}" if n else "")
        rows.append({"url": url, "file": f"list-{n}.html", "provenance": "synthetic", "kind": "listing", "source": "bench"})
        items = []
        for i in range(n * per_list, min(pages, (n + 1) * per_list)):
            title = f"Bài viết số {i} về cải cách thủ tục hành chính của tỉnh"
            items.append({"url": f"/tin/bai-viet-{i}-{10000 + i}.html", "title": title})
            body = " ".join(["Tỉnh đẩy mạnh cải cách hành chính, công khai thủ tục và trả kết quả đúng hẹn."] * 12)
            (folder / f"a{i}.html").write_text(
                f"<html><head><title>{title}</title></head><body><h1 class='title'>{title}</h1>"
                f"<div class='date'>{1 + i % 28:02}/02/2025 08:00</div><div class='content'><p>{body}</p><p>{title}. {body}</p>"
                f"<img src='/anh/{i}.jpg'></div></body></html>", encoding="utf-8")
            rows.append({"url": f"https://{HOST}/tin/bai-viet-{i}-{10000 + i}.html", "file": f"a{i}.html",
                         "provenance": "synthetic", "kind": "article", "source": "bench"})
        (folder / f"api-{n}.json").write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        rows.append({"url": f"https://{HOST}/api/{n}.json", "file": f"api-{n}.json", "provenance": "synthetic",
                     "kind": "data", "source": "bench"})
    with open(folder / "MANIFEST.tsv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, ["url", "file", "provenance", "kind", "source"], delimiter="\t")
        writer.writeheader()
        writer.writerows(rows)


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        stack.extend(children.get(current, []))
    return total / 1e6


def run(pages: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        site.mkdir()
        build(site, pages)
        with FixtureServer([site]) as server:
            env = dict(os.environ, CCHC_DB=str(Path(tmp) / "b.db"), CCHC_PROGRESS_INTERVAL="0")
            started = time.perf_counter()
            process = subprocess.Popen(
                [str(ROOT / ".venv" / "bin" / "scrapy"), "crawl", "generic", "-a", f"start_urls=https://{HOST}/tin-tuc",
                 "-a", f"base_url={server.base_url()}", "-a", "js=all", "-a", "max_pages=100", "-s", "LOG_LEVEL=WARNING"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            samples: list[tuple[int, float]] = []

            def sample():
                while process.poll() is None:
                    served = sum(v for k, v in server.hits.items() if "/tin/" in str(k))
                    samples.append((served, tree_rss_mb(process.pid)))
                    time.sleep(0.2)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            _, err = process.communicate()
            sampler.join()
            wall = time.perf_counter() - started
            rendered = sum(v for k, v in server.hits.items() if "/tin/" in str(k))
    if process.returncode != 0:
        print(err[-2000:])
        raise SystemExit("the crawl failed")
    print(f"{rendered} article pages (+ {(pages + 19) // 20} listings) rendered in Chromium in {wall:.0f} s; images blocked")

    def peak(lo, hi):
        window = [mb for served, mb in samples if lo * rendered <= served <= hi * rendered]
        return max(window) if window else float("nan")

    start, middle, end = peak(0, 0.1), peak(0.45, 0.55), peak(0.9, 1.0)
    print(f"{'':<28}{'peak RSS (MB), crawler + driver + Chromium':>44}")
    print(f"{'start  (0-10% of pages)':<28}{start:>10.0f}")
    print(f"{'middle (45-55%)':<28}{middle:>10.0f}")
    print(f"{'end    (90-100%)':<28}{end:>10.0f}")
    print(f"end / middle: {end / middle:.2f}   overall peak: {max(mb for _, mb in samples):.0f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=200)
    run(parser.parse_args().pages)
