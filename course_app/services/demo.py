"""Demo data for trying the product: one account per role, two couples, letters in different
states, an issued certificate, case-log cases (some owned by the demo caseworker under the demo
supervisor, with a referral, tasks and a closure to decide) and a Polres liaison with one
accepted and one returned monthly register.

Idempotent: running it again finds what it made and resets the demo passwords to the printed
one. Synthetic people only; refused in production unless DEMO_ALLOWED is set. Everything goes
through the same services as real use — the certificate is issued by the eligibility rules
once both partners have passed every quiz and have approved letters.
"""
from datetime import date, timedelta

from sqlalchemy import func, select

from ..extensions import db
from ..models import User, UserRole
from ..models.caselog import Case
from . import certificates, clock, couples
from .letters import demo as letter_demo
from .passwords import hash_password

DEMO_PASSWORD = "Demo-Pranikah-2026"

DEMO_ACCOUNTS = [
    # (role, email, full name, birth date, sex)
    ("participant", "peserta.a@demo.pranikah.example", "Peserta Demo Satu", date(1997, 3, 14), "L"),
    ("participant", "peserta.b@demo.pranikah.example", "Peserta Demo Dua", date(1999, 8, 2), "P"),
    ("officiant", "petugas@demo.pranikah.example", "Petugas Nikah Demo", None, None),
    ("reviewer", "peninjau@demo.pranikah.example", "Peninjau Demo", None, None),
    ("caseworker", "kasus@demo.pranikah.example", "Petugas Kasus Demo", None, None),
    ("caseworker", "supervisor.kasus@demo.pranikah.example", "Supervisor Kasus Demo", None, None),
    ("police", "polres@demo.pranikah.example", "Penghubung Polres Demo", None, None),
    ("admin", "admin@demo.pranikah.example", "Admin Demo", None, None),
]

#: A second couple that has done everything: it holds an issued certificate.
CERTIFIED_COUPLE = [
    ("participant", "peserta.c@demo.pranikah.example", "Peserta Demo Tiga", date(1998, 2, 11), "P"),
    ("participant", "peserta.d@demo.pranikah.example", "Peserta Demo Empat", date(1996, 10, 3), "L"),
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


def _ensure_couple(first, second, wedding_in_days, institution_name, today):
    couple = couples.current_couple(first)
    if couple is None:
        couple = couples.create_couple(
            first, planned_wedding_date=today + timedelta(days=wedding_in_days),
            institution_type="gereja", institution_name=institution_name, today=today)
    if couples.current_couple(second) is None:
        invite = couples.open_invite(couple) or couples.issue_invite(couple, first)
        couples.join_couple(second, invite.code)
    return couple


def create_demo(today=None):
    from .caselog.management.demo import add_demo_management
    from .caselog.submissions import add_demo_submissions
    from .caselog.synthetic import add_demo_cases

    today = today or clock.today()
    users = [_ensure_user(*spec) for spec in DEMO_ACCOUNTS]
    first, second, reviewer = users[0], users[1], users[3]
    couple = _ensure_couple(first, second, 90, "Jemaat Demo Kota Kupang", today)
    letter_demo.add_demo_letters(first, second, reviewer)

    third, fourth = (_ensure_user(*spec) for spec in CERTIFIED_COUPLE)
    certified = _ensure_couple(third, fourth, 45, "Jemaat Demo Oebobo", today)
    for person in (third, fourth):
        certificates.complete_learning_for_demo(person)
        letter_demo.add_approved_demo_letter(person, reviewer)
    certificate = (certificates.latest_certificate(certified)
                   or certificates.issue_if_eligible(certified))
    caseworker, supervisor, liaison = users[4], users[5], users[6]
    supervisor.case_supervisor = True
    add_demo_cases()
    add_demo_management(caseworker, supervisor, today)
    add_demo_submissions(liaison, caseworker, today)

    result = {
        "accounts": [{"role": role, "email": email, "password": DEMO_PASSWORD}
                     for role, email, *_ in DEMO_ACCOUNTS + CERTIFIED_COUPLE],
        "couple": {"id": couple.id, "members": [first.email, second.email]},
        "cases": db.session.scalar(select(func.count()).select_from(Case)),
    }
    if certificate is not None:
        result["certificate"] = {"id": certificate.id,
                                 "verify_url": certificate.snapshot["verify_url"]}
    return result
