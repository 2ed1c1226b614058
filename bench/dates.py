"""Date parsing benchmark: the project's parse_date against plain dateparser, side by side in one run.

    .venv/bin/python bench/dates.py [--n 3000]

Prints throughput of both, their ratio, how often the fast path was enough, and every disagreement (each is
a bug in one of them; the template name says which shape it was).
"""
from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from datetime import datetime, timedelta, timezone


import dateparser

from crawler.vi import dates
from crawler.vi.dates import LOCAL_TZ, parse_date

WEEKDAYS = ["Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật"]
# Shapes seen on the seeds, the saved real pages and the list; {weekday} matches the date.
TEMPLATES = {
    "seed-001 weekday": "{weekday} {d:02}/{m:02}/{Y} {H:02}:{M:02}",
    "seed-002 time, date": "{H:02}:{M:02}, {d:02}/{m:02}/{Y}",
    "seed-003 date time": "{d:02}/{m:02}/{Y} {H:02}:{M:02}",
    "seed-004 time date": "{H:02}:{M:02} {d:02}/{m:02}/{Y}",
    "seed-000 iso Z": "{YU}-{mU:02}-{dU:02}T{HU:02}:{MU:02}:00.000Z",
    "sotttt pipe pm": "{d:02}/{m:02}/{Y} | {h12}:{M:02} {ampm}",
    "sotttt listing": "Ngày đăng {d:02}/{m:02}/{Y} | {h12:02}:{M:02} {ampm} | View count: 25",
    "vnexpress gmt": "{weekday}, {d}/{m}/{Y}, {H:02}:{M:02} (GMT+7)",
    "iso +07:00": "{Y}-{m:02}-{d:02}T{H:02}:{M:02}:00+07:00",
    "iso +0700": "{Y}-{m:02}-{d:02}T{H:02}:{M:02}:00+0700",
    "iso naive": "{Y}-{m:02}-{d:02} {H:02}:{M:02}:00",
    "d/m/yyyy": "{d}/{m}/{Y} {H:02}:{M:02}",
    "dd/mm/yy": "{d:02}/{m:02}/{y:02} {H:02}:{M:02}",
    "dd-mm-yyyy": "{d:02}-{m:02}-{Y} {H:02}:{M:02}",
    "dd.mm.yyyy": "{d:02}.{m:02}.{Y} - {H:02}:{M:02}",
    "label cap nhat": "Cập nhật: {H:02}:{M:02} {d:02}/{m:02}/{Y}",
    "label luc ngay": "Đăng lúc {H:02}:{M:02} ngày {d:02}/{m:02}/{Y}",
    "label thoi gian": "Thời gian: {d:02}/{m:02}/{Y} lúc {H:02}:{M:02}",
    "ngay thang nam": "{place}, ngày {d} tháng {m} năm {Y}",
    "dd Thang m yyyy": "{d:02} Tháng {m} {Y}",
    "SA/CH": "{d:02}/{m:02}/{Y} {h12:02}:{M:02} {sach}",
    "uppercase weekday": "{WEEKDAY}, {d:02}/{m:02}/{Y} - {H:02}:{M:02}",
}


def corpus(n: int, seed: int = 20261122):
    rng = random.Random(seed)
    start, span = datetime(2005, 1, 1), (datetime(2026, 10, 31) - datetime(2005, 1, 1)).days
    out = []
    names = list(TEMPLATES)
    for i in range(n):
        name = names[i % len(names)]
        local = start + timedelta(days=rng.randrange(span), minutes=rng.randrange(24 * 60))
        utc = local - timedelta(hours=7)
        h12 = local.hour % 12 or 12
        text = TEMPLATES[name].format(
            d=local.day, m=local.month, Y=local.year, y=local.year % 100, H=local.hour, M=local.minute,
            HU=utc.hour, MU=utc.minute, YU=utc.year, mU=utc.month, dU=utc.day, h12=h12, ampm="PM" if local.hour >= 12 else "AM",
            sach="CH" if local.hour >= 12 else "SA", weekday=WEEKDAYS[local.weekday()],
            WEEKDAY=WEEKDAYS[local.weekday()].upper(), place=rng.choice(["Hà Nội", "Hà Tĩnh", "Lâm Đồng"]),
        )
        expected = local.replace(tzinfo=LOCAL_TZ)
        if name in ("ngay thang nam", "dd Thang m yyyy"):
            expected = expected.replace(hour=0, minute=0)
        out.append((name, text, expected))
    return out


def plain_dateparser(text):
    value = dateparser.parse(text, languages=["vi"], settings={"DATE_ORDER": "DMY"})
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    return value


def run(n: int) -> None:
    items = corpus(n)
    now = datetime(2026, 11, 22, tzinfo=timezone.utc)
    plain_dateparser("01/01/2020")  # load dateparser's language data outside the timing
    parse_date("01/01/2020 lúc 10 giờ sáng ngày", now=now)

    fallbacks = Counter()
    original = dates._parse_dateparser

    def counting(text, when):
        fallbacks["used"] += 1
        return original(text, when)

    dates._parse_dateparser = counting
    t0 = time.perf_counter()
    ours = [parse_date(text, now=now) for _, text, _ in items]
    t_ours = time.perf_counter() - t0
    dates._parse_dateparser = original

    t0 = time.perf_counter()
    theirs = [plain_dateparser(text) for _, text, _ in items]
    t_theirs = time.perf_counter() - t0

    def same(a, b):
        return a is not None and b is not None and abs((a - b).total_seconds()) < 60

    wrong_ours = Counter(name for (name, _, exp), got in zip(items, ours) if not same(got, exp))
    wrong_theirs = Counter(name for (name, _, exp), got in zip(items, theirs) if not same(got, exp))
    disagreements = [(name, text, a, b) for (name, text, _), a, b in zip(items, ours, theirs)
                     if not (same(a, b) or (a is None and b is None))]

    print(f"corpus: {len(items)} date strings in {len(TEMPLATES)} shapes (seeded, reproducible)")
    print(f"{'parser':<34}{'strings/s':>12}{'time (s)':>10}{'wrong':>8}")
    print(f"{'crawler.vi.dates.parse_date':<34}{len(items) / t_ours:>12.0f}{t_ours:>10.3f}{sum(wrong_ours.values()):>8}")
    print(f"{'dateparser.parse(vi, DMY)':<34}{len(items) / t_theirs:>12.0f}{t_theirs:>10.3f}{sum(wrong_theirs.values()):>8}")
    print(f"speed ratio (ours / dateparser): {t_theirs / t_ours:.1f}x")
    print(f"fast path sufficed for {len(items) - fallbacks['used']}/{len(items)} strings")
    print(f"disagreements: {len(disagreements)} ({len(disagreements) / len(items):.1%})")
    by_shape = Counter(name for name, *_ in disagreements)
    for name, count in by_shape.most_common():
        example = next(d for d in disagreements if d[0] == name)
        blame = "dateparser" if wrong_theirs[name] and not wrong_ours[name] else (
            "parse_date" if wrong_ours[name] and not wrong_theirs[name] else "both")
        print(f"  {count:>5}  {name:<20} wrong: {blame:<10} e.g. {example[1]!r}: ours={example[2] and example[2].isoformat()} "
              f"dateparser={example[3] and example[3].isoformat()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=3000)
    run(parser.parse_args().n)
