"""The archive's part of ``python -m crawler health``: can the next crawl write it, and can it be read back?

Failing (exit 1) when the folder cannot be written (not a folder, no permission, under 1 GB free), when articles
link to a folder or files that are gone, or when what was written last does not read back: the first record of
every file, the newest article's response at its recorded offset, and the whole newest file (up to
``FULL_READ_MB``; a record cut short by a crash is reported, as readers skip it).
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.archive.place import archive_files
from crawler.archive.reader import ArchiveError, ArchiveReader, records

FULL_READ_MB = 256
MIN_FREE_GB = 1.0


def _writable(folder: Path) -> str | None:
    """Why the next crawl could not write here, or None."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is not a folder"
    try:
        with tempfile.NamedTemporaryFile(dir=existing, prefix=".cchc-health-"):
            pass
    except OSError as exc:
        return f"cannot create a file in {existing}: {exc.strerror or exc}"
    free = shutil.disk_usage(existing).free / 1024 ** 3
    if free < MIN_FREE_GB:
        return f"only {free:.2f} GB free on its disk"
    return None


def _first_record_ok(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return next(iter(ArchiveIterator(fh))).rec_type == "warcinfo"
    except Exception:  # noqa: BLE001 - not a WARC file, or damaged from the start
        return False


def archive_health(folder: Path | None, linked: int, newest: tuple[str | None, int | None]) -> tuple[bool, list[str]]:
    """(failing, lines) for the archive ``folder``, ``linked`` articles pointing into it, the newest one's location."""
    if folder is None:
        return False, ["archive: off (CCHC_ARCHIVE_DIR is empty)"]
    problems, notes = [], []
    cannot = _writable(folder)
    if cannot:
        problems.append(f"cannot be written: {cannot}")
    files = archive_files(folder)
    if not folder.is_dir():
        if linked:
            problems.append(f"the folder is missing, and {linked:,} articles link to it")
        else:
            notes.append("none yet (the next crawl creates it)")
    bad_starts = [p.name for p in files if not _first_record_ok(p)]
    if bad_starts:
        problems.append(f"{len(bad_starts)} file(s) do not start with a WARC record: {', '.join(bad_starts[:3])}")
    if newest[0]:
        try:
            with ArchiveReader(folder) as reader:
                reader.page(newest[0], newest[1])
            notes.append("the newest article's response reads back")
        except ArchiveError as exc:
            problems.append(f"the newest article's response cannot be read: {exc}")
    if files:
        last = files[-1]
        if last.stat().st_size <= FULL_READ_MB * 1024 * 1024:
            cut = [offset for offset, record in records(last) if record is None]
            if cut:
                notes.append(f"{last.name} ends with a record cut short at offset {cut[0]} (a crash while writing; "
                             "readers skip it)")
            else:
                notes.append(f"{last.name} reads back whole")
        size = sum(p.stat().st_size for p in files) / 1024 ** 3
        notes.insert(0, f"{len(files)} file(s), {size:.2f} GB, {linked:,} articles linked")
    head = f"archive {folder}: "
    if problems:
        return True, [f"FAILING: {head}" + "; ".join(problems)] + ([f"  ({'; '.join(notes)})"] if notes else [])
    return False, [head + "; ".join(notes or ["empty"])]
