"""Extraction quality on every gold page: this project's generic path against the extractors a user would pick.

    bench/extraction_quality.py [--rounds 5] [--only this project,trafilatura] [--details] [--json FILE]
                                [--compare BEFORE.json]

It runs in its own environment, ``.venv-bench`` (requirements.txt + requirements-bench.txt), which it creates or
updates by itself and then re-runs in; the peers are never dependencies of the crawler. Every gold page (the
shared ones and tests/gold/) is scored field by field with the rules of tests/harness/gold.py. Time per page is
the minimum over ``--rounds`` runs, the extractors interleaved page by page; the table shows the median of those
per-page minima. "-" means the extractor gives no such field at all. Body F1 is the token F1 of the body against
the whole hand-read text (tests/gold/<site>/<page>.body.txt). Three sections: the real gold pages, the synthetic
pages written here (tests/fixtures/generic, scored apart), and the real pages without gold (homepages, listings),
checked for catastrophes: zero links where the plain baseline finds many. ``--compare`` lists every page whose
result for this project changed against an earlier ``--json`` file (e.g. the same bench run at an older commit).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the test harness (tests/harness)

ROOT = Path(__file__).resolve().parent.parent
BENCH_VENV = ROOT / ".venv-bench"


def ensure_environment() -> None:
    """Re-run this script inside .venv-bench, creating or updating it first when the requirements changed."""
    python = BENCH_VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == BENCH_VENV.resolve():
        return
    requirements = [ROOT / "requirements.txt", ROOT / "requirements-bench.txt", ROOT / "pyproject.toml"]
    want = hashlib.sha256(b"".join(p.read_bytes() for p in requirements)).hexdigest()
    stamp = BENCH_VENV / ".setup-stamp"
    if not python.exists() or not stamp.exists() or stamp.read_text().strip() != want:
        print("extraction_quality: installing the peers into .venv-bench (requirements-bench.txt) ...", file=sys.stderr)
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        pip = [str(python), "-m", "pip", "install", "-q"]
        subprocess.run(pip + ["--upgrade", "pip"], check=True)
        subprocess.run(pip + ["-r", str(requirements[0]), "-r", str(requirements[1])], check=True)
        subprocess.run(pip + ["--no-deps", "-e", str(ROOT)], check=True)  # the crawler itself, importable
        stamp.write_text(want)
    os.execv(str(python), [str(python), *sys.argv])


def run(rounds: int, only: list[str] | None, synthetic: bool = False):
    from extraction_peers import ARTICLE_EXTRACTORS, LISTING_EXTRACTORS

    from harness.gold import (body_f1, gold_body_text, gold_pages, is_httrack_mirror, score_article,
                                      score_listing)

    pages = gold_pages(synthetic=synthetic)
    articles = {n: f for n, f in ARTICLE_EXTRACTORS.items() if not only or n in only}
    listings = {n: f for n, f in LISTING_EXTRACTORS.items() if not only or n in only}
    results: dict = {"articles": {}, "listings": {}, "times": {}}  # times: (kind, extractor) -> per-page minima
    for page in pages:
        html = page.html_path.read_bytes()
        extractors = articles if page.kind == "article" else listings
        best: dict[str, float] = {}
        output: dict = {}
        for _ in range(rounds):
            for name, func in extractors.items():  # interleaved: every extractor once per round
                start = time.perf_counter()
                try:
                    output[name] = func(html, page.url)
                except Exception as exc:  # a peer that crashes on a page scores nothing there
                    output[name] = exc
                best[name] = min(best.get(name, float("inf")), time.perf_counter() - start)
        for name, value in output.items():
            results["times"].setdefault((page.kind, name), []).append(best[name])
            if page.kind == "article":
                scored = score_article(page.gold, {} if isinstance(value, Exception) else value)
                if isinstance(value, Exception):
                    scored = {k: False for k in scored}
                gold_text = gold_body_text(page)
                if gold_text is not None:  # token F1 against the whole hand-read text (tests/gold/*.body.txt)
                    body = None if isinstance(value, Exception) else value.get("body")
                    scored["_f1"] = body_f1(gold_text, body)
                results["articles"].setdefault(name, {})[page.name] = (scored, value)
            else:
                links, next_page = ([], None) if isinstance(value, Exception) else value
                results["listings"].setdefault(name, {})[page.name] = score_listing(page.gold, links, next_page,
                                                                                    is_httrack_mirror(html))
    return pages, results


def _cell(values: list) -> str:
    if all(v is None for v in values):
        return "-"
    return str(sum(1 for v in values if v))


def print_tables(pages, results, details: bool) -> None:
    from harness.gold import ARTICLE_CHECKS, LISTING_CHECKS

    article_pages = [p for p in pages if p.kind == "article"]
    listing_pages = [p for p in pages if p.kind == "listing"]
    header = ["extractor", *ARTICLE_CHECKS, "total", "clean body", "body F1 (P/R)", "worst F1", "ms/page"]
    print(f"\nArticles: {len(article_pages)} gold pages, {len(ARTICLE_CHECKS)} checks each "
          f"({len(article_pages) * len(ARTICLE_CHECKS)} in all); counts are pages passing")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name, by_page in results["articles"].items():
        cells = [_cell([by_page[p.name][0][c] for p in article_pages]) for c in ARTICLE_CHECKS]
        total = sum(1 for p in article_pages for c in ARTICLE_CHECKS if by_page[p.name][0][c])
        clean = sum(1 for p in article_pages if by_page[p.name][0]["boilerplate"])
        ms = statistics.median(results["times"][("article", name)]) * 1000
        f1s = [by_page[p.name][0]["_f1"] for p in article_pages if "_f1" in by_page[p.name][0]]
        mean = [statistics.mean(v[i] for v in f1s) for i in range(3)] if f1s else [0, 0, 0]
        worst = min((v[2] for v in f1s), default=0)
        f1_cells = f"{mean[2]:.3f} ({mean[0]:.2f}/{mean[1]:.2f}) | {worst:.2f}" if f1s else "- | -"
        print(f"| {name} | " + " | ".join(cells) + f" | {total} | {clean} of {len(article_pages)} | {f1_cells} | {ms:.1f} |")
    if listing_pages:
        print(f"\nListings: {len(listing_pages)} gold pages")
        print("| extractor | main-list recall | pages >= 0.9 | sidebar/menu links taken | next page found | ms/page |")
        print("|---|---|---|---|---|---|")
        for name, by_page in results["listings"].items():
            found = sum(s["_found"] for s in by_page.values())
            wanted = sum(s["_wanted"] for s in by_page.values())
            good = sum(1 for s in by_page.values() if s["recall"])
            sidebar = sum(s["_sidebar_taken"] for s in by_page.values())
            scored_next = [s["next_page"] for s in by_page.values() if s["next_page"] is not None]
            ms = statistics.median(results["times"][("listing", name)]) * 1000
            print(f"| {name} | {found / wanted:.2f} ({found} of {wanted}) | {good} of {len(by_page)} | {sidebar} | "
                  f"{sum(scored_next)} of {len(scored_next)} | {ms:.1f} |")
    if details:
        print("\nFailed checks per page")
        for name, by_page in results["articles"].items():
            for page_name, (scored, _) in by_page.items():
                failed = [c for c, ok in scored.items() if ok is False]
                f1 = scored.get("_f1")
                if failed or (f1 and f1[2] < 0.95):
                    shown = f" (body F1 {f1[2]:.2f}, P {f1[0]:.2f} R {f1[1]:.2f})" if f1 else ""
                    print(f"  {name:14} {page_name}: {', '.join(failed) or 'all checks pass'}{shown}")
        for name, by_page in results["listings"].items():
            for page_name, scored in by_page.items():
                failed = [c for c in LISTING_CHECKS if scored[c] is False]
                if failed:
                    print(f"  {name:14} {page_name}: {', '.join(failed)} ({scored['_found']}/{scored['_wanted']}, "
                          f"sidebar {scored['_sidebar_taken']})")


def no_gold_pages(only: list[str] | None) -> dict:
    """Real pages without gold (homepages, listings of ../shared/real-pages/MANIFEST.tsv): links found by each
    listing extractor, and how many the plain baseline takes that look like articles."""
    import csv

    from extraction_peers import LISTING_EXTRACTORS

    from crawler.extract.links import looks_like_article
    from crawler.registry import host_of
    from harness.gold import SHARED_PAGES

    out: dict = {}
    for row in csv.DictReader(open(SHARED_PAGES / "MANIFEST.tsv", encoding="utf-8"), delimiter="\t"):
        path = SHARED_PAGES / row["file"]
        if row["page_kind"] == "article" or path.with_name(path.name[:-5] + ".gold.json").exists() or not path.exists():
            continue
        url, html = row["original_url"].split(" ")[0], path.read_bytes()
        counts = {}
        for name, func in LISTING_EXTRACTORS.items():
            if only and name not in only:
                continue
            links, _ = func(html, url)
            counts[name] = len(set(links))
            if name.startswith("scrapy"):
                host = host_of(url).removeprefix("www.")
                counts["baseline, article-like"] = len({u for u in links if looks_like_article(u, "x" * 30, (host,))})
        out[row["file"]] = counts
    return out


def print_no_gold(table: dict) -> None:
    names = list(next(iter(table.values())).keys()) if table else []
    print("\nReal pages without gold (homepages, listings): distinct links found; 0 where the baseline finds many is a "
          "catastrophe")
    print("| page | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for page, counts in table.items():
        print(f"| {page} | " + " | ".join(str(counts.get(n, "-")) for n in names) + " |")


def _plain(value):
    if isinstance(value, tuple):
        return [round(v, 3) for v in value]
    return value


def to_json(results: dict) -> dict:
    return {"articles": {n: {p: {k: _plain(v) for k, v in s.items()} for p, (s, _) in by.items()}
                         for n, by in results["articles"].items()},
            "listings": results["listings"]}


def compare(before: dict, after: dict, label: str, name: str = "this project") -> None:
    """Every page whose checks or body F1 for this project changed against the earlier run."""
    print(f"\nChanges for {name!r}, {label} (checks passed before -> after; body F1):")
    changed = 0
    for kind in ("articles", "listings"):
        old, new = before.get(kind, {}).get(name, {}), after.get(kind, {}).get(name, {})
        for page in sorted(set(old) | set(new)):
            a, b = old.get(page, {}), new.get(page, {})
            flips = [f"{k}: {a.get(k)} -> {b.get(k)}" for k in sorted(set(a) | set(b))
                     if not k.startswith("_") and a.get(k) != b.get(k)]
            f1 = (a.get("_f1"), b.get("_f1"))
            if kind == "articles" and f1[0] and f1[1] and abs(f1[0][2] - f1[1][2]) >= 0.005:
                flips.append(f"body F1 {f1[0][2]:.3f} -> {f1[1][2]:.3f}")
            if kind == "listings" and a.get("_found") != b.get("_found"):
                flips.append(f"found {a.get('_found')} -> {b.get('_found')} of {b.get('_wanted')}")
            if flips:
                changed += 1
                print(f"  {page}: " + "; ".join(flips))
    print(f"  {changed} pages changed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="runs per page and extractor (time = minimum)")
    parser.add_argument("--only", help="comma-separated extractor names")
    parser.add_argument("--details", action="store_true", help="list every failed check")
    parser.add_argument("--json", help="write the per-page checks to this file")
    parser.add_argument("--compare", help="an earlier --json file: list the pages whose result changed")
    args = parser.parse_args()
    ensure_environment()
    only = args.only.split(",") if args.only else None
    print("## Real pages with gold")
    pages, results = run(args.rounds, only)
    print_tables(pages, results, args.details)
    out = to_json(results)
    from harness.gold import GENERIC_PAGES

    if GENERIC_PAGES.exists():
        print("\n## Synthetic pages written here (tests/fixtures/generic: department-portal notices and listings)")
        pages, synthetic = run(args.rounds, only, synthetic=True)
        print_tables(pages, synthetic, args.details)
        out["synthetic"] = to_json(synthetic)
    out["no_gold"] = no_gold_pages(only)
    print_no_gold(out["no_gold"])
    if args.compare:
        before = json.loads(Path(args.compare).read_text())
        compare(before, out, f"real pages, against {args.compare}")
        if "synthetic" in out:
            compare(before.get("synthetic", {}), out["synthetic"], f"synthetic pages, against {args.compare}")
        old, new = before.get("no_gold", {}), out["no_gold"]
        for page in sorted(set(old) | set(new)):
            a, b = old.get(page, {}).get("this project"), new.get(page, {}).get("this project")
            if a != b:
                print(f"  {page}: links {a} -> {b}")
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
