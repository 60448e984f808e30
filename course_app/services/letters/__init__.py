"""Good-conduct letters (SKCK): upload, review, and what other features need to know (product §5).

Rules enforced here:

* Only participants upload; each upload is a new letter (history is never overwritten). A new
  upload replaces a letter still waiting for review (that one becomes "withdrawn").
* One upload form, one letter: the form carries a random token stored with the letter
  (unique per participant), so a double tap or a resent request finds the first letter.
* The file is checked by content (services/uploads/) and stored in the same transaction as
  the letter. A file another participant already uploaded is flagged to reviewers.
* An SKCK is valid six months from issue (LETTER_VALIDITY_MONTHS): valid-until defaults to
  that and may not exceed it; an already expired letter is refused at upload and can never be
  approved. Reviewers decide pending letters only, never their own, once (a parallel second
  decision is refused), and a rejection always carries a reason.

Layout: the rules are here; `desk.py` holds the reviewers' queries, `demo.py` the demo letters.
What other features use: `approved_letter`, `letter_summary`, `add_demo_letters`.
"""
import calendar
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import User
from ...models.letters import POLICE_OFFICES, FileBlob, Letter, LetterEvent
from .. import DomainError, NotFound, events, uploads
from ..clock import local_today, utcnow

STATUS_LABELS = {
    "none": _l("Belum diunggah"),
    "pending": _l("Menunggu pemeriksaan"),
    "approved": _l("Disetujui"),
    "rejected": _l("Ditolak"),
    "withdrawn": _l("Diganti unggahan baru"),
    "expired": _l("Kedaluwarsa"),
}
POLICE_OFFICE_LABELS = {
    "polres_kupang_kota": _l("Polres Kupang Kota"),
    "polsek": _l("Polsek"),
    "lainnya": _l("Kantor polisi lain"),
}
REJECTION_REASONS = {
    "tidak_terbaca": _l("Tulisan atau foto tidak terbaca"),
    "kedaluwarsa": _l("Surat sudah kedaluwarsa"),
    "nama_tidak_sesuai": _l("Nama di surat tidak sesuai dengan akun"),
    "data_tidak_sesuai": _l("Nomor atau tanggal tidak sesuai dengan surat"),
    "bukan_skck": _l("Bukan SKCK"),
    "tidak_lengkap": _l("Surat tidak lengkap (halaman atau bagian terpotong)"),
    "lainnya": _l("Alasan lain"),
}
ACTION_LABELS = {
    "uploaded": _l("Diunggah"),
    "withdrawn": _l("Diganti unggahan baru"),
    "approved": _l("Disetujui"),
    "rejected": _l("Ditolak"),
}
REASON_TEXT_MAX = 1000


def status_label(code):
    return STATUS_LABELS.get(code, code)


def reason_label(code):
    return REJECTION_REASONS.get(code, code or "")


def police_office_text(letter):
    """"Polsek Oebobo", "Polres Kupang Kota" or the other office's name, for display."""
    if letter.police_office == "polsek":
        return f"{POLICE_OFFICE_LABELS['polsek']} {letter.police_office_name or ''}".strip()
    if letter.police_office == "lainnya":
        return letter.police_office_name or str(POLICE_OFFICE_LABELS["lainnya"])
    return str(POLICE_OFFICE_LABELS.get(letter.police_office, letter.police_office))


# --- dates -------------------------------------------------------------------------------------



def add_months(day, months):
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_valid_until(issued_on):
    """An SKCK is valid six months from its issue date (LETTER_VALIDITY_MONTHS)."""
    return add_months(issued_on, current_app.config["LETTER_VALIDITY_MONTHS"])


def is_expired(letter, today=None):
    return letter.valid_until < (today or local_today())


# --- upload ------------------------------------------------------------------------------------

def _letter_by_token(user, token):
    return db.session.scalar(select(Letter).where(Letter.user_id == user.id,
                                                  Letter.upload_token == token))


def _check_details(number, police_office, police_office_name, issued_on, valid_until, today):
    if not number or len(number) < 3 or len(number) > 100:
        raise DomainError(_l("Tulis nomor surat seperti tertera di SKCK (3–100 karakter)."),
                          field="number")
    if police_office not in POLICE_OFFICES:
        raise DomainError(_l("Pilih kantor polisi yang menerbitkan surat."), field="police_office")
    if police_office != "polres_kupang_kota" and not police_office_name:
        raise DomainError(_l("Tulis nama kantor polisi yang menerbitkan surat, misalnya nama Polseknya."),
                          field="police_office_name")
    if issued_on is None or issued_on > today:
        raise DomainError(_l("Tanggal terbit tidak boleh setelah hari ini."), field="issued_on")
    if valid_until <= issued_on:
        raise DomainError(_l("Tanggal berlaku sampai harus setelah tanggal terbit."), field="valid_until")
    if valid_until > default_valid_until(issued_on):
        raise DomainError(_l("SKCK berlaku paling lama %(months)d bulan sejak terbit. Periksa lagi tanggal di surat.",
                             months=current_app.config["LETTER_VALIDITY_MONTHS"]), field="valid_until")
    if valid_until < today:
        raise DomainError(_l("Surat ini sudah kedaluwarsa. Urus SKCK baru di kantor polisi, lalu unggah yang baru."),
                          field="valid_until")


