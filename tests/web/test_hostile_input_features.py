"""Random and hostile input to every form of the features (letters, review, certificates,
verification, case-log): never a 5xx, nothing stored. product §8; issue 6 point 4.

Same pattern as test_hostile_input.py (the foundation's forms). Each example posts a random mix
of the form's own field names (nested ones too: `victims-0-name`, `c<id>-court_number`) and
stray names, with nasty or random values. Uploads also get random and hostile bytes under
hostile file names, next to otherwise well-formed fields so the bytes reach the file checks.

"Nothing stored" counts the rows of every table before and after each example. The one
exception is the case-log audit log (`AuditEntry`): it is append-only by design and records
*who looked at what*, so a page that shows a case (`case_view`, written on some GETs and
re-rendered forms) may add a row; any other audit action (case_create, service_add,
import_preview, ...) would mean something was accepted and fails the test. Lookup forms, whose
random label can be a perfectly valid one, are checked separately below.
"""
import io
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, literal, select, union_all

from course_app.extensions import db
from course_app.models.caselog import Lookup
from course_app.models.caselog.records import AuditEntry
from tests.certificate_builders import keys_fixture, make_certificate  # noqa: F401

from .. import factories
from .pages import text
from .test_hostile_input import NASTY, VALUES

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

#: Audit actions that record a *view*, allowed to appear after a refused post (see above).
VIEW_ACTIONS = {"case_view"}

PERSON = ["id", "name", "sex", "birth_date", "age", "education", "occupation", "marital_status",
          "disability", "disability_kind", "address"]
CASE_FIELDS = (
    ["incident_date", "report_date", "source", "external_ref", "types", "kdrt", "causes", "impacts",
     "place", "location", "kelurahan_id", "location_detail", "narrative", "legal_stage",
     "consent_services", "consent_sharing", "consent_nonidentifiable", "guardian_consent",
     "guardian_name", "add_victim", "remove_victim", "add_perpetrator", "remove_perpetrator",
     "relationships-0-victim_key", "relationships-0-perpetrator_key", "relationships-0-relationship",
     "victims-99-name", "perpetrators-x-name", "victims--1-age"]
    + [f"victims-{i}-{f}" for i in (0, 1) for f in PERSON]
    + [f"perpetrators-{i}-{f}" for i in (0, 1) for f in PERSON + ["age_group"]])

#: path template → field names. Placeholders are filled from the `world` fixture.
FORMS = {
    "/tinjau/surat/{decided_letter}/setujui": ["reason", "reason_text"],
    "/tinjau/surat/{pending_letter}/tolak": ["reason", "reason_text"],
    "/sertifikat/kelola/{cid}/cabut": ["reason", "note"],
    "/sertifikat/dispensasi/{couple}": ["c{couple}-user_id", "c{couple}-court_number", "user_id",
                                        "court_number"],
    "/v/{cid}/nikah": ["marriage_date", "institution_type", "institution_name"],
    "/v/{unknown_cid}/nikah": ["marriage_date", "institution_type", "institution_name"],
    "/kasus/baru": CASE_FIELDS,
    "/kasus/{case}/ubah": CASE_FIELDS,
    "/kasus/{case}/status": ["status", "note"],
    "/kasus/{case}/layanan": ["victim_id", "service", "service_date", "institution", "status",
                              "follow_up_date", "notes"],
}

GARBAGE_FILES = [
    b"", b"\x00" * 64, b"%PDF-", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>\n", b"\x89PNG\r\n\x1a\n",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xff\xff\xff", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    b"\xff\xd8\xff" + b"\xff" * 100, b"PK\x03\x04" + b"\x00" * 40, b"MZ\x90\x00", b"\x7fELF\x02\x01",
    b"<html><script>alert(1)</script></html>", b"<?xml version='1.0'?><svg onload='alert(1)'/>",
    "nama,umur\n\u202eKorban,-1\n".encode(), b"\xef\xbb\xbf" + b"a," * 500 + b"\n",
    b"no_laporan;tanggal\n\"\"\"\n", b"=cmd|' /C calc'!A0\n", b"\xfe\xff\x00a\x00,",
]
FILE_BYTES = st.one_of(st.sampled_from(GARBAGE_FILES), st.binary(max_size=2000))
FILE_NAMES = st.one_of(st.sampled_from([
    "", "surat.pdf", "../../etc/passwd", "a\x00.png", "x" * 400 + ".jpg", "\u202egpj.exe",
    "con.csv", "data.csv", "data.xlsx", ".csv", "file.CSV", "kasus.xlsx\r\n"]), st.text(max_size=60))


def counts():
    """Rows in every table, asked in one query: it runs after each of some 300 examples."""
    per_table = union_all(*(select(literal(table.name).label("name"), func.count().label("rows"))
                            .select_from(table) for table in db.metadata.sorted_tables))
    return dict(db.session.execute(per_table).all())


def audit_actions_since(last_id):
    return set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.id > last_id)))


