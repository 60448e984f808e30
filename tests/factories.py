"""Builders for test data (STYLE.md habit 9). Synthetic only: no real names or numbers."""
import itertools
from datetime import date, timedelta

from course_app.extensions import db
from course_app.models import (
    Couple,
    CoupleMember,
    Lesson,
    Module,
    Option,
    Question,
    User,
    UserRole,
)
from course_app.services import clock
from course_app.services.clock import utcnow
from course_app.services.passwords import hash_password

PASSWORD = "Rahasia-Kuat-2026"
_seq = itertools.count(1)


def make_user(roles=("participant",), email=None, full_name=None, password=PASSWORD,
              birth_date=date(1998, 5, 17), sex="P", locale=None):
    n = next(_seq)
    user = User(email=email or f"orang{n}@contoh.test", full_name=full_name or f"Peserta Contoh {n}",
                birth_date=birth_date, sex=sex, password_hash=hash_password(password), locale=locale)
    user.roles = [UserRole(role=r) for r in roles]
    db.session.add(user)
    db.session.flush()
    return user


def make_couple(first=None, second=None, wedding_in_days=120, institution_type="gereja"):
    first = first or make_user()
    couple = Couple(planned_wedding_date=clock.today() + timedelta(days=wedding_in_days),
                    institution_type=institution_type, institution_name="Jemaat Contoh",
                    created_by_id=first.id)
    db.session.add(couple)
    db.session.flush()
    for person in (first, second):
        if person is not None:
            db.session.add(CoupleMember(couple_id=couple.id, user_id=person.id,
                                        active_user_id=person.id))
    db.session.flush()
    db.session.refresh(couple)
    return couple


def make_module(code=None, lessons=2, questions=6, multiple=1, questions_per_attempt=4,
                pass_mark=80, position=None, required=True, tagged=True):
    """A small module: `questions` questions, the first `multiple` of them multiple-answer.

    In every question the correct options are the ones whose text starts with "Benar".
    Question i tests lesson (i mod lessons) + 1 (`lesson_slug`), unless `tagged` is false: rows
    loaded before questions named their lesson.
    """
    n = next(_seq)
    code = code or f"modul_{n}"
    module = Module(code=code, title=f"Modul {n}", summary="Ringkasan", position=position or n,
                    questions_per_attempt=questions_per_attempt, pass_mark=pass_mark,
                    version=1, content_hash="0" * 64, required=required)
    db.session.add(module)
    db.session.flush()
    for i in range(lessons):
        db.session.add(Lesson(module_id=module.id, slug=f"pelajaran-{i + 1}",
                              title=f"Pelajaran {i + 1}", position=i + 1,
                              body_markdown="Isi **pelajaran**.",
                              body_html="<p>Isi <strong>pelajaran</strong>.</p>"))
    for i in range(questions):
        kind = "multiple" if i < multiple else "single"
        question = Question(module_id=module.id, key=f"{code}-{i + 1:02d}", kind=kind,
                            text=f"Pertanyaan {i + 1}?", explanation=f"Penjelasan {i + 1}.",
                            content_hash=f"{i:064d}",
                            lesson_slug=f"pelajaran-{i % lessons + 1}" if tagged and lessons else None)
        if kind == "multiple":
            texts = [("Benar A", True), ("Benar B", True), ("Salah C", False), ("Salah D", False)]
        else:
            texts = [("Benar", True), ("Salah satu", False), ("Salah dua", False)]
        question.options = [Option(text=t, is_correct=c, position=j) for j, (t, c) in enumerate(texts)]
        db.session.add(question)
    db.session.flush()
    db.session.expire(module)
    return module


def days_ago(days):
    return utcnow() - timedelta(days=days)


def read_all_lessons(user, module):
    """Mark every active lesson of `module` as opened long ago and read."""
    from course_app.models import LessonProgress

    for lesson in module.lessons:
        db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id,
                                      opened_at=days_ago(1), read_at=days_ago(1)))
    db.session.flush()


def answers_for(attempt, right=None):
    """Answers for every question of `attempt`: the first `right` ones correct (all by default),
    the others wrong (a wrong option for single-answer questions, only part of the correct set
    for multiple-answer ones). Returns {attempt question id: [option ids]}."""
    right = len(attempt.questions) if right is None else right
    answers = {}
    for index, aq in enumerate(attempt.questions):
        correct = [o.id for o in aq.question.options if o.is_correct]
        wrong = [o.id for o in aq.question.options if not o.is_correct]
        if index < right:
            answers[aq.id] = correct
        elif aq.question.kind == "multiple" and len(correct) > 1:
            answers[aq.id] = correct[:1]
        else:
            answers[aq.id] = wrong[:1]
    return answers


