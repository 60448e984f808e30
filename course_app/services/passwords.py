"""Password hashing and policy (product §8: scrypt; NIST SP 800-63B style policy)."""
from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from . import DomainError

#: Passwords people in Kupang (and everywhere) pick first; refused outright.
COMMON_PASSWORDS = {
    "password", "password1", "password123", "12345678", "123456789", "1234567890", "qwertyuiop",
    "11111111", "00000000", "87654321", "iloveyou", "sayangkamu", "bismillah", "kupang123",
    "indonesia", "indonesia1", "rahasia123", "admin12345", "qwerty123", "1q2w3e4r5t",
    "aaaaaaaaaa", "abcdefghij", "passw0rd", "katasandi", "katasandi123", "tuhanyesus",
    "haleluya", "alhamdulillah", "pranikah123",
}


def hash_password(password):
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def verify_password(password_hash, password):
    return check_password_hash(password_hash, password)


def check_password_policy(password, email=None, full_name=None):
    """At least PASSWORD_MIN_LENGTH characters, not a common password, not the email or name."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise DomainError(_l("Kata sandi minimal %(n)d karakter.", n=minimum), field="password")
    if len(password) > 128:
        raise DomainError(_l("Kata sandi maksimal 128 karakter."), field="password")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 4:
        raise DomainError(_l("Kata sandi ini terlalu mudah ditebak. Gunakan gabungan beberapa kata."),
                          field="password")
    for personal in (email and email.split("@")[0], full_name):
        if personal and len(personal) >= 4 and personal.lower().replace(" ", "") in lowered.replace(" ", ""):
            raise DomainError(_l("Kata sandi tidak boleh memuat nama atau email Anda."),
                              field="password")
