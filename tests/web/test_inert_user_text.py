"""User text stays text everywhere it is shown (issue 9 point 4).

People type names, institution names, letter numbers and police offices; reviewers type
rejection reasons; caseworkers type narratives, names, references, places and service notes;
admins edit the case-log's list labels. Each page, the certificate PDF and the exports show
such text as text: in HTML only its escaped form appears (never the raw markup, never a
template expression evaluated), the PDF holds the literal characters and no active content,
and spreadsheet cells that would start a formula are neutralised.
"""
import csv
import io
import re
from datetime import date

import pytest
from markupsafe import escape
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from course_app.extensions import db
from course_app.models.caselog import Lookup
from course_app.services import certificates, clock
from course_app.services.caselog import cases, lookups

from .. import factories
from ..certificate_builders import keys_fixture, make_modules, make_ready_couple  # noqa: F401

PAYLOADS = {
    "meta-refresh": '<meta http-equiv=refresh content="0;url=//x.invalid">',
    "img-onerror": "<img src=x onerror=alert(1)>",
    "template": "{{7*7}}",
    "attribute-break": '"><script>alert(1)</script>',
}


def hostile(label, payload):
    """A value for one field: a recognisable label, then the payload."""
    return f"{label} {payload}"


def assert_inert(response, *values):
    """Each value is on the page in its escaped form, and never raw."""
    assert response.status_code == 200, response.status_code
    body = response.get_data(as_text=True)
    for value in values:
        assert str(escape(value)) in body, value
        if str(escape(value)) != value:
            assert value not in body, value
        # `{{7*7}}` escapes to itself: finding it above shows it was not evaluated to 49.


def client_for(app, user):
    client = app.test_client()
    factories.log_in(client, user)
    return client


@pytest.fixture(params=list(PAYLOADS.values()), ids=list(PAYLOADS))
def payload(request):
    return request.param


@pytest.fixture
def world(app, keys, payload):  # noqa: F811 - `keys` is the fixture imported above
    """Two couples, letters, a certificate used at a marriage, a case and an edited list label,
    every text field carrying `payload`."""
    h = {name: hostile(name.replace("_", " ").title(), payload) for name in (
        "partner_a", "partner_b", "certified_a", "certified_b", "institution", "letter_number",
        "police_office", "reason", "marriage_institution", "victim", "perpetrator", "narrative",
        "external_ref", "location_detail", "service_notes", "cause_label", "guardian")}

    partner_a = factories.make_user(full_name=h["partner_a"])
    partner_b = factories.make_user(full_name=h["partner_b"], sex="L")
    couple = factories.make_couple(partner_a, partner_b)
    couple.institution_name = h["institution"]
    rejected = factories.make_letter(partner_a, status="rejected", reason_code="lainnya", reason_text=h["reason"])
    pending = factories.make_letter(partner_b, status="pending")
    for letter in (rejected, pending):
        letter.number = h["letter_number"]
        letter.police_office, letter.police_office_name = "polsek", h["police_office"]

    modules = make_modules(1)
    certified_a = factories.make_user(full_name=h["certified_a"], birth_date=date(1996, 4, 11))
    certified_b = factories.make_user(full_name=h["certified_b"], birth_date=date(1998, 9, 30), sex="L")
    certified, _first, _second = make_ready_couple(modules, first=certified_a, second=certified_b)
    certificate = certificates.live_certificate(certified)
    officiant = factories.make_user(roles=("officiant",))
    certificates.record_marriage(certificate, officiant, marriage_date=clock.today(),
                                 institution_type="gereja", institution_name=h["marriage_institution"])

    factories.seed_caselog()
    cause = db.session.scalar(select(Lookup).where(Lookup.kind == "cause", Lookup.code == "ekonomi"))
    lookups.update_lookup(cause, label=h["cause_label"], active=True, position=cause.position)
    worker = factories.make_user(roles=("caseworker",))
    case = factories.make_case(worker, victims=[{"name": h["victim"], "sex": "P", "age": 15,
                                                 "address": "Jl. Contoh 1"}],
                               perpetrators=[{"name": h["perpetrator"], "sex": "L", "age": 40}],
                               narrative=h["narrative"], external_ref=h["external_ref"],
                               outside_city=True, kecamatan_id=None,  # the detail shows outside the city
                               location_detail=h["location_detail"], guardian_consent=True,
                               guardian_name=h["guardian"], causes=["ekonomi"])
    cases.add_service(case, victim_id=case.victims[0].id, service="konseling_psikologis", status="dilayani",
                      service_date=date(2026, 3, 5), notes=h["service_notes"], user=worker,
                      today=date(2026, 11, 27))
    reviewer = factories.make_user(roles=("reviewer",))
    admin = factories.make_user(roles=("admin",))
    db.session.commit()
    return {"h": h, "partner_a": partner_a, "partner_b": partner_b, "certified_a": certified_a,
            "pending": pending, "certificate": certificate, "officiant": officiant, "case": case,
            "cause": cause, "worker": worker, "reviewer": reviewer, "admin": admin}