def _duplicate_of(user, checked):
    """The earliest letter of another participant with the same file (as uploaded or as stored)."""
    same_upload = select(func.min(Letter.id)).where(
        Letter.user_id != user.id, Letter.original_sha256 == checked.original_sha256)
    same_stored = select(func.min(Letter.id)).join(FileBlob, FileBlob.id == Letter.blob_id).where(
        Letter.user_id != user.id, FileBlob.sha256 == checked.sha256)
    found = [i for i in (db.session.scalar(same_upload), db.session.scalar(same_stored)) if i]
    return min(found) if found else None


def submit_letter(user, *, data, filename, number, police_office, police_office_name=None,
                  issued_on, valid_until=None, token=None, today=None, now=None):
    """Check the file and store it with a new pending letter, in one transaction.

    Submitting the same form twice (same `token`) returns the first letter, even when both
    requests arrive at once (the unique token then refuses the second insert).
    """
    today = today or local_today()
    now = now or utcnow()
    if not user.has_role("participant"):
        raise DomainError(_l("Hanya calon pengantin yang mengunggah SKCK."))
    if token:
        existing = _letter_by_token(user, token)
        if existing is not None:
            return existing
    number = " ".join((number or "").split())
    police_office_name = " ".join((police_office_name or "").split())[:120] or None
    if police_office == "polres_kupang_kota":
        police_office_name = None
    if issued_on is not None and valid_until is None:
        valid_until = default_valid_until(issued_on)
    _check_details(number, police_office, police_office_name, issued_on, valid_until, today)
    checked = uploads.check_upload(data)

    user_id = user.id
    blob = FileBlob(sha256=checked.sha256, size=checked.size, content_type=checked.content_type,
                    data=checked.data, created_at=now)
    try:
        with db.session.begin_nested():  # only this upload is undone, never the caller's work
            db.session.add(blob)
            db.session.flush()
            letter = Letter(user_id=user_id, number=number, police_office=police_office,
                            police_office_name=police_office_name, issued_on=issued_on,
                            valid_until=valid_until, status="pending",
                            original_filename=display_filename(filename, checked.extension),
                            original_sha256=checked.original_sha256, blob_id=blob.id,
                            duplicate_of_id=_duplicate_of(user, checked), upload_token=token or None,
                            uploaded_at=now)
            db.session.add(letter)
            db.session.flush()
    except IntegrityError:
        # The same form, submitted twice at the same moment: the other request stored it.
        existing = _letter_by_token(db.session.get(User, user_id), token) if token else None
        if existing is None:
            raise
        return existing
    for earlier in db.session.scalars(select(Letter).where(
            Letter.user_id == user_id, Letter.status == "pending", Letter.id != letter.id)):
        earlier.status = "withdrawn"
        db.session.add(LetterEvent(letter_id=earlier.id, actor_id=user_id, action="withdrawn", at=now))
    db.session.add(LetterEvent(letter_id=letter.id, actor_id=user_id, action="uploaded", at=now))
    db.session.flush()
    return letter


def display_filename(filename, extension):
    """The device's file name as display text: no path, no control characters, bounded."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return (name or f"skck{extension}")[:255]


# --- access and files --------------------------------------------------------------------------

def can_view(letter, user):
    """The owner and reviewers. Nobody else learns that the letter exists."""
    return letter.user_id == user.id or user.has_role("reviewer")


def find_letter(letter_id, user):
    letter = db.session.get(Letter, letter_id)
    if letter is None or not can_view(letter, user):
        raise NotFound()
    return letter


def letter_file(letter):
    """(bytes, content type) of the letter's stored file."""
    blob = letter.blob
    return blob.data, blob.content_type


def letters_of(user):
    """All of a participant's letters, newest first (their history)."""
    return db.session.scalars(select(Letter).where(Letter.user_id == user.id)
                              .order_by(Letter.uploaded_at.desc(), Letter.id.desc())).all()


