"""Faults a test can switch on in a crawl it runs (like web_poet.testing, the harness stays out of the product)."""
from __future__ import annotations

import os
from pathlib import Path

INJECT = Path(__file__).with_name("inject")  # its sitecustomize.py applies the fault at interpreter start


def database_fault(kind: str) -> dict[str, str]:
    """Environment for a subprocess whose database refuses writes: ``full-disk`` or ``read-only``."""
    path = os.pathsep.join(filter(None, [str(INJECT), os.environ.get("PYTHONPATH")]))
    return {"PYTHONPATH": path, "CCHC_TESTING_DB_FAULT": kind}


def kill_after(target: str) -> dict[str, str]:
    """Environment for a subprocess that SIGKILLs itself when ``target`` ("module:Class.method") first returns."""
    path = os.pathsep.join(filter(None, [str(INJECT), os.environ.get("PYTHONPATH")]))
    return {"PYTHONPATH": path, "CCHC_TESTING_KILL_AFTER": target}
