"""Protection (issue 5, point 5): names, addresses, birth dates and narratives are encrypted at
rest with Fernet keys from the environment; rotation re-encrypts and keeps data readable."""
from datetime import date

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from config import ProductionConfig
from course_app import create_app
from course_app.extensions import db
from course_app.models.caselog import Case, Victim
from course_app.services.caselog import crypto

from .. import factories

NAME, NARRATIVE, ADDRESS = "Marlina Kobasuti", "Dipukul di dapur oleh suaminya", "Jl. Rahasia No. 9"


def raw_dump():
    """Every text value of every case-log table, read with plain SQL."""
    values = []
    for table in db.metadata.sorted_tables:
        if table.name.startswith("caselog_"):
            for row in db.session.execute(text(f"SELECT * FROM {table.name}")):
                values.extend(str(v) for v in row if v is not None)
    return " ".join(values)


@pytest.fixture
def keys(app, monkeypatch):
    """Set CASELOG_ENCRYPTION_KEYS on the app for one test."""
    def use(*ring):
        monkeypatch.setitem(app.config, "CASELOG_ENCRYPTION_KEYS", ",".join(k.decode() for k in ring))
    return use


def recorded_case():
    factories.seed_caselog()
    return factories.make_case(
        narrative=NARRATIVE, guardian_name="Wali Sintetis Nomor Satu",
        victims=[{"name": NAME, "sex": "P", "birth_date": date(1990, 2, 3), "address": ADDRESS}],
        perpetrators=[{"name": "Pelaku Rahasia Sekali", "sex": "L", "age": 40, "address": "Jl. Pelaku 3"}])


def test_raw_database_holds_no_plaintext_name_address_birth_date_or_narrative():
    case = recorded_case()
    db.session.commit()

    dump = raw_dump()
    for secret in (NAME, NARRATIVE, ADDRESS, "1990-02-03", "Wali Sintetis", "Pelaku Rahasia", "Jl. Pelaku"):
        assert secret not in dump
    stored = db.session.execute(text("SELECT narrative FROM caselog_cases WHERE id = :id"),
                                {"id": case.id}).scalar()
    assert stored.startswith("gAAAAA")  # a Fernet token
    db.session.expire_all()
    assert db.session.get(Case, case.id).narrative == NARRATIVE
    victim = db.session.scalar(db.select(Victim))
    assert (victim.name, victim.address, victim.birth_date) == (NAME, ADDRESS, date(1990, 2, 3))


def test_rotation_re_encrypts_with_the_newest_key_and_keeps_data_readable(keys):
    old, new = Fernet.generate_key(), Fernet.generate_key()
    keys(old)
    case = recorded_case()
    db.session.commit()
    before = db.session.execute(text("SELECT narrative FROM caselog_cases")).scalar()

    keys(new, old)  # new key in front: new writes use it, old data still reads
    assert db.session.get(Case, case.id).narrative == NARRATIVE
    counts = crypto.rotate_keys(batch_size=2)
    db.session.commit()

    assert counts["caselog_cases"] >= 2 and counts["caselog_victims"] >= 3
    after = db.session.execute(text("SELECT narrative FROM caselog_cases")).scalar()
    assert after != before
    assert Fernet(new).decrypt(after.encode()).decode() == NARRATIVE

    keys(new)  # the old key is gone: everything still reads
    db.session.expire_all()
    assert db.session.get(Case, case.id).narrative == NARRATIVE
    assert db.session.scalar(db.select(Victim)).name == NAME


def test_data_under_a_missing_key_is_refused_with_a_clear_error(keys):
    keys(Fernet.generate_key())
    case = recorded_case()
    db.session.commit()
    keys(Fernet.generate_key())
    db.session.expire_all()
    with pytest.raises(crypto.KeyRingError, match="CASELOG_ENCRYPTION_KEYS"):
        db.session.get(Case, case.id).narrative  # noqa: B018
    with pytest.raises(crypto.KeyRingError, match="add the old key"):
        crypto.rotate_keys()
    db.session.rollback()


def test_rotate_keys_command_reports_what_it_rewrote(runner, keys):
    old, new = Fernet.generate_key(), Fernet.generate_key()
    keys(old)
    recorded_case()
    db.session.commit()
    keys(new, old)
    result = runner.invoke(args=["caselog", "rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "caselog_victims:" in result.output and "re-encrypted" in result.output
    keys(new)
    db.session.expire_all()
    assert db.session.scalar(db.select(Victim)).name == NAME


def production_config(app, keys):
    class Config(ProductionConfig):
        SECRET_KEY = "k" * 48
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        RATELIMIT_ENABLED = False
        CASELOG_ENCRYPTION_KEYS = keys
        MAIL_SERVER = "smtp.example.invalid"
    return Config


def test_production_refuses_to_start_without_encryption_keys_and_says_how_to_make_one(app):
    with pytest.raises(RuntimeError) as refused:
        create_app(production_config(app, ""))
    message = str(refused.value)
    assert "CASELOG_ENCRYPTION_KEYS" in message and "Fernet.generate_key()" in message


def test_a_malformed_key_is_refused_at_start(app):
    with pytest.raises(RuntimeError, match="key number 2 is not a valid Fernet key"):
        create_app(production_config(app, Fernet.generate_key().decode() + ",not-a-key"))


def test_production_starts_with_a_key(app):
    production = create_app(production_config(app, Fernet.generate_key().decode()))
    assert production.config["APP_ENV"] == "production"
    with production.app_context():
        db.session.remove()
        db.engine.dispose()
