"""``python -m crawler cron install|show|remove``: the nightly crontab entry (python-crontab).

The entry changes to the repository and runs ``python -m crawler run --cron`` with the project's virtual
environment. The full log goes to ``output/logs/crawl.log`` (rotated at 10 MB, five kept); the terminal output,
which cron mails to MAILTO (``--mailto``, or the crontab's own), is empty on a good night and the per-site
summary when a site is not ok or quiet (the exit status is then 1).
"""
from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

from crontab import CronTab

ROOT = Path(__file__).resolve().parents[2]
COMMENT = f"cchc-crawler nightly crawl ({ROOT})"


def _tab(tabfile: str | None) -> CronTab:
    if tabfile:
        Path(tabfile).touch()
        return CronTab(tabfile=tabfile)
    if shutil.which("crontab") is None:
        raise SystemExit("the crontab command is missing: install cron first (sudo apt-get install cron)")
    return CronTab(user=True)


def command_line(db: str | None = None) -> str:
    python = ROOT / ".venv" / "bin" / "python"
    env = f"CCHC_DB={shlex.quote(db)} " if db else ""
    logs = (Path(db).resolve().parent if db else ROOT / "output") / "logs"  # beside the database
    return (f"cd {shlex.quote(str(ROOT))} && {env}CCHC_LOG_FILE={shlex.quote(str(logs / 'crawl.log'))} "
            f"{shlex.quote(str(python))} -m crawler run --cron")


_AT = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_at(at: str) -> tuple[int, int]:
    """(hour, minute) of "HH:MM"; anything else is a clear error."""
    match = _AT.match(at.strip())
    if not match:
        raise SystemExit(f"cron install --at {at!r}: use HH:MM between 00:00 and 23:59, e.g. --at 02:30")
    return int(match.group(1)), int(match.group(2))


def install(at: str = "02:30", db: str | None = None, tabfile: str | None = None, mailto: str | None = None) -> str:
    hour, minute = parse_at(at)
    tab = _tab(tabfile)
    if mailto:
        tab.env["MAILTO"] = mailto
    tab.remove_all(comment=COMMENT)
    job = tab.new(command=command_line(db), comment=COMMENT)
    job.setall(f"{minute} {hour} * * *")
    tab.write()
    return str(job)


def show(tabfile: str | None = None) -> list[str]:
    return [str(job) for job in _tab(tabfile).find_comment(COMMENT)]


def remove(tabfile: str | None = None) -> int:
    tab = _tab(tabfile)
    count = len(list(tab.find_comment(COMMENT)))
    tab.remove_all(comment=COMMENT)
    tab.write()
    return count
