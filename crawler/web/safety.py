"""What the browsing pages may show as a link or as HTML: only http(s) URLs become links (an imported or older row
may hold ``javascript:`` or ``data:``), and body HTML goes through the storing sanitizer again
(crawler/clean/render.py) before it is shown."""
from __future__ import annotations

from crawler.clean.render import sanitize_html  # noqa: F401 - the pages' HTML filter


def web_url(value) -> str | None:
    """``value`` if it is an absolute http(s) URL (the only links these pages show), else None."""
    if not isinstance(value, str) or not value.strip().lower().startswith(("http://", "https://")):
        return None
    return value.strip()
