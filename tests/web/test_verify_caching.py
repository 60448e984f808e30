"""The verification page is rendered from the database on every request and cached only by
standard HTTP caching: a visitor without a session may be served from a cache for
`PUBLIC_MAX_AGE` seconds and revalidates with an ETag; signed-in pages are never stored
(issue 10 point 7, product §6 and §9, docs/api.md)."""
import pytest

from course_app.extensions import db
from course_app.models.certificates import Certificate
from course_app.services import certificates
from course_app.verify.routes import PUBLIC_MAX_AGE

from .. import factories
from ..certificate_builders import keys_fixture, make_certificate  # noqa: F401
from .pages import text


@pytest.fixture
def issued(keys):
    certificate, _couple, first, second = make_certificate()
    reviewer = factories.make_user(roles=("reviewer",))
    db.session.commit()
    return certificate, first, second, reviewer


def revoke(certificate, reviewer):
    certificates.revoke_certificate(db.session.get(Certificate, certificate.id), reviewer, "data_error")
    db.session.commit()


def test_a_visitor_page_may_be_cached_for_a_few_seconds_and_carries_an_etag(client, issued):
    certificate, first, *_ = issued
    response = client.get(f"/v/{certificate.id}")
    assert response.status_code == 200 and "SAH" in text(response)
    assert response.cache_control.public and response.cache_control.max_age == PUBLIC_MAX_AGE
    assert 0 < PUBLIC_MAX_AGE <= 10  # a status can change: never long
    assert "private" not in response.headers["Cache-Control"]
    assert "no-store" not in response.headers["Cache-Control"]
    assert "Cookie" in response.headers["Vary"]  # the language cookie changes the page
    assert response.headers["ETag"]
    assert not response.headers.getlist("Set-Cookie")
    assert first.full_name not in text(response)


def test_a_revalidation_is_answered_304_only_while_the_page_is_unchanged(client, issued):
    certificate, _first, _second, reviewer = issued
    etag = client.get(f"/v/{certificate.id}").headers["ETag"]

    unchanged = client.get(f"/v/{certificate.id}", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and not unchanged.data

    revoke(certificate, reviewer)
    changed = client.get(f"/v/{certificate.id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "DICABUT" in text(changed) and "Data pada sertifikat salah" in text(changed)
    assert changed.headers["ETag"] != etag


def test_the_view_keeps_no_cache_a_status_change_shows_on_the_next_request(client, issued):
    """Nothing is kept in the worker: the max-age binds caches outside the app only."""
    certificate, _first, _second, reviewer = issued
    assert "SAH" in text(client.get(f"/v/{certificate.id}"))
    revoke(certificate, reviewer)
    assert "DICABUT" in text(client.get(f"/v/{certificate.id}"))
    assert "DICABUT" in text(client.get(f"/V/{certificate.id.lower()}"))


def test_a_signed_in_officiant_sees_a_status_change_at_once_on_a_private_page(app, issued):
    certificate, first, _second, reviewer = issued
    officiant = factories.make_user(roles=("officiant",))
    db.session.commit()
    client = app.test_client()
    factories.log_in(client, officiant)

    before = client.get(f"/v/{certificate.id}")
    assert "SAH" in text(before) and first.full_name in text(before)
    assert before.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in before.headers

    revoke(certificate, reviewer)
    after = client.get(f"/v/{certificate.id}", headers={"If-None-Match": "*"})
    assert after.status_code == 200 and "DICABUT" in text(after)
    assert after.headers["Cache-Control"] == "private, no-store"


def test_a_visitor_with_a_session_gets_a_private_page(app, issued):
    """A session may carry messages to flash: such a page is not shared."""
    certificate, *_ = issued
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], "something")
    response = client.get(f"/v/{certificate.id}")
    assert response.status_code == 200 and "SAH" in text(response)
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in response.headers


def test_an_unknown_id_page_is_cached_like_any_visitor_page(client, keys):
    response = client.get(f"/v/{certificates.new_certificate_id()}")
    assert response.status_code == 200 and "TIDAK DIKENAL" in text(response)
    assert response.cache_control.public and response.cache_control.max_age == PUBLIC_MAX_AGE


def test_a_rate_limited_answer_is_never_cached_publicly(make_app, issued):
    certificate, *_ = issued
    client = make_app(RATELIMIT_ENABLED=True, VERIFY_RATE_LIMIT="1 per minute").test_client()
    assert client.get(f"/v/{certificate.id}").status_code == 200
    refused = client.get(f"/v/{certificate.id}")
    assert refused.status_code == 429
    assert "public" not in refused.headers.get("Cache-Control", "")
