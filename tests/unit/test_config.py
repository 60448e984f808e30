"""Configuration (product §3, §8): 12-factor settings, and production refuses unsafe secrets."""
import os
import secrets

import pytest
from cryptography.fernet import Fernet

import config as config_module
from config import ProductionConfig
from course_app import create_app
from course_app.extensions import db
from tests.web.pages import set_cookies


def production_config(app, secret_key):
    class Config(ProductionConfig):
        SECRET_KEY = secret_key
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        CASELOG_ENCRYPTION_KEYS = Fernet.generate_key().decode()
        MAIL_SERVER = "smtp.example.invalid"  # never contacted: production sends from cron
        # Flask-Limiter's on/off switch is shared by every app in the process; keep it off.
        RATELIMIT_ENABLED = False
    return Config


@pytest.mark.parametrize("secret_key", [None, "", "dev", "change-me", "development-only-not-secret",
                                        "x" * 31],
                         ids=["missing", "empty", "dev", "change-me", "development-default",
                              "too-short"])
def test_production_refuses_to_start_without_a_real_secret_key(app, secret_key):
    with pytest.raises(RuntimeError) as refused:
        create_app(production_config(app, secret_key))

    message = str(refused.value)
    assert "SECRET_KEY" in message
    assert "export SECRET_KEY=" in message and "secrets.token_urlsafe" in message


def test_production_chosen_through_app_env_refuses_the_development_default(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "development-only-not-secret")

    with pytest.raises(RuntimeError, match="SECRET_KEY is missing or is a development default"):
        create_app({})


def test_production_refuses_to_start_without_a_mail_server(app):
    """Production never prints emails to the console: without MAIL_SERVER it does not start."""
    class Config(production_config(app, secrets.token_urlsafe(48))):
        MAIL_SERVER = ""

    with pytest.raises(RuntimeError) as refused:
        create_app(Config)

    assert "MAIL_SERVER is not set" in str(refused.value) and "export MAIL_SERVER=" in str(refused.value)


def test_an_unknown_app_env_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("APP_ENV", "staging")
    with pytest.raises(RuntimeError, match="APP_ENV must be one of development, testing, production"):
        create_app({})


@pytest.fixture
def production_app(app):
    production = create_app(production_config(app, secrets.token_urlsafe(48)))
    yield production
    with production.app_context():
        db.session.remove()
        db.engine.dispose()


def test_production_starts_with_a_long_random_secret_key(production_app):
    assert production_app.config["APP_ENV"] == "production"
    assert production_app.config["DEMO_ALLOWED"] is False
    response = production_app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"


def test_production_cookies_are_secure_httponly_and_samesite(production_app):
    assert production_app.config["SESSION_COOKIE_SECURE"] is True
    assert production_app.config["REMEMBER_COOKIE_SECURE"] is True

    response = production_app.test_client().get("/masuk")  # the form's CSRF token opens a session

    [cookie] = set_cookies(response, production_app.config["SESSION_COOKIE_NAME"])
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly", "samesite=lax"} <= attributes
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("given, expected", [
    ("postgres://pranikah:rahasia@db.internal:5432/pranikah",
     "postgresql+psycopg://pranikah:rahasia@db.internal:5432/pranikah"),
    ("postgresql://pranikah@db.internal/pranikah", "postgresql+psycopg://pranikah@db.internal/pranikah"),
    ("postgresql+psycopg://pranikah@db.internal/pranikah",
     "postgresql+psycopg://pranikah@db.internal/pranikah"),
    ("sqlite:////srv/pranikah/data.sqlite3", "sqlite:////srv/pranikah/data.sqlite3"),
], ids=["heroku-style-postgres", "postgresql", "already-explicit", "sqlite"])
def test_database_urls_are_rewritten_for_the_psycopg_driver(monkeypatch, given, expected):
    monkeypatch.setenv("DATABASE_URL", given)
    assert config_module._database_url() == expected


def test_without_database_url_the_embedded_sqlite_file_under_instance_is_used(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert config_module._database_url() == f"sqlite:///{config_module.INSTANCE_DIR / 'pranikah.sqlite3'}"


def _config_value(env, expression):
    """`expression` evaluated on config.py imported afresh with `env` (class attributes are read
    from the environment when the module is imported)."""
    import subprocess
    import sys
    from pathlib import Path

    clean = {k: v for k, v in os.environ.items() if k not in ("PORT", "PUBLIC_BASE_URL", "LESSON_MIN_READ_SECONDS")}
    result = subprocess.run([sys.executable, "-c", f"import config; print({expression})"],
                            cwd=Path(config_module.__file__).parent, env={**clean, **env},
                            capture_output=True, text=True, check=True)
    return result.stdout.strip()


def test_links_point_at_the_port_served_unless_public_base_url_is_set():
    expression = "config.DevelopmentConfig.PUBLIC_BASE_URL"
    assert _config_value({}, expression) == "http://127.0.0.1:5000"
    assert _config_value({"PORT": "8000"}, expression) == "http://127.0.0.1:8000"
    assert _config_value({"PORT": "8000", "PUBLIC_BASE_URL": "https://pranikah.example.org/"},
                         expression) == "https://pranikah.example.org"


def test_lesson_min_read_seconds_overrides_lessons_only_in_development_and_only_when_set():
    assert _config_value({}, "config.DevelopmentConfig.LESSON_MIN_READ_OVERRIDES") == "False"
    assert _config_value({"LESSON_MIN_READ_SECONDS": "5"},
                         "config.DevelopmentConfig.LESSON_MIN_READ_OVERRIDES") == "True"
    assert _config_value({"LESSON_MIN_READ_SECONDS": "5"},
                         "getattr(config.ProductionConfig, 'LESSON_MIN_READ_OVERRIDES', False)") == "False"


@pytest.mark.parametrize("mmap_size", [1 << 30, 0], ids=["mapped", "off"])
def test_a_sqlite_database_file_is_read_through_memory_mapping_of_the_configured_size(tmp_path, mmap_size):
    """SQLITE_MMAP_SIZE reaches every SQLite connection (the reports' index probes run about
    twice as fast with the file mapped: bench/caselog_reports.py); 0 turns it off."""
    from sqlalchemy import text

    from config import TestingConfig

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'mapped.sqlite3'}"
        SQLITE_MMAP_SIZE = mmap_size

    app = create_app(Config)
    with app.app_context():
        assert db.session.execute(text("PRAGMA mmap_size")).scalar() == mmap_size
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.session.remove()
        db.engine.dispose()


def test_sqlite_maps_a_gibibyte_of_the_file_unless_told_otherwise():
    assert _config_value({}, "config.Config.SQLITE_MMAP_SIZE") == str(1 << 30)
    assert _config_value({"SQLITE_MMAP_SIZE": "0"}, "config.Config.SQLITE_MMAP_SIZE") == "0"
