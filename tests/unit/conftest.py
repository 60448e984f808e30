"""Fixtures the unit tests share beyond tests/conftest.py."""
from ..migration_databases import migrated_app  # noqa: F401 - a fixture: an app on an empty database
