"""Soft blocks: a JavaScript challenge, a WAF rejection or an "access denied" page served with HTTP 200."""
from __future__ import annotations

import re

from scrapy.http import TextResponse

# Markers of the usual challenge and rejection pages (Cloudflare, Incapsula, F5, Sucuri, generic captcha pages,
# and the Vietnamese wording of portal firewalls).
_MARKERS = re.compile(
    r"just a moment\.\.\.|cf-browser-verification|challenge-platform|cf_chl_|attention required! \| cloudflare|"
    r"checking your browser|ddos protection by|incapsula incident|_incapsula_resource|"
    r"the requested url was rejected|request rejected|access denied|sucuri website firewall|"
    r"please enable javascript and cookies|truy cập bị từ chối|yêu cầu của bạn bị từ chối|vui lòng xác minh bạn không phải",
    re.I,
)


def block_reason(response: TextResponse) -> str | None:
    """The marker that identifies ``response`` as a block page, or None. Only short pages are checked: a real
    article that merely mentions "access denied" is long."""
    if len(response.body) > 60_000:
        return None
    head = response.text[:20_000]
    match = _MARKERS.search(head)
    if match is None:
        return None
    paragraphs = re.findall(r"<p[\s>]", head, re.I)
    return None if len(paragraphs) > 12 else match.group(0).lower()
