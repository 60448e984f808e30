"""Schema changes only through migrations (product §3): head must equal the models, on both engines."""
import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from course_app.extensions import db


def schema_differences():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_of_an_empty_database_gives_exactly_the_models_schema(migrated_app):
    flask_migrate.upgrade()
    assert schema_differences() == []


def test_migrations_downgrade_to_empty_and_upgrade_again(migrated_app):
    flask_migrate.upgrade()
    flask_migrate.downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    flask_migrate.upgrade()
    assert schema_differences() == []
