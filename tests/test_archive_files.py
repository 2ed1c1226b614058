"""Issue 33, the archive's files without a crawl: rotation by size and by night, a compressed response read back as
the spider read it, a browser page's raw response and rendered DOM, a record cut short, a write that fails
part-way, retention by days and by size and the database forgetting what it deleted."""
from __future__ import annotations

import gzip
import os
import secrets
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.archive.place import FILE_NAME, archive_files, file_name, resolve
from crawler.archive.reader import ArchiveError, ArchiveReader, Missing, Truncated, records
from crawler.archive.records import Download
from crawler.archive.retention import GB, prune
from crawler.archive.writer import ArchiveWriter

PAGE = ("<html><head><meta charset='utf-8'><title>Cải cách hành chính</title></head><body><h1>Một cửa</h1>"
        + "<p>Đẩy mạnh cải cách thủ tục hành chính, dịch vụ công trực tuyến toàn trình.</p>" * 40 + "</body></html>")


def noise() -> str:
    """4 KB that do not compress: pages of a real size in the file."""
    return f"<!-- {secrets.token_hex(2048)} -->"


def download(url: str, body: bytes, headers=None, **kwargs) -> Download:
    return Download(url=url, date="2026-11-01T01:02:03.000004Z", method="GET", request_url=url,
                    request_headers=[("User-Agent", "cchc-test")], request_body=b"", status=200, protocol="HTTP/1.1",
                    headers=headers or [("Content-Type", "text/html; charset=utf-8")], body=body,
                    context={"kind": "article", "site": "baohatinh", "listing_date": "01/11/2026"}, **kwargs)


def write(writer: ArchiveWriter, item: Download) -> tuple[str, int]:
    future, _ = writer.submit(item.records, len(item.body))
    return future.result(timeout=30)[item.read_id]


@pytest.fixture()
def writer(tmp_path):
    w = ArchiveWriter(tmp_path / "archive", file_bytes=40_000, info={"software": "test"})
    yield w
    w.close()


def test_files_rotate_by_size_and_each_starts_with_warcinfo(writer, tmp_path):
    where = [write(writer, download(f"https://baohatinh.vn/tin/{n}.html", f"{PAGE}{noise()}<!-- {n} -->".encode()))
             for n in range(30)]
    files = archive_files(tmp_path / "archive")
    assert len(files) > 2 and all(FILE_NAME.match(p.name) for p in files)
    assert all(p.stat().st_size <= 40_000 + 4_000 for p in files)  # a write that starts a file may pass the size
    for path in files:
        with open(path, "rb") as fh:
            assert next(iter(ArchiveIterator(fh))).rec_type == "warcinfo"
    with ArchiveReader(tmp_path / "archive") as reader:
        for n, (name, offset) in enumerate(where):
            page = reader.page(name, offset)
            assert page.body.endswith(f"<!-- {n} -->".encode()) and page.context["listing_date"] == "01/11/2026"


def test_a_new_night_starts_a_new_file(writer, tmp_path):
    first, _ = write(writer, download("https://baohatinh.vn/a.html", PAGE.encode()))
    writer._night = date.today() - timedelta(days=2)  # the file was opened two nights ago (Vietnam's date)
    second, _ = write(writer, download("https://baohatinh.vn/b.html", PAGE.encode()))
    assert first != second and len(archive_files(tmp_path / "archive")) == 2


