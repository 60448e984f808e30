"""The case-log key ring: Fernet keys from the application config (product §7–8).

`CASELOG_ENCRYPTION_KEYS` holds comma-separated Fernet keys, newest first. The newest encrypts;
every key decrypts, so a new key can be put in front and the data re-encrypted afterwards with
`flask --app course_app caselog rotate-keys` (services/caselog/crypto.py). Without keys,
production refuses to start (`check_config`, called from `create_app`); any other instance
makes a random key of its own in its instance folder (course_app/instance_secrets.py) — never
one derived from a value anyone could read in the repository.

Infrastructure like `extensions.py`, below models and services alike: the encrypted column
types (models/caselog/types.py) call `encrypt`/`decrypt` here, so no model imports a service.
"""
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

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
