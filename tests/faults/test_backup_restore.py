"""A backup restores: `pg_dump -Fc` of a live database, `pg_restore` into an EMPTY database, the
same key files and secrets — and the restored app serves the same certificates and case-log.

This is the procedure of docs/deploy.md ("Backups" and "Restoring"), on a throwaway cluster.
"""
import hashlib
import json
import re
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask_migrate import upgrade

from config import TestingConfig
from course_app import create_app
from course_app.extensions import db
from course_app.models.caselog import Case
from course_app.models.certificates import Certificate
from course_app.services import certificate_pdf, certificates, signing
from course_app.services.caselog import cases as caselog_cases
from course_app.services.caselog import crypto

from .. import factories
from ..certificate_builders import make_certificate, make_modules
from .conftest import create_database, database_url, dump_database, restore_database

pytestmark = pytest.mark.no_app_context

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")
SECRET_KEY = "backup-restore-secret-key-0123456789abcdef"


def config_for(url, keys_dir, caselog_keys):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url
        SECRET_KEY = globals()["SECRET_KEY"]
        SIGNING_KEYS_DIR = str(keys_dir)
        CASELOG_ENCRYPTION_KEYS = caselog_keys
    return Config


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def page_text(html):
    """A page without its per-request parts (CSP nonces)."""
    return re.sub(r'nonce="[^"]*"', 'nonce=""', html)


def served(base, ids):
    """What the app answers about each certificate: the page and the public JSON."""
    answers = {}
    for cid in ids:
        page_status, page = get(f"{base}/v/{cid}")
        api_status, api = get(f"{base}/api/v1/certificates/{cid}")
        answers[cid] = (page_status, page_text(page), api_status, json.loads(api))
    return answers


def stored(ids, case_id):
    """What the database holds: PDFs, tokens and their verification, keys, a decrypted case."""
    found = {}
    for cid in ids:
        certificate = db.session.get(Certificate, cid)
        pdf = certificate.pdf
        token = certificates.token_text(certificate)
        check = certificates.verify_token(token)
        found[cid] = {
            "pdf_sha256": hashlib.sha256(pdf).hexdigest(), "recorded_sha256": certificate.pdf_sha256,
            "pdf_rerendered_sha256": certificate_pdf.sha256(certificate_pdf.render(certificate.snapshot)),
            "token": token, "verified": (check.status, check.reason, check.claims.certificate_id),
        }
    case = db.session.get(Case, case_id)
    found["case"] = caselog_cases.payload_from_case(case)
    found["keys"] = signing.published_keys()
    found["can_sign"] = signing.can_sign()
    return found


def test_restore_into_an_empty_database_serves_the_same_certificates(
        throwaway_postgres, serve, tmp_path):
    keys_dir = tmp_path / "host-a" / "keys"
    caselog_keys = Fernet.generate_key().decode()
    live = create_app(config_for(throwaway_postgres.url, keys_dir, caselog_keys))
    with live.app_context():
        upgrade(directory=MIGRATIONS)  # the schema as a deploy makes it: through the migrations
        signing.generate_key()
        modules = make_modules(1)
        kept, *_ = make_certificate(modules)
        revoked, *_ = make_certificate(modules)
        reviewer = factories.make_user(roles=("reviewer",))
        certificates.revoke_certificate(revoked, reviewer, "data_error", "synthetic")
        factories.seed_caselog()
        caseworker = factories.make_user(roles=("caseworker",))
        case = factories.make_case(user=caseworker)
        db.session.commit()
        ids, case_id = [kept.id, revoked.id], case.id
        before_db = stored(ids, case_id)
        db.session.remove()
    assert before_db[kept.id]["verified"][0] == "valid"
    assert before_db[revoked.id]["verified"][0] == "revoked"
    assert before_db["case"]["victims"][0]["name"].startswith("Korban Contoh")
    before_web = served(serve(live), ids)
    assert [answer[3]["status"] for answer in before_web.values()] == ["valid", "revoked"]

    # Backup: the dump, plus the key files and the secrets (SECRET_KEY, CASELOG_ENCRYPTION_KEYS).
    dump = dump_database(throwaway_postgres, "postgres", throwaway_postgres.dir / "pranikah.dump")
    backup_keys = tmp_path / "backup" / "keys"
    shutil.copytree(keys_dir, backup_keys)
    with live.app_context():
        db.engine.dispose()

    # Restore on a "new host": an EMPTY database, the key files copied back, the same secrets.
    restored_url = create_database(throwaway_postgres, "restored")
    assert restored_url == database_url(throwaway_postgres, "restored")
    restore_database(throwaway_postgres, dump, "restored")
    new_keys = tmp_path / "host-b" / "keys"
    shutil.copytree(backup_keys, new_keys)
    restored = create_app(config_for(restored_url, new_keys, caselog_keys))
    with restored.app_context():
        after_db = stored(ids, case_id)
        db.session.remove()
    after_web = served(serve(restored), ids)

    assert after_web == before_web  # /v/<id> and /api/v1/certificates/<id>, answer for answer
    assert after_db == before_db   # PDFs, tokens, verification, public keys, decrypted case
    for cid in ids:
        assert after_db[cid]["pdf_sha256"] == after_db[cid]["recorded_sha256"] \
            == after_db[cid]["pdf_rerendered_sha256"]
    assert after_db["can_sign"]  # the copied key file matches the restored public key

    # Without the case-log key the restored case-log can't be read: it belongs in the backup.
    wrong = create_app(config_for(restored_url, new_keys, Fernet.generate_key().decode()))
    with wrong.app_context():
        with pytest.raises(crypto.KeyRingError):
            caselog_cases.payload_from_case(db.session.get(Case, case_id))
        db.session.remove()
        db.engine.dispose()
    for app in (live, restored):
        with app.app_context():
            db.engine.dispose()
