"""Encryption at rest for case-log data: Fernet tokens under a MultiFernet key ring.

`CASELOG_ENCRYPTION_KEYS` holds comma-separated Fernet keys, newest first. The newest encrypts;
every key decrypts, so a new key can be put in front and the data re-encrypted afterwards with
`flask --app course_app caselog rotate-keys` (see `rotate_keys`). Without keys, production
refuses to start (`check_config`, called from `create_app`); any other instance makes a random
key of its own in its instance folder (course_app/instance_secrets.py) — never one derived
from a value anyone could read in the repository.
"""
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

log = logging.getLogger(__name__)

HOW_TO_MAKE_A_KEY = (
    "  export CASELOG_ENCRYPTION_KEYS=\"$(python3 -c 'from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())')\"\n"
    "Keep it with the database backups' secrets: without it the case-log cannot be read.")

_EXTENSION = "caselog_fernet"


class KeyRingError(RuntimeError):
    """The key ring is unusable (bad key, or data encrypted under a key that is not listed)."""


def configured_keys(config):
    """The key ring as bytes, newest first; [] when none is set."""
    raw = config.get("CASELOG_ENCRYPTION_KEYS") or ""
    return [k.strip().encode() for k in raw.split(",") if k.strip()]


def check_config(config):
    """At app start: production needs real keys; every listed key must be a valid Fernet key."""
    keys = configured_keys(config)
    if not keys and config.get("APP_ENV") == "production":
        raise RuntimeError(
            "CASELOG_ENCRYPTION_KEYS is not set. The case-log encrypts names, addresses and "
            "narratives at rest and needs a key before starting in production, for example:\n"
            + HOW_TO_MAKE_A_KEY)
    for index, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise RuntimeError(
                f"CASELOG_ENCRYPTION_KEYS: key number {index} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes). Make one with:\n" + HOW_TO_MAKE_A_KEY) from None


def build_key_ring(config):
    keys = configured_keys(config)
    if not keys:
        raise KeyRingError("CASELOG_ENCRYPTION_KEYS is not set. Set it, for example:\n" + HOW_TO_MAKE_A_KEY)
    return MultiFernet([Fernet(k) for k in keys])


def key_ring():
    """The app's MultiFernet, built once per app and per key setting."""
    config = current_app.config
    cache_key = config.get("CASELOG_ENCRYPTION_KEYS") or ""
    cached = current_app.extensions.get(_EXTENSION)
    if cached is None or cached[0] != cache_key:
        cached = (cache_key, build_key_ring(config))
        current_app.extensions[_EXTENSION] = cached
    return cached[1]


def encrypt(text):
    return key_ring().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token):
    try:
        return key_ring().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise KeyRingError(
            "case-log data cannot be decrypted with the configured CASELOG_ENCRYPTION_KEYS: "
            "the key it was encrypted with is missing from the list") from None


class CachedEncryptor:
    """Encrypts each distinct plaintext once (bulk synthetic data: the same names recur)."""

    def __init__(self):
        from ...models.caselog import Ciphertext
        self._ring = key_ring()
        self._cache = {}
        self._wrap = Ciphertext

    def __call__(self, text):
        if text is None:
            return None
        token = self._cache.get(text)
        if token is None:
            token = self._wrap(self._ring.encrypt(str(text).encode("utf-8")).decode("ascii"))
            self._cache[text] = token
        return token


def encrypted_columns():
    """(table, [column names]) for every encrypted column of the case-log."""
    from ...extensions import db
    from ...models.caselog import EncryptedText

    found = []
    for table in db.metadata.sorted_tables:
        names = [c.name for c in table.columns if isinstance(c.type, EncryptedText)]
        if names:
            found.append((table, names))
    return found


def rotate_keys(batch_size=1000):
    """Re-encrypt every encrypted value with the newest key (MultiFernet.rotate).

    Reads the raw tokens (no decryption round-trip through the column type) and writes the
    rotated ones back in batches. Safe to run again; returns {table: values rewritten}.
    Data under a key missing from the ring stops the run with a clear error before anything
    of that batch is written — the caller rolls back.
    """
    from sqlalchemy import Text, bindparam, select, type_coerce

    from ...extensions import db

    ring = key_ring()
    counts = {}
    for table, names in encrypted_columns():
        pk = table.primary_key.columns.values()[0]
        raw = [type_coerce(table.c[name], Text).label(name) for name in names]
        statement = (table.update().where(pk == bindparam("_pk"))
                     .values({name: bindparam(f"_{name}", type_=Text) for name in names}))
        last, rewritten = None, 0
        while True:
            query = select(pk, *raw).order_by(pk).limit(batch_size)
            if last is not None:
                query = query.where(pk > last)
            rows = db.session.execute(query).all()
            if not rows:
                break
            params = []
            for row in rows:
                values = {"_pk": row[0]}
                for index, name in enumerate(names, start=1):
                    token = row[index]
                    if token is not None:
                        try:
                            token = ring.rotate(token.encode("ascii")).decode("ascii")
                        except InvalidToken:
                            raise KeyRingError(
                                f"{table.name}.{name} id {row[0]}: encrypted with a key that is not "
                                "in CASELOG_ENCRYPTION_KEYS; add the old key (after the new one) "
                                "and run rotate-keys again") from None
                        rewritten += 1
                    values[f"_{name}"] = token
                params.append(values)
            db.session.execute(statement, params)
            last = rows[-1][0]
        counts[table.name] = rewritten
    return counts
