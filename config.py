"""Configuration classes, read from environment variables (12-factor).

Every variable is listed in README.md ("Configuration"). `create_app()` picks the class from
`APP_ENV` (development | testing | production) unless a config object is passed in.
"""
import base64
import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

#: Placeholder values that must never reach production.
INSECURE_SECRET_KEYS = {"", "dev", "change-me", "secret", "development-only-not-secret"}


def _env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _env_bool(name, default):
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_proxies(name, default):
    """TRUST_PROXY: how many reverse proxies stand in front of the app (0 = none). "true"/"false"
    from older settings mean 1 and 0."""
    value = (os.environ.get(name) or "").strip().lower()
    if value in ("", None):
        return default
    if value in {"true", "yes", "on"}:
        return 1
    if value in {"false", "no", "off"}:
        return 0
    return int(value)


def _database_url():
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'pranikah.sqlite3'}"
    # Managed hosts often hand out postgres:// URLs; SQLAlchemy needs the driver spelled out.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    APP_ENV = "base"
    # Without SECRET_KEY (or CASELOG_ENCRYPTION_KEYS), a non-production instance makes a random one
    # in INSTANCE_DIR on first start (course_app/instance_secrets.py); production refuses to start.
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    INSTANCE_DIR = os.environ.get("INSTANCE_DIR") or str(INSTANCE_DIR)
    SQLALCHEMY_DATABASE_URI = _database_url()
    # hide_parameters: a database error's message (and so the logged traceback) would otherwise
    # carry the row's values — emails, names — into the logs (product §8).
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
    # SQLite only: how much of the database file each connection reads through memory-mapped I/O
    # (PRAGMA mmap_size) instead of a read() per page. Only address space: the pages are the OS's
    # page cache, shared by every worker. Reports probe indexes at random, and 200,000 cases'
    # cross-tab took 630 ms without it, 330 with the file mapped whole (bench/caselog_reports.py).
    # 0 turns it off.
    SQLITE_MMAP_SIZE = _env_int("SQLITE_MMAP_SIZE", 1 << 30)
    # Where links, QR codes and emails point. Unset, it is where `make run` serves: the
    # loopback address on PORT (`PORT=8000 make run` puts 8000 in every link and QR).
    PUBLIC_BASE_URL = (os.environ.get("PUBLIC_BASE_URL")
                       or f"http://127.0.0.1:{_env_int('PORT', 5000)}").rstrip("/")

    # Sessions and cookies (product §8)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_NAME = "remember_token"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    # "Tetap masuk": the remember cookie's life, also checked on the server (services/accounts.py).
    REMEMBER_COOKIE_DURATION = timedelta(days=_env_int("REMEMBER_DAYS", 30))
    WTF_CSRF_TIME_LIMIT = None  # token lives as long as the session: slow phones, long quizzes

    # Uploads (the letters feature reads this; the 413 page is already in place)
    MAX_CONTENT_LENGTH = _env_int("MAX_UPLOAD_MB", 5) * 1024 * 1024 + 64 * 1024

    # Language
    BABEL_DEFAULT_LOCALE = "id"
    # Kupang's zone: every "today" and every date rule (services/clock.py) and every date shown.
    APP_TIMEZONE = os.environ.get("APP_TIMEZONE", "Asia/Makassar")  # WITA, UTC+8
    BABEL_DEFAULT_TIMEZONE = APP_TIMEZONE
    LANGUAGES = ("id", "en")

    # Rate limits (Flask-Limiter). Memory unless a Redis URI is given.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # fixed window counted and read in one Redis call a request (course_app/ratelimit.py)
    RATELIMIT_STRATEGY = "fixed-window-one-trip"
    # memory:// counts per process: production refuses it unless this says there is only one.
    RATELIMIT_ALLOW_MEMORY = _env_bool("RATELIMIT_ALLOW_MEMORY", False)
    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    LOGIN_MAX_FAILURES = _env_int("LOGIN_MAX_FAILURES", 8)
    LOGIN_LOCKOUT_MINUTES = _env_int("LOGIN_LOCKOUT_MINUTES", 15)

    # Mail. Without MAIL_SERVER, messages are written to the console (development).
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _env_int("MAIL_PORT", 587)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", True)
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)
    MAIL_FROM = os.environ.get("MAIL_FROM", "Pranikah Kupang <no-reply@localhost>")
    MAIL_TIMEOUT = _env_int("MAIL_TIMEOUT", 10)  # seconds per SMTP connection
    # The outbox (services/mail/): retries wait MAIL_RETRY_SECONDS, doubling (at most 6 hours),
    # and a message is marked failed after MAIL_MAX_ATTEMPTS; sent/failed rows go after MAIL_KEEP_DAYS.
    MAIL_MAX_ATTEMPTS = _env_int("MAIL_MAX_ATTEMPTS", 10)
    MAIL_RETRY_SECONDS = _env_int("MAIL_RETRY_SECONDS", 60)
    MAIL_KEEP_DAYS = _env_int("MAIL_KEEP_DAYS", 30)
    # Send the outbox after each request that may have queued mail. Development only by default:
    # production sends from cron (`flask mail send`), tests ask for it explicitly.
    MAIL_SEND_AFTER_REQUEST = _env_bool("MAIL_SEND_AFTER_REQUEST", False)
    PASSWORD_RESET_MAX_AGE = _env_int("PASSWORD_RESET_MAX_AGE", 3600)
    PASSWORD_HASH_METHOD = "scrypt"  # werkzeug's scrypt (product §8)
    PASSWORD_MIN_LENGTH = _env_int("PASSWORD_MIN_LENGTH", 10)
    # Staff invitations (admin → "set your password" link): valid this many days, single use.
    INVITATION_DAYS = _env_int("INVITATION_DAYS", 7)

    # Learning (product §4)
    CONTENT_DIR = os.environ.get("CONTENT_DIR", str(BASE_DIR / "content"))
    LESSON_MIN_READ_SECONDS = _env_int("LESSON_MIN_READ_SECONDS", 45)
    QUIZ_COOLDOWN_SECONDS = _env_int("QUIZ_COOLDOWN_SECONDS", 15 * 60)
    QUIZ_DEFAULT_PASS_MARK = _env_int("QUIZ_DEFAULT_PASS_MARK", 80)

    # Couples
    INVITE_CODE_TTL_HOURS = _env_int("INVITE_CODE_TTL_HOURS", 72)

    # Good-conduct letters (SKCK): valid six months from issue unless the letter says otherwise.
    LETTER_VALIDITY_MONTHS = _env_int("LETTER_VALIDITY_MONTHS", 6)
    #: UU 27/2022 (data kept no longer than its purpose): an SKCK file is deleted this many Kupang
    #: days after the decision it served (the couple's certificate issued, the letter rejected or
    #: replaced, an approved letter expired unused); its metadata and the decision stay.
    #: `flask letters purge` (cron, daily) deletes what is due; docs/privacy.md.
    LETTER_FILE_RETENTION_DAYS = _env_int("LETTER_FILE_RETENTION_DAYS", 90)

    # Certificates (product §6). Private keys live in files here, never in the database or git.
    SIGNING_KEYS_DIR = os.environ.get("SIGNING_KEYS_DIR", str(Path(INSTANCE_DIR) / "keys"))
    CERTIFICATE_VALIDITY_DAYS = _env_int("CERTIFICATE_VALIDITY_DAYS", 365)
    ISSUING_OFFICE_CODE = os.environ.get("ISSUING_OFFICE_CODE", "P3A-KPG")
    ISSUING_OFFICE_NAME = os.environ.get(
        "ISSUING_OFFICE_NAME", "Dinas Pemberdayaan Perempuan dan Perlindungan Anak Kota Kupang")
    VERIFY_RATE_LIMIT = os.environ.get("VERIFY_RATE_LIMIT", "60 per minute;600 per hour")
    MINIMUM_MARRIAGE_AGE = 19  # UU 16/2019, art. 7(1): not a setting, the law

    # Case-log (product §7). Fernet keys, comma-separated, newest first (MultiFernet rotation).
    CASELOG_ENCRYPTION_KEYS = os.environ.get("CASELOG_ENCRYPTION_KEYS", "")
    CASELOG_SMALL_CELL = _env_int("CASELOG_SMALL_CELL", 5)

    # Contacts shown on the help page. Never hard-coded: they are the office's to set.
    P3A_CONTACT_PHONE = os.environ.get("P3A_CONTACT_PHONE", "")
    P3A_CONTACT_ADDRESS = os.environ.get("P3A_CONTACT_ADDRESS", "")
    P3A_CONTACT_EMAIL = os.environ.get("P3A_CONTACT_EMAIL", "")
    UPTD_PPA_CONTACT_PHONE = os.environ.get("UPTD_PPA_CONTACT_PHONE", "")

    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    DEMO_ALLOWED = True
    # Reverse proxies in front of the app, and the addresses they connect from: X-Forwarded-For
    # is believed only from those addresses, and only as many hops as there are proxies.
    TRUST_PROXY = _env_proxies("TRUST_PROXY", 0)
    TRUSTED_PROXY_ADDRESSES = os.environ.get("TRUSTED_PROXY_ADDRESSES", "127.0.0.1/32,::1/128")


