"""Retention: keep the archive to ``CCHC_ARCHIVE_KEEP_DAYS`` days and ``CCHC_ARCHIVE_KEEP_GB`` GB (0: no limit).

Whole files only, oldest first (by the time their last record was written): a file is a night's or a gigabyte's
worth of responses, and a reader can trust any file that is there. Applied when a crawl opens the archive, before
it writes; the files a crawl is writing are never touched. The database forgets the locations in deleted files
(``Store.forget_archive_files``): the articles stay, their "archived copy" goes.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

from crawler.archive.place import archive_files

logger = logging.getLogger(__name__)
GB = 1024 ** 3


def prune(folder: Path | None, keep_days: float = 0, keep_gb: float = 0, now: float | None = None,
          spare: set[str] = frozenset()) -> list[str]:
    """Delete what retention does not keep; returns the names deleted (``spare``: names never deleted)."""
    if not keep_days and not keep_gb:
        return []
    now = time.time() if now is None else now
    files, spared = [], 0
    for path in archive_files(folder):
        try:
            stat = path.stat()
        except OSError:
            continue
        if path.name in spare:
            spared += stat.st_size  # counts towards the size, never deleted
        else:
            files.append((stat.st_mtime, path.name, path, stat.st_size))
    files.sort()  # oldest first
    doomed = set()
    if keep_days:
        doomed |= {name for mtime, name, _, _ in files if now - mtime > keep_days * 86400}
    if keep_gb:
        total = spared + sum(size for _, name, _, size in files if name not in doomed)
        for _, name, _, size in files:
            if total <= keep_gb * GB:
                break
            if name not in doomed:
                doomed.add(name)
                total -= size
    deleted = []
    for _, name, path, _ in files:
        if name in doomed:
            try:
                path.unlink()
                deleted.append(name)
            except OSError as exc:
                logger.warning("archive retention: cannot delete %s: %s", path, exc)
    if deleted:
        logger.info("archive retention: deleted %d file(s) from %s (CCHC_ARCHIVE_KEEP_DAYS=%g, CCHC_ARCHIVE_KEEP_GB=%g)",
                    len(deleted), folder, keep_days, keep_gb)
    return deleted
