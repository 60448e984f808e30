"""Demo data for trying the product: one account per role and a demo couple.

Idempotent: running it again finds the accounts it made and resets their passwords to the
printed ones. Synthetic people only; refused in production unless DEMO_ALLOWED is set.
"""
from datetime import date, timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import User, UserRole
from . import couples
from .passwords import hash_password

DEMO_PASSWORD = "Demo-Pranikah-2026"

DEMO_ACCOUNTS = [
    # (role, email, full name, birth date, sex)
    ("participant", "peserta.a@demo.pranikah.example", "Peserta Demo Satu", date(1997, 3, 14), "L"),
    ("participant", "peserta.b@demo.pranikah.example", "Peserta Demo Dua", date(1999, 8, 2), "P"),
    ("officiant", "petugas@demo.pranikah.example", "Petugas Nikah Demo", None, None),
    ("reviewer", "peninjau@demo.pranikah.example", "Peninjau Demo", None, None),
    ("caseworker", "kasus@demo.pranikah.example", "Petugas Kasus Demo", None, None),
    ("admin", "admin@demo.pranikah.example", "Admin Demo", None, None),
]


def _ensure_user(role, email, full_name, birth_date, sex):
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, full_name=full_name, birth_date=birth_date, sex=sex,
                    password_hash="")
        db.session.add(user)
    user.password_hash = hash_password(DEMO_PASSWORD)
    user.is_active_account = True
    user.failed_logins = 0
    user.locked_until = None
    if role not in {r.role for r in user.roles}:
        user.roles.append(UserRole(role=role))
    db.session.flush()
    return user


def create_demo(today=None):
    today = today or date.today()
    users = [_ensure_user(*spec) for spec in DEMO_ACCOUNTS]
    first, second = users[0], users[1]
    couple = couples.current_couple(first)
    if couple is None:
        couple = couples.create_couple(
            first, planned_wedding_date=today + timedelta(days=90), institution_type="gereja",
            institution_name="Jemaat Demo Kota Kupang", today=today)
    if couples.current_couple(second) is None:
        invite = couples.open_invite(couple) or couples.issue_invite(couple, first)
        couples.join_couple(second, invite.code)
    return {
        "accounts": [{"role": role, "email": email, "password": DEMO_PASSWORD}
                     for role, email, *_ in DEMO_ACCOUNTS],
        "couple": {"id": couple.id, "members": [first.email, second.email]},
    }