def questions_of(module):
    """The module's question rows, in key order."""
    return db.session.scalars(db.select(Question).where(Question.module_id == module.id)
                              .order_by(Question.key, Question.revision)).all()


def make_answered_attempt(user, module, chosen, version=None, submitted=True):
    """An attempt at `module` that answered as told: `chosen` maps each asked Question to the
    Options picked. Graded as the quiz grades (right only when the picked set is the correct
    set); for item statistics, whose tests need answers set by hand, not drawn at random."""
    from course_app.models import AttemptQuestion, QuizAttempt

    attempt = QuizAttempt(user_id=user.id, module_id=module.id, pass_mark=module.pass_mark,
                          module_version=module.version if version is None else version)
    right = 0
    for position, (question, options) in enumerate(chosen.items(), start=1):
        correct = {o.id for o in question.options if o.is_correct} == {o.id for o in options}
        right += correct
        attempt.questions.append(AttemptQuestion(
            question_id=question.id, position=position,
            option_order=[o.id for o in question.options],
            selected_option_ids=sorted(o.id for o in options) if submitted else None,
            is_correct=correct if submitted else None))
    if submitted:
        attempt.submitted_at = utcnow()
        attempt.correct_count = right
        attempt.score_percent = (200 * right + len(chosen)) // (2 * len(chosen))
        attempt.passed = attempt.score_percent >= attempt.pass_mark
    db.session.add(attempt)
    db.session.flush()
    return attempt


def registration_data(**overrides):
    """What a person types into the registration form. The domain must pass email validation,
    so it is IANA's example.com (reserved, never delivered), not .test."""
    n = next(_seq)
    data = {"full_name": f"Calon Pengantin {n}", "email": f"calon{n}@example.com", "phone": "",
            "birth_date": "1998-05-17", "sex": "P", "password": PASSWORD,
            "password_confirm": PASSWORD, "consent": "y"}
    data.update(overrides)
    if "password" in overrides and "password_confirm" not in overrides:
        data["password_confirm"] = overrides["password"]
    return data


def log_in(client, user, password=PASSWORD):
    """Log `client` in through the form; for tests that need two people logged in at once."""
    response = client.post("/masuk", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


# --- good-conduct letters (issue 3) -------------------------------------------------------------
# Test files are made here, in code: never commit binaries.

def png_bytes(size=(64, 48), color=(200, 220, 240), mode="RGB", text=None, gps=False):
    """A small valid PNG; `text` adds a tEXt chunk, `gps` an eXIf chunk with GPS coordinates."""
    import io

    from PIL import Image, PngImagePlugin

    image = Image.new(mode, size, color)
    info = PngImagePlugin.PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, exif=_gps_exif().tobytes() if gps else b"")
    return out.getvalue()


def _gps_exif(orientation=None):
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "KameraContoh"  # Make
    exif[0x8825] = {1: "S", 2: (10.0, 9.0, 36.0), 3: "E", 4: (123.0, 35.0, 24.0)}  # Kupang-ish
    if orientation:
        exif[0x0112] = orientation
    return exif


