"""``python -m crawler cron install|show|remove``: the nightly crontab entry (python-crontab).

The entry changes to the repository, runs the crawl with the project's virtual environment and appends its
output to ``output/logs/cron.log``; the crawl itself also keeps a rotating log in ``output/logs/crawl.log``.
"""
from __future__ import annotations

import shlex
import shutil
from pathlib import Path

from crontab import CronTab

ROOT = Path(__file__).resolve().parent.parent
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
    logs = ROOT / "output" / "logs"
    return (f"cd {shlex.quote(str(ROOT))} && mkdir -p output/logs && {env}CCHC_LOG_FILE={shlex.quote(str(logs / 'crawl.log'))} "
            f"{shlex.quote(str(python))} -m crawler run >> {shlex.quote(str(logs / 'cron.log'))} 2>&1")


def install(at: str = "02:30", db: str | None = None, tabfile: str | None = None) -> str:
    hour, minute = (int(part) for part in at.split(":"))
    tab = _tab(tabfile)
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