class DevelopmentConfig(Config):
    APP_ENV = "development"
    DEBUG = False  # the debugger is opt-in: FLASK_DEBUG=1
    # Trying the course locally: LESSON_MIN_READ_SECONDS, when set, replaces every lesson's own
    # minimum reading time (LESSON_MIN_READ_SECONDS=5 make run). Elsewhere it is only the
    # default for lessons that set none.
    LESSON_MIN_READ_OVERRIDES = "LESSON_MIN_READ_SECONDS" in os.environ
    MAIL_SEND_AFTER_REQUEST = _env_bool("MAIL_SEND_AFTER_REQUEST", True)


class TestingConfig(Config):
    APP_ENV = "testing"
    TESTING = True
    # Random per test run: no value in the repository signs anything, even in tests.
    SECRET_KEY = secrets.token_urlsafe(48)
    CASELOG_ENCRYPTION_KEYS = os.environ.get("CASELOG_ENCRYPTION_KEYS") or base64.urlsafe_b64encode(
        secrets.token_bytes(32)).decode()
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") and _database_url() or "sqlite://"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    LESSON_MIN_READ_SECONDS = 0
    QUIZ_COOLDOWN_SECONDS = 0
    MAIL_SERVER = ""
    # A cheap hash keeps the suite fast; a test checks that other configs use scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


