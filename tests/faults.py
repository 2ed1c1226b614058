"""A local HTTP server (127.0.0.1 only) that misbehaves on demand, for the reliability tests.

Each path has a behaviour; ``hits`` counts requests per path. Behaviours that fail "the first N times" then
answer normally let the tests tell a retried fault from a lost page.
"""
from __future__ import annotations

import socket
import struct
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PARAGRAPH = ("Ủy ban nhân dân tỉnh yêu cầu các sở, ngành đẩy mạnh cải cách thủ tục hành chính, công khai hồ sơ trên "
             "Cổng dịch vụ công và trả kết quả đúng hẹn cho người dân, doanh nghiệp.")


def article(title: str, day: int = 5, extra: str = "") -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1 class='title'>{title}</h1>"
            f"<div class='date'>{day:02}/03/2024 08:00</div><div class='content'><p>{title}. {PARAGRAPH}</p>"
            f"<p>{PARAGRAPH}</p>{extra}</div></body></html>").encode("utf-8")


class FaultServer:
    """``routes``: path -> callable(handler, hit_number) that writes the whole answer."""

    def __init__(self, routes: dict):
        self.routes = routes
        self.hits: Counter = Counter()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802
                path = self.path.split("#")[0]
                server.hits[path] += 1
                behaviour = server.routes.get(path)
                if behaviour is None:
                    send(self, 404, b"not found")
                    return
                try:
                    behaviour(self, server.hits[path])
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_POST = do_HEAD = do_PUT = do_OPTIONS = do_GET  # noqa: N815 - every method counts as a hit

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def send(handler, status: int, body: bytes, content_type: str = "text/html; charset=utf-8", headers=None,
         length: int | None = None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body) if length is None else length))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)
    handler.wfile.flush()


# ---- behaviours ---------------------------------------------------------------------------------------------------

def ok(body: bytes, content_type: str = "text/html; charset=utf-8"):
    return lambda h, n: send(h, 200, body, content_type)


def status_burst(status: int, times: int, body: bytes, headers=None):
    """``times`` answers with ``status`` (e.g. 503), then the page."""
    return lambda h, n: send(h, status, b"busy", headers=headers) if n <= times else send(h, 200, body)


def stall_mid_body(body: bytes, times: int = 1, seconds: float = 30):
    """Headers and half the body, then nothing for ``seconds`` (the download timeout fires), ``times`` times."""
    def behaviour(h, n):
        if n > times:
            return send(h, 200, body)
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body[: len(body) // 2])
        h.wfile.flush()
        time.sleep(seconds)
    return behaviour


def truncated(body: bytes, times: int = 1):
    """Content-Length larger than the body, then the connection closes, ``times`` times."""
    def behaviour(h, n):
        if n > times:
            return send(h, 200, body)
        send(h, 200, body[: len(body) // 2], length=len(body))
        h.close_connection = True
        h.connection.shutdown(socket.SHUT_RDWR)
    return behaviour


def reset(body: bytes, times: int = 1):
    """The connection is reset (RST) before any answer, ``times`` times."""
    def behaviour(h, n):
        if n > times:
            return send(h, 200, body)
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.close_connection = True
        h.connection.close()
    return behaviour


def slow(body: bytes, seconds: float, times: int = 1):
    """No answer for ``seconds`` (longer than the download timeout), ``times`` times."""
    def behaviour(h, n):
        if n <= times:
            time.sleep(seconds)
            return
        send(h, 200, body)
    return behaviour


def redirect(location: str):
    return lambda h, n: send(h, 302, b"", headers={"Location": location})
