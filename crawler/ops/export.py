"""``python -m crawler export [DB]``: the articles an analyst filters in the browser, as a file for a
spreadsheet: CSV in UTF-8 with a byte order mark (Excel then reads Vietnamese) or XLSX (openpyxl), the columns
of the reading view (title as plain text, the original URL in its own column, topics as words, local time) and
the documents each article attaches (type, number, date, subject and URL, separated by " | "). A search finds an
article by the words of its documents too.

The filters are checked against the database before anything is written: a province matches with or without
diacritics ("Lam Dong" is "Lâm Đồng"), and a value that names nothing (a province or site the database does not
know, a month such as 2025-13) is refused with the valid choices, instead of an empty file and "0 articles".

A cell a spreadsheet would run as a formula (a title that starts with "=") is written as text
(crawler/ops/spreadsheet.py)."""
from __future__ import annotations

import csv
import dataclasses
import re
import sys
from pathlib import Path

from crawler.ops.spreadsheet import csv_cell, runs_as_formula
from crawler.store import ExportFilter, export_rows, filter_choices
from crawler.vi.text import strip_diacritics

MONTH = re.compile(r"\d{4}(-(0[1-9]|1[0-2]))?")
_TITLES = ("tp ", "thanh pho ", "tinh ")  # "TP Hồ Chí Minh" is also "Ho Chi Minh"


def _folded(name: str) -> str:
    return " ".join(strip_diacritics(name).casefold().split())


def _untitled(folded: str) -> str:
    return next((folded[len(t):] for t in _TITLES if folded.startswith(t)), folded)


def match_province(typed: str, provinces: list[str]) -> str:
    """The province ``typed`` names, as the database writes it: exactly, then without diacritics and case, then
    without "TP"/"Tỉnh"; ValueError listing the provinces when it names none (or several)."""
    if typed in provinces:
        return typed
    for key in (_folded, lambda name: _untitled(_folded(name)), lambda name: _untitled(_folded(name)).replace(" ", "")):
        found = [p for p in provinces if key(p) == key(typed)]
        if len(found) == 1:
            return found[0]
    listed = ", ".join(sorted(provinces, key=_folded))
    raise ValueError(f"--province {typed!r} is not a province of this database; choose one of: {listed}")


def checked(spec: ExportFilter, choices: dict[str, list[str]]) -> ExportFilter:
    """``spec`` with its province as stored; ValueError (with the valid choices) for a value that names nothing."""
    if spec.month and not MONTH.fullmatch(spec.month):
        raise ValueError(f"--month {spec.month!r} is not a month: give YYYY-MM (e.g. 2025-07) or a year (2025)")
    if spec.site and spec.site not in choices["sites"]:
        raise ValueError(f"--site {spec.site!r} is not a site key; choose one of: {', '.join(choices['sites'])}")
    if spec.province:
        spec = dataclasses.replace(spec, province=match_province(spec.province, choices["provinces"]))
    return spec


def default_name(spec: ExportFilter, fmt: str) -> str:
    parts = ["cchc" if not spec.everything else "articles", spec.province, spec.month, spec.site]
    stem = "-".join(p.replace(" ", "_") for p in parts if p)
    return f"{stem}.{fmt}"


def write_csv(path: Path, columns: list[str], rows) -> int:
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:  # utf-8-sig writes the BOM
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({name: csv_cell(value) for name, value in row.items()})
            count += 1
    return count


# Column widths in the workbook (characters); other columns get DEFAULT_WIDTH.
WIDTHS = {"id": 7, "title": 60, "published": 17, "month": 9, "province": 16, "former_province": 16, "source": 30,
          "topics": 40, "lead": 80, "url": 45, "relevance": 10, "status": 10, "documents": 60}
DEFAULT_WIDTH = 14
LINKED = ("title", "url")  # cells that open the original article


def _xlsx_value(sheet, column: str, value, url):
    """A cell as a spreadsheet wants it: the publication time as a date (Vietnam's local time, as the page shows
    it), the title and the URL as links to the article, text without the characters XLSX cannot hold."""
    from datetime import datetime

    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if column == "published" and value:
        cell = WriteOnlyCell(sheet, datetime.strptime(value, "%Y-%m-%d %H:%M"))
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if column in LINKED and value and url:
        cell = WriteOnlyCell(sheet, value)
        cell.hyperlink, cell.style = url, "Hyperlink"
        if runs_as_formula(value):
            cell.data_type, cell.quotePrefix = "s", True
        return cell
    if runs_as_formula(value):
        # openpyxl makes any string that starts with "=" a formula: a string cell instead, with Excel's quote
        # prefix so that editing the cell does not turn it into one either.
        cell = WriteOnlyCell(sheet, value)
        cell.data_type, cell.quotePrefix = "s", True
        return cell
    return value


def write_xlsx(path: Path, columns: list[str], rows) -> int:
    """A workbook Excel and LibreOffice open ready to read: the header frozen and filterable, columns sized,
    dates as dates, titles and URLs clickable."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)  # streams rows: a large export does not sit in memory
    sheet = book.create_sheet("CCHC")
    sheet.freeze_panes = "A2"
    for number, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(number)].width = WIDTHS.get(column, DEFAULT_WIDTH)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, column)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([_xlsx_value(sheet, c, row[c], row.get("url")) for c in columns])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    book.save(path)
    return count


def run_export(db_path: str, spec: ExportFilter, fmt: str, out: str | None) -> int:
    if Path(db_path).is_dir():
        print(f"export: {db_path} is a folder, not a database file", file=sys.stderr)
        return 2
    if not Path(db_path).is_file():
        print(f"no database at {db_path}: crawl first (bin/crawl, or python -m crawler demo)", file=sys.stderr)
        return 2
    try:
        spec = checked(spec, filter_choices(db_path))
    except ValueError as exc:
        print(f"export: {exc}", file=sys.stderr)
        return 2
    path = Path(out or Path(db_path).parent / default_name(spec, fmt))
    try:
        columns, rows = export_rows(db_path, spec)
        count = (write_xlsx if fmt == "xlsx" else write_csv)(path, columns, rows)
    except (ValueError, OSError) as exc:
        print(f"export failed: {exc}", file=sys.stderr)
        return 1
    print(f"{count} article{'' if count == 1 else 's'} -> {path}")
    return 0
