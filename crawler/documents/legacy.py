"""Legacy Office files (Word 97-2003 .doc, Excel 97-2003 .xls) through Debian's converters: antiword for .doc,
catdoc's xls2csv for .xls.

Why not LibreOffice (``soffice --convert-to``): it is about 300 MB of packages, takes 2-5 s to start for every
file, and parallel workers need one profile directory each or they block on its lock. antiword and catdoc are
small C programs (under 1 MB together), answer in milliseconds, read Word's UTF-16 text (Vietnamese included)
and Excel's shared strings, and Debian keeps them patched (both had security updates in bookworm). They run as
subprocesses on a temporary file with a time limit, like Tesseract.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile

from crawler.lifeline import die_with_parent

from .model import Limits


class ConverterError(Exception):
    """The converter is missing, failed or timed out; the message is the short reason for DocumentText.error."""


# antiword: -m UTF-8.txt writes UTF-8, -w 0 keeps each paragraph on one line (no re-wrapping at 80 columns).
# xls2csv: -d utf-8 output charset, -c '\t' tab-separated cells, -q 0 no quotes; sheets end with a form feed.
_COMMANDS = {
    "doc": (("antiword", "-m", "UTF-8.txt", "-w", "0"), "antiword"),
    "xls": (("xls2csv", "-d", "utf-8", "-c", "\t", "-q", "0"), "catdoc"),
}


def convert(kind: str, data: bytes, limits: Limits) -> str:
    """The text of a .doc or .xls file (``kind``), as UTF-8 text; sheets separated by form feeds."""
    args, package = _COMMANDS[kind]
    if not shutil.which(args[0]):
        raise ConverterError(f"legacy .{kind} unreadable ({args[0]} not installed: apt-get install {package})")
    with tempfile.TemporaryDirectory(prefix="cchc-doc-") as folder:
        path = os.path.join(folder, f"document.{kind}")
        with open(path, "wb") as handle:
            handle.write(data)
        env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8")
        process = subprocess.Popen([*args, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                   stdin=subprocess.DEVNULL, start_new_session=True, cwd=folder,
                                   preexec_fn=die_with_parent)  # never outlives a stopped document worker
        try:
            out, err = process.communicate(timeout=limits.convert_timeout)
        except subprocess.TimeoutExpired:
            _kill(process)
            raise ConverterError(f"{args[0]} timed out after {limits.convert_timeout:g} s") from None
    text = out.decode("utf-8", "replace")
    if process.returncode != 0 and not text.strip():
        reason = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {process.returncode}"]
        raise ConverterError(f"legacy .{kind} unreadable ({args[0]}: {reason[0][:100]})")
    return text


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.kill()
    process.communicate()


def untable(text: str) -> str:
    """antiword draws a table row as "|cell   |cell   |": the cells, tab-separated, without the padding."""
    lines = []
    for line in text.split("\n"):
        stripped = line.strip()
        if len(stripped) > 1 and stripped.startswith("|") and stripped.endswith("|"):
            line = "\t".join(cell.strip() for cell in stripped[1:-1].split("|"))
        lines.append(line)
    return "\n".join(lines)
