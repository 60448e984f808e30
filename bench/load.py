"""`make load`: a bounded load test (issue 6, product §9), loopback only, at most 2 minutes.

1. Creates a throwaway PostgreSQL database on 127.0.0.1:5432 (user postgres; LOAD_PG_URL
   overrides the server), migrates it, loads the content, makes a signing key, participants
   who have read every lesson, and couples with issued certificates.
2. Starts gunicorn (2 sync workers, production config over plain HTTP: CSRF on, scrypt
   passwords, rate limits on with limits a load test from one address doesn't reach, quiz
   cool-down off so participants can retry within the run).
3. Runs locust headless (bench/locustfile.py): participants log in and take quizzes while
   officiants verify certificates on `/v/<id>` and the status API.
4. Checks zero server errors (no 5xx, nothing in gunicorn's error log) and that every attempt
   the load generator saw accepted is in the database exactly once, submitted, with no other
   submitted attempt; prints throughput and p50/p95/p99 per request type; drops the database.

Exits 1 when a check fails.
"""
import csv
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PG_SERVER = os.environ.get("LOAD_PG_URL", "postgresql://postgres@127.0.0.1:5432")
USERS = int(os.environ.get("LOAD_USERS", "30"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
PARTICIPANTS = 60
COUPLES = 10
PASSWORD = "beban-uji-" + secrets.token_hex(6)


def admin(sql):
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def seed(database_url, tmp):
    """Everything the users need, through the app's own services; returns the seed file."""
    from flask_migrate import upgrade

    from bench.verify_http import production_env
    from course_app import create_app
    from course_app.extensions import db
    from course_app.models import Couple, CoupleMember, LessonProgress, QuizAttempt, User, UserRole
    from course_app.services import certificates, clock, content, learning, signing
    from course_app.services.clock import utcnow
    from course_app.services.passwords import hash_password

    env = production_env(database_url, tmp)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": env["SECRET_KEY"],
                      "SIGNING_KEYS_DIR": env["SIGNING_KEYS_DIR"], "APP_ENV": "development",
                      "PUBLIC_BASE_URL": env["PUBLIC_BASE_URL"], "LOG_LEVEL": "WARNING"})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        content.load_content(str(ROOT / "content"))
        signing.generate_key()
        modules = learning.list_modules()
        past = utcnow() - timedelta(days=1)
        password_hash = hash_password(PASSWORD)  # scrypt once; every load user shares it
        emails, couples = [], []
        for n in range(PARTICIPANTS + 2 * COUPLES):
            user = User(email=f"beban{n}@contoh.test", full_name=f"Peserta Beban {n}",
                        birth_date=clock.today().replace(year=1995), password_hash=password_hash)
            user.roles = [UserRole(role="participant")]
            db.session.add(user)
            db.session.flush()
            for module in modules:
                for lesson in module.lessons:
                    db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id, opened_at=past,
                                                  read_at=past))
            if n < PARTICIPANTS:
                emails.append(user.email)
            else:  # partners who passed every module, for certificates
                for module in modules:
                    db.session.add(QuizAttempt(user_id=user.id, module_id=module.id,
                                               module_version=module.version, pass_mark=80, started_at=past,
                                               submitted_at=past, score_percent=90, correct_count=9,
                                               passed=True))
                couples.append(user)
        db.session.flush()
        ids = []
        for first, second in zip(couples[::2], couples[1::2], strict=True):
            couple = Couple(planned_wedding_date=clock.today() + timedelta(days=60),
                            institution_type="gereja", institution_name="Jemaat Beban", created_by_id=first.id)
            db.session.add(couple)
            db.session.flush()
            for user in (first, second):
                db.session.add(CoupleMember(couple_id=couple.id, user_id=user.id, active_user_id=user.id))
            db.session.flush()
            ids.append(certificates.issue_certificate(couple).id)
        db.session.commit()
        codes = [m.code for m in learning.list_modules()]
        db.session.remove()
        db.engine.dispose()
    path = Path(tmp) / "seed.json"
    path.write_text(json.dumps({"participants": emails, "password": PASSWORD, "certificates": ids,
                                "modules": codes}))
    return path, env["SIGNING_KEYS_DIR"]


