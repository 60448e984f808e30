"""User text in emails stays text (issue 9 point 4): every email is plain text only (no HTML
part that could run markup), and carries what people typed literally — neither escaped into
`&lt;` nor evaluated as a template (`{{7*7}}` stays `{{7*7}}`)."""
import pytest

from course_app.extensions import db
from course_app.services import certificates

from .. import factories
from ..certificate_builders import keys_fixture, make_certificate  # noqa: F401
from ..mailbox import Outbox
from .test_inert_user_text import PAYLOADS, hostile


@pytest.fixture(params=list(PAYLOADS.values()), ids=list(PAYLOADS))
def payload(request):
    return request.param


def assert_plain_text_mail_carrying(mail, *values):
    assert mail.get_content_type() == "text/plain" and not mail.is_multipart()
    body = mail.get_content()
    for value in values:
        assert value in body, (value, body)
    assert "&lt;" not in body and "&#34;" not in body  # `{{7*7}}` found above: not evaluated


def test_the_welcome_email_carries_the_registered_name_as_text(client, payload):
    name = hostile("Nama", payload)
    data = factories.registration_data(full_name=name)
    response = client.post("/daftar", data=data)
    assert response.status_code == 302

    [mail] = Outbox()
    assert_plain_text_mail_carrying(mail, name)


def test_the_rejection_email_carries_name_number_and_reason_as_text(app, payload):
    person = factories.make_user(full_name=hostile("Nama", payload))
    letter = factories.make_letter(person, status="pending")
    letter.number = hostile("Nomor", payload)
    reviewer = factories.make_user(roles=("reviewer",))
    db.session.commit()
    client = app.test_client()
    factories.log_in(client, reviewer)

    response = client.post(f"/tinjau/surat/{letter.id}/tolak",
                           data={"reason": "lainnya", "reason_text": hostile("Alasan", payload)})
    assert response.status_code == 302

    [mail] = Outbox()
    assert_plain_text_mail_carrying(mail, hostile("Nama", payload), hostile("Nomor", payload),
                                    hostile("Alasan", payload))


def test_the_revocation_email_carries_the_names_as_text(keys, payload):  # noqa: F811
    certificate, _couple, first, second = make_certificate()
    first.full_name, second.full_name = hostile("Pertama", payload), hostile("Kedua", payload)
    reviewer = factories.make_user(roles=("reviewer",))
    db.session.commit()

    certificates.revoke_certificate(certificate, reviewer, "data_error")
    certificates.notify_revocation(certificate)
    db.session.commit()

    mails = {mail["To"]: mail for mail in Outbox()}
    assert_plain_text_mail_carrying(mails[first.email], hostile("Pertama", payload))
    assert_plain_text_mail_carrying(mails[second.email], hostile("Kedua", payload))
