"""Case-log encryption work: bulk encryption (`CachedEncryptor`) and key rotation
(`rotate_keys`). The key ring itself, and `encrypt`/`decrypt`, are in course_app/keyring.py.
"""
from cryptography.fernet import InvalidToken

from ...keyring import KeyRingError, key_ring


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
