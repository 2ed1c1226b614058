"""Tesseract, run as a subprocess on one rendered page at a time.

A subprocess rather than pytesseract: pytesseract is itself a thin wrapper around the same command that writes
temporary files; here the page goes in on stdin as a PGM and the text comes back on stdout, and the time limit
kills Tesseract's whole process group (a hung OCR never outlives its limit). ``OMP_THREAD_LIMIT=1`` keeps one
page on one core (the machines are shared, and the crawl runs pages in parallel workers instead) and makes the
output deterministic: Tesseract's OpenMP paths can otherwise differ between runs.
"""
from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
from dataclasses import dataclass

from crawler.lifeline import die_with_parent

class OcrError(Exception):
    """OCR of one page failed: the message is short and says why (it goes into DocumentText.notes)."""


@dataclass(frozen=True)
class Tesseract:
    command: str = "tesseract"          # a path for installations outside PATH (and a fake one in the tests)
    lang: str = "vie"
    timeout: float = 60.0

    @classmethod
    def default(cls, lang: str = "vie", timeout: float = 60.0) -> "Tesseract":
        """Tesseract on PATH; the crawl passes its own (the command from a setting) to read_document."""
        return cls("tesseract", lang, timeout)

    def unavailable(self) -> str | None:
        """None when Tesseract and its language model are there, else the reason, for the result's notes."""
        return _unavailable(self.command, self.lang)

    def image_to_text(self, image: bytes) -> str:
        """Text of one page image (PGM/PNG bytes). Raises OcrError on a time-out or a failure."""
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        # --psm 3 (automatic layout): the header's two columns come out line by line or block by block, which
        # crawler.documents.header reads either way; --psm 6 (one block) would merge the columns word by word.
        args = [self.command, "stdin", "stdout", "-l", self.lang, "--psm", "3"]
        try:
            # its own session (the time limit kills its group); killed with the process that started it (a
            # document worker stopped at its deadline must not leave an OCR running)
            process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       env=env, start_new_session=True, preexec_fn=die_with_parent)
        except OSError as exc:
            raise OcrError(f"OCR could not start ({exc.strerror or exc})") from None
        try:
            out, err = process.communicate(image, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            _kill(process)
            raise OcrError(f"OCR timed out after {self.timeout:g} s") from None
        except BaseException:
            _kill(process)
            raise
        if process.returncode != 0:
            reason = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {process.returncode}"]
            raise OcrError(f"OCR failed: {reason[0][:120]}")
        return out.decode("utf-8", "replace")


def _kill(process: subprocess.Popen) -> None:
    """Kill Tesseract and anything it started (its own session), then reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.kill()
    process.communicate()


@functools.lru_cache(maxsize=8)
def _unavailable(command: str, lang: str) -> str | None:
    if not shutil.which(command):
        return "OCR unavailable (tesseract not installed)"
    try:
        listed = subprocess.run([command, "--list-langs"], capture_output=True, timeout=30, start_new_session=True)
    except (OSError, subprocess.TimeoutExpired):
        return "OCR unavailable (tesseract does not run)"
    # Tesseract 5 lists on stdout, 4 on stderr; the first line is 'List of available languages in "...":'.
    output = (listed.stdout + b"\n" + listed.stderr).decode("utf-8", "replace")
    languages = {line.strip() for line in output.splitlines() if line.strip() and not line.startswith("List of")}
    if lang not in languages:
        return f"OCR unavailable (Tesseract language '{lang}' not installed: tesseract-ocr-{lang})"
    return None
