"""A couple's path without dead ends (issue 12 point 4): the certificate first on the dashboard
once issued, an email to both partners when it is, one "next step" rule behind every primary
button, and a QR that opens as an image."""
import re

import pytest
from werkzeug.http import parse_options_header

from course_app.extensions import db
from course_app.models.certificates import Certificate
from course_app.services import certificate_pdf, certificates, events
from course_app.services.dashboard import next_step

from .. import factories
from ..certificate_builders import (  # noqa: F401
    keys_fixture,
    make_certificate,
    make_modules,
    make_ready_couple,
    pass_quiz,
)
from ..mailbox import Outbox


def logged_in(app, user):
    client = app.test_client()
    factories.log_in(client, user)
    return client


def next_step_link(html):
    """(code, href, label) of the page's primary "next step" button, or None."""
    match = re.search(r'<a class="button next-step" data-next-step="([a-z_]+)" href="([^"]+)">([^<]+)</a>', html)
    return match.groups() if match else None


@pytest.fixture
def issued(keys):
    certificate, couple, first, second = make_certificate()
    db.session.commit()
    return certificate, couple, first, second


# --- the certificate first ------------------------------------------------------------------

def test_once_issued_the_certificate_comes_before_the_checklist(app, issued):
    certificate, couple, first, second = issued
    for person in (first, second):
        html = logged_in(app, person).get("/beranda").get_data(as_text=True)
        panel = html.index('id="certificate"')
        assert panel < html.index("Daftar periksa") and panel < html.index('class="plain checklist"')
        assert html.count('id="certificate"') == 1
        for link in (f"/sertifikat/{certificate.id}/pdf", f"/sertifikat/{certificate.id}/qr.png",
                     f"/v/{certificate.id}"):
            assert panel < html.index(link)
        assert 'id="next-step"' not in html  # the certificate is the next step: no second pointer


def test_before_it_is_issued_the_panel_says_what_is_missing_after_the_checklist(app, keys):
    modules = make_modules(1)
    couple, first, second = make_ready_couple(modules, pass_all=False)
    db.session.commit()

    html = logged_in(app, first).get("/beranda").get_data(as_text=True)

    assert html.index("Daftar periksa") < html.index('id="certificate"')
    assert html.index('id="next-step"') < html.index("Daftar periksa")


# --- the email when it is issued --------------------------------------------------------------

