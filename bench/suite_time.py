"""The whole test suite, browser tests included, on this machine (product §9: < 5 minutes).

Runs pytest in a subprocess on the embedded SQLite database, exactly as `make test` does after
installing, and times it. Failing tests fail the row too.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 300


def table():
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                            cwd=ROOT, capture_output=True, text=True, timeout=1200,
                            env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"})
    seconds = time.perf_counter() - started
    summary = (result.stdout.strip().splitlines() or ["(no output)"])[-1].strip("= ")
    ok = result.returncode == 0 and seconds < TARGET_SECONDS
    return [(f"whole test suite ({summary})", f"{seconds:.0f} s", "< 5 min, all passing",
             seconds / TARGET_SECONDS, ok)]
