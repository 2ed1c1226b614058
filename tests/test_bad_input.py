"""Issue 34, item 5: bad input is one clear line, never a traceback: the commands given a file that is not SQLite or
a folder, a crawl whose database cannot be opened, a spider that does not exist; an unknown `-a` option is named
with the known ones instead of being ignored without a word."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_scrapy


def command(*args, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, **env})


def one_line(result: subprocess.CompletedProcess) -> str:
    """The whole of what the command said: exactly one line, no traceback."""
    said = (result.stdout + result.stderr).strip()
    assert "Traceback" not in said and len(said.splitlines()) == 1, said
    return said


@pytest.fixture
def bad(tmp_path) -> dict[str, Path]:
    text = tmp_path / "notes.txt"
    text.write_text("không phải cơ sở dữ liệu / not a database\n" * 50, encoding="utf-8")
    folder = tmp_path / "folder"
    folder.mkdir()
    return {"text": text, "folder": folder}


@pytest.mark.parametrize("args, expected", [
    (("export", "{text}"), "is not an SQLite database"),
    (("export", "{text}", "--format", "xlsx"), "is not an SQLite database"),
    (("browse", "{text}", "--port", "1"), "is not an SQLite database"),
    (("export", "{folder}"), "is a folder"),
    (("browse", "{folder}", "--port", "1"), "is a folder"),
    (("extract", "{folder}", "--url", "https://baohatinh.vn/a-post1.html"), "is a folder"),
    (("links", "{folder}", "--url", "https://baohatinh.vn/"), "is a folder"),
    (("import", "{folder}", "{text}"), "is a folder"),
    (("import", "{text}", "{text}"), "is not an SQLite database"),
    (("health", "{text}"), "is not an SQLite database"),
])
def test_commands_given_the_wrong_file_say_so_in_one_line(bad, args, expected):
    result = command(*(a.format(**bad) for a in args))
    assert result.returncode != 0
    assert expected in one_line(result)
    assert bad["text"].read_text(encoding="utf-8").startswith("không phải")  # never written to


def test_a_crawl_whose_database_cannot_be_opened_says_why_before_it_starts(bad):
    """A database under a path that cannot be a folder: the crawl printed five tracebacks (its pipelines and
    extensions failing at open and close) before the right line; it now stops before the engine starts."""
    result = run_scrapy(["crawl", "plo", "-s", "LOG_LEVEL=ERROR"], bad["text"] / "cchc.db")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "ERROR" not in result.stderr, result.stderr[-3000:]
    assert result.stderr.strip().splitlines()[-1].startswith("scrapy crawl plo: could not start: OperationalError: "
                                                           "cannot open the database")
    lines = command("run", "plo", CCHC_DB=bad["text"] / "cchc.db")  # the nightly command too
    assert lines.returncode == 1 and "Traceback" not in lines.stderr and "cannot" in lines.stderr.splitlines()[-1]


def test_an_unknown_spider_is_one_line_with_a_suggestion():
    result = run_scrapy(["crawl", "baohatin"], None)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("scrapy crawl: no spider named 'baohatin'; did you mean baohatinh")


def test_an_unknown_spider_option_is_named_with_the_known_ones(mirror, tmp_path):
    result = run_scrapy(["crawl", "plo", "-a", f"base_url={mirror.base_url('plo.vn')}", "-a", "max_page=1"],
                        tmp_path / "cchc.db")
    assert result.returncode == 0, result.stderr[-3000:]
    said = "ignored unknown -a option max_page (known: base_url, cchc_section, js, max_pages, start_urls)"
    assert f"WARNING: plo: {said}" in result.stderr  # when the spider starts, in the log
    assert f"scrapy crawl plo: {said}" in result.stderr.strip().splitlines()[-2:][0]  # and again at the end
