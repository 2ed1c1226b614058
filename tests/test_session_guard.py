"""Issue 34, item 8: the session's guard (conftest.leaves_nothing_behind) fails a run that leaves a process running
or writes into the checkout; here it is shown to see both, so that it is never a check of nothing."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import MARKER, ROOT, SCRATCH
from session_guard import checkout_state, leftover_processes, session_processes


def test_a_process_started_by_a_test_is_seen_until_it_ends():
    # started the way a test starts a server: it inherits the session's environment, then leaves its parent's group
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        # Looked for once the child runs its own program: between fork and exec /proc shows the parent's command
        # line, or no environment at all (this failed once in a fresh clone's run).
        deadline = time.monotonic() + 10
        while b"time.sleep(60)" not in Path(f"/proc/{child.pid}/cmdline").read_bytes() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert any(line.startswith(f"{child.pid}: ") for line in session_processes(MARKER))
    finally:
        child.kill()
        child.wait()
    assert not [line for line in leftover_processes(MARKER, wait=5) if line.startswith(f"{child.pid}: ")]


def test_a_file_written_into_the_checkout_is_seen(tmp_path):
    repo = tmp_path / "repo"  # laid out as this repository: output/ ignored but for its .gitkeep
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".gitignore").write_text("output/*\n!output/.gitkeep\n")
    (repo / "output").mkdir()
    (repo / "output" / ".gitkeep").write_text("")
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qm", "x", "--allow-empty"],
                   cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    before = checkout_state(repo)
    (repo / "output" / "failed-pages").mkdir()
    (repo / "output" / "failed-pages" / "page-1.html").write_text("<html></html>")
    assert checkout_state(repo) - before == {"!! output/failed-pages/"}


def test_what_crawls_write_by_default_goes_to_a_temporary_folder():
    for name in ("CCHC_FAILED_PAGES_DIR", "CCHC_DB"):
        assert os.environ[name].startswith(str(SCRATCH)) and not os.environ[name].startswith(str(ROOT))
