"""``python -m crawler discover URL|SITE [--html SAVED_PAGE]``: what a site offers a crawler, and a registry
entry ready to paste.

From the page (fetched, or a saved copy with ``--html``): the feeds it announces or links, the CCHC and news
sections of its menu, the CMS family. With the network (no ``--html``), a handful of polite requests more:
robots.txt (its ``Sitemap:`` lines), each sitemap or sitemap index (children followed, each once), the feeds
found (their entry counts and newest dates), and the usual feed and sitemap paths when the page names none.
Every request stays on the site's own hosts (crawler/discover/guard.py): a feed, sitemap or redirect that points
elsewhere (another host, an internal address, ``file:``) is left out, said in a note, never requested and never
proposed in the entry. What is read is capped (crawler/discover/fetch.py); a cut page is read as far as it came.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from parsel import Selector

from crawler.discover.feeds import find_feeds, parse_feed, usual_feed_urls
from crawler.discover.fetch import PAGE_BYTES, FetchError, NotRequested, fetch_capped, robots
from crawler.discover.guard import Guard
from crawler.discover.sections import guess_cms, rank_sections
from crawler.discover.sitemaps import parse_sitemap, robots_sitemaps, usual_sitemap_urls
from crawler.registry import host_of, registry

MAX_SITEMAPS = 10  # sitemap files read per discovery (an index may list hundreds: the first ten tell enough)
CMS_EVIDENCE = 6  # a family named in the entry only with at least this much evidence (guess_cms's score)
MAX_FEEDS = 8  # feeds (or feed index pages) read per discovery


@dataclass
class Discovery:
    url: str
    feeds: list[dict] = field(default_factory=list)  # url, title, why, [entries, newest]
    sitemaps: list[dict] = field(default_factory=list)  # url, kind, entries, newest, news
    cchc_sections: list[dict] = field(default_factory=list)
    news_sections: list[dict] = field(default_factory=list)
    cms: list[tuple[str, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def entry(self, key: str | None = None, province: str | None = None) -> str:
        """A sites.toml entry built from what was found (a person checks it and sets ``verified``)."""
        host = host_of(self.url)
        key = key or re.sub(r"[.-]", "_", re.sub(r"(\.com)?\.vn$|\.(com|net|org)$", "", host))  # hatinh.gov.vn -> hatinh_gov
        starts = [s["url"] for s in self.cchc_sections[:1]] or [s["url"] for s in self.news_sections[:1]] or [self.url]
        feeds = [f["url"] for f in self.feeds if f.get("entries", 1)][:5]
        sitemaps = [s["url"] for s in self.sitemaps if s.get("kind")][:3]
        kind = "portal" if ".gov.vn" in host else "newspaper"
        lines = ["[[site]]", f'key = "{key}"', f'name = "{host}"  # the site\'s own name',
                 f'province = "{province or "?"}"', f'kind = "{kind}"', f'domains = ["{host}"]',
                 f"start_urls = {json.dumps(starts, ensure_ascii=False)}"]
        if feeds:
            lines.append(f"feeds = {json.dumps(feeds, ensure_ascii=False)}")
        if sitemaps:
            lines.append(f"sitemaps = {json.dumps(sitemaps, ensure_ascii=False)}")
        cms = self.cms[0][0] if self.cms and self.cms[0][1] >= CMS_EVIDENCE else "unknown"
        lines.append(f'cms = "{cms}"')
        if self.cchc_sections:
            lines.append("cchc_section = true")
        lines.append(f'notes = "Found by python -m crawler discover; start URL {"a CCHC section" if self.cchc_sections else "a news section" if self.news_sections else "the homepage"}, not yet verified."')
        return "\n".join(lines)

    def as_text(self, key: str | None = None, province: str | None = None) -> str:
        out = [f"discover {self.url}"]
        out.append("feeds:" if self.feeds else "feeds: none announced or linked")
        for f in self.feeds:
            extra = f" - {f['entries']} entries, newest {f.get('newest') or '?'}" if "entries" in f else ""
            out.append(f"  {f['url']}  ({f['why']}{': ' + f['title'] if f.get('title') else ''}){extra}")
        out.append("sitemaps:" if self.sitemaps else "sitemaps: none found")
        for s in self.sitemaps:
            out.append(f"  {s['url']}  {s.get('kind') or 'not a sitemap'}: {s.get('entries', 0)} entries"
                       + (f", newest {s['newest']}" if s.get("newest") else "") + (" (Google News)" if s.get("news") else ""))
        for title, found in (("CCHC sections", self.cchc_sections), ("news sections", self.news_sections)):
            out.append(f"{title}:" if found else f"{title}: none in this page's links")
            out += [f"  {s['score']:>5}  {s['text'] or '(no text)'}  {s['url']}  ({s['why']})" for s in found]
        out.append("CMS: " + (", ".join(f"{name} ({score})" for name, score in self.cms) or "no known family's markers"))
        out += [f"note: {n}" for n in self.notes]
        out += ["", "registry entry (check it, then paste into crawler/sites.toml):", self.entry(key, province)]
        return "\n".join(out)


def _newest(dates) -> str | None:
    dates = [d for d in dates if d is not None]
    return max(dates).isoformat() if dates else None


def from_page(html: str, url: str, domains: tuple[str, ...] = ()) -> Discovery:
    sel = Selector(text=html)
    found = Discovery(url)
    found.feeds = [asdict(f) for f in find_feeds(sel, url, domains)]
    cchc, news = rank_sections(sel, url)
    found.cchc_sections, found.news_sections = [asdict(s) for s in cchc], [asdict(s) for s in news]
    found.cms = guess_cms(html)
    return found


def _read_sitemaps(found: Discovery, urls: list[str], domains: tuple[str, ...], guard: Guard) -> None:
    queue, seen = list(urls), set()
    while queue and len(seen) < MAX_SITEMAPS:
        url = queue.pop(0)
        if url in seen:
            continue  # an index that lists itself, or two that list each other
        seen.add(url)
        try:
            fetched = fetch_capped(url, guard)
        except FetchError as exc:
            found.notes.append(str(exc))
            continue
        sitemap = parse_sitemap(fetched.body, url, domains)
        if fetched.cut:
            found.notes.append(f"{url}: {fetched.cut}")
        found.sitemaps.append({"url": url, "kind": sitemap.kind, "entries": len(sitemap.entries),
                               "newest": _newest([e.news_published or e.lastmod for e in sitemap.entries]),
                               "news": any(e.news_published for e in sitemap.entries), "problems": sitemap.problems})
        if sitemap.is_index:
            queue += _own(found, [e.url for e in sitemap.entries if e.url not in seen], guard, "sitemap")


def _own(found: Discovery, urls: list[str], guard: Guard, what: str) -> list[str]:
    """The URLs on the site's own hosts; the others are named in a note, never requested or proposed."""
    kept = []
    for url in urls:
        refusal = guard.refusal(url)
        if refusal:
            found.notes.append(f"{what} left out: {refusal}")
        else:
            kept.append(url)
    return kept


