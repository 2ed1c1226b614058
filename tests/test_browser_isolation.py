"""Issue 15 case 5: a page rendered in Chromium (-a js=all) cannot make the crawler contact any other host.

The crawled site is served on one port of 127.0.0.1, a second server on another port plays "another host" and
counts every connection: an iframe, window.open, a link opened by script in a new window, a WebSocket, a
dedicated worker's fetch, a service worker, sendBeacon, an <img>. None may reach it. A page whose script moves
the top window to the other host must not be stored (Chromium's error page is not an article)."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from conftest import rows, run_scrapy
from faults import FaultServer, ok

HOST = "trinhduyet.example.gov.vn"
SITE = f"https://{HOST}"
CHROMIUM = os.environ.get("CCHC_CHROMIUM", "/usr/bin/chromium")
TEXT = ("Ủy ban nhân dân tỉnh yêu cầu các sở, ngành đẩy mạnh cải cách thủ tục hành chính, công khai hồ sơ trên "
        "Cổng dịch vụ công và trả kết quả đúng hẹn cho người dân, doanh nghiệp.")


def page(title: str, script: str, extra: str = "") -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1 class='title'>{title}</h1>"
            f"<div class='date'>05/03/2025 08:00</div><div class='content'><p>{title}. {TEXT}</p><p>{TEXT}</p>{extra}"
            f"</div><script>{script}</script></body></html>").encode()


def escapes(other: str) -> str:
    return f"""
    try {{ window.open("{other}/popup"); }} catch (e) {{}}
    try {{ const a = document.createElement("a"); a.href = "{other}/blank-link"; a.target = "_blank";
           document.body.appendChild(a); a.click(); }} catch (e) {{}}
    try {{ new WebSocket("{other.replace('http', 'ws')}/socket"); }} catch (e) {{}}
    try {{ const w = new Worker(URL.createObjectURL(new Blob(["fetch('{other}/worker-fetch')"], {{type: "text/javascript"}})));
         }} catch (e) {{}}
    try {{ navigator.serviceWorker && navigator.serviceWorker.register("/sw.js"); }} catch (e) {{}}
    try {{ navigator.sendBeacon("{other}/beacon", "x"); }} catch (e) {{}}
    try {{ fetch("{other}/fetch", {{mode: "no-cors"}}); }} catch (e) {{}}
    """


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="bin/setup installs Debian's chromium")
def test_rendered_page_cannot_reach_other_hosts(tmp_path):
    other = FaultServer({})
    with other:
        routes = {"/robots.txt": ok(b"User-agent: *\nAllow: /\n", "text/plain"),
                  "/sw.js": ok(f"fetch('{other.base_url}/service-worker')".encode(), "text/javascript")}
        routes["/tin/thoat-ra-ngoai-10001.html"] = ok(page(
            "Trang thử thoát ra ngoài trang của mình", escapes(other.base_url),
            f"<iframe src='{other.base_url}/iframe'></iframe><img src='{other.base_url}/pixel.gif'>"))
        routes["/tin/chuyen-trang-10002.html"] = ok(page(
            "Trang tự chuyển sang máy chủ khác ngay", f'location.href = "{other.base_url}/moved";'))
        items = "".join(f"<li class='item'><a href='{p}'>Bài viết thử trình duyệt số {n} về cải cách hành chính</a></li>"
                        for n, p in enumerate(["/tin/thoat-ra-ngoai-10001.html", "/tin/chuyen-trang-10002.html"]))
        routes["/tin-tuc"] = ok(f"<html><body><ul class='news'>{items}</ul></body></html>".encode())
        db = tmp_path / "cchc.db"
        with FaultServer(routes) as site:
            result = run_scrapy(["crawl", "generic", "-a", f"start_urls={SITE}/tin-tuc", "-a", f"base_url={site.base_url}",
                                 "-a", "js=all", "-s", "CCHC_BROWSER_WAIT_MS=3000"], db, timeout=240)
            time.sleep(1)  # anything still in flight from the pages arrives now
        reached = dict(other.hits)
    assert reached == {}, (sorted(reached), result.stderr[-3000:])
    titles = [r["title"] for r in rows(db, "select title from articles")]
    assert "Trang thử thoát ra ngoài trang của mình" in titles, result.stderr[-3000:]
    assert not any("reached" in t or "can’t" in t for t in titles), titles
