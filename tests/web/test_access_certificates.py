"""Access matrix of certificates, verification and their API (issue 4) — see access.py.

Downloads: the couple's partners and P3A reviewers; anyone else gets 404 (product §8).
Verification and the API are public. Recording a marriage: officiants. Revoking and
dispensations: reviewers.
"""
import pytest

from course_app.extensions import db
from course_app.models import ROLES

from .. import factories
from ..certificate_builders import keys_fixture, make_certificate  # noqa: F401
from .access import FORBIDDEN, NOT_FOUND, OK, PUBLIC, check_row, only

# Downloads: partners OK; a reviewer OK; other roles 404 (another couple's object).
DOWNLOAD = {"anonymous": "login", "participant": OK, "officiant": FORBIDDEN, "reviewer": OK,
            "caseworker": FORBIDDEN, "police": FORBIDDEN, "admin": FORBIDDEN}

MATRIX = [
    ("GET", "/sertifikat/{cid}/pdf", DOWNLOAD),
    ("GET", "/sertifikat/{cid}/qr.svg", DOWNLOAD),
    ("GET", "/sertifikat/{cid}/qr.png", DOWNLOAD),
    ("GET", "/sertifikat/kelola", only("reviewer")),
    ("GET", "/sertifikat/kelola/{cid}", only("reviewer")),
    ("POST", "/sertifikat/kelola/{cid}/cabut", only("reviewer")),
    ("GET", "/sertifikat/dispensasi", only("reviewer")),
    ("POST", "/sertifikat/dispensasi/{couple}", only("reviewer")),
    ("GET", "/v/{cid}", PUBLIC),
    ("GET", "/V/{cid}", PUBLIC),
    ("POST", "/v/{cid}/nikah", only("officiant")),
    ("GET", "/verify/scan", PUBLIC),
    ("GET", "/verify/sw.js", PUBLIC),
    ("GET", "/verify/manifest.webmanifest", PUBLIC),
    ("GET", "/api/v1/certificates/{cid}", PUBLIC),
    ("GET", "/api/v1/keys", PUBLIC),
    ("GET", "/api/v1/status-list", PUBLIC),
]


@pytest.fixture
def world(keys):
    certificate, couple, first, second = make_certificate()
    users = {role: (first if role == "participant" else factories.make_user(roles=(role,)))
             for role in ROLES}
    stranger = factories.make_user(roles=("participant",))
    db.session.commit()
    return {"users": users, "stranger": stranger, "partner": second,
            "ids": {"cid": certificate.id.lower(), "couple": couple.id}}


@pytest.mark.parametrize("method,template,expected", MATRIX, ids=[f"{m} {t}" for m, t, _ in MATRIX])
def test_access_matrix(app, world, method, template, expected):
    check_row(app, world["users"], method, template.format(**world["ids"]), expected)


@pytest.mark.parametrize("path", ["/sertifikat/{cid}/pdf", "/sertifikat/{cid}/qr.svg", "/sertifikat/{cid}/qr.png"])
def test_another_couples_certificate_answers_404_and_the_partner_gets_it(app, world, path):
    url = path.format(**world["ids"])
    stranger = app.test_client()
    factories.log_in(stranger, world["stranger"])
    assert stranger.get(url).status_code == NOT_FOUND
    partner = app.test_client()
    factories.log_in(partner, world["partner"])
    assert partner.get(url).status_code == 200


def test_unknown_certificate_ids_answer_404_to_downloads_and_reviewer_pages(app, world):
    client = app.test_client()
    factories.log_in(client, world["users"]["reviewer"])
    for url in ("/sertifikat/AAAAAAAAAAAAAAAA/pdf", "/sertifikat/kelola/AAAAAAAAAAAAAAAA"):
        assert client.get(url).status_code == NOT_FOUND
    for url in ("/sertifikat/kelola/AAAAAAAAAAAAAAAA/cabut", "/sertifikat/dispensasi/999999"):
        assert client.post(url, data={}).status_code == NOT_FOUND
