"""Downloader middlewares."""
from __future__ import annotations

import codecs

from scrapy.http import TextResponse

from crawler.encoding import best_encoding, meta_charset


class EncodingMiddleware:
    """Re-decodes a page whose declared charset does not fit its bytes (counted as cchc/encoding/fixed/...)."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_response(self, request, response):
        if not isinstance(response, TextResponse) or not response.body:
            return response
        header = response.headers.get(b"Content-Type", b"").decode("latin-1")
        declared = header.split("charset=", 1)[1].split(";")[0].strip() if "charset=" in header.lower() else None
        chosen = best_encoding(response.body, [declared, meta_charset(response.body)])
        current = codecs.lookup(response.encoding).name
        if chosen is None or chosen == current:
            return response
        self.stats.inc_value(f"cchc/encoding/fixed/{current}->{chosen}")
        return response.replace(encoding=chosen)
