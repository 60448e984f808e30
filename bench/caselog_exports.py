"""Case-list exports of 20,000 cases through the web route, as a caseworker (product §9: CSV
< 3 s, XLSX < 10 s, memory flat — streamed). Issue 13 point 5: after one maximum-size import
(20,316 cases) `/kasus/unduh` took 47 s and answered an empty 500 under the worker limit.

One fresh subprocess (as bench/caselog_import_hostile.py): an app on a throwaway SQLite
database with the reference lists, 20,000 cases from `services.caselog.synthetic.generate`, a
caseworker logged in through the test client. Then, for each format, the peak resident set is
reset (`/proc/self/clear_refs`), a one-case export warms up the imports, and the full export is
fetched and read to its last byte; the time is the whole request, the growth is how far the
peak RSS (`VmHWM`) rose above where it stood before that export.

`python -m bench.caselog_exports` prints the rows alone.
"""
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = int(os.environ.get("CASELOG_EXPORT_BENCH_CASES", 20_000))
TARGETS = {"csv": 3.0, "xlsx": 10.0}
GROWTH_TARGET_MB = 100
CHILD_TIMEOUT = 600


def _status_kib(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def _reset_peak():
    """Start VmHWM again from the current resident set (Linux: clear_refs 5)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:  # not Linux, or not allowed: growth is then measured from the old peak
        pass


def child():
    import tempfile
    import time

    from config import TestingConfig
    from course_app import create_app
    from course_app.extensions import db
    from course_app.services.caselog import lookups, synthetic
    from tests import factories

    with tempfile.TemporaryDirectory() as tmp:
        class Config(TestingConfig):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp}/bench.sqlite3"

        app = create_app(Config)
        with app.app_context():
            db.create_all()
            lookups.seed_reference_data()
            synthetic.generate(CASES, seed=13, end=date(2026, 6, 30), start=date(2023, 7, 1))
            email = factories.make_user(roles=("caseworker",)).email
            db.session.commit()
        # Each request gets its own app context, as under a real server.
        client = app.test_client()
        signed_in = client.post("/masuk", data={"email": email, "password": factories.PASSWORD})
        assert signed_in.status_code == 302, signed_in.status_code
        figures = {}
        for kind in ("csv", "xlsx"):
            client.get(f"/kasus/unduh?format={kind}&pemilik=semua&q=P3A-2026-00001").get_data()  # warm-up
            _reset_peak()
            before = _status_kib("VmHWM")
            start = time.perf_counter()
            response = client.get(f"/kasus/unduh?format={kind}&pemilik=semua", buffered=False)
            size = sum(len(piece) for piece in response.response)
            response.close()
            seconds = time.perf_counter() - start
            figures[kind] = {"seconds": seconds, "growth_mb": (_status_kib("VmHWM") - before) / 1024,
                             "status": response.status_code, "bytes": size}
        with app.app_context():
            db.engine.dispose()
    print(json.dumps(figures))


def measure():
    try:
        result = subprocess.run([sys.executable, "-m", "bench.caselog_exports", "--child"], cwd=ROOT,
                                capture_output=True, text=True, check=True, timeout=CHILD_TIMEOUT)
    except (subprocess.TimeoutExpired, subprocess.CalledProcessError) as error:
        failed = {"seconds": float("nan"), "growth_mb": float("nan"), "status": type(error).__name__,
                  "bytes": 0}
        return {"csv": failed, "xlsx": failed}
    return json.loads(result.stdout.strip().splitlines()[-1])


def table():
    rows = []
    for kind, figures in measure().items():
        seconds, growth, status = figures["seconds"], figures["growth_mb"], figures["status"]
        answered = status == 200 and figures["bytes"] > 0
        target = TARGETS[kind]
        rows.append((f"case export: {CASES:,} cases as {kind.upper()}, web route as a caseworker, time",
                     f"{seconds:.2f} s", f"< {target:.0f} s, answered 200", seconds / target,
                     seconds < target and answered))
        rows.append((f"case export: {CASES:,} cases as {kind.upper()}, peak RSS growth",
                     f"{growth:.0f} MB", f"< {GROWTH_TARGET_MB} MB (flat)", growth / GROWTH_TARGET_MB,
                     growth < GROWTH_TARGET_MB))
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if sys.argv[1:2] == ["--child"]:
        child()
    else:
        for row in table():
            print(row)
