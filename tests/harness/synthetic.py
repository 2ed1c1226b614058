"""A generated mirror for tests and benchmarks: thousands of article pages over several hosts, on 127.0.0.1.

Article pages are the *recorded* article pages of tests/fixtures (their real chrome: menus, scripts, related
links, footers) with the title, the dates and the body replaced; bodies are paragraphs of the fixtures' own
article texts, varied per article so that every page has its own content hash. Listing pages are generated:
``per_page`` links with a date and a teaser each, and a "Sau »" link to the next page. Pages are rendered on
request (nothing is written to disk), the same for the same URL, and the server counts hits per path.

Everything here is synthetic (made from recorded pages); it is for crawling at volume, never for checking
extraction of a real site.
"""
from __future__ import annotations

import html
import random
import re
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import lxml.html

from crawler.ops.saved_pages import LoopbackServer

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
# (host, recorded article page, CSS selector of its body container): one template per CMS family
TEMPLATES = [
    ("sotttt.hanoi.gov.vn", "sites/sotttt.hanoi.gov.vn/article-cchc-3235385.html", ".journal-content-article"),
    ("baolaocai.vn", "sites/baolaocai.vn/article-post404649.html", ".article__body"),
    ("plo.vn", "sites/plo.vn/article-post874715.html", ".article__body"),
    ("vnexpress.net", "sites/vnexpress.net/article-4672302.html", "article.fck_detail"),
]
SECTION = "/cai-cach-hanh-chinh"
TOPICS = ["Cải cách hành chính", "Thủ tục hành chính", "Dịch vụ công trực tuyến", "Bộ phận một cửa",
          "Chuyển đổi số", "Chỉ số PAR INDEX", "Chính quyền điện tử", "Tinh gọn bộ máy"]
PLACES = ["Hà Nội", "Lào Cai", "Cao Bằng", "Hà Tĩnh", "Lâm Đồng", "Tây Ninh", "Đắk Lắk", "Cần Thơ", "Huế", "Gia Lai"]
_DMY = re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b")
_ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?")


@lru_cache(maxsize=1)
def paragraph_pool() -> tuple[str, ...]:
    """Paragraphs (80 characters or more) of every article page of the fixtures (seed texts and recorded pages)."""
    from crawler.ops.saved_pages import read_manifest

    pool = []
    for manifest in sorted((FIXTURES / "sites").glob("*/MANIFEST.tsv")):
        for row in read_manifest(manifest.parent):
            if row["kind"] == "article":
                doc = lxml.html.fromstring((manifest.parent / row["file"]).read_bytes())
                pool += [" ".join(p.text_content().split()) for p in doc.iter("p")]
    return tuple(dict.fromkeys(p for p in pool if len(p) >= 80))


@lru_cache(maxsize=None)
def skeleton(index: int) -> str:
    """Template ``index`` with ``@@TITLE@@``, ``@@BODY@@``, ``@@DMY@@`` and ``@@ISO@@`` placeholders."""
    _host, name, body_css = TEMPLATES[index]
    raw = (FIXTURES / name).read_bytes().decode("utf-8", "replace")
    doc = lxml.html.fromstring(raw)
    old_title = " ".join((doc.findtext(".//title") or "").split())
    h1 = doc.cssselect("h1")
    headline = " ".join(h1[0].text_content().split()) if h1 else old_title
    og = doc.cssselect('meta[property="og:title"]')
    og_title = " ".join(og[0].get("content", "").split()) if og else ""
    body = doc.cssselect(body_css)[0]
    for child in list(body):
        body.remove(child)
    body.text = "@@BODY@@"
    out = "<!DOCTYPE html>\n" + lxml.html.tostring(doc, encoding="unicode")
    for text in sorted({headline, old_title, og_title, old_title.split(" - ")[0]}, key=len, reverse=True):
        if text:
            for form in (html.escape(text), html.escape(text, quote=False), text):
                out = out.replace(form, "@@TITLE@@")
    return _ISO.sub("@@ISO@@", _DMY.sub("@@DMY@@", out))