def last_audit_id():
    return db.session.scalar(select(func.max(AuditEntry.id))) or 0


def assert_nothing_stored(before, last_id, context, allow=()):
    after = counts()
    audit_table = AuditEntry.__table__.name
    changed = {name: (before[name], after[name]) for name in before
               if name != audit_table and name not in allow and before[name] != after[name]}
    assert not changed, (context, changed)
    assert audit_actions_since(last_id) <= VIEW_ACTIONS, (context, audit_actions_since(last_id))


def form_data(fields):
    names = st.sampled_from(fields + ["x", "csrf_token", "id"])
    return st.dictionaries(names, st.one_of(VALUES, st.lists(VALUES, max_size=3)), max_size=12)


@pytest.fixture
def world(app, keys):
    """Someone who holds every role (so every form is reachable), a pending and a decided
    letter, an adult couple (a dispensation is refused), a certificate and a case."""
    factories.seed_caselog()
    person = factories.make_user(roles=("participant", "reviewer", "officiant", "caseworker", "admin"))
    factories.make_couple(person)
    owner = factories.make_user()
    pending = factories.make_letter(owner, status="pending")
    decided = factories.make_letter(owner, status="rejected")
    certificate, couple, _first, _second = make_certificate()
    case = factories.make_case()
    lookup = db.session.scalar(select(Lookup).where(Lookup.kind == "place", Lookup.code == "lainnya"))
    db.session.commit()
    browser = app.test_client()
    factories.log_in(browser, person)
    ids = {"pending_letter": pending.id, "decided_letter": decided.id, "cid": certificate.id,
           "unknown_cid": "AAAAAAAAAAAAAAAA", "couple": couple.id, "case": case.id,
           "lookup": lookup.id, "kind": "place"}
    return browser, ids


@pytest.mark.parametrize("path", sorted(FORMS))
def test_hostile_feature_form_input_never_errors_and_stores_nothing(world, path):
    browser, ids = world
    url = path.format(**ids)
    fields = [name.format(**ids) for name in FORMS[path]]
    before, last_id = counts(), last_audit_id()

    @SETTINGS
    @given(data=form_data(fields))
    def post_it(data):
        response = browser.post(url, data=data)
        assert response.status_code < 500, (url, data, response.status_code)
        db.session.rollback()
        assert_nothing_stored(before, last_id, (url, data))

    post_it()


# --- uploads: hostile fields and hostile bytes -------------------------------------------------

UPLOAD_BASE = {"number": "SKCK/YANMAS/0001/2026", "police_office": "polres_kupang_kota",
               "issued_on": "01/11/2026", "upload_token": "0123456789abcdef0123456789abcdef"}
UPLOADS = {
    "/surat/unggah": (["number", "police_office", "police_office_name", "issued_on", "valid_until",
                       "upload_token"], ("file", "photo")),
}


@pytest.mark.parametrize("path", sorted(UPLOADS))
def test_hostile_uploads_never_error_and_store_nothing(world, path):
    browser, _ids = world
    fields, file_fields = UPLOADS[path]
    before, last_id = counts(), last_audit_id()

    @SETTINGS
    @given(fields=st.dictionaries(st.sampled_from(fields + ["x"]), VALUES, max_size=6),
           keep_base=st.booleans(),
           files=st.lists(st.tuples(st.sampled_from(file_fields), FILE_BYTES, FILE_NAMES),
                          min_size=1, max_size=2))
    def post_it(fields, keep_base, files):
        data = {**(UPLOAD_BASE if keep_base else {}), **fields}
        for name, content, filename in files:
            data.setdefault(name, [])
            if isinstance(data[name], list):
                data[name].append((io.BytesIO(content), filename))
        response = browser.post(path, data=data, content_type="multipart/form-data")
        assert response.status_code < 500, (path, fields, files, response.status_code)
        db.session.rollback()
        assert_nothing_stored(before, last_id, (path, fields, files))

    post_it()


# --- case-log import: upload, preview, confirm ------------------------------------------------

IMPORT_NAMES = st.one_of(st.sampled_from(["data.csv", "DATA.CSV", "kasus.xlsx", "../x.csv",
                                          "a\x00.csv", "x" * 300 + ".csv"]), FILE_NAMES)


