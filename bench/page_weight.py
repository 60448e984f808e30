"""First-load weight of participant pages: HTML + CSS + JS, uncompressed (product §9: < 150 KB).

Renders each page through the test client as a logged-in participant with content loaded and
adds the size of every stylesheet, script and picture the page references; every lesson that
shows a picture (issue 11 point 7) is measured too. Any reference to another host counts as a
failure (zero third-party requests). A last row counts the files a repeat visit would ask for
again: every one not answered `immutable` (product §9: zero).
"""
import re
import tempfile
from pathlib import Path

TARGET_BYTES = 150 * 1024
ROOT = Path(__file__).resolve().parents[1]
ASSET_RE = re.compile(r'<(?:script[^>]+src|link[^>]+href|img[^>]+src)="([^"]+)"')


def measure():
    from flask import g

    from config import TestingConfig
    from course_app import create_app
    from course_app.extensions import db
    from course_app.services import content, couples, quizzes
    from course_app.services.accounts import register_participant

    tmp = tempfile.mkdtemp()

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp}/bench.sqlite3"

    app = create_app(Config)
    rows = []
    with app.app_context():
        db.create_all()
        content.load_content(str(ROOT / "content"))
        from datetime import date, timedelta

        from course_app.models import Lesson, LessonProgress, Module
        from course_app.services import clock
        from course_app.services.clock import utcnow
        user = register_participant(full_name="Peserta Bench", email="bench@example.com",
                                    password="Kopi-Pagi-Sabu-Raijua", birth_date=date(1995, 1, 1), sex="P")
        couples.create_couple(user, planned_wedding_date=clock.today() + timedelta(days=60),
                              institution_type="gereja", institution_name="Jemaat Bench")
        module = db.session.scalar(db.select(Module).order_by(Module.position))
        for lesson in module.lessons:
            db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id,
                                          opened_at=utcnow() - timedelta(hours=1), read_at=utcnow()))
        db.session.flush()
        attempt = quizzes.start_attempt(user, module)
        db.session.commit()
        lesson = module.lessons[0]
        anonymous_pages = ["/", "/daftar", "/masuk", "/bantuan"]
        pages = ["/beranda", "/pasangan/", "/materi/", f"/materi/{module.code}",
                 f"/materi/{module.code}/{lesson.slug}", f"/materi/{module.code}/kuis",
                 f"/materi/kuis/{attempt.id}"]
        pages += [path for path in (f"/materi/{le.module.code}/{le.slug}" for le in db.session.scalars(
            db.select(Lesson).where(Lesson.is_active, Lesson.body_html.contains("<img")))) if path not in pages]
        g.pop("_login_user", None)  # the bench keeps one app context open across requests
        anonymous = app.test_client()
        client = app.test_client()
        client.post("/masuk", data={"email": "bench@example.com", "password": "Kopi-Pagi-Sabu-Raijua"})
        for path, client in [(p, anonymous) for p in anonymous_pages] + [(p, client) for p in pages]:
            g.pop("_login_user", None)
            response = client.get(path)
            html = response.get_data()
            total, third_party, asked_again = len(html), [], []
            for ref in set(ASSET_RE.findall(html.decode())):
                if ref.startswith(("http:", "https:", "//")):
                    third_party.append(ref)
                    continue
                asset = client.get(ref)
                if ref.endswith((".css", ".js", ".svg", ".webp")):
                    total += len(asset.get_data())
                if "immutable" not in asset.headers.get("Cache-Control", ""):
                    asked_again.append(ref)  # a repeat visit would ask for it again
            rows.append({"page": path, "status": response.status_code, "bytes": total,
                         "third_party": third_party, "asked_again": asked_again})
    return rows


def table():
    rows = measure()
    out = []
    for row in rows:
        ok = row["status"] == 200 and row["bytes"] < TARGET_BYTES and not row["third_party"]
        out.append((f"first load {row['page']}", f"{row['bytes'] / 1024:.1f} KB", "< 150 KB, 0 third-party",
                    row["bytes"] / TARGET_BYTES, ok))
    # product §9: a repeat visit asks for no static file (each is fingerprinted and immutable).
    asked_again = sorted({ref for row in rows for ref in row["asked_again"]})
    out.append(("repeat visit, every page above", f"{len(asked_again)} requests",
                "0 static requests", float(len(asked_again)), not asked_again))
    return out
