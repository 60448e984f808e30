"""Secrets a development instance makes for itself (product §8: no public default secret).

Without `SECRET_KEY` or `CASELOG_ENCRYPTION_KEYS` in the environment, a development or other
non-production instance generates a random value on first start into its instance folder
(mode 0600) and reuses it on every later start, so sessions survive a restart and the case-log
stays readable. Nothing in the repository can sign a cookie or decrypt a case. Production never
comes here: it refuses to start without both (config.ProductionConfig.check, caselog.crypto).
"""
import base64
import os
import secrets
from pathlib import Path

SECRET_KEY_FILE = "secret_key"
CASELOG_KEY_FILE = "caselog_key"


def _new_secret_key():
    return secrets.token_urlsafe(48)


def _new_fernet_key():
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def instance_secret(directory, name, make):
    """The secret stored in `directory/name`, made with `make()` on first use.

    Written to a private temporary file and linked into place, so two processes starting at
    once agree on one value and nobody ever reads a half-written file."""
    path = Path(directory) / name
    if path.exists():
        os.chmod(path, 0o600)
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(make() + "\n")
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process won the race: use its value
    finally:
        temporary.unlink()
    return path.read_text().strip()


def ensure_instance_secrets(config):
    """Fill in SECRET_KEY and the case-log key from the instance folder where the environment
    left them out (never in production)."""
    if config.get("APP_ENV") == "production":
        return
    directory = config["INSTANCE_DIR"]
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = instance_secret(directory, SECRET_KEY_FILE, _new_secret_key)
    if not config.get("CASELOG_ENCRYPTION_KEYS"):
        config["CASELOG_ENCRYPTION_KEYS"] = instance_secret(directory, CASELOG_KEY_FILE, _new_fernet_key)