def test_participants_see_partner_names_institution_and_letter_text_as_text(app, world):
    h = world["h"]
    for person in (world["partner_a"], world["partner_b"]):
        client = client_for(app, person)
        dashboard = client.get("/beranda")
        assert_inert(dashboard, h["partner_a"], h["partner_b"])  # the certificate panel names both
        assert_inert(client.get("/pasangan/"), h["partner_a"], h["partner_b"], h["institution"])
        assert_inert(client.get("/surat/"), h["letter_number"], h["police_office"])
    assert_inert(client_for(app, world["partner_a"]).get("/beranda"), h["reason"])


def test_a_certified_couple_sees_the_marriage_institution_as_text(app, world):
    assert_inert(client_for(app, world["certified_a"]).get("/beranda"), world["h"]["marriage_institution"])


def test_reviewers_see_names_letter_details_and_certificates_as_text(app, world):
    h = world["h"]
    client = client_for(app, world["reviewer"])
    assert_inert(client.get("/tinjau/"), h["partner_b"])
    assert_inert(client.get(f"/tinjau/surat/{world['pending'].id}"), h["partner_b"], h["letter_number"],
                 h["police_office"])
    assert_inert(client.get("/tinjau/pasangan"), h["partner_a"], h["partner_b"])
    assert_inert(client.get(f"/sertifikat/kelola/{world['certificate'].id}"), h["certified_a"], h["certified_b"],
                 h["marriage_institution"])


def test_officiants_see_names_on_the_verification_page_as_text(app, world):
    h = world["h"]
    page = client_for(app, world["officiant"]).get(f"/v/{world['certificate'].id}")
    assert_inert(page, h["certified_a"], h["certified_b"], h["marriage_institution"])


def test_case_staff_see_case_text_and_edited_labels_as_text(app, world):
    h, case = world["h"], world["case"]
    client = client_for(app, world["worker"])
    assert_inert(client.get("/kasus/"), h["external_ref"], h["cause_label"])  # the list names nobody
    assert_inert(client.get(f"/kasus/{case.id}"), h["victim"], h["perpetrator"], h["narrative"],
                 h["external_ref"], h["location_detail"], h["service_notes"], h["cause_label"], h["guardian"])
    assert_inert(client.get(f"/kasus/{case.id}/ubah"), h["victim"], h["perpetrator"], h["narrative"],
                 h["external_ref"], h["location_detail"], h["cause_label"])
    assert_inert(client.get(f"/kasus/{case.id}/layanan"), h["victim"])
    assert_inert(client.get("/kasus/laporan", query_string={"dimension": "cause", "from": "2026-01-01",
                                                            "to": "2026-12-31"}), h["cause_label"])


def test_admins_see_names_and_labels_as_text(app, world):
    h = world["h"]
    client = client_for(app, world["admin"])
    assert_inert(client.get("/admin/pengguna"), h["partner_a"], h["partner_b"])
    assert_inert(client.get(f"/admin/pengguna/{world['partner_a'].id}"), h["partner_a"])
    assert_inert(client.get("/kasus/daftar-pilihan", query_string={"kind": "cause"}), h["cause_label"])
    assert_inert(client.get(f"/kasus/daftar-pilihan/{world['cause'].id}"), h["cause_label"])