def test_hostile_import_files_never_error_and_import_nothing(world):
    """The import is two steps by design: an upload that parses becomes a waiting *preview*
    batch (its problems shown row by row; `ImportBatch` plus an `import_preview` audit entry),
    and nothing reaches the case tables before a confirm, which refuses a file with problems.
    So each hostile file is uploaded and, when a preview appears, confirmed as well: no 5xx at
    either step, and no case, person or service row ever appears."""
    from course_app.models.caselog.records import ImportBatch

    browser, _ids = world
    batches = ImportBatch.__table__.name
    before, last_id = counts(), last_audit_id()

    @SETTINGS
    @given(source=st.one_of(st.just("polres"), VALUES), content=FILE_BYTES, filename=IMPORT_NAMES,
           extra=st.dictionaries(st.sampled_from(["x", "file", "source"]), VALUES, max_size=2))
    def post_it(source, content, filename, extra):
        data = {**extra, "source": source, "file": (io.BytesIO(content), filename)}
        response = browser.post("/kasus/impor", data=data, content_type="multipart/form-data")
        assert response.status_code < 500, (source, content, filename, response.status_code)
        if response.status_code == 302 and "/kasus/impor/" in response.headers["Location"]:
            preview = browser.get(response.headers["Location"])
            assert preview.status_code < 500
            confirm = browser.post(response.headers["Location"].rstrip("/") + "/konfirmasi")
            assert confirm.status_code < 500, (content, filename, confirm.status_code)
        db.session.rollback()
        after = counts()
        changed = {name for name in after if after[name] != before[name]
                   and name not in (batches, AuditEntry.__table__.name)}
        assert not changed, (source, content, filename, changed)
        assert audit_actions_since(last_id) <= VIEW_ACTIONS | {"import_preview", "import_view", "import_confirm"}

    post_it()


@pytest.mark.parametrize("content", [b"no_laporan,tanggal\rLP/1,x\n", b"a,b\n\x81\x8d\x8f,\x90\x9d\n",
                                     b"a,b\n" + b"x" * 200_000 + b",y\n"],
                         ids=["bare carriage return", "neither utf-8 nor cp1252", "huge field"])
def test_csv_files_that_once_crashed_the_import_get_a_preview_of_their_problems(world, content):
    """Regressions found by the test above: csv.Error (bare CR, a field over the csv module's
    size limit) and an unbound `text` (bytes cp1252 leaves undefined) were 500s. Now each file
    is read to its end and the caseworker sees its preview: what is wrong (the required columns
    these files lack), nothing imported, no button to confirm; the database holds no new case."""
    from course_app.models.caselog import Case

    browser, _ids = world
    cases_before, last_id = db.session.scalar(select(func.count()).select_from(Case)), last_audit_id()
    response = browser.post("/kasus/impor", data={"source": "polres", "file": (io.BytesIO(content), "data.csv")},
                            content_type="multipart/form-data")

    assert response.status_code == 302 and re.search(r"/kasus/impor/\d+$", response.headers["Location"])
    preview = browser.get(response.headers["Location"])
    page = text(preview)
    assert "Pratinjau impor data.csv" in page
    assert "masalah ditemukan — belum ada yang diimpor" in page
    assert "Kolom wajib tidak ada" in page
    assert "/konfirmasi" not in preview.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Case)) == cases_before
    assert audit_actions_since(last_id) <= {"import_preview", "import_view"}


# --- lookup lists: a random label can be a valid one --------------------------------------------

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def test_hostile_lookup_edits_never_error_and_store_only_what_was_valid(world):
    """Editing a lookup with any label: never a 5xx, no row added (an accepted edit updates the
    row and writes its `lookup_update` audit entry), and an accepted label is stored exactly as
    cleaned, never something else."""
    browser, ids = world
    url = f"/kasus/daftar-pilihan/{ids['lookup']}"
    before = counts()

    @SETTINGS
    @given(data=form_data(["label", "position", "active"]))
    def post_it(data):
        response = browser.post(url, data=data)
        assert response.status_code < 500, (url, data, response.status_code)
        db.session.rollback()
        after = counts()
        assert {k: v for k, v in after.items() if k != AuditEntry.__table__.name} == \
            {k: v for k, v in before.items() if k != AuditEntry.__table__.name}, (url, data)
        if response.status_code == 302:
            label = data["label"]
            label = label[0] if isinstance(label, list) else label
            assert db.session.get(Lookup, ids["lookup"]).label in (label.strip(), " ".join(label.split()))

    post_it()


def test_hostile_new_lookups_never_error_and_add_only_valid_entries(world):
    browser, ids = world
    url = f"/kasus/daftar-pilihan/{ids['kind']}/baru"
    table = Lookup.__table__.name

    @SETTINGS
    @given(data=form_data(["code", "label", "position", "active"]))
    def post_it(data):
        before = counts()
        response = browser.post(url, data=data)
        assert response.status_code < 500, (url, data, response.status_code)
        db.session.rollback()
        after = counts()
        first = {k: (v[0] if isinstance(v, list) and v else v) for k, v in data.items()}
        code, label = str(first.get("code") or ""), str(first.get("label") or "")
        valid = (bool(CODE_RE.match(code.strip().lower())) and bool(label.split())
                 and len(label.strip()) <= 160 and len(code.strip()) <= 40)
        grown = after[table] - before[table]
        assert grown in ((0, 1) if valid else (0,)), (url, data)
        others = {k for k in after if k not in (table, AuditEntry.__table__.name) and after[k] != before[k]}
        assert not others, (url, data, others)

    post_it()


def test_nasty_strings_include_the_null_character():
    # Guard: the PostgreSQL run relies on these reaching text columns.
    assert "\x00" in NASTY
