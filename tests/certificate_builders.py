"""Builders and fixtures for the certificate tests (issue 4). Synthetic people only.

Import the fixtures a module needs: `from tests.certificate_builders import keys_fixture  # noqa: F401`
makes the `keys` fixture available to its tests.
"""
from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from course_app.extensions import db
from course_app.services import certificates, quizzes, signing

from . import factories

#: RFC 8032 section 7.1, test 1: the fixed key of the documented test vectors.
VECTOR_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")


@pytest.fixture(name="keys")
def keys_fixture(app, tmp_path, monkeypatch):
    """A private keys directory of its own and one active signing key."""
    monkeypatch.setitem(app.config, "SIGNING_KEYS_DIR", str(tmp_path / "keys"))
    key = signing.generate_key()
    db.session.commit()
    return key


@pytest.fixture(name="keys_dir")
def keys_dir_fixture(app, tmp_path, monkeypatch):
    """An empty private keys directory (no key yet)."""
    monkeypatch.setitem(app.config, "SIGNING_KEYS_DIR", str(tmp_path / "keys"))
    return tmp_path / "keys"


def vector_key():
    return Ed25519PrivateKey.from_private_bytes(VECTOR_SEED)


def pass_quiz(user, module):
    """Pass a module's quiz through the quiz engine (lessons already read): sends `quiz_passed`."""
    attempt = quizzes.start_attempt(user, module)
    return quizzes.submit_attempt(user, attempt, factories.answers_for(attempt))


def make_modules(count=2):
    return [factories.make_module(lessons=1, questions=4, questions_per_attempt=2, multiple=0)
            for _ in range(count)]


def make_ready_couple(modules, *, first=None, second=None, letters=True, pass_all=True,
                      birth_dates=(date(1996, 4, 11), date(1998, 9, 30)), wedding_in_days=120):
    """Two partners who completed `modules` and (with `letters`) hold approved letters.

    With `pass_all=False` the second partner's last module is left unpassed, so passing it is
    the last condition.
    """
    first = first or factories.make_user(full_name="Mawar Contoh Bere", birth_date=birth_dates[0], sex="P")
    second = second or factories.make_user(full_name="Yakob Contoh Ndun", birth_date=birth_dates[1], sex="L")
    couple = factories.make_couple(first, second, wedding_in_days=wedding_in_days)
    for person in (first, second):
        if letters:
            factories.make_letter(person)
        for index, module in enumerate(modules):
            if not pass_all and person is second and index == len(modules) - 1:
                factories.read_all_lessons(person, module)
                continue
            factories.read_all_lessons(person, module)
            pass_quiz(person, module)
    db.session.flush()
    return couple, first, second


def make_certificate(modules=None):
    """A couple with an issued certificate, through the real rules."""
    modules = modules or make_modules(1)
    couple, first, second = make_ready_couple(modules, letters=True)
    certificate = certificates.live_certificate(couple)
    assert certificate is not None, certificates.eligibility(couple).missing
    return certificate, couple, first, second
