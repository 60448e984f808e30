"""No action fails or misreports itself because the mail server is down (product §8, issue 9):
the email waits in the outbox; and the public account pages answer the same whether or not an
address is registered. The mail server here refuses every connection."""
import pytest

from course_app.extensions import db
from course_app.models.certificates import Certificate
from course_app.models.mail import OutboxMessage
from course_app.services import accounts, certificates, clock
from course_app.services.mail import send_mail
from tests import factories
from tests.certificate_builders import keys_fixture, make_certificate  # noqa: F401
from tests.mailbox import mail_server_down_fixture, rows, sent  # noqa: F401
from tests.web.pages import flashes, text


def waiting_rows():
    db.session.expire_all()
    return [(row.recipient, row.status, row.attempts, row.last_error) for row in rows()]


def test_revoking_a_certificate_with_the_mail_server_down_succeeds_and_the_emails_wait(
        app, keys, mail_server_down):
    certificate, _couple, first, second = make_certificate()
    reviewer = factories.make_user(roles=("reviewer",))
    db.session.execute(db.delete(OutboxMessage))  # the "certificate issued" emails: not this test's
    db.session.commit()
    client = app.test_client()
    factories.log_in(client, reviewer)

    response = client.post(f"/sertifikat/kelola/{certificate.id}/cabut",
                           data={"reason": "data_error"}, follow_redirects=True)

    assert response.status_code == 200
    assert ("success", "Sertifikat dicabut. Pasangan akan diberi tahu lewat email.") in flashes(response)
    assert "tidak berubah" not in text(response)
    assert certificates.status_of(db.session.get(Certificate, certificate.id)) == "revoked"
    # The first message met the refused connection; the run stopped there, the second waits its turn.
    assert sorted(waiting_rows()) == sorted([
        (first.email, "waiting", 1, "ConnectionRefusedError"), (second.email, "waiting", 0, None)])


def reset_answer(client, email):
    response = client.post("/lupa-kata-sandi", data={"email": email})
    response.close()  # as a WSGI server does once the answer is out: the outbox is sent then
    return response.status_code, response.headers.get("Location"), flashes(client.get("/masuk"))


def test_password_reset_answers_the_same_for_known_and_unknown_emails_with_the_mail_server_down(
        app, mail_server_down):
    user = factories.make_user(email="maria.bano@example.com")
    db.session.commit()

    known = reset_answer(app.test_client(), "Maria.Bano@example.com")
    unknown = reset_answer(app.test_client(), "tidak.terdaftar@example.com")

    assert known == unknown and known[:2] == (302, "/masuk")
    assert waiting_rows() == [(user.email, "waiting", 1, "ConnectionRefusedError"),
                              ("tidak.terdaftar@example.com", "waiting", 1, "ConnectionRefusedError")]


def test_both_reset_paths_sign_a_token_and_write_exactly_one_outbox_row(app, client, monkeypatch):
    """The same work whether or not the address has an account (timing, checked structurally;
    `make bench` measures it): a signed token and one queued email each, sent after the answer."""
    factories.make_user(email="maria.bano@example.com")
    db.session.commit()
    signed = []
    real = accounts.make_reset_token
    monkeypatch.setattr(accounts, "make_reset_token", lambda user: signed.append(user.id) or real(user))

    for email in ("maria.bano@example.com", "tidak.terdaftar@example.com"):
        client.post("/lupa-kata-sandi", data={"email": email})

    assert len(signed) == 2
    assert len(rows()) == 2


def test_a_request_that_rolls_back_sends_nothing(app, client, mail_server_down, monkeypatch):
    def queue_then_crash(**fields):
        send_mail(fields["email"], "Uji", "Halo")
        raise RuntimeError("something broke after the email was queued")

    monkeypatch.setattr(accounts, "register_participant", queue_then_crash)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")  # the testing transport: record, not refuse
    sent(app).clear()

    response = client.post("/daftar", data=factories.registration_data())

    assert response.status_code == 500
    assert rows() == [] and sent(app) == []


@pytest.fixture
def admin_client(app):
    admin = factories.make_user(roles=("admin",))
    db.session.commit()
    client = app.test_client()
    factories.log_in(client, admin)
    return client


def test_admins_see_how_many_emails_wait_and_how_many_failed(admin_client):
    now = clock.utcnow()
    db.session.add_all([
        OutboxMessage(recipient="satu@contoh.test", subject="Baru", body="x", next_attempt_at=now),
        OutboxMessage(recipient="dua@contoh.test", subject="Dicoba lagi", body="x", attempts=2,
                      last_error="ConnectionRefusedError", next_attempt_at=now),
        OutboxMessage(recipient="tiga@contoh.test", subject="Menyerah", body="", status="failed",
                      attempts=10, last_error="SMTPRecipientsRefused 550", next_attempt_at=now),
        OutboxMessage(recipient="empat@contoh.test", subject="Terkirim", body="", status="sent",
                      attempts=1, next_attempt_at=now, sent_at=now),
    ])
    db.session.commit()

    users_page = text(admin_client.get("/admin/pengguna"))
    assert "Email keluar: 2 menunggu, 1 gagal." in users_page

    page = admin_client.get("/admin/email")
    assert page.status_code == 200
    shown = text(page)
    assert "2 menunggu dikirim" in shown and "1 di antaranya gagal dicoba" in shown
    assert "1 gagal" in shown and "SMTPRecipientsRefused 550" in shown
    assert "Dicoba lagi" in shown and "Terkirim" not in shown
