"""Column types that encrypt at rest (product §7–8: identifying fields and narratives).

The database only ever sees Fernet tokens; the key ring comes from the application config
(`course_app/keyring.py`). Encrypted columns cannot be searched or sorted in SQL, which is why
reports group only on plain, non-identifying columns.
"""
from datetime import date

from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from ...keyring import decrypt, encrypt


class Ciphertext(str):
    """A value that is already a Fernet token (bulk writers encrypt once per distinct value)."""


class EncryptedText(TypeDecorator):
    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, Ciphertext):
            return str(value)
        return encrypt(str(value))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return decrypt(value)


class EncryptedDate(EncryptedText):
    """A date (birth dates) stored as an encrypted ISO string."""

    cache_ok = True

    def process_bind_param(self, value, dialect):
        if isinstance(value, date):
            value = value.isoformat()
        return super().process_bind_param(value, dialect)

    def process_result_value(self, value, dialect):
        text = super().process_result_value(value, dialect)
        return date.fromisoformat(text) if text else None
