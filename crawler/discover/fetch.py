"""A few polite, guarded requests outside a crawl (``discover``, ``savefixture``): robots.txt first, the project's
user agent, timeouts, size limits, and only the site's own hosts (crawler/discover/guard.py). A page robots.txt
forbids is not fetched.

What is read is capped as the crawl caps it: at most ``MAX_BYTES`` of a sitemap or feed (the crawl's
DOWNLOAD_MAXSIZE), ``PAGE_BYTES`` of a web page (a homepage is parsed whole, and a 5 MB page of links already
takes seconds), and ``READ_SECONDS`` per download whatever the server's pace; past a cap the body is what came,
and the caller says so ("answer with what it has"), rather than reading hundreds of MB into memory.
"""
from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from crawler.discover.guard import Guard, Refused

TIMEOUT = 30  # seconds a connection or one read may wait
READ_SECONDS = 60  # seconds one download may take in all (a server that trickles a byte at a time)
MAX_BYTES = 20 * 1024 * 1024  # a sitemap or feed: the crawl's DOWNLOAD_MAXSIZE
PAGE_BYTES = 5 * 1024 * 1024  # a web page to parse (homepage, feed index): real homepages are under 2 MB
ROBOTS_BYTES = 512 * 1024  # RFC 9309: at least 500 KiB


class FetchError(Exception):
    """A page that could not be fetched, with the reason in words."""


class NotRequested(FetchError):
    """A URL (or a redirect) off the site's own hosts: never requested (crawler/discover/guard.py)."""


@dataclass
class Fetched:
    body: bytes
    cut: str = ""  # why the body is only the start of what the server sent ("" when it is all of it)


def user_agent() -> str:
    from crawler import settings

    return settings.USER_AGENT


def _handlers(guard: Guard):
    """urllib handlers that connect to the address the guard checked (the Host header and TLS name stay the
    host's), and hold redirects to the guard's rule."""

    def connect_checked(connection):
        address = guard.address(connection.host, connection.port)
        return socket.create_connection((address, connection.port), connection.timeout, connection.source_address)

    class CheckedHTTP(http.client.HTTPConnection):
        def connect(self):
            self.sock = connect_checked(self)

    class CheckedHTTPS(http.client.HTTPSConnection):
        def connect(self):
            self.sock = self._context.wrap_socket(connect_checked(self), server_hostname=self.host)

    class HTTPHandler(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(CheckedHTTP, req)

    class HTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(CheckedHTTPS, req, context=self._context)

    class Redirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):
            refusal = guard.refusal(newurl)
            if refusal:
                raise Refused(f"{req.full_url} redirects to {refusal}: not followed")
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    # No ProxyHandler: a proxy would connect for us, to whatever address it resolves.
    return [HTTPHandler(), HTTPSHandler(), Redirects()]


def _read(response, limit: int) -> Fetched:
    chunks, size, deadline = [], 0, time.monotonic() + READ_SECONDS
    while size < limit:
        if time.monotonic() > deadline:
            return Fetched(b"".join(chunks), f"stopped reading after {READ_SECONDS} s")
        chunk = response.read(min(64 * 1024, limit - size))
        if not chunk:
            return Fetched(b"".join(chunks))
        chunks.append(chunk)
        size += len(chunk)
    more = response.read(1)  # is there anything past the limit?
    cut = f"larger than {limit // (1024 * 1024) or 1} MB: read the first part only" if more else ""
    return Fetched(b"".join(chunks), cut)


def _get(url: str, guard: Guard, limit: int) -> Fetched:
    refusal = guard.refusal(url)
    if refusal:
        raise Refused(f"{refusal}: not requested")
    opener = urllib.request.OpenerDirector()
    for handler in [*_handlers(guard), urllib.request.HTTPErrorProcessor(), urllib.request.HTTPDefaultErrorHandler()]:
        opener.add_handler(handler)
    request = urllib.request.Request(url, headers={"User-Agent": user_agent()})
    with opener.open(request, timeout=TIMEOUT) as response:
        return _read(response, limit)


_ROBOTS: dict[str, bytes | None] = {}  # robots.txt bodies by root, read once per process (discover, savefixture)


def robots(root: str, guard: Guard | None = None) -> bytes | None:
    """robots.txt of ``scheme://host`` (None when there is none: 4xx); a 5xx or no answer forbids everything.
    Read through the guard the first time; kept for the process (at most 64 roots)."""
    guard = guard or Guard(root)
    cache = _ROBOTS
    if root not in cache:
        if len(cache) >= 64:
            cache.clear()
        try:
            cache[root] = _get(root + "/robots.txt", guard, ROBOTS_BYTES).body
        except Refused as exc:
            raise NotRequested(str(exc)) from None
        except urllib.error.HTTPError as exc:
            if exc.code >= 500:
                raise FetchError(f"robots.txt of {root} answered HTTP {exc.code}: nothing may be fetched") from None
            cache[root] = None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            raise FetchError(f"cannot reach {root}: {exc}") from None
    return cache[root]


def fetch_capped(url: str, guard: Guard | None = None, limit: int = MAX_BYTES) -> Fetched:
    """The body at ``url`` (at most ``limit`` bytes, with why it was cut), if the guard allows the URL and
    robots.txt lets this project's user agent fetch it."""
    guard = guard or Guard(url)
    parts = urlsplit(url)
    body = robots(f"{parts.scheme}://{parts.netloc}", guard) if not guard.refusal(url) else None
    if body is not None and not Protego.parse(body.decode("utf-8", "replace")).can_fetch(url, user_agent()):
        raise FetchError(f"robots.txt of {parts.netloc} does not allow fetching {url}")
    try:
        return _get(url, guard, limit)
    except Refused as exc:
        raise NotRequested(str(exc)) from None
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise FetchError(f"cannot fetch {url}: {exc}") from None


def fetch(url: str, guard: Guard | None = None, limit: int = MAX_BYTES) -> bytes:
    """``fetch_capped``'s body."""
    return fetch_capped(url, guard, limit).body
