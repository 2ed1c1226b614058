"""Near-duplicate grouping benchmark: time per inserted article with 10k and 100k articles already stored.

    .venv/bin/python bench/syndication.py [--total 100000]

Articles are generated from the vocabulary of the fixtures' text (about 1 in 10 is a near-duplicate of an
earlier one: another lead, a dropped paragraph, an added "Theo ..." line). Each insert goes through
crawler.store.syndication.StoryIndex.assign on an SQLite file, as in a crawl. Sub-linear means the time per insert at
100k is close to the time at 10k.
"""
from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import time
from pathlib import Path


import sqlite_utils

from crawler.store.syndication import StoryIndex, create_story_tables

ROOT = Path(__file__).resolve().parent.parent


def vocabulary() -> list[str]:
    words: set[str] = set()
    for page in (ROOT / "tests" / "fixtures" / "sites").rglob("*.html"):
        text = re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8", errors="ignore"))
        words.update(w for w in re.findall(r"[^\W\d_]+", text) if len(w) > 1)
    return sorted(words)


def articles(total: int, words: list[str], seed: int = 7):
    rng = random.Random(seed)
    bodies: list[list[str]] = []
    for n in range(total):
        if bodies and rng.random() < 0.1:  # a republished copy with small changes
            paragraphs = list(rng.choice(bodies))
            if len(paragraphs) > 3:
                paragraphs.pop(rng.randrange(len(paragraphs)))
            paragraphs.append("Theo Báo " + rng.choice(words))
        else:
            paragraphs = [" ".join(rng.choice(words) for _ in range(rng.randint(25, 60))) for _ in range(rng.randint(3, 8))]
            bodies.append(paragraphs)
        yield n + 1, " ".join(rng.choice(words) for _ in range(10)), "\n\n".join(paragraphs)


def run(total: int) -> None:
    words = vocabulary()
    marks = sorted({min(10_000, total), total})
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite_utils.Database(Path(tmp) / "bench.db")
        db.enable_wal()
        db["articles"].create({"id": int, "published_at": str, "story_id": int, "story_similarity": float,
                               "is_first_source": int}, pk="id")
        db["articles"].create_index(["story_id"])
        create_story_tables(db)
        index = StoryIndex(db)
        timings: dict[int, list[float]] = {mark: [] for mark in marks}
        started = time.perf_counter()
        for article_id, title, body in articles(total, words):
            window = next((m for m in marks if m - 1000 < article_id <= m), None)
            db.execute("insert into articles (id, published_at) values (?, ?)", [article_id, f"2024-01-01T00:{article_id % 60:02}:00Z"])
            t0 = time.perf_counter()
            index.assign(article_id, title, body)
            elapsed = time.perf_counter() - t0
            # committed in small batches (the writer commits 500, or every 5 s: crawler/store/batch.py)
            if article_id % 20 == 0:
                db.conn.commit()
            if window:
                timings[window].append(elapsed)
        db.conn.commit()
        wall = time.perf_counter() - started
        stories = db.execute("select count(distinct story_id) from articles").fetchone()[0]
        grouped = db.execute("select count(*) from articles where story_id != id").fetchone()[0]
        size = (Path(tmp) / "bench.db").stat().st_size
    print(f"{total} articles from a {len(words)}-word vocabulary, ~10% republished copies; {wall:.0f} s in all")
    print(f"{'stored before insert':>22}{'median ms':>11}{'p95 ms':>9}")
    for mark in marks:
        values = sorted(timings[mark])
        p95 = values[int(len(values) * 0.95) - 1]
        print(f"{mark - 1000:>22,}{statistics.median(values) * 1000:>11.2f}{p95 * 1000:>9.2f}")
    if len(marks) == 2:
        ratio = statistics.median(timings[marks[1]]) / statistics.median(timings[marks[0]])
        print(f"median time per insert at {marks[1] // 1000}k / at {marks[0] // 1000}k: {ratio:.2f}")
    print(f"stories: {stories:,}; articles grouped with an earlier one: {grouped:,}; database: {size / 1e6:.0f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--total", type=int, default=100_000)
    run(parser.parse_args().total)
