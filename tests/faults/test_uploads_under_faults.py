"""Uploads under faults, against gunicorn (production config, CSRF on) on a throwaway PostgreSQL:

* a worker killed mid-upload leaves no half record (no letter, no file blob) and the same form
  goes through afterwards;
* bodies over the size limit, many at once, get the friendly 413 straight from the headers
  (the body is never read), and concurrent valid uploads at the limit — each sent twice at the
  same moment — land exactly once.
"""
import html
import http.cookiejar
import os
import re
import signal
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask_migrate import upgrade
from sqlalchemy import func, select

from config import TestingConfig
from course_app import create_app
from course_app.extensions import db
from course_app.models.letters import FileBlob, Letter
from course_app.services import clock

from .. import factories

pytestmark = pytest.mark.no_app_context

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")
MAX_UPLOAD_MB = 1
MAX_FILE = MAX_UPLOAD_MB * 1024 * 1024          # uploads.max_upload_bytes()
MAX_REQUEST = MAX_FILE + 64 * 1024              # MAX_CONTENT_LENGTH
USER_AGENT = "pranikah-fault-tests/1"


def production_env(url):
    return {
        "APP_ENV": "production", "DATABASE_URL": url,
        "SECRET_KEY": "uploads-under-faults-secret-key-0123456789",
        "CASELOG_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "MAX_UPLOAD_MB": str(MAX_UPLOAD_MB),
        "SESSION_COOKIE_SECURE": "0",            # plain HTTP on loopback, no proxy in front
        "LOGIN_RATE_LIMIT": "1000 per minute",   # every test login comes from 127.0.0.1
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_ALLOW_MEMORY": "1",           # one in-process server
        "MAIL_SERVER": "smtp.invalid",           # queued in the outbox, never sent here
    }


@pytest.fixture
def database(throwaway_postgres):
    """The in-process app on the throwaway database (schema through the migrations)."""
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = throwaway_postgres.url

    app = create_app(Config)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def participants(app, count):
    with app.app_context():
        emails = [factories.make_user(roles=("participant",)).email for _ in range(count)]
        db.session.commit()
        db.session.remove()
    return emails


def counts(app):
    """{email: letters} and the number of file blobs, read fresh from the database."""
    from course_app.models.accounts import User
    with app.app_context():
        rows = db.session.execute(select(User.email, func.count(Letter.id))
                                  .outerjoin(Letter, Letter.user_id == User.id)
                                  .group_by(User.email)).all()
        blobs = db.session.scalar(select(func.count(FileBlob.id)))
        sizes = db.session.scalars(select(FileBlob.size)).all()
        db.session.remove()
    return dict(rows), blobs, sizes


def hidden(page, name):
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or \
        re.search(rf'value="([^"]*)"[^>]*name="{name}"', page)
    assert match, f"no {name} in the page"
    return html.unescape(match.group(1))


class Participant:
    """A logged-in browser: cookies from a real login with the CSRF token of the login form."""

    def __init__(self, base, email):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.addheaders = [("User-Agent", USER_AGENT)]  # the session is tied to it
        token = hidden(self.get("/masuk"), "csrf_token")
        data = urllib.parse.urlencode({"email": email, "password": factories.PASSWORD,
                                       "csrf_token": token}).encode()
        with self.opener.open(f"{base}/masuk", data=data, timeout=15) as response:
            assert response.url == f"{base}/beranda", "login failed"

    def get(self, path):
        with self.opener.open(f"{self.base}{path}", timeout=15) as response:
            return response.read().decode()

    def cookie_header(self):
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def upload_form(self, data, number):
        """(headers, body) of the upload form filled in, with fresh CSRF and upload tokens."""
        page = self.get("/surat/unggah")
        fields = {"csrf_token": hidden(page, "csrf_token"), "upload_token": hidden(page, "upload_token"),
                  "number": number, "police_office": "polres_kupang_kota",
                  "issued_on": (clock.today() - timedelta(days=10)).isoformat(), "valid_until": ""}
        boundary = uuid.uuid4().hex
        body = bytearray()
        for name, value in fields.items():
            body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                     f"{value}\r\n").encode()
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                 f"filename=\"skck.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").encode()
        body += data + f"\r\n--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}",
                   "Cookie": self.cookie_header(), "User-Agent": USER_AGENT}
        return headers, bytes(body)


def open_post(base, path, headers, content_length):
    """A raw connection with the request line and headers sent (no body yet)."""
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    sock = socket.create_connection((host, int(port)), timeout=15)
    head = f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: {content_length}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "Connection: close\r\n\r\n"
    sock.sendall(head.encode())
    return sock


