"""robots.txt as RFC 9309 says, on top of Scrapy's RobotsTxtMiddleware (and its Protego parser).

Scrapy treats a robots.txt it could not read as "allow everything": a 5xx, a timeout, a file over the download
limit, a gzip bomb, a redirect that another middleware refused. RFC 9309 (section 2.3.1) asks instead:
- 2xx: the rules, from at least the first 500 KiB (we read 512 KiB and stop the download there, cutting at the
  last complete line);
- 3xx: follow at least five redirects, to other hosts too (the rules then apply to the original host);
- 4xx ("unavailable"): no rules, everything allowed;
- 5xx and network errors ("unreachable"): everything disallowed (429 counts as unreachable: it asks us to wait).
A file that is not UTF-8 (UTF-16 with a byte order mark) is decoded by its BOM. Each outcome is counted in the
crawl stats (``robotstxt/rfc9309/<outcome>``) and logged once per host.

A 2xx whose body is a web page (a portal that answers its homepage for any path, /robots.txt included) or binary
content holds no rule: RFC 9309 reads it as "no rules, everything allowed", and so do we, but it is counted
(``cchc/robots/not_robots_txt``) and the site's verdict says so: the site's real rules may be somewhere we
cannot see.
"""
from __future__ import annotations

import logging
import re

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import StopDownload
from scrapy.http import Request
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

from crawler.stats import Meta, Stat

logger = logging.getLogger(__name__)
PARSE_LIMIT = 512 * 1024  # RFC 9309 2.5: at least 500 KiB
DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


# The start of an HTML document (after spaces): a doctype or one of the elements a page opens with.
_HTML_START = re.compile(rb"^\s*<(!doctype\s+html|html|head|body|meta|title|script|div)\b", re.I)
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1f]")


def not_robots_txt(text: bytes) -> str | None:
    """What a 2xx robots.txt (decoded by ``robots_text``) is instead of rules: "an HTML page", "binary content",
    or None for text (rules, comments, or nothing). Judged by the bytes, not the Content-Type, which servers
    often get wrong for a real robots.txt."""
    head = text[:4096]
    if _HTML_START.match(head):
        return "an HTML page"
    if b"\x00" in head or len(_CONTROL.findall(head)) > len(head) // 20:  # NULs, or 5% control bytes
        return "binary content"
    return None


def robots_text(body: bytes) -> bytes:
    """The first PARSE_LIMIT bytes as UTF-8, cut at the last complete line; UTF-16 decoded by its BOM."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            body = body[len(bom):].decode(encoding, "ignore").encode("utf-8")
            break
    if len(body) > PARSE_LIMIT:
        body = body[:PARSE_LIMIT]
        body = body[: body.rfind(b"\n") + 1] or body
    return body


class RFC9309RobotsTxtMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler):
        super().__init__(crawler)
        self._received: dict[int, int] = {}
        # Decompressed size allowed for robots.txt: a gzip bomb ends the download as "unreachable".
        self._maxsize = crawler.settings.getint("CCHC_ROBOTSTXT_MAXSIZE")
        crawler.signals.connect(self._bytes_received, signal=signals.bytes_received)
        crawler.signals.connect(self._headers_received, signal=signals.headers_received)

    def _headers_received(self, headers, body_length, request, spider=None):
        """A plain (not compressed) robots.txt of any declared size is read up to PARSE_LIMIT and parsed; only a
        compressed one keeps the size limit, which also bounds its decompression (a gzip bomb)."""
        if request.meta.get(Meta.ROBOTS) and headers.get(b"Content-Encoding", b"identity").lower() == b"identity":
            request.meta["download_maxsize"] = 0

    def _bytes_received(self, data, request, spider=None):
        if not request.meta.get(Meta.ROBOTS):
            return
        seen = self._received.get(id(request), 0) + len(data)
        self._received[id(request)] = seen
        if seen > PARSE_LIMIT:  # enough to parse: keep what came, as a complete response
            self._stats.inc_value("robotstxt/rfc9309/truncated")
            raise StopDownload(fail=False)

    async def robot_parser(self, request):
        url = urlparse_cached(request)
        netloc = url.netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            robotsreq = Request(f"{url.scheme}://{netloc}/robots.txt", priority=self.DOWNLOAD_PRIORITY,
                                callback=NO_CALLBACK,
                                meta={"dont_obey_robotstxt": True, Meta.ROBOTS: True, "allow_offsite": True,
                                      "download_maxsize": self._maxsize, "redirect_max_times": 5})
            try:
                response = await self.crawler.engine.download_async(robotsreq)
                self._received.pop(id(robotsreq), None)
                outcome, body = self._judge(response.status, response.body)
            except Exception as exc:  # noqa: BLE001 - timeouts, refused connections, size limits: unreachable
                self._received.pop(id(robotsreq), None)
                outcome, body = f"unreachable ({type(exc).__name__}: {str(exc)[:120]})", DISALLOW_ALL
            self._stats.inc_value("robotstxt/request_count")
            self._stats.inc_value(f"robotstxt/rfc9309/{outcome.split(' ')[0]}")
            if not outcome.startswith("rules"):
                logger.warning("robots.txt of %s: %s: %s", netloc, outcome,
                               "nothing on this host is fetched" if body == DISALLOW_ALL else "everything allowed")
            parser = build_from_crawler(self._parserimpl, self.crawler, body)
            await self.crawler.signals.send_catch_log_async(signal=signals.robots_parsed, robotparser=parser,
                                                            request=request)
            waiting = self._parsers[netloc]
            self._parsers[netloc] = parser
            waiting.callback(parser)
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            return await maybe_deferred_to_future(parser)
        return parser

    def _judge(self, status: int, body: bytes) -> tuple[str, bytes]:
        self._stats.inc_value(f"robotstxt/response_status_count/{status}")
        if 200 <= status < 300:
            text = robots_text(body)
            kind = not_robots_txt(text)
            if kind:
                self._stats.inc_value(Stat.ROBOTS_NOT_TEXT)
                self._stats.set_value(Stat.ROBOTS_NOT_TEXT_KIND, kind)
                return f"html-or-binary (HTTP {status} with {kind}, not robots.txt)", b""
            return "rules", text
        if status == 429 or status >= 500:
            return f"unreachable (HTTP {status})", DISALLOW_ALL
        if 300 <= status < 400:  # more than five redirects, or one without a Location
            return f"unreachable (HTTP {status} after redirects)", DISALLOW_ALL
        return f"unavailable (HTTP {status})", b""