def _keep_own(found: Discovery, guard: Guard) -> None:
    """Feeds and sections the page names off the site's own hosts are left out (and said in a note)."""
    for name, what in (("feeds", "feed"), ("cchc_sections", "section"), ("news_sections", "section")):
        entries = getattr(found, name)
        own = set(_own(found, [e["url"] for e in entries], guard, what))
        setattr(found, name, [e for e in entries if e["url"] in own])


def discover(target: str, html_file: str | None = None, resolver=None) -> tuple[Discovery, str | None, str | None]:
    """(what was found, the registry key, the province) for a URL or a registry key. ``resolver`` replaces the
    system's DNS lookups (tests)."""
    site = registry().get(target)
    url = target if site is None else (site.start_urls[0] if site.start_urls else f"https://{site.domains[0]}/")
    if site is None and not url.startswith(("http://", "https://")):
        raise ValueError(f"{target!r} is neither a registry key nor an http(s) URL")
    if site is not None and html_file is None:
        url = "{0.scheme}://{0.netloc}/".format(urlsplit(url))  # the homepage has the menu
    domains = site.all_domains if site else (host_of(url),)
    guard = Guard(url, site.all_domains if site else None, resolver)
    if html_file:
        found = from_page(Path(html_file).read_text(encoding="utf-8", errors="replace"), url, domains)
        _keep_own(found, guard)
        found.notes.append("offline (--html): robots.txt, sitemaps and feeds were not fetched; with the network, "
                           "discover reads them and tries " + ", ".join(urlsplit(u).path for u in usual_feed_urls(url)[:3])
                           + " and /sitemap.xml")
        return found, site.key if site else None, site.province if site else None
    page = fetch_capped(url, guard, PAGE_BYTES)
    found = from_page(page.body.decode("utf-8", "replace"), url, domains)
    if page.cut:
        found.notes.append(f"{url}: {page.cut}; what follows is from that part")
    _keep_own(found, guard)
    root = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    robots_body = robots(root, guard)
    listed = _own(found, robots_sitemaps(robots_body, root + "/robots.txt"), guard, "sitemap") if robots_body else []
    _read_sitemaps(found, listed or usual_sitemap_urls(url)[:1], domains, guard)
    candidates = [f["url"] for f in found.feeds] or usual_feed_urls(url)[:4]
    checked, tried = [], 0
    while candidates and tried < MAX_FEEDS:
        feed_url = candidates.pop(0)
        tried += 1
        try:
            body = fetch_capped(feed_url, guard, PAGE_BYTES).body
        except NotRequested as exc:  # a redirect off the site: said; a usual path that is missing: not
            found.notes.append(str(exc))
            continue
        except FetchError:
            continue
        feed = parse_feed(body, feed_url, domains)
        if feed.is_feed:
            known = next((f for f in found.feeds if f["url"] == feed_url), {"url": feed_url, "title": "", "why": "usual path"})
            checked.append({**known, "entries": len(feed.entries), "newest": _newest([e.published for e in feed.entries])})
            continue
        sub = find_feeds(Selector(text=body.decode("utf-8", "replace")), feed_url, domains)  # a feed index (/rss)?
        sub = [f for f in sub if f.url != feed_url and f.url not in candidates and not guard.refusal(f.url)]
        if sub:
            found.notes.append(f"{feed_url} is a feed index: {len(sub)} feeds")
            found.feeds += [asdict(f) for f in sub]
            candidates = [f.url for f in sub] + candidates
    found.feeds = checked or found.feeds
    return found, site.key if site else None, site.province if site else None
