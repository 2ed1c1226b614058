"""A few polite requests outside a crawl (``discover``, ``savefixture``): robots.txt first, the project's user
agent, a timeout, a size limit. A page robots.txt forbids is not fetched."""
from __future__ import annotations

import urllib.error
import urllib.request
from functools import lru_cache
from urllib.parse import urlsplit

from protego import Protego

TIMEOUT = 30
MAX_BYTES = 50 * 1024 * 1024


class FetchError(Exception):
    """A page that could not be fetched, with the reason in words."""


def user_agent() -> str:
    from crawler import settings

    return settings.USER_AGENT


def _get(url: str, limit: int = MAX_BYTES) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": user_agent()})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        return response.read(limit)


@lru_cache(maxsize=64)
def robots(root: str) -> bytes | None:
    """robots.txt of ``scheme://host`` (None when there is none: 4xx); a 5xx or no answer forbids everything."""
    try:
        return _get(root + "/robots.txt", 512 * 1024)
    except urllib.error.HTTPError as exc:
        if exc.code >= 500:
            raise FetchError(f"robots.txt of {root} answered HTTP {exc.code}: nothing may be fetched") from None
        return None
    except (urllib.error.URLError, OSError) as exc:
        raise FetchError(f"cannot reach {root}: {exc}") from None


def fetch(url: str) -> bytes:
    """The body at ``url``, if robots.txt lets this project's user agent fetch it."""
    parts = urlsplit(url)
    body = robots(f"{parts.scheme}://{parts.netloc}")
    if body is not None and not Protego.parse(body.decode("utf-8", "replace")).can_fetch(url, user_agent()):
        raise FetchError(f"robots.txt of {parts.netloc} does not allow fetching {url}")
    try:
        return _get(url)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise FetchError(f"cannot fetch {url}: {exc}") from None