def read_response(sock):
    """(status, headers text, body text) of the answer on `sock`; (None, '', '') if none came."""
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except (ConnectionResetError, TimeoutError):
        pass
    sock.close()
    raw = b"".join(chunks)
    if not raw:
        return None, "", ""
    head, _sep, body = raw.partition(b"\r\n\r\n")
    return int(head.split()[1]), head.decode("latin-1"), body.decode("utf-8", "replace")


def post(base, path, headers, body):
    sock = open_post(base, path, headers, len(body))
    sock.sendall(body)
    return read_response(sock)


def pdf_of_size(size, text):
    """A valid one-page PDF of exactly `size` bytes (a padding stream object makes up the rest)."""
    pad = size
    for _ in range(5):
        data = factories.pdf_bytes(page_text=text, objects=[
            b"<< /Length %d >>\nstream\n" % pad + b"0" * pad + b"\nendstream"])
        if len(data) == size:
            return data
        pad += size - len(data)
    raise AssertionError("could not hit the size")


def test_worker_killed_mid_upload_leaves_no_half_record(database, throwaway_postgres, gunicorn):
    server = gunicorn(production_env(throwaway_postgres.url), workers=2)
    [email] = participants(database, 1)
    person = Participant(server.base, email)
    headers, body = person.upload_form(pdf_of_size(600_000, "SKCK PUTUS"), "SKCK/YANMAS/0001/2026")

    sock = open_post(server.base, "/surat/unggah", headers, len(body))
    sock.sendall(body[: len(body) // 2])  # half the file is on its way...
    client_port = sock.getsockname()[1]
    deadline = time.monotonic() + 5
    while (victim := server.worker_holding(client_port)) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert victim is not None, "no worker holds the connection"
    time.sleep(0.3)  # the worker is inside the request, reading the body
    survivors = set(server.worker_pids()) - {victim}
    os.kill(victim, signal.SIGKILL)
    status, _head, _text = read_response(sock)
    assert status is None  # the connection died with the worker: no answer, no success

    # The master replaces the worker; the other one kept serving throughout.
    deadline = time.monotonic() + 30
    while (len(server.worker_pids()) < 2 or victim in server.worker_pids()) \
            and time.monotonic() < deadline:
        time.sleep(0.1)
    workers = server.worker_pids()
    assert victim not in workers and len(workers) == 2, server.output()
    assert survivors <= set(server.worker_pids())

    letters, blobs, _sizes = counts(database)
    assert letters[email] == 0 and blobs == 0  # nothing half-saved

    # Sending the same form again (same tokens) works and stores it once.
    status, head, _text = post(server.base, "/surat/unggah", headers, body)
    assert status == 302 and "Location: /surat/" in head, head
    letters, blobs, sizes = counts(database)
    assert letters[email] == 1 and blobs == 1 and sizes == [600_000]
    assert "SKCK/YANMAS/0001/2026" in person.get("/surat/")


def test_size_limit_filled_by_concurrent_uploads(database, throwaway_postgres, gunicorn):
    server = gunicorn(production_env(throwaway_postgres.url), workers=4)
    emails = participants(database, 4)
    people = [Participant(server.base, email) for email in emails]

    # Too large: the headers alone decide. No body is ever sent, so an answer proves it unread
    # (a server waiting for the body would leave the socket silent until its 15 s timeout, and
    # read_response would give no status).
    results = []

    def too_large(person):
        headers, _body = person.upload_form(b"", "SKCK/YANMAS/9999/2026")
        sock = open_post(server.base, "/surat/unggah", headers, MAX_REQUEST + 1)
        results.append(read_response(sock))

    threads = [threading.Thread(target=too_large, args=(p,)) for p in people + people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not any(thread.is_alive() for thread in threads)
    assert len(results) == 8
    for status, _head, text in results:
        assert status == 413 and "Berkas terlalu besar" in text
    assert counts(database)[1] == 0

    # At the limit: every participant's file, each form sent twice at the same moment.
    forms = [person.upload_form(pdf_of_size(MAX_FILE, f"SKCK {n}"), f"SKCK/YANMAS/{n:04d}/2026")
             for n, person in enumerate(people, start=1)]
    assert all(len(body) <= MAX_REQUEST for _headers, body in forms)
    answers, barrier = [], threading.Barrier(len(forms) * 2)

    def upload(headers, body):
        barrier.wait(10)
        answers.append(post(server.base, "/surat/unggah", headers, body))

    threads = [threading.Thread(target=upload, args=form) for form in forms + forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert len(answers) == 8, server.output()
    assert [status for status, _h, _t in answers] == [302] * 8, server.output()
    assert all("Location: /surat/\r\n" in head for _s, head, _t in answers)  # stored, not logged out
    letters, blobs, sizes = counts(database)
    assert all(letters[email] == 1 for email in emails), letters
    assert blobs == 4 and sizes == [MAX_FILE] * 4
