"""The WARC records of one download, built with warcio (WARC 1.1), each record its own gzip member.

A download is archived as the records replay tools (pywb, ReplayWeb.page) and readers (warcio, news-please,
fundus) expect, in this order, as one write:

- ``request``: the request as the crawl sent it (method, path, headers), ``WARC-Concurrent-To`` the response;
- ``response``: the status line, the headers and the body as the server sent them (a compressed body stays
  compressed, with its Content-Encoding; a chunked one is stored de-chunked, without Transfer-Encoding);
- for a page rendered by the browser, a ``conversion`` record of the rendered DOM (what the spider read),
  ``WARC-Refers-To`` the browser's network response of the page; without that response, a ``resource`` record;
- ``metadata`` (JSON): what the crawl knew when it asked (site, spider, kind of page, the listing's or feed's date,
  the CCHC section flag, the mirror it was really fetched from): what re-extraction needs besides the page.

A second ``metadata`` record, written when the page's article is read, links the response to that article (URL,
content hash, title).
"""
from __future__ import annotations

import io
import json
import os
import random
import uuid
import zlib
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

WARC_VERSION = "1.1"
# warcio's own gzip writer compresses at level 9. Level 6, zlib's default, is as small on HTML (vnexpress.net's
# recorded 222 KB article: 48.6 KB, level 9 48.4 KB, level 1 59.9 KB) and faster; the writer thread shares the
# machine's cores with the extraction workers.
GZIP_LEVEL = 6
CONTEXT = "application/json; profile=cchc-context"  # the metadata record written with each download
ARTICLE = "application/json; profile=cchc-article"  # the metadata record that links a response to its article
_HOP_BY_HOP = ("transfer-encoding",)  # the body is stored de-chunked


def _builder() -> WARCWriter:
    return WARCWriter(None, gzip=False, warc_version=WARC_VERSION)


def gzip_member(record) -> bytes:
    """One record as one gzip member (what ``.warc.gz`` readers seek to by offset)."""
    raw = io.BytesIO()
    WARCWriter(raw, gzip=False, warc_version=WARC_VERSION).write_record(record)
    packer = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)  # 31: a gzip header and trailer
    return packer.compress(raw.getvalue()) + packer.flush()


# Record ids are random UUIDs made in the crawl's thread. uuid4() reads os.urandom, a call that lets go of the GIL:
# getting it back meant waiting for the writer thread (up to the 5 ms switch interval) four times per download.
_random = random.Random(int.from_bytes(os.urandom(32), "big"))


def record_id() -> str:
    return f"<{uuid.UUID(int=_random.getrandbits(128), version=4).urn}>"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _http_headers(headers: list[tuple[str, str]], body: bytes, decoded: bool) -> list[tuple[str, str]]:
    """The headers as stored: without Transfer-Encoding (the body is de-chunked); for a body the browser already
    decoded, without Content-Encoding, and with the body's true length."""
    dropped = _HOP_BY_HOP + (("content-encoding", "content-length") if decoded else ())
    kept = [(k, v) for k, v in headers if k.lower() not in dropped]
    if decoded:
        kept.append(("Content-Length", str(len(body))))
    return kept


@dataclass
class Download:
    """One download, copied in the crawl's thread when it arrives (later middlewares change headers in place);
    its records are built and written by the archive's thread."""

    url: str  # the response's URL: the site's own, also when a local mirror served it
    date: str  # WARC-Date: when the response arrived (UTC, microseconds)
    method: str
    request_url: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    protocol: str
    headers: list[tuple[str, str]]
    body: bytes
    context: dict
    rendered: bool = False  # ``body`` is the browser's rendered DOM
    raw: tuple | None = None  # a rendered page's network response: (status, status text, headers, body)
    ids: dict = field(default_factory=dict)  # WARC-Record-IDs, made in the crawl's thread

    def __post_init__(self):
        for kind in ("request", "response", "dom", "context"):
            self.ids.setdefault(kind, record_id())

    @property
    def read_id(self) -> str:
        """The record extraction reads: the rendered DOM of a browser page, else the response."""
        return self.ids["dom"] if self.rendered else self.ids["response"]

    def records(self) -> list[tuple[str, object]]:
        """(record id, warcio record) in the order they are written."""
        build, out = _builder(), []
        has_response = not self.rendered or self.raw is not None
        if has_response:
            status, text, headers, body, decoded = ((self.status, _phrase(self.status), self.headers, self.body, False)
                                                    if not self.rendered else (*self.raw, True))
            parts = urlsplit(self.request_url)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            request_headers = list(self.request_headers)
            if not any(k.lower() == "host" for k, _ in request_headers):
                request_headers.insert(0, ("Host", parts.netloc))
            out.append((self.ids["request"], build.create_warc_record(
                self.url, "request", payload=io.BytesIO(self.request_body), length=len(self.request_body),
                http_headers=StatusAndHeaders(f"{self.method} {target} HTTP/1.1", request_headers, is_http_request=True),
                warc_headers_dict={"WARC-Record-ID": self.ids["request"], "WARC-Date": self.date,
                                   "WARC-Concurrent-To": self.ids["response"]})))
            out.append((self.ids["response"], build.create_warc_record(
                self.url, "response", payload=io.BytesIO(body), length=len(body),
                http_headers=StatusAndHeaders(f"{status} {text}".strip(), _http_headers(headers, body, decoded),
                                              protocol=self.protocol or "HTTP/1.1"),
                warc_headers_dict={"WARC-Record-ID": self.ids["response"], "WARC-Date": self.date})))
        if self.rendered:
            content_type = next((v for k, v in self.headers if k.lower() == "content-type"), "text/html")
            dom = {"WARC-Record-ID": self.ids["dom"], "WARC-Date": self.date}
            if has_response:
                dom["WARC-Refers-To"] = self.ids["response"]
            out.append((self.ids["dom"], build.create_warc_record(
                self.url, "conversion" if has_response else "resource", payload=io.BytesIO(self.body),
                length=len(self.body), warc_content_type=content_type, warc_headers_dict=dom)))
        out.append((self.ids["context"], json_record(self.url, CONTEXT, self.context, self.read_id, self.date,
                                                     self.ids["context"])))
        return out


def json_record(url: str, content_type: str, data: dict, refers_to: str, date: str | None = None,
                ident: str | None = None):
    """A ``metadata`` record of JSON about the record ``refers_to``."""
    body = json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
    headers = {"WARC-Refers-To": refers_to, "WARC-Record-ID": ident or record_id()}
    if date:
        headers["WARC-Date"] = date
    return _builder().create_warc_record(url, "metadata", payload=io.BytesIO(body), length=len(body),
                                         warc_content_type=content_type, warc_headers_dict=headers)


def warcinfo_record(name: str, info: dict):
    return _builder().create_warcinfo_record(name, info)
