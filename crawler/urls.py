"""One article, one URL: tracking parameters and spelling variants of a URL fold to one request and one row.

Shared links carry ``utm_*``, ``fbclid``, ``gclid`` or Zalo's ``zarsrc``; one article is linked as ``http://`` and
``https://``, with and without ``www.``, with ``:443``, or with the host in capitals. Each variant used to cost
a fetch and a URL row. ``clean_url`` is the form we request and store (tracking parameters, fragment and default
port removed, scheme and host in lower case); ``fingerprint_url`` also folds ``http``/``https`` and ``www.``
and sorts the query, for the duplicate filter only (which variant answers is the site's business: the first
one fetched is stored). Paths keep their case: Liferay and most Linux servers tell /A from /a. A doubled slash in
the path (``/tin//x.html``, a CMS joining a section path that ends in "/" with one that starts with it) is folded
to one: web servers answer both with the same page (nginx's ``merge_slashes``, IIS), and each cost a fetch.
"""
from __future__ import annotations

import ipaddress
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapy.utils.request import RequestFingerprinter
from w3lib.url import canonicalize_url

# Parameters that only say where a click came from. "ref" is included (Vietnamese newspapers append ?ref=...
# to shared links); "source" and "src" are not (some portals use them to pick the content).
TRACKING = re.compile(r"^(utm_[a-z_]+|fbclid|gclid|gclsrc|dclid|gbraid|wbraid|msclkid|yclid|twclid|igshid|mc_[ce]id|"
                      r"_ga|_gl|zarsrc|zaloshare|ref|ref_src|ref_url|share|sharetype|amp_[a-z_]+)$", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Runs of slashes in a path, except the "//" of a URL carried in the path (/share/https://other.vn/a).
_DOUBLED_SLASHES = re.compile(r"(?<!:)//+")


def clean_url(url: str) -> str:
    """``url`` without tracking parameters, fragment or default port, scheme and host in lower case."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        return url
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: leave the URL as written
        return url
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username or parts.password:
        netloc = parts.netloc.rsplit("@", 1)[0] + "@" + netloc
    query = parts.query
    if query and any(TRACKING.match(k) for k, _ in parse_qsl(query, keep_blank_values=True)):
        query = urlencode([(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not TRACKING.match(k)])
    return urlunsplit((scheme, netloc, _DOUBLED_SLASHES.sub("/", parts.path) or "/", query, ""))


def fingerprint_url(url: str) -> str:
    """The duplicate filter's form: ``clean_url`` with https, no ``www.``, the query sorted."""
    parts = urlsplit(clean_url(url))
    if parts.scheme not in _DEFAULT_PORTS:
        return canonicalize_url(url)
    netloc = parts.netloc[4:] if parts.netloc.startswith("www.") else parts.netloc
    return canonicalize_url(urlunsplit(("https", netloc, parts.path, parts.query, "")))


class CanonicalRequestFingerprinter:
    """Scrapy's request fingerprinter over ``fingerprint_url`` (REQUEST_FINGERPRINTER_CLASS)."""

    def __init__(self, crawler=None):
        self._fingerprinter = RequestFingerprinter(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def fingerprint(self, request) -> bytes:
        key = fingerprint_url(request.url)
        return self._fingerprinter.fingerprint(request if key == request.url else request.replace(url=key))


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