def duplicates_of(letter):
    """Other participants' letters with the same file, for the reviewer."""
    return db.session.scalars(
        select(Letter).join(FileBlob, FileBlob.id == Letter.blob_id)
        .where(Letter.user_id != letter.user_id, Letter.id != letter.id,
               or_(Letter.original_sha256 == letter.original_sha256,
                   FileBlob.sha256 == letter.blob.sha256))
        .order_by(Letter.id)).all()


# --- decisions ---------------------------------------------------------------------------------

def _decide(letter, reviewer, status, reason_code=None, reason_text=None, now=None):
    if not reviewer.has_role("reviewer"):
        raise DomainError(_l("Hanya peninjau P3A yang memutuskan SKCK."))
    if letter.user_id == reviewer.id:
        raise DomainError(_l("Anda tidak dapat memeriksa surat Anda sendiri. Minta peninjau lain."))
    now = now or utcnow()
    # Conditional update: two reviewers deciding at once, or a re-upload meanwhile, cannot
    # both win.
    decided = db.session.execute(
        update(Letter).where(Letter.id == letter.id, Letter.status == "pending")
        .values(status=status, decided_at=now, decided_by_id=reviewer.id, reason_code=reason_code,
                reason_text=reason_text)
        .execution_options(synchronize_session=False)).rowcount
    if decided != 1:
        raise DomainError(_l("Surat ini sudah diputuskan atau sudah diganti unggahan baru. Muat ulang halaman."))
    db.session.add(LetterEvent(letter_id=letter.id, actor_id=reviewer.id, action=status,
                               reason_code=reason_code, reason_text=reason_text, at=now))
    db.session.flush()
    db.session.refresh(letter)
    return letter


def approve_letter(letter, reviewer, today=None, now=None):
    """Approve a pending letter. An expired letter cannot be approved (product §5)."""
    if is_expired(letter, today):
        raise DomainError(_l("Surat ini sudah kedaluwarsa sehingga tidak dapat disetujui. Tolak dengan alasan “Surat sudah kedaluwarsa”."))
    _decide(letter, reviewer, "approved", now=now)
    events.letter_approved.send(letter.user, letter=letter)
    return letter


def reject_letter(letter, reviewer, reason_code, reason_text=None, now=None):
    """Reject with a reason from the list; "lainnya" (other) needs the reason written out."""
    reason_text = (reason_text or "").strip()[:REASON_TEXT_MAX] or None
    if reason_code not in REJECTION_REASONS:
        raise DomainError(_l("Pilih alasan penolakan dari daftar."), field="reason")
    if reason_code == "lainnya" and not reason_text:
        raise DomainError(_l("Tuliskan alasannya untuk peserta."), field="reason_text")
    return _decide(letter, reviewer, "rejected", reason_code, reason_text, now=now)


# --- what other features ask -------------------------------------------------------------------

def approved_letter(user, on_date):
    """The latest approved letter valid on `on_date` (issued on or before it, valid through
    it), or None. Certificates use it for eligibility (product §6)."""
    return db.session.scalar(
        select(Letter).where(Letter.user_id == user.id, Letter.status == "approved",
                             Letter.issued_on <= on_date, Letter.valid_until >= on_date)
        .order_by(Letter.issued_on.desc(), Letter.decided_at.desc(), Letter.id.desc()).limit(1))


@dataclass
class LetterSummary:
    """Where a participant stands with their SKCK, for the dashboard and the reviewers.

    `status`: "approved" (valid today), "pending", "rejected", "expired" or "none";
    `letter` is the letter the status is about; `pending` a letter waiting for review, which
    may exist next to a still valid approved one.
    """

    status: str
    letter: Letter | None = None
    pending: Letter | None = None

    @property
    def label(self):
        return STATUS_LABELS[self.status]

    @property
    def done(self):
        return self.status == "approved"

    @property
    def can_upload(self):
        return self.status != "pending"

    @property
    def reason(self):
        if self.status == "rejected" and self.letter is not None:
            return reason_label(self.letter.reason_code)
        return None


def letter_summary(user, today=None):
    today = today or local_today()
    letters = [le for le in letters_of(user) if le.status != "withdrawn"]
    pending = next((le for le in letters if le.status == "pending"), None)
    approved = [le for le in letters if le.status == "approved"]
    valid = next((le for le in sorted(approved, key=lambda le: (le.issued_on, le.id), reverse=True)
                  if le.issued_on <= today <= le.valid_until), None)
    if valid is not None:
        return LetterSummary("approved", valid, pending)
    if pending is not None:
        return LetterSummary("pending", pending, pending)
    latest = letters[0] if letters else None
    if latest is None:
        return LetterSummary("none")
    if latest.status == "rejected":
        return LetterSummary("rejected", latest)
    return LetterSummary("expired", latest)