class SyntheticMirror(LoopbackServer):
    """``with SyntheticMirror(sites=4, articles=500) as m: m.base_url(host)``; ``m.start_url(host)``."""

    def __init__(self, sites: int = 4, articles: int = 500, per_page: int = 20, delay: float = 0.0, port: int = 0,
                 newest: datetime | None = None, template: str | None = None):
        """``template``: one host of TEMPLATES for every site (e.g. "vnexpress.net", a 222 KB recorded page:
        real-sized pages for throughput); by default the sites cycle through the four families."""
        self.articles, self.per_page, self.delay = articles, per_page, delay
        self.newest = newest or datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)
        names = [t[0] for t in TEMPLATES]
        if template is not None and template not in names:
            raise ValueError(f"template must be one of {', '.join(names)}")
        cycle = [template] if template else names
        self.hosts = [cycle[i % len(cycle)] if i < len(cycle) else f"so{i}.{cycle[i % len(cycle)]}" for i in range(sites)]
        self.hits: Counter = Counter()
        self._lock = threading.Lock()
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall per page
            timeout = 30  # close idle keep-alive connections (their threads) like a real server

            def do_GET(self):  # noqa: N802 (http.server API)
                if mirror.delay:
                    time.sleep(mirror.delay)
                with mirror._lock:
                    mirror.hits[self.path] += 1
                page = mirror.render(self.path)
                body = (page or "not found").encode("utf-8")
                self.send_response(200 if page else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self._listen(Handler, port)

    # -- addresses -------------------------------------------------------------------------------------------
    def base_url(self, host: str) -> str:
        return f"http://127.0.0.1:{self.port}/{host}"

    def mirror_setting(self) -> str:
        """The ``CCHC_MIRROR`` value that sends every host to this server."""
        return f"http://127.0.0.1:{self.port}/{{host}}"

    def start_url(self, host: str) -> str:
        return f"https://{host}{SECTION}"

    @property
    def pages_per_site(self) -> int:
        return -(-self.articles // self.per_page)

    def article_path(self, site: int, i: int) -> str:
        return f"/tin-tuc/cai-cach-hanh-chinh/bai-viet-so-{i}-{100000 + site * 100000 + i}.html"

    def article_urls(self) -> list[str]:
        return [f"https://{h}{self.article_path(s, i)}" for s, h in enumerate(self.hosts) for i in range(self.articles)]

    # -- pages -----------------------------------------------------------------------------------------------
    def render(self, raw_path: str) -> str | None:
        first, _, rest = raw_path.lstrip("/").partition("/")
        if first not in self.hosts:
            return None
        site = self.hosts.index(first)
        parts = urlsplit("/" + rest)
        if parts.path == SECTION:
            page = int((parse_qs(parts.query).get("page") or ["1"])[0])
            return self.listing(site, page) if 1 <= page <= self.pages_per_site else None
        m = re.fullmatch(r"/tin-tuc/cai-cach-hanh-chinh/bai-viet-so-(\d+)-(\d+)\.html", parts.path)
        if m and int(m.group(1)) < self.articles and parts.path == self.article_path(site, int(m.group(1))):
            return self.article(site, int(m.group(1)))
        return None

    def _published(self, i: int) -> datetime:
        return self.newest - timedelta(hours=5 * i, minutes=7 * (i % 8))

    def _title(self, site: int, i: int) -> str:
        rng = random.Random(site * 1_000_003 + i)
        return (f"{TOPICS[rng.randrange(len(TOPICS))]}: {PLACES[(site + i) % len(PLACES)]} đẩy mạnh thực hiện "
                f"kế hoạch năm {2020 + i % 7}, đợt {i + 1}")

    def article(self, site: int, i: int) -> str:
        rng = random.Random(site * 7919 + i)
        pool = paragraph_pool()
        paragraphs = [pool[rng.randrange(len(pool))] for _ in range(rng.randint(4, 9))]
        paragraphs.insert(1, f"Đến ngày {self._published(i):%d/%m}, {PLACES[(site + i) % len(PLACES)]} đã tiếp nhận "
                             f"{1000 + rng.randrange(90000)} hồ sơ thủ tục hành chính, tỷ lệ giải quyết đúng hạn đạt "
                             f"{90 + rng.random() * 10:.2f}% (bài số {i} của chuyên mục).")
        body = "".join(f"<p>{html.escape(p)}</p>\n" for p in paragraphs)
        local = self._published(i).astimezone(timezone(timedelta(hours=7)))
        return (skeleton(TEMPLATES.index(next(t for t in TEMPLATES if self.hosts[site].endswith(t[0])))).
                replace("@@BODY@@", body).replace("@@TITLE@@", html.escape(self._title(site, i)))
                .replace("@@DMY@@", f"{local:%d/%m/%Y}").replace("@@ISO@@", local.isoformat()))

    def listing(self, site: int, page: int) -> str:
        host = self.hosts[site]
        first = (page - 1) * self.per_page
        items = []
        for i in range(first, min(first + self.per_page, self.articles)):
            local = self._published(i).astimezone(timezone(timedelta(hours=7)))
            items.append(f'<li class="news-item"><h3 class="news-title"><a href="{self.article_path(site, i)}">'
                         f'{html.escape(self._title(site, i))}</a></h3><span class="news-date">{local:%d/%m/%Y %H:%M}'
                         f'</span><p class="news-sapo">Tin bài số {i} của chuyên mục cải cách hành chính.</p></li>')
        pager = f'<a class="next" href="{SECTION}?page={page + 1}">Sau »</a>' if page < self.pages_per_site else ""
        return (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Cải cách hành chính - {host}'
                f'</title></head><body><header><nav class="menu"><ul><li><a href="/">Trang chủ</a></li>'
                f'<li><a href="{SECTION}">Cải cách hành chính</a></li></ul></nav></header><main>'
                f'<h1>Cải cách hành chính</h1><ul class="news-list">{"".join(items)}</ul>'
                f'<div class="pager">{pager}</div></main><footer>Cổng thông tin điện tử {host}</footer></body></html>')
