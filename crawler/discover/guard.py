"""Which URLs ``discover`` (and ``savefixture``) may request: the site's own hosts, nothing else.

A site names URLs that discover then requests: ``Sitemap:`` lines of robots.txt, feeds in ``<link>`` and ``<a>``,
redirects. A hostile (or hacked) portal can name ``http://169.254.169.254/latest/meta-data/`` (a cloud's instance
metadata), ``http://10.0.0.5/``, ``http://127.0.0.1:9/``, ``http://[fd00::1]/``, ``http://0x7f000001/`` or
``file:///etc/passwd``. The nightly crawl drops them as offsite; discover holds the same line:

- only http and https;
- only the site's hosts: the registry entry's domains (former ones included), or the registrable domain of the
  URL given (``sotttt.hanoi.gov.vn`` -> anything under ``hanoi.gov.vn``, from the public suffix list bundled with
  tldextract, read without network); a URL given as an IP address or ``localhost`` allows that address and port
  only; redirects are held to the same rule;
- after DNS, no private, loopback, link-local, reserved, multicast or unspecified address, unless it is the
  host and port of the URL given (a local mirror on 127.0.0.1 is how the tests and the offline demo work); the
  connection then goes to the address that was checked, never to a second lookup's answer (DNS rebinding).
"""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import tldextract

from crawler.registry import domain_matches

_DEFAULT_PORTS = {"http": 80, "https": 443}
# The public suffix list as bundled with tldextract: no download, no cache file.
_SUFFIXES = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


class Refused(Exception):
    """A URL discover does not request, with the reason in words."""


def _ip(host: str):
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def registrable_domain(host: str) -> str:
    """``sotttt.hanoi.gov.vn`` -> ``hanoi.gov.vn``; an address or a name without a public suffix stays as it is."""
    host = host.lower().rstrip(".")
    if _ip(host) is not None:
        return host
    return _SUFFIXES(host).top_domain_under_public_suffix or host


def non_public(address: str) -> bool:
    """True for an address that is not a public unicast one (an IPv4-mapped IPv6 address judged as IPv4)."""
    ip = _ip(address)
    if ip is None:
        return True
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def system_resolver(host: str, port: int) -> list[str]:
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def _port(parts) -> int | None:
    try:
        return parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:  # a port that is not a number
        return None


class Guard:
    """``Guard(url, domains=None, resolver=None)``: ``refusal(url)`` says why a URL is not requested (None when it
    may be); ``address(host, port)`` resolves a host and returns the address to connect to, or raises
    ``Refused``. ``resolver(host, port) -> [address, ...]`` defaults to the system's (tests inject one)."""

    def __init__(self, url: str, domains: tuple[str, ...] | None = None, resolver=None):
        parts = urlsplit(url)
        self.host, self.port = (parts.hostname or "").lower(), _port(parts)
        literal = _ip(self.host) is not None or self.host == "localhost"
        self.domains = tuple(domains) if domains else (self.host if literal else registrable_domain(self.host),)
        self.resolver = resolver or system_resolver

    def _given(self, host: str, port: int | None) -> bool:
        return (host, port) == (self.host, self.port)

    def refusal(self, url: str) -> str | None:
        try:
            parts = urlsplit(url.strip())
        except ValueError:
            return f"{url[:80]!r} is not a URL"
        if parts.scheme.lower() not in _DEFAULT_PORTS:
            return f"{url[:80]} is not an http(s) URL"
        host, port = (parts.hostname or "").lower(), _port(parts)
        if not host or port is None:
            return f"{url[:80]} has no usable host"
        if (_ip(host) is not None or host == "localhost") and not self._given(host, port):
            return f"{url[:80]}: {parts.netloc} is not the site's address"
        if not domain_matches(host, self.domains):
            return f"{url[:80]}: {host} is not one of the site's hosts ({', '.join(self.domains)})"
        return None

    def address(self, host: str, port: int) -> str:
        host = host.lower()
        try:
            addresses = self.resolver(host, port)
        except OSError as exc:
            raise Refused(f"cannot resolve {host}: {exc}") from None
        if not addresses:
            raise Refused(f"cannot resolve {host}: no address")
        inside = [a for a in addresses if non_public(a)]
        if inside and not self._given(host, port):
            raise Refused(f"{host} resolves to {inside[0]}, a private, loopback, link-local or reserved address: "
                          "not requested")
        return addresses[0]
