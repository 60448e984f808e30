"""No account enumeration by timing (product §8, issue 9 point 6): the registration and reset
pages take as long for an address that has an account as for one that has none.

Each figure is the ratio of median request times, registered address ÷ unregistered address,
through the real views (test client, CSRF off) with the production password hash (scrypt) on a
temporary SQLite database. Requests alternate between the two addresses so drift hits both.
Target: within ±15 %. (The tests check this structurally — both paths hash once and queue one
email, or sign one token; this bench puts a number on it.)
"""
import statistics
import tempfile
import time

RUNS = 30
TOLERANCE = 0.15


def _median_ms(timings):
    return statistics.median(timings) * 1000


def measure(runs=RUNS):
    from config import TestingConfig
    from course_app import create_app
    from course_app.extensions import db
    from course_app.services import accounts

    tmp = tempfile.mkdtemp()

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp}/bench.sqlite3"
        PASSWORD_HASH_METHOD = "scrypt"  # production's cost: the part an attacker would time

    app = create_app(Config)
    client = app.test_client()
    password = "Bangku-Taman-Kupang-Sore"
    form = {"full_name": "Peserta Bench", "birth_date": "1998-05-17", "sex": "P", "phone": "",
            "password": password, "password_confirm": password, "consent": "y"}
    with app.app_context():
        db.create_all()
        accounts.create_user(email="terdaftar@bench.example", password=password,
                             roles=("participant",), full_name="Peserta Terdaftar")
        db.session.commit()
        times = {"register_taken": [], "register_new": [], "reset_known": [], "reset_unknown": []}
        for n in range(runs):
            for key, path, data in (
                    ("register_taken", "/daftar", dict(form, email="terdaftar@bench.example")),
                    ("register_new", "/daftar", dict(form, email=f"baru{n}@bench.example")),
                    ("reset_known", "/lupa-kata-sandi", {"email": "terdaftar@bench.example"}),
                    ("reset_unknown", "/lupa-kata-sandi", {"email": f"tidak{n}@bench.example"})):
                started = time.perf_counter()
                response = client.post(path, data=data)
                times[key].append(time.perf_counter() - started)
                assert response.status_code == 302, (path, response.status_code)
        db.session.remove()
        db.engine.dispose()
    return {key: _median_ms(value) for key, value in times.items()}


def table():
    medians = measure()
    rows = []
    for figure, taken, free in (
            ("registration time, taken ÷ new address", "register_taken", "register_new"),
            ("reset request time, known ÷ unknown address", "reset_known", "reset_unknown")):
        ratio = medians[taken] / medians[free]
        rows.append((figure, f"{medians[taken]:.1f}/{medians[free]:.1f} ms",
                     f"ratio within 1 ± {TOLERANCE}", ratio, abs(ratio - 1) <= TOLERANCE))
    return rows


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    for row in table():
        print(row)
