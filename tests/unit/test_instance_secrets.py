"""No public secret (product §8, issue 9 point 3).

Without SECRET_KEY, `make run` and any non-production gunicorn used to sign cookies with a
constant from the repository: anyone could forge a remember cookie for any user id, and the
development case-log key derived from it decrypted victims' names. Now such an instance makes
random secrets of its own, once, in its instance folder.
"""
import re
import stat
import subprocess
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask_login.utils import encode_cookie

import config as config_module
from config import DevelopmentConfig
from course_app import create_app
from course_app.extensions import db
from course_app.instance_secrets import CASELOG_KEY_FILE, SECRET_KEY_FILE, instance_secret
from course_app.services.clock import utcnow

from .. import factories

ROOT = Path(__file__).resolve().parents[2]


def development_app(app, instance_dir):
    class Config(DevelopmentConfig):
        SECRET_KEY = ""
        CASELOG_ENCRYPTION_KEYS = ""
        INSTANCE_DIR = str(instance_dir)
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        RATELIMIT_ENABLED = False
    return create_app(Config)


def dispose(*apps):
    for made in apps:
        with made.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_development_instance_makes_its_secrets_once_and_keeps_them(app, tmp_path):
    first = development_app(app, tmp_path)
    again = development_app(app, tmp_path)
    elsewhere = development_app(app, tmp_path / "other")
    try:
        key = first.config["SECRET_KEY"]
        assert len(key) >= 48
        assert again.config["SECRET_KEY"] == key
        assert elsewhere.config["SECRET_KEY"] != key
        for name in (SECRET_KEY_FILE, CASELOG_KEY_FILE):
            path = tmp_path / name
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert (tmp_path / SECRET_KEY_FILE).read_text().strip() == key
        case_key = first.config["CASELOG_ENCRYPTION_KEYS"]
        Fernet(case_key.encode())  # a real Fernet key, random
        assert again.config["CASELOG_ENCRYPTION_KEYS"] == case_key
        assert elsewhere.config["CASELOG_ENCRYPTION_KEYS"] != case_key
    finally:
        dispose(first, again, elsewhere)


def test_secrets_from_the_environment_are_used_and_nothing_is_written(app, tmp_path):
    class Config(DevelopmentConfig):
        SECRET_KEY = "s" * 48
        CASELOG_ENCRYPTION_KEYS = Fernet.generate_key().decode()
        INSTANCE_DIR = str(tmp_path)
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        RATELIMIT_ENABLED = False
    made = create_app(Config)
    try:
        assert made.config["SECRET_KEY"] == "s" * 48
        assert not (tmp_path / SECRET_KEY_FILE).exists() and not (tmp_path / CASELOG_KEY_FILE).exists()
    finally:
        dispose(made)


def test_two_processes_starting_at_once_agree_on_one_secret(tmp_path):
    values = iter(["first-value", "second-value"])
    kept = instance_secret(tmp_path, "shared", lambda: next(values))
    assert instance_secret(tmp_path, "shared", lambda: next(values)) == kept == "first-value"
    assert [p.name for p in tmp_path.iterdir()] == ["shared"]  # no temporary file left behind


def test_a_world_readable_secret_file_is_made_private(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("x" * 48)
    path.chmod(0o644)
    instance_secret(tmp_path, "secret_key", lambda: "unused")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def repository_strings():
    """Every quoted string and every word of every tracked text file: what an attacker reads."""
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    found = set()
    for name in files:
        if "/vendor/" in name or name.endswith((".png", ".jpg", ".ttf", ".mo", ".pdf", ".ico", ".woff2")):
            continue
        try:
            content = (ROOT / name).read_text()
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        found.update(re.findall(r"""["']([^"'\n]{1,200})["']""", content))
        found.update(content.split())
    found.update(config_module.INSECURE_SECRET_KEYS)
    return found


def forged_session(secret, session_id):
    forger = Flask("forger")
    forger.secret_key = secret
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    return serializer.dumps({"_user_id": session_id, "_fresh": True})


def test_a_cookie_signed_with_any_value_in_the_repository_is_refused(app, tmp_path):
    admin = factories.make_user(roles=("admin", "caseworker"))
    db.session.commit()
    made = development_app(app, tmp_path)
    try:
        strings = repository_strings()
        assert made.config["SECRET_KEY"] not in strings
        assert made.config["CASELOG_ENCRYPTION_KEYS"] not in strings
        session_id = f"{admin.id}.{admin.session_generation}.{int(utcnow().timestamp())}"
        suspects = sorted(s for s in strings if re.search(r"secret|key|dev|change", s, re.I))[:300]
        suspects += sorted(config_module.INSECURE_SECRET_KEYS)
        with made.app_context():
            for secret in filter(None, suspects):  # Flask signs nothing with an empty key
                browser = made.test_client()
                browser.set_cookie("session", forged_session(secret, session_id))
                assert browser.get("/admin/pengguna").status_code != 200, secret
                browser = made.test_client()
                browser.set_cookie("remember_token", encode_cookie(session_id, key=secret.encode()))
                assert browser.get("/admin/pengguna").status_code != 200, secret
    finally:
        dispose(made)


def test_a_cookie_signed_with_the_instance_secret_is_accepted(app, tmp_path):
    """The other side of the test above: the forging is done right, only the key is wrong."""
    admin = factories.make_user(roles=("admin",))
    db.session.commit()
    made = development_app(app, tmp_path)
    try:
        session_id = f"{admin.id}.{admin.session_generation}.{int(utcnow().timestamp())}"
        with made.app_context():
            browser = made.test_client()
            browser.set_cookie("session", forged_session(made.config["SECRET_KEY"], session_id))
            assert browser.get("/admin/pengguna").status_code == 200
    finally:
        dispose(made)


@pytest.mark.parametrize("name", ["SECRET_KEY", "CASELOG_ENCRYPTION_KEYS"])
def test_no_secret_has_a_default_value_in_the_code(name):
    assert not getattr(config_module.Config, name)