def test_both_partners_get_an_email_with_the_dashboard_link_when_it_is_issued(app, keys, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://pranikah.contoh.test")
    modules = make_modules(1)
    couple, first, second = make_ready_couple(modules, pass_all=False)
    db.session.commit()
    Outbox().clear()

    pass_quiz(second, modules[0])  # the last condition: issued in the quiz's transaction
    db.session.commit()

    certificate = certificates.live_certificate(couple)
    assert certificate is not None
    mails = Outbox().messages()
    assert sorted(m["To"] for m in mails) == sorted([first.email, second.email])
    for mail in mails:
        assert mail["Subject"] == "Sertifikat pranikah Anda sudah terbit"
        body = mail.get_content()
        assert "https://pranikah.contoh.test/beranda" in body
        assert certificate_pdf.group_id(certificate.id) in body


def test_each_partner_reads_it_in_their_language(app, keys):
    modules = make_modules(1)
    english = factories.make_user(locale="en", full_name="Mawar Contoh Bere")
    couple, first, second = make_ready_couple(modules, first=english, pass_all=False)
    db.session.commit()
    Outbox().clear()

    pass_quiz(second, modules[0])
    db.session.commit()

    bodies = {m["To"]: m.get_content() for m in Outbox()}
    assert bodies[second.email].startswith(f"Halo {second.full_name},")
    assert bodies[first.email].startswith("Hello Mawar Contoh Bere,")


def test_a_failed_issue_sends_nothing_and_the_quiz_still_counts(app, keys, monkeypatch):
    modules = make_modules(1)
    couple, first, second = make_ready_couple(modules, pass_all=False)
    db.session.commit()
    Outbox().clear()
    monkeypatch.setattr(certificate_pdf, "render", lambda snapshot: 1 / 0)

    attempt = pass_quiz(second, modules[0])
    db.session.commit()

    assert attempt.passed and certificates.live_certificate(couple) is None
    assert len(Outbox()) == 0


def test_the_email_is_undone_with_an_issue_that_fails_after_it_was_queued(app, keys):
    """The email is written in the issue's savepoint: a failure later in the same issue takes
    the email back with the certificate."""
    modules = make_modules(1)
    couple, first, second = make_ready_couple(modules, pass_all=False)
    db.session.commit()
    Outbox().clear()

    def fails_after_the_email(sender, **extra):
        raise RuntimeError("a later reaction fails")

    events.certificate_issued.connect(fails_after_the_email, weak=False)
    try:
        pass_quiz(second, modules[0])
        db.session.commit()
    finally:
        events.certificate_issued.disconnect(fails_after_the_email)

    assert db.session.query(Certificate).count() == 0
    assert len(Outbox()) == 0


# --- one next step ----------------------------------------------------------------------------

def test_next_step_without_a_couple_is_to_form_one(app):
    user = factories.make_user()
    step = next_step(user)
    assert (step.code, step.endpoint) == ("couple", "couples.index")


def test_next_step_after_forming_the_couple_is_the_first_required_module(app):
    factories.make_module(code="pilihan", required=False, position=1)
    first = factories.make_module(code="gizi", position=2)
    factories.make_module(code="imunisasi", position=3)
    user = factories.make_user()
    factories.make_couple(user)  # the partner has not joined yet: learning can start

    step = next_step(user)

    assert (step.code, step.endpoint, step.values) == ("module", "learning.module", {"code": "gizi"})
    assert str(step.label) == f"Mulai belajar: {first.title}" and not step.waiting


def test_next_step_with_every_lesson_read_is_the_quiz(app):
    module = factories.make_module(code="gizi")
    user = factories.make_user()
    factories.make_couple(user)
    factories.read_all_lessons(user, module)

    assert (next_step(user).code, next_step(user).endpoint) == ("quiz", "learning.quiz")


def test_next_step_after_the_last_module_is_the_letter_then_waiting_for_its_review(app, keys):
    modules = make_modules(1)
    couple, first, second = make_ready_couple(modules, letters=False)

    assert (next_step(first).code, next_step(first).endpoint) == ("letter", "letters.upload")
    factories.make_letter(first, status="pending")
    step = next_step(first)
    assert step.code == "letter_pending" and step.waiting


def test_next_step_once_mine_is_done_points_to_the_partner(app, keys):
    modules = make_modules(1)
    alone = factories.make_user()
    factories.make_couple(alone)
    factories.make_letter(alone)
    factories.read_all_lessons(alone, modules[0])
    pass_quiz(alone, modules[0])
    assert (next_step(alone).code, next_step(alone).endpoint) == ("partner", "couples.index")

    couple, first, second = make_ready_couple(modules, pass_all=False)
    step = next_step(first)
    assert step.code == "partner_progress" and step.waiting and second.full_name in str(step.hint)


def test_next_step_once_issued_is_the_certificate(app, issued):
    certificate, couple, first, second = issued
    for person in (first, second):
        step = next_step(person)
        assert (step.code, step.endpoint, step.anchor) == ("certificate", "dashboard.index", "certificate")


def test_the_dashboard_shows_the_next_step_as_its_primary_button(app):
    factories.make_module(code="gizi")
    user = factories.make_user()
    factories.make_couple(user)
    db.session.commit()

    html = logged_in(app, user).get("/beranda").get_data(as_text=True)

    code, href, label = next_step_link(html)
    assert (code, href) == ("module", "/materi/gizi") and label.startswith("Mulai belajar")


def test_a_waiting_step_is_said_on_the_dashboard_without_a_button_to_itself(app, keys):
    modules = make_modules(1)
    couple, first, second = make_ready_couple(modules, pass_all=False)
    db.session.commit()

    html = logged_in(app, first).get("/beranda").get_data(as_text=True)

    assert next_step_link(html) is None
    assert f"Sertifikat terbit setelah {second.full_name}" in html


# --- the QR opens as an image ----------------------------------------------------------------

def test_the_qr_opens_inline_and_downloads_on_its_own_link(app, issued):
    certificate, couple, first, second = issued
    client = logged_in(app, first)
    for name, mimetype in (("qr.png", "image/png"), ("qr.svg", "image/svg+xml")):
        shown = client.get(f"/sertifikat/{certificate.id}/{name}")
        saved = client.get(f"/sertifikat/{certificate.id}/{name}?unduh=1")
        assert shown.mimetype == saved.mimetype == mimetype
        assert parse_options_header(shown.headers["Content-Disposition"])[0] == "inline"
        assert parse_options_header(saved.headers["Content-Disposition"])[0] == "attachment"

    html = client.get("/beranda").get_data(as_text=True)
    assert f'<a class="button secondary" href="/sertifikat/{certificate.id}/qr.png">Lihat kode QR</a>' in html
    assert f'href="/sertifikat/{certificate.id}/qr.png?unduh=1" download' in html
    assert f'href="/sertifikat/{certificate.id}/qr.svg?unduh=1" download' in html
