"""Hostile case-log import files in bounded time and memory (issue 9, point 9):
every import preview, hostile or not, < 300 MB peak memory growth of the worker; a refusal in
< 2 s, and a file that is read whole (20,000 rows, with or without problems) in < 5 s, the
target of an import preview of 20,000 rows (product §9).

The files are built here, in memory, with the builders the tests use
(`tests/caselog_import_builders.py`): XLSX zip bombs of millions of repeated cells (the
206 KB file that took a worker to 2.1 GB and the 1.3 MB one that ran for over 5 minutes), one
row of millions of cells, a sheet claiming A1:XFD1048576, entity expansion, a CSV of the
largest accepted size (`MAX_UPLOAD_MB`) holding one enormous field, and a CSV of 20,000 rows
with NUL bytes.

Each file is measured in a fresh subprocess, as in bench/photos.py: the parent writes the file
to a temporary directory; the child makes an app on a throwaway SQLite database with the
reference lists, reads the file, notes its peak RSS (`VmHWM`), runs `imports.preview_file`
on the bytes and reports the time taken, how far the peak RSS grew and what the user is told
(refused, or how many row problems). A row fails when a target is missed or the file was not
refused/reported as it should be.

`python -m bench.caselog_import_hostile` prints the rows alone.
"""
import json
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFUSAL_SECONDS = 2.0
PREVIEW_SECONDS = 5.0
GROWTH_TARGET_MB = 300
CHILD_TIMEOUT = 120  # a file that would run for minutes fails its row instead of hanging make bench


def cases():
    """(label, file name, bytes, expected outcome: "refused" or "reported")."""
    from tests import caselog_import_builders as build

    five_mb = 5 * 1024 * 1024
    return [
        ("XLSX zip bomb, 5 M repeated cells", "bom.xlsx", build.xlsx_zip_bomb(cells=5_000_000), "refused"),
        ("XLSX zip bomb, 80 M repeated cells", "bom-besar.xlsx",
         build.xlsx_zip_bomb(cells=80_000_000, per_row=100_000), "refused"),
        ("XLSX one row of 2 M empty cells", "baris.xlsx", build.xlsx_one_row_of_many_cells(2_000_000), "refused"),
        ("XLSX claiming A1:XFD1048576", "dimensi.xlsx", build.xlsx_claiming_a_huge_dimension(), "reported"),
        ("XLSX entity expansion (billion laughs)", "entitas.xlsx", build.xlsx_billion_laughs(), "refused"),
        ("CSV 5 MB, one enormous field", "besar.csv", build.csv_with_one_enormous_field(five_mb - 1024), "reported"),
        ("CSV 20,000 rows with NUL bytes", "nul.csv", build.csv_with_nuls(rows=20_000), "reported"),
        ("XLSX 2.5 M numbered cells, ratio under 100", "sel.xlsx", numbered_cells(2_500_000), "refused"),
        ("CSV 20,000 honest rows (reference)", "jujur.csv", build.import_csv(
            [build.import_row(no_laporan=f"LP/{i}/SINTETIS") for i in range(20_000)]), "accepted"),
    ]


def numbered_cells(cells, per_row=500):
    """Cells that differ from each other, so the archive stays under the compression-ratio limit
    and only the streaming count of cells can refuse it."""
    from tests import caselog_import_builders as build

    def chunks():
        for row in range(1, cells // per_row + 1):
            yield b'<row r="%d">' % row + b"".join(b"<c><v>%d</v></c>" % ((row * 7919 + i * 104729) % 997)
                                                    for i in range(per_row)) + b"</row>"
    return build.workbook_from_sheet_xml(chunks())


def peak_rss_kib():
    """This process's peak resident set (`VmHWM`). Not `ru_maxrss`: Linux carries the parent's
    peak over fork and exec into the child."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@contextmanager
def caselog_app():
    """An app on a throwaway SQLite database with the case-log's reference lists, in its app
    context (shared with bench/caselog_import_whole.py)."""
    from config import TestingConfig
    from course_app import create_app
    from course_app.extensions import db
    from course_app.services.caselog import lookups

    with tempfile.TemporaryDirectory() as tmp:
        class Config(TestingConfig):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp}/bench.sqlite3"

        app = create_app(Config)
        with app.app_context():
            db.create_all()
            lookups.seed_reference_data()
            db.session.commit()
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()


def child(path, name):
    """Runs in the fresh subprocess: preview the file at `path`, print time, growth, outcome."""
    import time

    from course_app.extensions import db
    from course_app.services import DomainError
    from course_app.services.caselog import imports

    with caselog_app():
        data = Path(path).read_bytes()
        before = peak_rss_kib()
        start = time.perf_counter()
        try:
            _batch, result = imports.preview_file(name, data, "polres", None)
            outcome = {"outcome": "reported" if result.problems else "accepted",
                       "problems": len(result.problems),
                       "first": [str(v) for v in result.problems[0]] if result.problems else None}
        except DomainError as error:
            outcome = {"outcome": "refused", "message": str(error.message)}
        seconds = time.perf_counter() - start
        after = peak_rss_kib()
        db.session.rollback()
    print(json.dumps({"seconds": seconds, "growth_mb": (after - before) / 1024, **outcome}))


def measure(name, data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            result = subprocess.run([sys.executable, "-m", "bench.caselog_import_hostile", "--child", str(path), name],
                                    cwd=ROOT, capture_output=True, text=True, check=True, timeout=CHILD_TIMEOUT)
        except subprocess.TimeoutExpired:
            return {"seconds": float(CHILD_TIMEOUT), "growth_mb": float("nan"), "outcome": "timeout"}
    return json.loads(result.stdout.strip().splitlines()[-1])


def rows_for(label, name, data, expected):
    figures = measure(name, data)
    seconds, growth, outcome = figures["seconds"], figures["growth_mb"], figures["outcome"]
    as_expected = outcome == expected
    target = REFUSAL_SECONDS if expected == "refused" else PREVIEW_SECONDS
    size = len(data) / 1024
    size = f"{size:.0f} KB" if size < 1024 else f"{size / 1024:.1f} MB"
    return [
        (f"import preview: {label} ({size}): {outcome}, time", f"{seconds:.2f} s",
         f"< {target:.0f} s, {expected}", seconds / target,
         seconds < target and as_expected),
        (f"import preview: {label}: peak RSS growth", f"{growth:.0f} MB",
         f"< {GROWTH_TARGET_MB} MB", growth / GROWTH_TARGET_MB, growth < GROWTH_TARGET_MB),
    ]


def table():
    rows = []
    for label, name, data, expected in cases():
        rows.extend(rows_for(label, name, data, expected))
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
    else:
        for row in table():
            print(row)
