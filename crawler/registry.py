"""The registry of sites: typed data loaded from ``sites.toml``, validated when it loads.

A site on a known platform is one ``[[site]]`` entry; its spider is generated from it (``spiders/sites.py``).
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from cssselect import GenericTranslator, SelectorError
from lxml import etree

REGISTRY_FILE = Path(__file__).with_name("sites.toml")
KINDS = {"portal", "department", "newspaper", "national"}  # national: a national outlet, no province
CMS_FAMILIES = {"liferay", "sharepoint", "aspnet", "post-id", "a-id", "drupal", "laravel", "nukeviet", "wordpress", "joomla",
                "custom", "unknown"}
SELECTOR_KEYS = {
    "title", "date", "lead", "body", "author", "category", "attribution", "tags",
    "listing_links", "listing_date", "next_page", "remove",
}


class RegistryError(ValueError):
    """The registry file is inconsistent (duplicate key or domain, unknown field, bad value)."""


@dataclass(frozen=True)
class ParserVersion:
    """Selectors valid for pages fetched between ``valid_from`` and ``valid_until`` (a site redesign)."""

    selectors: dict[str, str]
    valid_from: date | None = None
    valid_until: date | None = None

    def covers(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day < self.valid_until
        )


@dataclass(frozen=True)
class Site:
    key: str
    name: str
    kind: str
    domains: tuple[str, ...]
    start_urls: tuple[str, ...]
    feeds: tuple[str, ...] = ()  # RSS/Atom feeds: their entries are fetched like listing links (date_source "feed")
    sitemaps: tuple[str, ...] = ()  # XML sitemaps or sitemap indexes (Google News sitemaps give dates)
    province: str | None = None
    cms: str = "unknown"
    province_before_2025: str | None = None
    former_domains: tuple[str, ...] = ()
    cchc_section: bool = False
    browser: str = "none"  # "none", "listings" (listing pages built with JavaScript) or "all" pages
    verified: bool = False
    archive: bool = False  # no new articles expected (pre-merger sites kept for their archive)
    parsers: tuple[ParserVersion, ...] = ()
    notes: str = ""
    enabled: bool = True
    platform_selectors: tuple[tuple[str, str], ...] = ()  # the CMS family's defaults, from [platform.<cms>]

    @property
    def all_domains(self) -> tuple[str, ...]:
        return self.domains + self.former_domains

    def selectors(self, fetched_on: date | None = None) -> dict[str, str]:
        """Platform defaults overlaid with the parser version valid on ``fetched_on`` (today by default)."""
        day = fetched_on or date.today()
        for version in self.parsers:
            if version.covers(day):
                return {**dict(self.platform_selectors), **version.selectors}
        return dict(self.platform_selectors)

    def selector_versions(self) -> list[dict[str, str]]:
        """Every parser version's selectors (with platform defaults), newest definition last."""
        return [{**dict(self.platform_selectors), **v.selectors} for v in self.parsers] or [dict(self.platform_selectors)]

    def owns(self, url: str) -> bool:
        return domain_matches(host_of(url), self.all_domains)


def host_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def domain_matches(host: str, domains: tuple[str, ...] | list[str]) -> bool:
    host = host[4:] if host.startswith("www.") else host
    return any(host == d or host.endswith("." + d) for d in domains)


_TEXT_FIELDS = {"key", "name", "kind", "province", "cms", "province_before_2025", "browser", "notes"}
_FLAG_FIELDS = {"cchc_section", "verified", "archive", "enabled"}
_LIST_FIELDS = {"domains", "former_domains", "start_urls", "feeds", "sitemaps"}
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


def _check_types(entry: dict) -> None:
    """Each field of the right TOML type: a string, a boolean, a list of strings, a table of selectors."""
    key = entry.get("key")
    for name, value in entry.items():
        if name in _TEXT_FIELDS and not isinstance(value, str):
            raise RegistryError(f"site {key!r}: {name} must be a string, not {value!r}")
        if name in _FLAG_FIELDS and not isinstance(value, bool):
            raise RegistryError(f"site {key!r}: {name} must be true or false, not {value!r}")
        if name in _LIST_FIELDS and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            raise RegistryError(f"site {key!r}: {name} must be a list of strings, e.g. {name} = [\"...\"], not {value!r}")
    for domain in entry.get("domains", []) + entry.get("former_domains", []):
        if not _HOSTNAME.match(domain):
            raise RegistryError(f"site {key!r}: domain {domain!r} must be a lowercase host name such as 'sonoivu.hanoi.gov.vn' "
                                "(no scheme, no path)")
    for name in ("start_urls", "feeds", "sitemaps"):
        for url in entry.get(name, []):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise RegistryError(f"site {key!r}: {name} URL {url!r} must be an absolute http(s) URL")


def _check_selector(owner: str, name: str, query) -> None:
    """A selector that parsel can run: CSS, or XPath after ``xpath:``."""
    if not isinstance(query, str) or not query.strip():
        raise RegistryError(f"{owner}: selector {name} must be a non-empty string, not {query!r}")
    try:
        if query.startswith("xpath:"):
            etree.XPath(query[6:])
        else:
            GenericTranslator().css_to_xpath(query)
    except (SelectorError, etree.XPathError) as exc:
        raise RegistryError(f"{owner}: selector {name} = {query!r} is not valid ({exc})") from None