def submitted_attempts(database_url):
    """{attempt id: how many rows} for submitted attempts of the load's participants."""
    import psycopg

    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        rows = connection.execute(
            "SELECT a.id, count(*) FROM quiz_attempts a JOIN users u ON u.id = a.user_id "
            "WHERE a.submitted_at IS NOT NULL AND u.email LIKE 'beban%%' AND u.full_name LIKE 'Peserta Beban %%' "
            "AND a.started_at > now() - interval '1 hour' GROUP BY a.id").fetchall()
    return dict(rows)


def read_stats(prefix):
    with open(f"{prefix}_stats.csv") as handle:
        return list(csv.DictReader(handle))


def main():
    from bench.verify_http import production_env, start_gunicorn, stop_gunicorn

    name = f"load_{secrets.token_hex(4)}"
    database_url = f"{PG_SERVER.replace('postgresql://', 'postgresql+psycopg://')}/{name}"
    tmp = tempfile.mkdtemp(prefix="load-")
    admin(f'CREATE DATABASE "{name}"')
    failures = []
    try:
        seed_file, _keys = seed(database_url, tmp)
        env = production_env(database_url, tmp, QUIZ_COOLDOWN_SECONDS="0",
                             LOGIN_RATE_LIMIT="100000 per minute", LOGIN_MAX_FAILURES="1000")
        log_path = Path(tmp) / "gunicorn.log"
        with open(log_path, "w") as log:
            process, base = start_gunicorn(env, log=log)
            outcome, prefix = Path(tmp) / "outcome.json", f"{tmp}/locust"
            try:
                started = time.monotonic()
                subprocess.run(
                    [str(ROOT / ".venv" / "bin" / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"),
                     "--headless", "--host", base, "-u", str(USERS), "-r", str(USERS),
                     "-t", f"{SECONDS}s", "--stop-timeout", "10", "--csv", prefix, "--only-summary",
                     "--loglevel", "WARNING"],
                    env=dict(os.environ, LOAD_SEED=str(seed_file), LOAD_OUTCOME=str(outcome)),
                    cwd=ROOT, timeout=SECONDS + 40, check=False)
                elapsed = time.monotonic() - started
            finally:
                stop_gunicorn(process)
        stats = read_stats(prefix)
        result = json.loads(outcome.read_text())
        server_log = log_path.read_text()
        in_db = submitted_attempts(database_url)
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    print(f"\nmake load: {USERS} users for {SECONDS} s against gunicorn (2 workers) on PostgreSQL "
          f"(throwaway database {name}, dropped); wall time {elapsed:.0f} s\n")
    print(f"{'request':34} {'count':>7} {'5xx/fail':>8} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}  (ms)")
    server_errors = 0
    for row in stats:
        print(f"{row['Name'][:34]:34} {row['Request Count']:>7} {row['Failure Count']:>8} "
              f"{float(row['Requests/s']):7.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}")
        if row["Name"] != "Aggregated":
            server_errors += int(row["Failure Count"])
    accepted = result["accepted"]
    print(f"\nquiz submissions accepted by the server (seen by the load generator): {len(accepted)}; "
          f"refused: {len(result['refused'])}")
    print(f"submitted attempts in the database: {len(in_db)}")

    if server_errors:
        failures.append(f"{server_errors} failed requests (5xx, connection errors or missing tokens)")
    if "Traceback" in server_log or " 500 " in server_log:
        failures.append("the server logged errors:\n" + server_log[-3000:])
    if result["refused"]:
        failures.append(f"submissions refused: {result['refused'][:5]}")
    if len(set(accepted)) != len(accepted):
        failures.append("an attempt was accepted twice")
    if set(in_db) != set(accepted) or any(count != 1 for count in in_db.values()):
        failures.append(f"database and generator disagree: {len(set(accepted) - set(in_db))} accepted but "
                        f"missing, {len(set(in_db) - set(accepted))} submitted but never accepted")
    if not accepted:
        failures.append("no quiz was submitted")
    for failure in failures:
        print("FAIL:", failure)
    print("PASS: zero server errors; every accepted attempt is in the database exactly once"
          if not failures else "")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
