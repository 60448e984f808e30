"""Id enumeration on verification is throttled, and unknown ids reveal nothing (issue 6 point 4).

Brute-force login throttling is tested in test_security.py (login, registration, reset).
"""
import secrets

from sqlalchemy import func, select

from course_app.extensions import db
from course_app.models.certificates import Certificate
from course_app.services import signing
from tests.certificate_builders import keys_fixture, make_certificate  # noqa: F401

from .pages import text

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def random_id():
    return "".join(secrets.choice(ALPHABET) for _ in range(16))


def test_probing_verification_pages_is_throttled_with_a_friendly_page(make_app, keys):
    limited = make_app(RATELIMIT_ENABLED=True, VERIFY_RATE_LIMIT="5 per minute")
    browser = limited.test_client()

    probes = [random_id() for _ in range(8)]
    answers = [browser.get(f"/v/{probe}") for probe in probes]

    assert [a.status_code for a in answers] == [200] * 5 + [429] * 3
    refused = answers[-1]
    assert refused.mimetype == "text/html"
    assert "Terlalu banyak percobaan" in text(refused)
    assert "Tunggu beberapa menit" in text(refused)
    assert int(refused.headers["Retry-After"]) > 0
    # The refusal says nothing about any id: the same page for every probe (bar its own path).
    assert text(answers[-1]).replace(probes[-1], "") == text(answers[-2]).replace(probes[-2], "")


def test_probing_the_api_is_throttled_with_json(make_app, keys):
    limited = make_app(RATELIMIT_ENABLED=True, VERIFY_RATE_LIMIT="5 per minute")
    browser = limited.test_client()

    answers = [browser.get(f"/api/v1/certificates/{random_id()}") for _ in range(7)]

    assert [a.status_code for a in answers] == [200] * 5 + [429] * 2
    assert answers[-1].is_json
    assert answers[-1].get_json() == {"error": 429, "message": "Terlalu banyak percobaan"}
    assert int(answers[-1].headers["Retry-After"]) > 0
    assert answers[0].headers["X-RateLimit-Limit"] == "5"


def test_a_real_id_is_throttled_like_a_random_one(make_app, keys):
    """The limit counts requests, not misses: a prober can't tell hits by when the 429 comes."""
    certificate, *_ = make_certificate()
    db.session.commit()
    limited = make_app(RATELIMIT_ENABLED=True, VERIFY_RATE_LIMIT="3 per minute")
    browser = limited.test_client()

    codes = [browser.get(f"/api/v1/certificates/{cid}").status_code
             for cid in (random_id(), certificate.id, random_id(), certificate.id)]

    assert codes == [200, 200, 200, 429]


def test_unknown_ids_are_answered_like_any_other_and_reveal_nothing(client, keys):
    certificate, *_ = make_certificate()
    db.session.commit()
    known = client.get(f"/api/v1/certificates/{certificate.id}")
    probes = [random_id() for _ in range(20)] + ["", "x", "A" * 15, "A" * 17, "0" * 16,
                                                  "'; DROP TABLE certificates; --", "%00"]

    for probe in probes:
        response = client.get(f"/api/v1/certificates/{probe}") if probe else \
            client.get("/api/v1/certificates/%20")
        assert response.status_code == known.status_code == 200, probe
        body = response.get_json()
        assert body.keys() == known.get_json().keys(), probe
        assert body["status"] == "unknown", probe
        assert body["issued_at"] is None and body["expires_at"] is None
        assert response.headers["Cache-Control"] == "no-store"

        page = client.get(f"/v/{probe or '%20'}")
        assert page.status_code == 200, probe

    # Random well-formed ids all get exactly the same answer apart from the id itself.
    shapes = {repr(sorted((k, v) for k, v in client.get(f"/api/v1/certificates/{p}").get_json().items()
                          if k != "id")) for p in probes[:20]}
    assert len(shapes) == 1
    # Probing stored nothing.
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_ids_are_random_not_sequential(keys):
    first, couple, *_ = make_certificate()
    assert len(first.id) == 16 and set(first.id) <= set(ALPHABET)
    assert len(signing.b32decode(first.id)) == 10  # 80 random bits
