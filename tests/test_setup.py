"""Issue 34, item 9: `bin/setup` (which `bin/test` and `bin/crawl` run first) shows pip's progress while it
installs instead of ~95 silent seconds. Run on a copy of the script in a temporary folder, with a stand-in for
the virtualenv's Python that prints what pip prints, slowly (nothing is installed, nothing is downloaded)."""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import time

from conftest import ROOT

FAKE_PYTHON = """#!/bin/sh
# A stand-in for .venv/bin/python: pip's lines, one a second.
case "$*" in
  *"pip install -r requirements.txt"*)
    [ -n "$PIP_FAILS" ] && { echo "ERROR: No matching distribution found for scrapy==99"; exit 1; }
    for name in scrapy datasette sqlite-utils; do echo "Collecting $name"; sleep 1; done
    echo "Requirement already satisfied: idna in ./.venv/lib/python3.11/site-packages"
    echo "Installing collected packages: scrapy, datasette, sqlite-utils"
    echo "Successfully installed datasette scrapy sqlite-utils" ;;
  *) exit 0 ;;
esac
"""


def checkout(tmp_path):
    root = tmp_path / "checkout"
    (root / "bin").mkdir(parents=True)
    shutil.copy(ROOT / "bin" / "setup", root / "bin" / "setup")
    for name in ("requirements.txt", "pyproject.toml"):
        shutil.copy(ROOT / name, root / name)
    python = root / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON)
    tools = tmp_path / "tools"  # redis-server and chromium are "installed": no apt-get
    tools.mkdir()
    for path in (python, tools / "redis-server", tools / "chromium"):
        if not path.exists():
            path.write_text("#!/bin/sh\nexit 0\n")
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "PATH": f"{tools}:{os.environ['PATH']}", "CCHC_CHROMIUM": str(tools / "chromium")}
    return root, env


def test_setup_shows_pip_lines_as_they_come(tmp_path):
    root, env = checkout(tmp_path)
    started = time.monotonic()
    process = subprocess.Popen(["bash", str(root / "bin" / "setup")], cwd=root, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    seen = [(time.monotonic() - started, line.rstrip()) for line in process.stdout]
    assert process.wait(timeout=60) == 0, seen
    ended = time.monotonic() - started
    lines = [line for _, line in seen]
    assert lines[0].startswith("setup: installing Python packages") and "Collecting scrapy" in lines
    assert "Successfully installed datasette scrapy sqlite-utils" in lines
    assert not [line for line in lines if line.startswith("Requirement already satisfied")]  # the noise is left out
    first = next(t for t, line in seen if line == "Collecting scrapy")
    assert ended - first >= 1.5  # printed while pip was still at work, not after it
    log = (root / ".venv" / "pip.log").read_text()
    assert "Requirement already satisfied: idna" in log and "Collecting sqlite-utils" in log  # the log has it all
    assert (root / ".venv" / ".setup-stamp").exists()


def test_setup_says_when_pip_fails(tmp_path):
    root, env = checkout(tmp_path)
    result = subprocess.run(["bash", str(root / "bin" / "setup")], cwd=root, env={**env, "PIP_FAILS": "1"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "ERROR: No matching distribution found for scrapy==99" in result.stdout
    assert result.stderr.strip().endswith("setup: pip install failed (log: .venv/pip.log)")
    assert not (root / ".venv" / ".setup-stamp").exists()
