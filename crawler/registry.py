"""The registry of sites: typed data loaded from ``sites.toml``, validated when it loads.

A site on a known platform is one ``[[site]]`` entry; its spider is generated from it (``spiders/sites.py``).
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

REGISTRY_FILE = Path(__file__).with_name("sites.toml")
KINDS = {"portal", "department", "newspaper", "national"}  # national: a national outlet, no province
CMS_FAMILIES = {"liferay", "sharepoint", "aspnet", "post-id", "a-id", "drupal", "laravel", "nukeviet", "custom", "unknown"}
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
    province: str | None = None
    cms: str = "unknown"
    province_before_2025: str | None = None
    former_domains: tuple[str, ...] = ()
    cchc_section: bool = False
    browser: str = "none"  # "none", "listings" (listing pages built with JavaScript) or "all" pages
    verified: bool = False
    archive: bool = False  # no new articles expected (pre-merger sites kept for their archive)
    tuned: bool = False  # site-specific fixtures and expected output under tests/fixtures/sites/<domain>
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


def _site_from_entry(entry: dict, platforms: dict) -> Site:
    entry = dict(entry)
    unknown = set(entry) - {f for f in Site.__dataclass_fields__} - {"selectors"}
    if unknown:
        raise RegistryError(f"site {entry.get('key')!r}: unknown fields {sorted(unknown)}")
    versions = [ParserVersion(**v) for v in entry.pop("parsers", [])]
    if "selectors" in entry:
        versions.append(ParserVersion(selectors=entry.pop("selectors")))
    for version in versions:
        bad = set(version.selectors) - SELECTOR_KEYS
        if bad:
            raise RegistryError(f"site {entry.get('key')!r}: unknown selector names {sorted(bad)}")
    for name in ("domains", "former_domains", "start_urls"):
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


def load_registry(path: Path = REGISTRY_FILE) -> dict[str, Site]:
    """Load and validate the registry; duplicate keys or domains raise RegistryError."""
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    sites: dict[str, Site] = {}
    owners: dict[str, str] = {}
    platforms = data.get("platform", {})
    for name, platform in platforms.items():
        if name not in CMS_FAMILIES:
            raise RegistryError(f"[platform.{name}]: not a known CMS family {sorted(CMS_FAMILIES)}")
        bad = set(platform.get("selectors", {})) - SELECTOR_KEYS
        if bad:
            raise RegistryError(f"[platform.{name}]: unknown selector names {sorted(bad)}")
    for entry in data.get("site", []):
        site = _site_from_entry(entry, platforms)
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
    return load_registry()


def site_for_url(url: str) -> Site | None:
    """The registered site whose domains (or former domains) include the URL's host; longest match wins."""
    host = host_of(url)
    best: tuple[int, Site] | None = None
    for site in registry().values():
        for domain in site.all_domains:
            if (host == domain or host.endswith("." + domain)) and (best is None or len(domain) > best[0]):
                best = (len(domain), site)
    return best[1] if best else None
