"""``python -m crawler export [DB]``: the articles an analyst filters in the browser, as a file for a
spreadsheet: CSV in UTF-8 with a byte order mark (Excel then reads Vietnamese) or XLSX (openpyxl), the columns
of the reading view (title as plain text, the original URL in its own column, topics as words, local time).
A cell a spreadsheet would run as a formula (a title that starts with "=") is written as text
(crawler/ops/spreadsheet.py)."""
from __future__ import annotations

import csv
import sys
from pathlib import Path

from crawler.ops.spreadsheet import csv_cell, runs_as_formula
from crawler.store.exports import ExportFilter, export_rows


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


def write_xlsx(path: Path, columns: list[str], rows) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)  # streams rows: a large export does not sit in memory
    sheet = book.create_sheet("CCHC")
    sheet.append(columns)

    def cell(value):
        if not isinstance(value, str):
            return value
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not runs_as_formula(value):
            return value
        # openpyxl makes any string that starts with "=" a formula: a string cell instead, with Excel's quote
        # prefix so that editing the cell does not turn it into one either.
        text = WriteOnlyCell(sheet, value)
        text.data_type, text.quotePrefix = "s", True
        return text

    count = 0
    for row in rows:
        sheet.append([cell(row[c]) for c in columns])
        count += 1
    book.save(path)
    return count


def run_export(db_path: str, spec: ExportFilter, fmt: str, out: str | None) -> int:
    if not Path(db_path).is_file():
        print(f"no database at {db_path}: crawl first (bin/crawl, or python -m crawler demo)", file=sys.stderr)
        return 2
    path = Path(out or Path(db_path).parent / default_name(spec, fmt))
    try:
        columns, rows = export_rows(db_path, spec)
        count = (write_xlsx if fmt == "xlsx" else write_csv)(path, columns, rows)
    except (ValueError, OSError) as exc:
        print(f"export failed: {exc}", file=sys.stderr)
        return 1
    print(f"{count} articles -> {path}")
    return 0
