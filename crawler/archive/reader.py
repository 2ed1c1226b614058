"""Reading the archive back: a page at a location the database recorded (``ArchiveReader.page``), every page of a
URL (``find``), every record of a file (``records``), and the page rebuilt as the response the spider read
(``ArchivedPage.response``: the body decoded as the crawl's middlewares decoded it, crawler/fetch/middlewares.py).

A record cut short (the last one of a file whose machine lost power while writing, or a copy that stopped
early) is never read as a page: ``Truncated`` is raised for a location, and ``records`` stops before it and
says so.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from warcio.archiveiterator import ArchiveIterator

from crawler.archive.place import archive_files, resolve
from crawler.archive.records import CONTEXT
from crawler.fetch.middlewares import EncodingMiddleware

PAGE_TYPES = ("response", "conversion", "resource")
NEARBY = 4  # records after a page that may hold its context (request, response, DOM, context: one write)


class ArchiveError(Exception):
    """A location that cannot be read, in words."""


class Missing(ArchiveError):
    """The file is not in the archive (deleted by retention, or never copied here)."""


class Truncated(ArchiveError):
    """The record was cut short."""


class _NoStats:
    def inc_value(self, *args, **kwargs):
        pass


@dataclass
class ArchivedPage:
    url: str
    date: str  # WARC-Date: when the response arrived
    record_type: str  # response, or conversion / resource for a page rendered by the browser
    status: int
    headers: list[tuple[str, str]]
    body: bytes  # the payload, Content-Encoding undone
    file: str = ""
    offset: int = 0
    record_id: str = ""
    context: dict = field(default_factory=dict)  # the crawl's metadata record of this download (records.py)

    def response(self):
        """The response the spider read: the class by headers and body, the charset fixed as the crawl fixed it."""
        headers = Headers([(k, v) for k, v in self.headers if k.lower() not in ("content-encoding", "content-length",
                                                                               "transfer-encoding")])
        cls = responsetypes.from_args(headers=headers, url=self.url, body=self.body)
        response = cls(url=self.url, status=self.status, headers=headers, body=self.body)
        return EncodingMiddleware(_NoStats()).process_response(None, response)


def _page(record, body: bytes) -> ArchivedPage:
    headers = record.rec_headers
    if record.http_headers is not None and record.rec_type == "response":
        status = int(record.http_headers.get_statuscode() or 0)
        http = list(record.http_headers.headers)
    else:  # the rendered DOM: its content type is the record's
        status, http = 200, [("Content-Type", headers.get_header("Content-Type") or "text/html")]
    return ArchivedPage(url=headers.get_header("WARC-Target-URI"), date=headers.get_header("WARC-Date"),
                        record_type=record.rec_type, status=status, headers=http, body=body,
                        record_id=headers.get_header("WARC-Record-ID"))


def _cut(record) -> bool:
    """A record whose bytes ended early: its block shorter than its Content-Length, or its header itself cut (warcio
    then gives it no length)."""
    return record.length is None or bool(getattr(record.raw_stream, "limit", 0))


def _payload(record) -> bytes:
    """The record's payload in full, or ``Truncated``."""
    try:
        body = record.content_stream().read()
    except Exception as exc:  # noqa: BLE001 - zlib/brotli errors of a body cut short
        raise Truncated(f"the record is damaged or cut short ({type(exc).__name__}: {exc})") from None
    if _cut(record):
        raise Truncated("the record is cut short")
    return body


def _context(record) -> dict:
    try:
        return json.loads(record.content_stream().read().decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return {}


class ArchiveReader:
    """Reads pages from the archive folder; keeps the last file open (locations are read in file order)."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self._name, self._fh = None, None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._name, self._fh = None, None

    def _open(self, name: str):
        if name != self._name:
            self.close()
            path = resolve(self.folder, name)
            if path is None:
                raise Missing(f"{name!r} is not the name of an archive file")
            try:
                self._fh = open(path, "rb")  # noqa: SIM115 - kept for the next location
            except FileNotFoundError:
                raise Missing(f"{path} is not in the archive (deleted by retention, or never copied here)") from None
            self._name = name
        return self._fh

    def page(self, name: str, offset: int) -> ArchivedPage:
        """The page whose record starts at ``offset`` of file ``name``, with the crawl's context of it."""
        fh = self._open(name)
        fh.seek(offset)
        iterator = ArchiveIterator(fh)
        try:
            record = next(iterator)
        except StopIteration:
            raise Truncated(f"no record at offset {offset} of {name}") from None
        except Exception as exc:  # noqa: BLE001 - not a record boundary, or damaged bytes
            raise ArchiveError(f"no readable record at offset {offset} of {name}: {exc}") from None
        if record.rec_type not in PAGE_TYPES:
            raise ArchiveError(f"offset {offset} of {name} holds a {record.rec_type} record, not a page")
        page = _page(record, _payload(record))
        page.file, page.offset = name, offset
        try:
            for _, other in zip(range(NEARBY), iterator):
                if (other.rec_type == "metadata" and other.rec_headers.get_header("WARC-Refers-To") == page.record_id
                        and other.rec_headers.get_header("Content-Type") == CONTEXT):
                    page.context = _context(other)
                    break
        except Exception:  # noqa: BLE001 - a damaged record after the page: the page is whole, its context lost
            pass
        return page


def records(path: Path):
    """(offset, warcio record) of every whole record of the file; stops before a record cut short (the last one of
    a file whose writer was stopped mid-write), whose offset it then yields with None."""
    size, end = Path(path).stat().st_size, 0
    with open(path, "rb") as fh:
        iterator = ArchiveIterator(fh)
        try:
            for record in iterator:
                try:  # read before asking the offset: warcio reads the record to its end to tell it
                    record.content_stream().read()
                    cut = _cut(record)
                except Exception:  # noqa: BLE001
                    cut = True
                offset = iterator.get_record_offset()
                if cut:
                    yield offset, None
                    return
                end = offset + iterator.get_record_length()
                yield offset, record
        except Exception:  # noqa: BLE001 - bytes that are not a record (a damaged tail)
            yield end, None
            return
    if end < size:  # a gzip member cut before its first block: warcio ends there without a word
        yield end, None


def find(folder: Path | None, url: str) -> tuple[str, int] | None:
    """(file, offset) of the newest archived page of ``url`` (every file read, newest first: a developer's tool)."""
    for path in reversed(archive_files(folder)):
        found = None
        with open(path, "rb") as fh:
            iterator = ArchiveIterator(fh)
            try:
                for record in iterator:
                    if record.rec_type in PAGE_TYPES and record.rec_headers.get_header("WARC-Target-URI") == url:
                        found = (path.name, iterator.get_record_offset())
            except Exception:  # noqa: BLE001 - a damaged tail: what was found before it stands
                pass
        if found:
            return found
    return None
