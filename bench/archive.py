"""The WARC archive's cost and re-extraction's speed, side by side in one run.

    .venv/bin/python bench/archive.py [--sites 2] [--articles 1000] [--rounds 2] [--template vnexpress.net]

1. The full crawl (bench/throughput.py's: the generic spider on every site of the synthetic mirror on 127.0.0.1, all
   pipelines, SQLite) with the archive off (``CCHC_ARCHIVE_DIR=""``) and on (``auto``: archive/ beside the
   database), rounds alternating; the best round of each is compared. Printed: pages per second of both and their
   ratio, the archive's bytes per page (gzip per record: request, response and metadata records), and the time the
   crawl's own thread spent handing responses to the archive's writer thread (what the archive can cost the
   reactor), against the time that thread spent compressing and writing.
2. ``python -m crawler reextract`` over the last archive, in a process of its own (like the command, one worker
   process per core but one): articles per second, and the resident memory of its main process sampled at ten
   points from the first tenth of the articles on (flat memory: the last sample against the first).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/throughput.py
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the test harness (tests/harness)

import throughput  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def crawl(mode: str, mirror, folder: Path, total: int) -> dict:
    """One full crawl into ``folder`` with the archive ``on`` or ``off``; its figures and the archive's bytes."""
    folder.mkdir(parents=True)
    os.environ["CCHC_ARCHIVE_DIR"] = "auto" if mode == "on" else ""  # read by the crawl's process at start
    result = throughput.run_child("full", mirror, mirror.hosts, str(folder / "cchc.db"), total)
    files = sorted((folder / "archive").glob("*.warc.gz"))
    result["archive_bytes"] = sum(p.stat().st_size for p in files)
    result["archive_files"] = len(files)
    result["db_bytes"] = sum(p.stat().st_size for p in folder.glob("cchc.db*"))
    return result


def reextract_child(db: str, workers: int) -> dict:
    """Re-extraction in this process, its RSS sampled every 0.2 s with the articles done."""
    from crawler.archive.place import folder_for
    from crawler.ops.reextract import Reextraction

    job = Reextraction(db, folder_for("auto", db), workers=workers)
    samples, done = [], threading.Event()

    def sample():
        while not done.wait(0.2):
            samples.append((job.summary.total, throughput.rss_mb()))
    threading.Thread(target=sample, daemon=True).start()
    summary = job.run()
    done.set()
    return {"articles": summary.total, "seconds": summary.seconds, "rate": summary.rate(), "samples": samples,
            "changed": sum(summary.changed.values()), "problems": dict(summary.problems), "workers": workers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=2)
    parser.add_argument("--articles", type=int, default=1000, help="articles per site")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--template", help="one recorded page for every site, e.g. vnexpress.net (222 KB)")
    parser.add_argument("--reextract-child", help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=max(0, (os.cpu_count() or 1) - 1), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reextract_child:
        print(json.dumps(reextract_child(args.reextract_child, args.workers)))
        return

    from harness.synthetic import SyntheticMirror

    with SyntheticMirror(sites=args.sites, articles=args.articles, template=args.template) as mirror, \
            tempfile.TemporaryDirectory() as tmp:
        total = args.sites * (args.articles + mirror.pages_per_site) + args.sites
        print(f"{args.sites} sites x {args.articles} articles ({total} requests per crawl), 127.0.0.1, no delay; "
              f"{os.cpu_count()} CPUs")
        results = {"off": [], "on": []}
        for n in range(args.rounds):
            for mode in ("off", "on"):
                r = crawl(mode, mirror, Path(tmp) / f"{mode}-{n}", total)
                results[mode].append(r)
                line = (f"round {n + 1} archive {mode:<3}: {r['pages']} pages in {r['seconds']:.1f} s = "
                        f"{r['rate']:.1f} pages/s, CPU {r['cpu_ms']:.1f} ms a page")
                if mode == "on":
                    handing = r["archive"].get("cchc/archive/crawl_seconds", 0.0)
                    line += (f"; archive {r['archive_bytes'] / 1e6:.1f} MB in {r['archive_files']} file(s), "
                             f"{r['archive']['cchc/archive/responses']} responses; crawl thread handing over "
                             f"{handing * 1000 / max(1, r['pages']):.3f} ms a page")
                print(line, flush=True)
        off, on = (max(results[m], key=lambda r: r["rate"]) for m in ("off", "on"))
        responses = on["archive"]["cchc/archive/responses"]
        print(f"best: archive off {off['rate']:.1f} pages/s, archive on {on['rate']:.1f} pages/s: on / off = "
              f"{on['rate'] / off['rate']:.2f}")
        print(f"archive: {on['archive_bytes'] / responses / 1024:.1f} KB per response (request, response and metadata "
              f"records, gzip per record) = {on['archive_bytes'] / max(1, on['archive']['cchc/archive/linked']) / 1024:.1f} "
              f"KB per stored article with its share of listings; the database: "
              f"{on['db_bytes'] / max(1, on['archive']['cchc/archive/linked']) / 1024:.1f} KB per article")
        print(f"the crawl's thread spent {on['archive'].get('cchc/archive/crawl_seconds', 0):.2f} s of "
              f"{on['seconds']:.1f} s handing responses over ({on['archive'].get('cchc/archive/waits', 0)} waits for "
              f"the writer)")
        db = Path(tmp) / f"on-{args.rounds - 1}" / "cchc.db"
        out = subprocess.run([sys.executable, __file__, "--reextract-child", str(db), "--workers", str(args.workers)],
                             capture_output=True, text=True, timeout=7200, cwd=ROOT)
        if out.returncode != 0:
            raise SystemExit(f"reextract failed:\n{out.stderr[-3000:]}")
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"reextract: {r['articles']} archived articles in {r['seconds']:.1f} s = {r['rate']:.1f} articles/s with "
              f"{r['workers']} worker process(es); {r['changed']} changed, problems {r['problems'] or 'none'}")
        samples = [s for s in r["samples"] if s[0] >= r["articles"] / 10]  # after the first tenth: imports, warm-up
        if len(samples) >= 10:
            points = [samples[round(i * (len(samples) - 1) / 9)] for i in range(10)]
            print("articles  RSS MB (reextract's main process, from the first tenth of the articles on)")
            for done, mb in points:
                print(f"{done:>8} {mb:>7.1f}")
            print(f"last / first sample: {points[-1][1] / points[0][1]:.2f}")


if __name__ == "__main__":
    main()
