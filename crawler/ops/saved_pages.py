"""A local HTTP server for saved pages: the offline demo and the tests crawl it instead of the live sites.

Each site folder holds a ``MANIFEST.tsv`` (url, file, provenance, kind, source, and optionally content_type,
status and delay in seconds). The server answers on 127.0.0.1 either at the root (one site) or under ``/<host>/`` (several sites),
with the same path and query as the real URL, an ETag per page (and 304 to a matching If-None-Match), and an
optional delay per request. It counts hits per URL so tests can assert what was fetched; ``load`` swaps the
pages while it runs (a site that changes between two crawls).
"""
from __future__ import annotations

import csv
import hashlib
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from crawler.registry import host_of

MANIFEST = "MANIFEST.tsv"
MANIFEST_COLUMNS = ["url", "file", "provenance", "kind", "source"]


def read_manifest(folder: Path) -> list[dict]:
    with open(folder / MANIFEST, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    for row in rows:
        missing = [c for c in MANIFEST_COLUMNS if not row.get(c)]
        if missing:
            raise ValueError(f"{folder / MANIFEST}: row {row.get('file')!r} lacks {missing}")
        if row["provenance"] not in ("recorded", "synthetic"):
            raise ValueError(f"{folder / MANIFEST}: provenance must be recorded or synthetic, not {row['provenance']!r}")
    return rows


def _key(url: str) -> str:
    """Path and query; a fragment ``#postback=ARG`` names the page an ASP.NET form post with that argument returns."""
    parts = urlsplit(url)
    key = unquote(parts.path or "/") + ("?" + parts.query if parts.query else "")
    return key + ("#" + parts.fragment if parts.fragment.startswith("postback=") else "")


class _QuietServer(ThreadingHTTPServer):
    # Scrapy on the asyncio reactor opens a new connection for most requests: with the default backlog of 5,
    # connects beyond it wait for the 1-second SYN retry. A real web server listens with a longer backlog.
    request_queue_size = 256

    def handle_error(self, request, client_address):
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)  # clients closing keep-alive connections are normal


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 for a handler class; ``with`` starts and stops it."""

    def _listen(self, handler, port: int) -> None:
        self.httpd = _QuietServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class FixtureServer(LoopbackServer):
    """``with FixtureServer([folder, ...]) as server: server.base_url(host)``."""

    def __init__(self, folders, port: int = 0, delay: float = 0.0):
        self.delay = delay
        self.load(folders)
        self.hits: Counter = Counter()
        self.not_modified: Counter = Counter()
        server = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True  # headers and body are two writes: no delayed-ACK stall per page
            timeout = 30  # close idle keep-alive connections (their threads) like a real server

            def do_POST(self):  # noqa: N802 (http.server API)
                from urllib.parse import parse_qs

                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
                argument = (form.get("__EVENTARGUMENT") or [""])[0]
                self.do_GET(self.path + "#postback=" + argument)

            def do_GET(self, path=None):  # noqa: N802 (http.server API)
                found = server.lookup(path or self.path)
                if found is None:
                    server.hits[("404", self.path)] += 1
                    self.send_error(404)
                    return
                url, path, row = found
                server.hits[url] += 1
                if server.delay or row.get("delay"):
                    time.sleep(float(row.get("delay") or server.delay))
                body = path.read_bytes()
                status = int(row.get("status") or 200)
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                if status == 200 and self.headers.get("If-None-Match") == etag:
                    server.not_modified[url] += 1
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(status)
                self.send_header("Content-Type", row.get("content_type") or "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                if status == 200:
                    self.send_header("ETag", etag)
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client went away (a killed browser, a cancelled request)

            def log_message(self, *args):
                pass

        self._listen(Handler, port)

    def load(self, folders) -> None:
        """Serve the pages of these folders from now on (replacing what was served)."""
        routes: dict[str, dict[str, tuple[Path, dict]]] = {}
        for folder in map(Path, folders):
            for row in read_manifest(folder):
                routes.setdefault(host_of(row["url"]), {})[_key(row["url"])] = (folder / row["file"], row)
        self.routes = routes

    def lookup(self, raw_path: str):
        path = _key("http://x" + raw_path.replace("%23postback=", "#postback="))
        first, _, rest = path.lstrip("/").partition("/")
        if first in self.routes:
            found = self.routes[first].get("/" + rest)
            return (f"{first}/{rest}", *found) if found else None
        for host, routes in self.routes.items():
            if path in routes:
                return (f"{host}{path}", *routes[path])
        return None

    def base_url(self, host: str | None = None) -> str:
        root = f"http://127.0.0.1:{self.port}"
        return f"{root}/{host}" if host else root

