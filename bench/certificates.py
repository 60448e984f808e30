"""Certificates (product §9):

- issuing one certificate (snapshot + sign + QR + PDF + insert): median < 50 ms;
- the QR for two 45-character names: ≤ version 12 at level M, ≤ 15 at Q.

(The verification page and status API under gunicorn are measured by bench/verify_http.py.)

Issuing runs the real `issue_certificate` on a temporary SQLite database with content loaded,
for couples whose partners passed every module, so the figure includes the snapshot queries.
`measure_issue` also leaves that database (with one certificate) for bench/verify_http.py.
"""
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ISSUE_TARGET_MS = 50  # docs/product.md §9
RUNS = 25
BASE_URL = "https://pranikah-kupang.example.org"


def measure_issue(runs=RUNS, tmp=None):
    from config import TestingConfig
    from course_app import create_app
    from course_app.extensions import db
    from course_app.models import Couple, CoupleMember, LessonProgress, QuizAttempt, User
    from course_app.services import certificates, clock, content, learning, signing
    from course_app.services.clock import utcnow

    tmp = tmp or tempfile.mkdtemp()

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp}/bench.sqlite3"
        SIGNING_KEYS_DIR = f"{tmp}/keys"
        PUBLIC_BASE_URL = BASE_URL

    app = create_app(Config)
    timings = []
    with app.app_context():
        db.create_all()
        content.load_content(str(ROOT / "content"))
        signing.generate_key()
        modules = learning.list_modules()
        past = utcnow() - timedelta(days=1)
        couples = []
        for n in range(runs + 3):
            people = []
            for k in range(2):
                user = User(email=f"bench{n}-{k}@example.com", full_name=f"Peserta Bench {n} {'AB'[k]}",
                            birth_date=date(1995, 1, 1), password_hash="x")
                db.session.add(user)
                db.session.flush()
                for module in modules:
                    for lesson in module.lessons:
                        db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id, opened_at=past, read_at=past))
                    db.session.add(QuizAttempt(user_id=user.id, module_id=module.id, module_version=module.version,
                                               pass_mark=80, started_at=past, submitted_at=past, score_percent=90,
                                               correct_count=9, passed=True))
                people.append(user)
            couple = Couple(planned_wedding_date=clock.today() + timedelta(days=60), institution_type="gereja",
                            institution_name="Jemaat Bench", created_by_id=people[0].id)
            db.session.add(couple)
            db.session.flush()
            for user in people:
                db.session.add(CoupleMember(couple_id=couple.id, user_id=user.id, active_user_id=user.id))
            couples.append(couple)
        db.session.commit()
        for index, couple in enumerate(couples):
            start = time.perf_counter()
            certificates.issue_certificate(couple)
            db.session.flush()
            elapsed = time.perf_counter() - start
            if index >= 3:  # the first ones warm caches (fonts, templates)
                timings.append(elapsed * 1000)
        db.session.commit()
        certificate_id = certificates.live_certificate(couples[-1]).id
        db.session.remove()
        db.engine.dispose()
    return statistics.median(timings), certificate_id


def qr_versions():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from course_app.services import qr, signing

    class Key:
        kid_bytes = bytes(4)

    now = datetime(2027, 1, 4, tzinfo=UTC)
    claims = signing.CertificateClaims("BIFQYDIOB4IBCEQT", now, now + timedelta(days=365),
                                       ("Peserta Contoh Pertama Bernama Sangat Panjang", "Peserta Contoh Kedua Bernama Sangat Panjang X"), "P3A-KPG",
                                       (date(1900, 1, 1), date(2008, 12, 31)))  # format 2: birth dates
    assert all(len(name) == 45 for name in claims.names)
    token = signing.b32encode(signing.certificate_token(claims, Key(), Ed25519PrivateKey.generate()))
    content = qr.verify_url(BASE_URL, claims.certificate_id, token)
    return qr.version(content, "M"), qr.version(content, "Q")


def table():
    tmp = tempfile.mkdtemp()
    median_ms, _certificate_id = measure_issue(tmp=tmp)
    version_m, version_q = qr_versions()
    return [
        ("issue one certificate (sign+QR+PDF), median", f"{median_ms:.1f} ms", f"< {ISSUE_TARGET_MS} ms",
         median_ms / ISSUE_TARGET_MS, median_ms < ISSUE_TARGET_MS),
        ("QR version, two 45-char names, level M", f"{version_m}", "<= 12", version_m / 12, version_m <= 12),
        ("QR version, two 45-char names, level Q", f"{version_q}", "<= 15", version_q / 15, version_q <= 15),
    ]


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(ROOT))
    for row in table():
        print(row)
