"""Pranikah Kupang: premarital preparation and case mapping for Kota Kupang."""
import logging
import os
import re

from flask import Flask

from config import ProductionConfig, config_from_env

from .extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(config=None):
    """Application factory. `config` is a config class or a mapping of overrides for tests."""
    app = Flask(__name__, template_folder="../templates", static_folder="../static",
                instance_relative_config=False)
    configure_settings(app, config)
    configure_logging(app)
    register_extensions(app)
    register_static_files(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_errorhandlers(app)
    register_request_hooks(app)
    register_commands(app)
    register_outbox(app)
    register_event_receivers(app)
    return app


def configure_settings(app, config):
    if config is None or isinstance(config, dict):
        app.config.from_object(config_from_env())
        if isinstance(config, dict):
            app.config.update(config)
    else:
        app.config.from_object(config)
    if app.config.get("APP_ENV") == "production":
        ProductionConfig.check(app.config)
    else:
        from .instance_secrets import ensure_instance_secrets
        ensure_instance_secrets(app.config)
    from .keyring import check_config as check_caselog_keys
    check_caselog_keys(app.config)  # refuses production without keys, and malformed keys anywhere
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:"):
        # A SQLite connection is a file handle, never dropped by a server: pinging it on every
        # checkout (pool_pre_ping) only costs a `SELECT 1` per request. Server databases keep it.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            key: value for key, value in app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}).items()
            if key != "pool_pre_ping"}
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        from pathlib import Path
        Path(app.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///"):]).parent.mkdir(
            parents=True, exist_ok=True)
    from .proxies import trust_proxies
    trust_proxies(app)


QUERY_STRING = re.compile(r"\?\S*")


class DropQueryStrings(logging.Filter):
    """Query strings can carry names (searches) or tokens: request lines are logged without
    them (product §8: no personal data in logs). gunicorn's access log is set up likewise."""

    def filter(self, record):
        if record.args and isinstance(record.args, tuple) and isinstance(record.args[0], str):
            record.args = (QUERY_STRING.sub("", record.args[0]), *record.args[1:])
        return True


def configure_logging(app):
    logging.basicConfig(level=app.config.get("LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, DropQueryStrings) for f in werkzeug_log.filters):
        werkzeug_log.addFilter(DropQueryStrings())


def register_extensions(app):
    from . import models  # noqa: F401  (models must be imported for migrations)
    from .i18n import keep_lazy_messages_text, keep_template_messages_text, select_locale, select_timezone
    from .models.base import render_migration_type

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
                     render_as_batch=True, compare_type=True, render_item=render_migration_type)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    keep_lazy_messages_text()
    keep_template_messages_text(app)
    from . import ratelimit  # noqa: F401  registers the one-round-trip fixed window
    limiter.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        _configure_sqlite(app)


def _configure_sqlite(app):
    """Foreign keys on, the file memory-mapped (SQLITE_MMAP_SIZE, config.py), and a real transaction under every savepoint. pysqlite sends BEGIN only
    before a write; a SAVEPOINT before any write would make SQLite take the savepoint for the
    transaction and commit at its RELEASE, so the savepoint's work would survive a later
    rollback of the request. Reads keep pysqlite's own behaviour (no lock held between them)."""
    from sqlalchemy import event

    mmap_size = int(app.config.get("SQLITE_MMAP_SIZE", 0))
    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def _fk_pragma(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA mmap_size={mmap_size}")
            cursor.close()

        @event.listens_for(engine, "savepoint")
        def _begin_before_savepoint(connection, _name):
            raw = connection.connection.dbapi_connection
            if not raw.in_transaction:
                raw.execute("BEGIN")


def register_static_files(app):
    """`url_for('static', …)` carries each file's content hash; those URLs are cached a year."""
    from .static_files import init_app
    init_app(app)


def register_blueprints(app):
    from .admin.routes import bp as admin_bp
    from .api import bp as api_bp
    from .auth.routes import bp as auth_bp
    from .caselog.routes import bp as caselog_bp
    from .certificates.routes import bp as certificates_bp
    from .couples.routes import bp as couples_bp
    from .dashboard.routes import bp as dashboard_bp
    from .learning.routes import bp as learning_bp
    from .letters.routes import bp as letters_bp
    from .letters.routes import review_bp
    from .main.routes import bp as main_bp
    from .verify.routes import bp as verify_bp

    for blueprint in (main_bp, auth_bp, dashboard_bp, couples_bp, learning_bp, letters_bp,
                      review_bp, certificates_bp, verify_bp, caselog_bp, api_bp, admin_bp):
        app.register_blueprint(blueprint)


def register_template_helpers(app):
    from .labels import register
    register(app)


def register_errorhandlers(app):
    from .errors import register
    register(app)


def register_request_hooks(app):
    from .security import register
    register(app)


def register_commands(app):
    from .cli import register
    register(app)


def register_outbox(app):
    """`flask mail send`, and in development sending after each request (services/mail/)."""
    from .outbox import register
    register(app)


def register_event_receivers(app):
    """Who reacts to which domain event: the one table in `wiring.py`."""
    from .wiring import register
    register(app)