def test_the_certificate_pdf_holds_the_names_as_literal_text_and_no_active_content(app, world):
    h = world["h"]
    response = client_for(app, world["certified_a"]).get(f"/sertifikat/{world['certificate'].id}/pdf")
    assert response.status_code == 200
    data = response.get_data()
    extracted = "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())
    for value in (h["certified_a"], h["certified_b"]):
        assert "".join(value.split()) in extracted
    for active in (b"/JavaScript", b"/JS", b"/Launch", b"/SubmitForm", b"/AA", b"/EmbeddedFile", b"/AcroForm"):
        assert active not in data
    # fpdf2's /OpenAction only opens the first page at a zoom: a destination, not an action.
    assert re.findall(rb"/OpenAction\s*(\S)", data) in ([], [b"["])


def test_case_exports_keep_markup_as_text(app, world):
    h = world["h"]
    client = client_for(app, world["worker"])
    # The case export holds no names or narratives (privacy); its free text is the reference.
    exported = client.get("/kasus/unduh", query_string={"format": "csv"}).get_data(as_text=True)
    cells = {cell for row in csv.reader(io.StringIO(exported)) for cell in row}
    assert h["external_ref"] in cells and h["victim"] not in exported and h["narrative"] not in exported
    workbook = load_workbook(io.BytesIO(client.get("/kasus/unduh", query_string={"format": "xlsx"}).get_data()))
    values = {c.value for ws in workbook.worksheets for row in ws.iter_rows() for c in row}
    assert h["external_ref"] in values
    report = client.get("/kasus/laporan/unduh", query_string={
        "format": "csv", "dimension": "cause", "from": "2026-01-01", "to": "2026-12-31"}).get_data(as_text=True)
    assert h["cause_label"] in {cell for row in csv.reader(io.StringIO(report)) for cell in row}


# --- spreadsheet formulas ----------------------------------------------------------------------

FORMULAS = {"=": "=HYPERLINK(\"//x.invalid\",\"klik\")", "+": "+1+1", "-": "-2+3", "@": "@SUM(A1:A2)"}


@pytest.mark.parametrize("trigger", list(FORMULAS))
def test_exported_text_that_would_start_a_formula_is_neutralised(app, client, trigger):
    formula = FORMULAS[trigger]
    factories.seed_caselog()
    cause = db.session.scalar(select(Lookup).where(Lookup.kind == "cause", Lookup.code == "ekonomi"))
    lookups.update_lookup(cause, label=formula + " label", active=True, position=cause.position)
    worker = factories.make_user(roles=("caseworker",))
    factories.make_case(worker, external_ref=formula + " ref", causes=["ekonomi"])
    db.session.commit()
    factories.log_in(client, worker)

    exported = client.get("/kasus/unduh", query_string={"format": "csv"}).get_data(as_text=True)
    cells = {cell for row in csv.reader(io.StringIO(exported)) for cell in row}
    workbook = load_workbook(io.BytesIO(client.get("/kasus/unduh", query_string={"format": "xlsx"}).get_data()))
    values = {c.value for ws in workbook.worksheets for row in ws.iter_rows() for c in row}
    report = client.get("/kasus/laporan/unduh", query_string={
        "format": "csv", "dimension": "cause", "from": "2026-01-01", "to": "2026-12-31"}).get_data(as_text=True)
    report_cells = {cell for row in csv.reader(io.StringIO(report)) for cell in row}
    report_book = load_workbook(io.BytesIO(client.get("/kasus/laporan/unduh", query_string={
        "format": "xlsx", "dimension": "cause", "from": "2026-01-01", "to": "2026-12-31"}).get_data()))
    report_values = {c.value for ws in report_book.worksheets for row in ws.iter_rows() for c in row}

    assert "'" + formula + " ref" in cells and formula + " ref" not in cells
    assert "'" + formula + " ref" in values and formula + " ref" not in values
    for found in (report_cells, report_values):
        assert "'" + formula + " label" in found and formula + " label" not in found


def test_a_flashed_message_carrying_user_text_is_shown_as_text(make_app, payload):
    """Flash messages travel through the session, which keeps markup as markup: a lazily
    translated message (a DomainError's) must arrive as text."""
    from flask import flash, redirect
    from flask_babel import lazy_gettext as _l

    other = make_app()

    @other.get("/_probe/flash")
    def flash_probe():
        flash(_l("Dispensasi sudah dicatat dengan nomor %(number)s.", number=hostile("Nomor", payload)), "error")
        return redirect("/bantuan")

    page = other.test_client().get("/_probe/flash", follow_redirects=True)
    assert_inert(page, hostile("Nomor", payload))
