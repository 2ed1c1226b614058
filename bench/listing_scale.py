"""Listing size against CPU time: the generic listing finder next to Scrapy's LinkExtractor, one run.

    .venv/bin/python bench/listing_scale.py [--sizes 250,1000,5000,20000]

Each listing holds N article links (list items, or a flat list of links and dates side by side, the shape that
made the earlier date walk quadratic: 1,000 links took 54.8 s). Printed: CPU seconds per listing for
``find_article_links`` (links, next page, listing dates) and for ``LinkExtractor().extract_links`` (links only,
no list detection), and their ratio. The target (issue 15): 5,000 links in under a second of CPU.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path


from parsel import Selector
from scrapy.http import HtmlResponse
from scrapy.linkextractors import LinkExtractor

from crawler.extract.links import find_article_links

ROOT = Path(__file__).resolve().parent.parent


def listing(n: int, flat: bool, dated: bool) -> str:
    date = "<span>05/03/2024</span>" if dated else ""
    link = "<a href='/tin-tuc/cai-cach-hanh-chinh-bai-so-{i}-cua-tinh.html'>Cải cách hành chính bài số {i} của tỉnh</a>"
    if flat:
        items = "".join(link.format(i=i) + date + "<br>" for i in range(n))
        return f"<html><body><div class='menu'><a href='/'>Trang chủ</a></div><div class='list'>{items}</div></body></html>"
    items = "".join(f"<li>{link.format(i=i)}{date}</li>" for i in range(n))
    return f"<html><body><div class='menu'><a href='/'>Trang chủ</a></div><ul class='list'>{items}</ul></body></html>"


def cpu(fn) -> float:
    started = time.process_time()
    fn()
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="250,1000,5000,20000")
    args = parser.parse_args()
    print(f"{'links':>6} {'shape':<12} {'generic s':>10} {'found':>6} {'LinkExtractor s':>16} {'ratio':>6}")
    for n in (int(s) for s in args.sizes.split(",")):
        for flat in (False, True):
            for dated in (False, True):
                html = listing(n, flat, dated)
                found = []
                ours = cpu(lambda: found.append(find_article_links(Selector(text=html), "https://x.vn/tin-tuc")))
                response = HtmlResponse("https://x.vn/tin-tuc", body=html.encode(), encoding="utf-8")
                peer = cpu(lambda: LinkExtractor().extract_links(response))
                shape = ("flat" if flat else "items") + (" dated" if dated else "")
                print(f"{n:>6} {shape:<12} {ours:>10.3f} {len(found[0].articles):>6} {peer:>16.3f} {ours / max(peer, 1e-6):>6.2f}")


if __name__ == "__main__":
    main()
