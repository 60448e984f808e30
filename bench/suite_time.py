"""The whole test suite, browser tests included, on this machine (product §9: < 5 minutes a leg).

Runs pytest in a subprocess exactly as `make test` does after installing (TEST_WORKERS
processes, two by default), once on the embedded SQLite database and once on PostgreSQL as
`make test-pg` does (PG_TEST_URL, by default the local server's `test` database; each worker
uses a database of its own beside it), and times each leg. Failing tests fail the row too; a
PostgreSQL that doesn't answer is a failed row, not a skipped one.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 300
PG_TEST_URL = os.environ.get("PG_TEST_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
#: As the Makefile's PYTEST_PARALLEL.
WORKERS = os.environ.get("TEST_WORKERS", "2")


def leg(name, database_url=None):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if database_url:
        env["DATABASE_URL"] = database_url
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "-n", WORKERS, "--dist", "worksteal"],
                            cwd=ROOT, capture_output=True, text=True, timeout=1200, env=env)
    seconds = time.perf_counter() - started
    summary = (result.stdout.strip().splitlines() or ["(no output)"])[-1].strip("= ")
    ok = result.returncode == 0 and seconds < TARGET_SECONDS
    return (f"whole test suite, {name} ({summary})", f"{seconds:.0f} s", "< 5 min, all passing",
            seconds / TARGET_SECONDS, ok)


def postgres_answers():
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(PG_TEST_URL)
    try:
        with psycopg.connect(host=url.host or "127.0.0.1", port=url.port or 5432,
                             user=url.username or "postgres", password=url.password,
                             dbname="postgres", connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def table():
    rows = [leg("SQLite")]
    if postgres_answers():
        rows.append(leg("PostgreSQL", PG_TEST_URL))
    else:
        rows.append((f"whole test suite, PostgreSQL: not available at {PG_TEST_URL}", "-",
                     "< 5 min, all passing", 0.0, False))
    return rows


if __name__ == "__main__":
    for row in table():
        print(f"{row[0]:<70} {row[1]:>8}  {row[2]}  {'pass' if row[4] else 'FAIL'}")