def test_a_compressed_response_is_stored_as_sent_and_read_back_as_the_spider_read_it(writer, tmp_path):
    headers = [("Content-Type", "text/html; charset=windows-1258"), ("Content-Encoding", "gzip"),
               ("Transfer-Encoding", "chunked")]
    body = gzip.compress(PAGE.encode("utf-8"))  # declares windows-1258 but is UTF-8: the crawl fixes the charset
    name, offset = write(writer, download("https://baohatinh.vn/nen.html", body, headers))
    with open(tmp_path / "archive" / name, "rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        assert record.http_headers.get_header("Content-Encoding") == "gzip"
        assert record.http_headers.get_header("Transfer-Encoding") is None  # stored de-chunked
        assert record.raw_stream.read() == body
    with ArchiveReader(tmp_path / "archive") as reader:
        response = reader.page(name, offset).response()
    assert response.encoding == "utf-8" and "Cải cách hành chính" in response.text


def test_a_rendered_page_keeps_its_raw_response_and_its_dom(writer, tmp_path):
    raw = (200, "OK", [("Content-Type", "text/html"), ("Content-Encoding", "br"), ("Content-Length", "10")],
           b"<html><body><ul id='news'></ul><script>...</script></body></html>")
    item = download("https://js.example.gov.vn/tin-tuc", PAGE.encode(), rendered=True, raw=raw)
    name, offset = write(writer, item)
    with open(tmp_path / "archive" / name, "rb") as fh:
        kinds = [(r.rec_type, r.rec_headers.get_header("WARC-Refers-To")) for r in ArchiveIterator(fh)][1:]
    assert [k for k, _ in kinds] == ["request", "response", "conversion", "metadata"]
    assert kinds[2][1] == item.ids["response"] and kinds[3][1] == item.ids["dom"]
    with ArchiveReader(tmp_path / "archive") as reader:
        page = reader.page(name, offset)
    assert page.record_type == "conversion" and page.body == PAGE.encode() and page.context["kind"] == "article"
    with open(tmp_path / "archive" / name, "rb") as fh:
        response = next(r for r in ArchiveIterator(fh) if r.rec_type == "response")
        assert response.http_headers.get_header("Content-Encoding") is None  # the browser had decoded it
        assert response.http_headers.get_header("Content-Length") == str(len(raw[3]))
        assert response.content_stream().read() == raw[3]


def test_a_record_cut_short_is_never_read_as_a_page(writer, tmp_path):
    where = [write(writer, download(f"https://baohatinh.vn/{n}.html", (PAGE + noise()).encode())) for n in range(3)]
    writer.close()
    path = tmp_path / "archive" / where[-1][0]
    data = path.read_bytes()
    last_metadata_end = len(data)
    path.write_bytes(data[:where[-1][1] + 300])  # the last page's response cut in its middle
    found = list(records(path))
    assert found[-1][1] is None and found[-1][0] == where[-1][1] and all(r is not None for _, r in found[:-1])
    with ArchiveReader(tmp_path / "archive") as reader:
        assert reader.page(*where[0]).body.startswith(PAGE.encode())
        with pytest.raises(Truncated):
            reader.page(*where[-1])
        with pytest.raises(ArchiveError):
            reader.page(where[0][0], where[0][1] + 7)  # not a record boundary
        with pytest.raises(Missing):
            reader.page(file_name(__import__("datetime").datetime(2020, 1, 1), 9), 0)
    assert last_metadata_end > where[-1][1]
    assert resolve(tmp_path, "../../etc/passwd") is None and resolve(tmp_path, "/etc/passwd") is None


def test_a_write_that_fails_part_way_leaves_the_file_whole(writer, tmp_path, monkeypatch):
    """A full disk: the write raises after part of the bytes; the file is cut back and stays readable, the download
    is reported as not archived, and the next one is written after the last whole record."""
    first = write(writer, download("https://baohatinh.vn/1.html", PAGE.encode()))
    real = writer._file

    class HalfDisk:
        def __init__(self, inner):
            self.inner = inner

        def write(self, data):
            self.inner.write(bytes(data[: len(data) // 2]))
            raise OSError(28, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.inner, name)
    writer._file = HalfDisk(real)
    future, _ = writer.submit(download("https://baohatinh.vn/2.html", PAGE.encode()).records, 1)
    with pytest.raises(OSError):
        future.result(timeout=30)
    assert writer.errors == 1 and "No space left" in writer.error
    writer._file = real
    third = write(writer, download("https://baohatinh.vn/3.html", PAGE.encode()))
    writer.close()
    path = tmp_path / "archive" / first[0]
    assert [r.rec_headers.get_header("WARC-Target-URI") for _, r in records(path) if r.rec_type == "response"] == [
        "https://baohatinh.vn/1.html", "https://baohatinh.vn/3.html"]
    assert third[0] == first[0]


def _fake_file(folder: Path, day: int, size: int, age_days: float) -> Path:
    path = folder / f"cchc-202611{day:02d}T023000Z-host-1-00001.warc.gz"
    path.write_bytes(b"\0" * size)
    when = time.time() - age_days * 86400
    os.utime(path, (when, when))
    return path


def test_retention_keeps_days_and_size(tmp_path):
    folder = tmp_path / "archive"
    folder.mkdir()
    for day, age in ((1, 40), (2, 20), (3, 10), (4, 1)):
        _fake_file(folder, day, 1000, age)
    (folder / "notes.txt").write_text("not ours: never deleted")
    assert prune(folder) == []  # no limit set: everything kept
    assert prune(folder, keep_days=30) == ["cchc-20261101T023000Z-host-1-00001.warc.gz"]
    deleted = prune(folder, keep_gb=2500 / GB, spare={"cchc-20261102T023000Z-host-1-00001.warc.gz"})
    assert deleted == ["cchc-20261103T023000Z-host-1-00001.warc.gz"]  # the oldest not spared, until <= 2,500 bytes
    assert sorted(p.name for p in folder.iterdir()) == ["cchc-20261102T023000Z-host-1-00001.warc.gz",
                                                       "cchc-20261104T023000Z-host-1-00001.warc.gz", "notes.txt"]


def test_the_database_forgets_locations_in_deleted_files(tmp_path):
    from crawler.store import Store

    db = tmp_path / "cchc.db"
    item = {"url": "https://baohatinh.vn/a.html", "site": "baohatinh", "title": "Cải cách hành chính",
            "body_text": "Một cửa liên thông.", "content_hash": "h1", "crawled_at": "2026-11-01T00:00:00Z",
            "archive_record": ["cchc-20261101T023000Z-host-1-00001.warc.gz", 512, "2026-11-01T00:00:00Z"]}
    store = Store(str(db))
    try:
        store.add(item)
        store.flush()
        assert store.archive_location(item["url"])[:2] == ("cchc-20261101T023000Z-host-1-00001.warc.gz", 512)
        assert store.forget_archive_files(["cchc-20261101T023000Z-host-1-00001.warc.gz"]) == 1
        assert store.archive_location(item["url"]) is None and store.archive_summary()[0] == 0
    finally:
        store.close()