def _parser_version(key, raw) -> ParserVersion:
    if not isinstance(raw, dict) or not isinstance(raw.get("selectors", {}), dict):
        raise RegistryError(f"site {key!r}: each [[site.parsers]] needs a selectors table")
    unknown = set(raw) - {"selectors", "valid_from", "valid_until"}
    if unknown:
        raise RegistryError(f"site {key!r}: unknown parser fields {sorted(unknown)}")
    for bound in ("valid_from", "valid_until"):
        if bound in raw and (not isinstance(raw[bound], date) or isinstance(raw[bound], datetime)):
            raise RegistryError(f"site {key!r}: parser {bound} must be a TOML date such as 2025-07-01, not {raw[bound]!r}")
    return ParserVersion(**raw)


def _site_from_entry(entry: dict, platforms: dict) -> Site:
    entry = dict(entry)
    unknown = set(entry) - {f for f in Site.__dataclass_fields__} - {"selectors"}
    if unknown:
        raise RegistryError(f"site {entry.get('key')!r}: unknown fields {sorted(unknown)}")
    if not isinstance(entry.get("key"), str):
        raise RegistryError(f"a site needs key = \"...\" (a lowercase identifier), not {entry.get('key')!r}")
    _check_types(entry)
    versions = [_parser_version(entry["key"], v) for v in entry.pop("parsers", [])]
    if "selectors" in entry:
        versions.append(_parser_version(entry["key"], {"selectors": entry.pop("selectors")}))
    for version in versions:
        bad = set(version.selectors) - SELECTOR_KEYS
        if bad:
            raise RegistryError(f"site {entry.get('key')!r}: unknown selector names {sorted(bad)}")
        for name, query in version.selectors.items():
            _check_selector(f"site {entry['key']!r}", name, query)
    for name in _LIST_FIELDS:
        entry[name] = tuple(entry.get(name, ()))
    platform = platforms.get(entry.get("cms", "unknown"), {}).get("selectors", {})
    site = Site(parsers=tuple(versions), platform_selectors=tuple(platform.items()), **entry)
    if site.kind not in KINDS:
        raise RegistryError(f"site {site.key!r}: kind must be one of {sorted(KINDS)}")
    if site.browser not in ("none", "listings", "all"):
        raise RegistryError(f"site {site.key!r}: browser must be none, listings or all")
    if site.cms not in CMS_FAMILIES:
        raise RegistryError(f"site {site.key!r}: cms must be one of {sorted(CMS_FAMILIES)}")
    if not site.key.isidentifier() or site.key != site.key.lower():
        raise RegistryError(f"site key {site.key!r} must be a lowercase identifier (it is the spider name)")
    if (site.province is None) != (site.kind == "national"):
        raise RegistryError(f"site {site.key!r}: a province is required, except for kind = 'national'")
    if not site.domains or not site.start_urls:
        raise RegistryError(f"site {site.key!r}: domains and start_urls are required")
    return site


def _toml(path: Path) -> tuple[dict, list[int]]:
    """The parsed file and the line of each ``[[site]]`` header (for messages); a syntax error as
    "sites.toml line N: ..."."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        line = f" line {where.group(1)}, column {where.group(2)}" if where else ""
        raise RegistryError(f"{Path(path).name}{line}: {message}") from None
    headers = [n for n, line in enumerate(text.splitlines(), 1) if line.strip().startswith("[[site]]")]
    return data, headers


def load_registry(path: Path = REGISTRY_FILE) -> dict[str, Site]:
    """Load and validate the registry; any inconsistency raises RegistryError naming the file and line."""
    data, headers = _toml(path)
    try:
        return _sites_from(data, headers, Path(path).name)
    except RegistryError as exc:
        if str(exc).startswith(Path(path).name):
            raise
        raise RegistryError(f"{Path(path).name}: {exc}") from None


def _sites_from(data: dict, headers: list[int], filename: str) -> dict[str, Site]:
    sites: dict[str, Site] = {}
    owners: dict[str, str] = {}
    platforms = data.get("platform", {})
    for name, platform in platforms.items():
        if name not in CMS_FAMILIES:
            raise RegistryError(f"[platform.{name}]: not a known CMS family {sorted(CMS_FAMILIES)}")
        bad = set(platform.get("selectors", {})) - SELECTOR_KEYS
        if bad:
            raise RegistryError(f"[platform.{name}]: unknown selector names {sorted(bad)}")
        for selector, query in platform.get("selectors", {}).items():
            _check_selector(f"[platform.{name}]", selector, query)
    for index, entry in enumerate(data.get("site", [])):
        try:
            site = _site_from_entry(entry, platforms)
        except (RegistryError, TypeError) as exc:
            line = f" line {headers[index]}" if index < len(headers) else ""
            raise RegistryError(f"{filename}{line}: {exc}") from None
        if site.key in sites or site.key == "generic":
            raise RegistryError(f"duplicate site key {site.key!r}")
        for domain in site.all_domains:
            if domain in owners:
                raise RegistryError(f"domain {domain!r} is claimed by {owners[domain]!r} and {site.key!r}")
            owners[domain] = site.key
        sites[site.key] = site
    return sites


@lru_cache(maxsize=1)
def registry() -> dict[str, Site]:
    """The registry in use: ``crawler/sites.toml``, or the file named by CCHC_SITES_FILE."""
    return load_registry(Path(os.environ.get("CCHC_SITES_FILE") or REGISTRY_FILE))


def site_for_url(url: str) -> Site | None:
    """The registered site whose domains (or former domains) include the URL's host; longest match wins."""
    host = host_of(url)
    best: tuple[int, Site] | None = None
    for site in registry().values():
        for domain in site.all_domains:
            if (host == domain or host.endswith("." + domain)) and (best is None or len(domain) > best[0]):
                best = (len(domain), site)
    return best[1] if best else None
