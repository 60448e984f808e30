"""The officiant's path in the browser (issue 12, point 2): the QR link opened while signed in
checks the signature without a script error; a forged QR hides the KTP comparison; a typed id
asks for the QR; the offline scanner leads to the online page where the marriage is recorded."""
from course_app.extensions import db

from .. import factories
from .conftest import log_in
from .test_certificates import issue_with_people, link_parts, mutations, new_context


def test_a_signed_in_officiant_opening_the_qr_link_sees_the_signature_checked(browser, live_server, live_keys, shot):
    certificate, couple, first, second = issue_with_people()
    officiant = factories.make_user(roles=("officiant",))
    db.session.commit()
    cid, token = link_parts(certificate)
    context = new_context(browser, live_server)
    page = context.new_page()
    log_in(page, officiant)

    page.goto(f"/V/{cid}#{token}")
    page.wait_for_selector("#verify-page[data-token-check=valid]")
    assert page.locator("#token-valid").is_visible()
    names = page.locator("#names-section").inner_text()
    assert first.full_name in names and second.full_name in names
    assert page.locator("#ktp-reminder").is_visible()
    assert page.locator("#marriage-section").is_visible()
    shot(page, "officiant-signature-checked")
    context.close()  # the autouse fixture fails the test on any script error


def test_a_forged_qr_hides_the_ktp_comparison_and_a_typed_id_asks_for_the_qr(browser, live_server, live_keys, shot):
    certificate, *_ = issue_with_people()
    cid, token = link_parts(certificate)
    context = new_context(browser, live_server)
    page = context.new_page()

    page.goto(f"/v/{cid}#{mutations(token)[5]}")
    page.wait_for_selector("#verify-page[data-token-check=invalid]")
    assert page.locator("#token-invalid").is_visible()
    assert not page.locator("#ktp-reminder").is_visible()
    assert not page.locator("#checked-by-server").is_visible()
    shot(page, "forged-no-ktp")

    page.goto(f"/v/{cid}")
    page.wait_for_selector("#scan-hint:not([hidden])")
    assert not page.locator("#signature-note").is_visible()
    assert "pindai kode QR" in page.locator("#scan-hint").inner_text()
    context.close()