def jpeg_bytes(size=(80, 60), color=(180, 40, 40), gps=True, orientation=None, quality=90, mode="RGB"):
    """A small valid JPEG, by default with EXIF GPS coordinates (as phone photos have)."""
    import io

    from PIL import Image

    image = Image.new(mode, size, color)
    if mode == "RGB":  # a white stripe on the left shows which way is up after rotation
        for x in range(size[0] // 4):
            for y in range(size[1]):
                image.putpixel((x, y), (255, 255, 255))
    out = io.BytesIO()
    exif = _gps_exif(orientation).tobytes() if gps or orientation else b""
    image.save(out, "JPEG", quality=quality, exif=exif)
    return out.getvalue()


def pdf_bytes(catalog_extra="", objects=(), header=b"%PDF-1.4", page_text="SKCK CONTOH", tail=b""):
    """A minimal valid one-page PDF written by hand, with exact cross-reference offsets.

    `catalog_extra` goes into the catalog dictionary; `objects` are bodies of objects 5, 6, ...
    (bytes or str); `tail` is appended after %%EOF.
    """
    content = f"BT /F1 24 Tf 40 100 Td ({page_text}) Tj ET".encode()
    bodies = [
        f"<< /Type /Catalog /Pages 2 0 R {catalog_extra} >>".encode(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ] + [o.encode() if isinstance(o, str) else o for o in objects]
    out = bytearray(header + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref_at)
    return bytes(out) + tail


def pdf_with_open_action_javascript():
    return pdf_bytes("/OpenAction 5 0 R", ["<< /Type /Action /S /JavaScript /JS (app.alert\\('hai'\\)) >>"])


def pdf_with_named_javascript():
    return pdf_bytes("/Names << /JavaScript 5 0 R >>",
                     ["<< /Names [(a) 6 0 R] >>", "<< /S /JavaScript /JS (this.print\\(\\)) >>"])


def pdf_with_hex_escaped_javascript():
    """`/J#61vaScript` is `/JavaScript` in disguise (PDF name escapes)."""
    return pdf_bytes("/OpenAction 5 0 R", ["<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>"])


def pdf_with_embedded_file():
    return pdf_bytes("/Names << /EmbeddedFiles 5 0 R >>", [
        "<< /Names [(lampiran.exe) 6 0 R] >>",
        "<< /Type /Filespec /F (lampiran.exe) /EF << /F 7 0 R >> >>",
        b"<< /Type /EmbeddedFile /Length 5 >>\nstream\nMZxyz\nendstream",
    ])


def pdf_with_launch_action():
    return pdf_bytes("/OpenAction 5 0 R", ["<< /S /Launch /F (cmd.exe) >>"])


def pdf_with_xfa_form():
    return pdf_bytes("/AcroForm 5 0 R", ["<< /Fields [] /XFA 6 0 R >>",
                                         b"<< /Length 7 >>\nstream\n<xdp/>\nendstream"])


def pdf_with_javascript_in_object_stream():
    """The JavaScript action hides in a compressed object stream, found through an xref stream:
    no `/JavaScript` appears anywhere in the raw bytes."""
    import zlib

    hidden = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
    packed = b"4 0 " + hidden
    stream = zlib.compress(packed)
    content = b"BT /F1 24 Tf 40 100 Td (SKCK) Tj ET"
    bodies = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 6 0 R >>",
        5: b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(stream)
           + stream + b"\nendstream",
        6: b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    }
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in bodies.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    offsets[7] = len(out)
    rows = [(0, 0, 65535)] + [(1, offsets[1], 0), (1, offsets[2], 0), (1, offsets[3], 0),
                              (2, 5, 0), (1, offsets[5], 0), (1, offsets[6], 0), (1, offsets[7], 0)]
    table = b"".join(t.to_bytes(1, "big") + f.to_bytes(4, "big") + g.to_bytes(2, "big") for t, f, g in rows)
    out += (b"7 0 obj\n<< /Type /XRef /Size 8 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(table)
            + table + b"\nendstream\nendobj\n")
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[7]
    return bytes(out)


def pdf_encrypted_with_password():
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.encrypt(user_password="rahasia", owner_password="pemilik", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_owner_password_only():
    """Restrictions only (printing, copying): opens without a password, like many e-letters."""
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.encrypt(user_password="", owner_password="pemilik", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


HTML_PAGE = (b"<!DOCTYPE html>\n<html><head><title>SKCK</title></head>"
             b"<body><script>fetch('/akun').then(r => r.text()).then(alert)</script></body></html>\n")
def phone_photo_jpeg(size=(8000, 6000), orientation=None, mode="RGB", progressive=False, subsampling=-1):
    """A big phone photo (48 megapixels by default) with EXIF GPS, made fast: a flat colour that
    compresses small, and — in RGB — a white stripe on the left that shows which way is up."""
    import io

    from PIL import Image

    colour = {"RGB": (180, 40, 40), "L": 90, "CMYK": (0, 50, 50, 0)}[mode]
    image = Image.new(mode, size, colour)
    if mode == "RGB":
        image.paste((255, 255, 255), (0, 0, size[0] // 4, size[1]))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=_gps_exif(orientation).tobytes(), progressive=progressive,
               subsampling=subsampling)
    return out.getvalue()


def png_of_pixels(width, height):
    """A real greyscale PNG of width × height pixels (a flat scan), for the pixel limits."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (width, height), 230).save(out, "PNG", compress_level=1)
    return out.getvalue()


SVG_IMAGE = (b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
             b'width="10" height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>\n')
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode."
LINUX_ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 100


def png_chunk(kind, body):
    import zlib

    return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")


def png_bomb(width=20_000, height=20_000):
    """A PNG header announcing 400 megapixels, in a few hundred bytes (decompression bomb)."""
    import zlib

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
            + png_chunk(b"IDAT", zlib.compress(b"\x00" * 4096)) + png_chunk(b"IEND", b""))


def make_letter(user, status="approved", issued_on=None, valid_until=None, reviewer=None, data=None,
                reason_code=None, reason_text=None, uploaded_at=None):
    """A letter straight in the database (no upload checks), in any state, with its history.

    Defaults: issued ten days ago, valid for LETTER_VALIDITY_MONTHS, a tiny PNG as the file.
    `reviewer` decides it (a new reviewer is made when needed).
    """
    import hashlib

    from course_app.models.letters import FileBlob, Letter, LetterEvent
    from course_app.services import letters

    issued_on = issued_on or clock.today() - timedelta(days=10)
    valid_until = valid_until or letters.default_valid_until(issued_on)
    data = data if data is not None else png_bytes(color=(next(_seq) % 256, 100, 100))
    content_type = ("application/pdf" if data.startswith(b"%PDF-") else
                    "image/jpeg" if data.startswith(b"\xff\xd8") else "image/png")
    digest = hashlib.sha256(data).hexdigest()
    blob = FileBlob(sha256=digest, size=len(data), content_type=content_type, data=data)
    db.session.add(blob)
    db.session.flush()
    uploaded_at = uploaded_at or utcnow() - timedelta(days=2)
    letter = Letter(user_id=user.id, number=f"SKCK/YANMAS/{next(_seq):04d}/2026",
                    police_office="polres_kupang_kota", issued_on=issued_on, valid_until=valid_until,
                    status=status, original_filename="skck" + {"application/pdf": ".pdf", "image/jpeg": ".jpg"}.get(content_type, ".png"),
                    original_sha256=digest, blob_id=blob.id, uploaded_at=uploaded_at)
    db.session.add(letter)
    db.session.flush()
    db.session.add(LetterEvent(letter_id=letter.id, actor_id=user.id, action="uploaded", at=uploaded_at))
    if status in ("approved", "rejected"):
        reviewer = reviewer or make_user(roles=("reviewer",))
        letter.decided_at = uploaded_at + timedelta(hours=3)
        letter.decided_by_id = reviewer.id
        if status == "rejected":
            letter.reason_code = reason_code or "tidak_terbaca"
            letter.reason_text = reason_text
        db.session.add(LetterEvent(letter_id=letter.id, actor_id=reviewer.id, action=status,
                                   reason_code=letter.reason_code, reason_text=reason_text,
                                   at=letter.decided_at))
    db.session.flush()
    return letter


# --- case-log (issue 5) ------------------------------------------------------------------------

#: What `lookups.seed_reference_data()` wrote into empty lists: rows without their ids, each
#: kelurahan with its kecamatan's code.
_reference_rows = {}


def seed_caselog():
    """The case-log's reference lists (categories, kecamatan, kelurahan), as the service seeds
    them. Hundreds of tests start from these ~190 rows, and seeding them object by object costs
    some 50 ms of CPU each time; so the first seeding of empty lists in a test process goes
    through the service, and later ones into empty lists copy what it wrote, in a few INSERTs."""
    from course_app.services.caselog import lookups

    if _reference_rows and not _caselog_lists_hold_rows():
        _copy_reference_rows()
        return
    was_empty = not _caselog_lists_hold_rows()
    lookups.seed_reference_data()
    if was_empty and not _reference_rows:
        _reference_rows.update(_read_reference_rows())


def _caselog_lists_hold_rows():
    from course_app.models.caselog import Kecamatan, Kelurahan, Lookup

    return any(db.session.scalar(db.select(model.id).limit(1)) is not None
               for model in (Lookup, Kecamatan, Kelurahan))


def _read_reference_rows():
    from course_app.models.caselog import Kecamatan, Kelurahan, Lookup

    lookup_columns = [c for c in Lookup.__table__.columns if not c.primary_key]
    return {
        "lookups": [dict(row) for row in db.session.execute(
            db.select(*lookup_columns).order_by(Lookup.id)).mappings()],
        "kecamatan": [dict(row) for row in db.session.execute(
            db.select(Kecamatan.code, Kecamatan.name).order_by(Kecamatan.id)).mappings()],
        "kelurahan": [dict(row) for row in db.session.execute(
            db.select(Kelurahan.code, Kelurahan.name, Kelurahan.aliases,
                      Kecamatan.code.label("kecamatan_code"))
            .join(Kelurahan.kecamatan).order_by(Kelurahan.id)).mappings()],
    }


def _copy_reference_rows():
    from course_app.models.caselog import Kecamatan, Kelurahan, Lookup

    db.session.execute(Lookup.__table__.insert(), _reference_rows["lookups"])
    kecamatan_ids = {}
    for row in _reference_rows["kecamatan"]:  # six rows; their new ids are needed below
        kecamatan_ids[row["code"]] = db.session.execute(
            Kecamatan.__table__.insert().values(**row).returning(Kecamatan.id)).scalar_one()
    db.session.execute(Kelurahan.__table__.insert(), [
        {"code": r["code"], "name": r["name"], "aliases": r["aliases"],
         "kecamatan_id": kecamatan_ids[r["kecamatan_code"]]} for r in _reference_rows["kelurahan"]])


def kecamatan_id(name="Oebobo"):
    from course_app.models.caselog import Kecamatan
    return db.session.scalar(db.select(Kecamatan.id).where(Kecamatan.name == name))


def kelurahan_id(name):
    from course_app.models.caselog import Kelurahan
    return db.session.scalar(db.select(Kelurahan.id).where(Kelurahan.name == name))


def case_payload(victims=None, perpetrators=None, **overrides):
    """A valid case as the services take it: one adult woman hurt at home by her husband."""
    n = next(_seq)
    data = {
        "incident_date": date(2026, 3, 1), "report_date": date(2026, 3, 4), "place": "rumah_tangga",
        "source": "p3a", "external_ref": f"REF-{n}", "narrative": f"Kronologi sintetis {n}",
        "kdrt": True, "types": ["fisik"], "causes": ["ekonomi"], "impacts": ["luka_ringan"],
        "kecamatan_id": kecamatan_id(), "kelurahan_id": None, "outside_city": False,
        "location_detail": None, "legal_stage": None, "consent_services": True,
        "consent_sharing": False, "consent_nonidentifiable": True, "guardian_consent": False,
        "guardian_name": None,
        "victims": victims if victims is not None else [
            {"name": f"Korban Contoh {n}", "sex": "P", "age": 30, "address": f"Jl. Contoh {n}"}],
        "perpetrators": perpetrators if perpetrators is not None else [
            {"name": f"Pelaku Contoh {n}", "sex": "L", "age": 35}],
        "relationships": {(0, 0): "suami_istri"},
    }
    data.update(overrides)
    return data


def make_case(user=None, **overrides):
    """A case recorded through the case service (all its rules apply)."""
    from course_app.services.caselog import cases
    return cases.create_case(case_payload(**overrides), user, today=date(2026, 11, 27))


# --- the programme's statistics (issue 12 point 5) ------------------------------------------------

def make_couple_record(creator, created_at, institution_type="gereja", residence_kecamatan=None):
    """A couple row only (no members), registered at `created_at`: many couples, one creator."""
    couple = Couple(planned_wedding_date=clock.local_date(created_at) + timedelta(days=120),
                    institution_type=institution_type, institution_name="Jemaat Contoh",
                    residence_kecamatan=residence_kecamatan, created_by_id=creator.id,
                    created_at=created_at)
    db.session.add(couple)
    db.session.flush()
    return couple


def study(user, module, at, read=True):
    """`user` opened (and, with `read`, confirmed) every active lesson of `module` at `at`."""
    from course_app.models import LessonProgress

    for lesson in module.lessons:
        db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id, opened_at=at,
                                      read_at=at if read else None))
    db.session.flush()


def make_attempt_at(user, module, submitted_at, passed):
    """A submitted attempt at `submitted_at` that passed or failed (every answer right or wrong)."""
    chosen = {q: ([o for o in q.options if o.is_correct] if passed else
                  [o for o in q.options if not o.is_correct][:1])
              for q in questions_of(module)[:module.questions_per_attempt]}
    attempt = make_answered_attempt(user, module, chosen)
    attempt.started_at = attempt.submitted_at = submitted_at
    db.session.flush()
    return attempt


def make_certificate_record(couple, issued_at, expires_at=None, used_at=None, revoked_at=None):
    """A certificate row as issued at `issued_at` (no real signature or PDF): for counting."""
    import secrets

    from course_app.models.certificates import Certificate, SigningKey

    key = db.session.scalar(db.select(SigningKey).limit(1))
    if key is None:
        key = SigningKey(kid=secrets.token_hex(4), public_key=bytes(32), valid_from=issued_at)
        db.session.add(key)
        db.session.flush()
    certificate = Certificate(
        id=secrets.token_hex(8).upper()[:16], couple_id=couple.id,
        live_couple_id=None if revoked_at else couple.id, format_version=2, template_version=1,
        snapshot={}, issued_at=issued_at, expires_at=expires_at or issued_at + timedelta(days=365),
        signing_key_id=key.id, token=b"", pdf=b"", pdf_sha256="0" * 64, used_at=used_at,
        revoked_at=revoked_at, revocation_reason="other" if revoked_at else None)
    db.session.add(certificate)
    db.session.flush()
    return certificate
