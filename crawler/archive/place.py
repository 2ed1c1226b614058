"""Where the archive is: ``CCHC_ARCHIVE_DIR`` ("auto": ``archive/`` beside the database; a folder; "" for none), and
the names of its files (``cchc-<UTC start>-<host>-<pid>-<serial>.warc.gz``: unique across the machines of a
distributed crawl, ordered by time, and what the database records of a response besides its offset)."""
from __future__ import annotations

import os
import re
import socket
from pathlib import Path

AUTO = "auto"
PREFIX, SUFFIX = "cchc-", ".warc.gz"
FILE_NAME = re.compile(r"^cchc-\d{8}T\d{6}Z-[A-Za-z0-9._-]+-\d+-\d{5}\.warc\.gz$")


def folder_for(setting: str | None, db_path: str | None) -> Path | None:
    """The archive folder for a value of CCHC_ARCHIVE_DIR and a database path; None when there is no archive."""
    if setting == AUTO:
        return Path(db_path).parent / "archive" if db_path else None
    return Path(setting) if setting else None


def archive_folder(settings, db_path: str | None = None) -> Path | None:
    """The archive folder of a crawl's settings (or of a command, with its database path)."""
    return folder_for(settings.get("CCHC_ARCHIVE_DIR"), db_path if db_path is not None else settings.get("CCHC_DB"))


def file_name(started, serial: int) -> str:
    host = re.sub(r"[^A-Za-z0-9.-]+", "-", socket.gethostname())[:40] or "host"
    return f"{PREFIX}{started:%Y%m%dT%H%M%SZ}-{host}-{os.getpid()}-{serial:05d}{SUFFIX}"


def archive_files(folder: Path | None) -> list[Path]:
    """The archive's own files in ``folder``, oldest first (their names start with the UTC time they were opened)."""
    if folder is None or not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if FILE_NAME.match(p.name) and p.is_file())


def resolve(folder: Path | None, name: str) -> Path | None:
    """The path of an archive file named in the database; only a plain file name of ours (a row cannot point a
    reader at /etc/passwd)."""
    if folder is None or not name or not FILE_NAME.match(Path(name).name) or Path(name).name != name:
        return None
    return folder / name
