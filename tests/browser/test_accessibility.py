"""axe-core on every page type: no serious or critical accessibility violations.

axe is vendored for tests only (tests/browser/vendor/update.sh). Pages forbid inline script,
so the checking context bypasses CSP to inject it; the page itself is unchanged.
"""
from pathlib import Path

import pytest

from course_app.extensions import db
from course_app.services import quizzes

from .. import factories
from .conftest import log_in

AXE = next((Path(__file__).parent / "vendor").glob("axe-core-*/axe.min.js"))


def violations(page):
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`);
    }""")
    return found


@pytest.fixture
def axe_page(browser, live_server):
    from .conftest import PHONE

    context = browser.new_context(viewport=PHONE, base_url=live_server, bypass_csp=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def people():
    module = factories.make_module(code="gizi", lessons=2, questions=4, questions_per_attempt=2)
    participant = factories.make_user(roles=("participant",))
    partner = factories.make_user(roles=("participant",))
    factories.make_couple(participant, partner)
    factories.read_all_lessons(participant, module)
    done = quizzes.start_attempt(participant, module)
    quizzes.submit_attempt(participant, done, factories.answers_for(done, right=True))
    admin = factories.make_user(roles=("admin",))
    loner = factories.make_user(roles=("participant",))
    db.session.commit()
    return {"participant": participant, "admin": admin, "loner": loner, "module": module,
            "attempt": done}


PUBLIC_PAGES = ["/", "/daftar", "/masuk", "/bantuan", "/lupa-kata-sandi", "/halaman-yang-tidak-ada"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_have_no_serious_accessibility_violations(axe_page, path):
    axe_page.goto(path)
    assert violations(axe_page) == []


def test_participant_pages_have_no_serious_accessibility_violations(axe_page, people):
    log_in(axe_page, people["participant"])
    module = people["module"]
    lesson = module.lessons[0]
    for path in ["/beranda", "/pasangan/", "/materi/", f"/materi/{module.code}",
                 f"/materi/{module.code}/{lesson.slug}", f"/materi/{module.code}/kuis",
                 f"/materi/kuis/{people['attempt'].id}/hasil", "/akun", "/akun/kata-sandi"]:
        axe_page.goto(path)
        assert violations(axe_page) == [], path


def test_quiz_and_couple_forms_have_no_serious_accessibility_violations(axe_page, people):
    log_in(axe_page, people["loner"])
    axe_page.goto("/pasangan/")  # create and join forms
    assert violations(axe_page) == []
    module = people["module"]
    factories.read_all_lessons(people["loner"], module)
    attempt = quizzes.start_attempt(people["loner"], module)
    db.session.commit()
    axe_page.goto(f"/materi/kuis/{attempt.id}")
    assert violations(axe_page) == []


def test_admin_pages_have_no_serious_accessibility_violations(axe_page, people):
    log_in(axe_page, people["admin"])
    for path in ["/admin/pengguna", f"/admin/pengguna/{people['participant'].id}"]:
        axe_page.goto(path)
        assert violations(axe_page) == [], path


def test_a_form_showing_errors_has_no_serious_accessibility_violations(axe_page):
    axe_page.goto("/daftar")
    axe_page.click("main form button[type=submit]")
    axe_page.wait_for_load_state()
    assert axe_page.locator(".field.invalid").count() >= 3
    assert violations(axe_page) == []


def test_letter_pages_have_no_serious_accessibility_violations(axe_page, people):
    reviewer = factories.make_user(roles=("reviewer",))
    letter = factories.make_letter(people["participant"], status="pending")
    db.session.commit()
    log_in(axe_page, people["participant"])
    for path in ["/surat/", "/surat/unggah"]:
        axe_page.goto(path)
        assert violations(axe_page) == [], path
    axe_page.context.clear_cookies()
    log_in(axe_page, reviewer)
    for path in ["/tinjau/", f"/tinjau/surat/{letter.id}", "/tinjau/pasangan"]:
        axe_page.goto(path)
        assert violations(axe_page) == [], path


def test_certificate_pages_have_no_serious_accessibility_violations(axe_page, live_keys):
    from ..certificate_builders import make_certificate

    certificate, _couple, first, _second = make_certificate()
    reviewer = factories.make_user(roles=("reviewer",))
    officiant = factories.make_user(roles=("officiant",))
    db.session.commit()
    for path in [f"/v/{certificate.id}", "/v/AAAAAAAAAAAAAAAA", "/verify/scan"]:
        axe_page.goto(path)
        assert violations(axe_page) == [], path
    for person, paths in [(first, ["/beranda"]), (officiant, [f"/v/{certificate.id}"]),
                          (reviewer, ["/sertifikat/kelola", f"/sertifikat/kelola/{certificate.id}",
                                      "/sertifikat/dispensasi"])]:
        axe_page.context.clear_cookies()
        log_in(axe_page, person)
        for path in paths:
            axe_page.goto(path)
            assert violations(axe_page) == [], path


def test_caselog_pages_have_no_serious_accessibility_violations(axe_page):
    factories.seed_caselog()
    caseworker = factories.make_user(roles=("caseworker", "admin"))
    case = factories.make_case(caseworker)
    db.session.commit()
    log_in(axe_page, caseworker)
    for path in ["/kasus/", "/kasus/baru", f"/kasus/{case.id}", f"/kasus/{case.id}/ubah",
                 f"/kasus/{case.id}/layanan", "/kasus/impor", "/kasus/laporan",
                 "/kasus/laporan?publikasi=1", "/kasus/daftar-pilihan", "/kasus/audit"]:
        axe_page.goto(path)
        assert violations(axe_page) == [], path