class ProductionConfig(Config):
    APP_ENV = "production"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    DEMO_ALLOWED = _env_bool("DEMO_ALLOWED", False)
    TRUST_PROXY = _env_proxies("TRUST_PROXY", 1)

    @classmethod
    def check(cls, config):
        """Refuse to run production with a secret that anyone could know, or with rate limits
        that count per process."""
        key = config.get("SECRET_KEY") or ""
        if key in INSECURE_SECRET_KEYS or len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY is missing or is a development default. Set it to a long random "
                "value before starting in production, for example:\n"
                "  export SECRET_KEY=\"$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')\""
            )
        if not config.get("MAIL_SERVER"):
            raise RuntimeError(
                "MAIL_SERVER is not set. Production sends password resets and decisions by email "
                "and never prints them to the console; set the SMTP server, for example:\n"
                "  export MAIL_SERVER=smtp.example.go.id MAIL_USERNAME=... MAIL_PASSWORD=...")
        if (config.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory://") \
                and config.get("RATELIMIT_ENABLED", True) and not config.get("RATELIMIT_ALLOW_MEMORY"):
            raise RuntimeError(
                "RATELIMIT_STORAGE_URI is memory:// — each worker would count on its own, so a "
                "limit of 10 logins a minute becomes 10 per worker and host. Point it at Redis:\n"
                "  export RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0\n"
                "(or, for a single process only, RATELIMIT_ALLOW_MEMORY=1).")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env():
    name = os.environ.get("APP_ENV", "development").strip().lower()
    if name not in CONFIGS:
        raise RuntimeError(f"APP_ENV must be one of {', '.join(CONFIGS)}; got {name!r}")
    return CONFIGS[name]
