"""A participant's rights over their personal data (UU 27/2022 on personal data protection).

* **Access** (Pasal 7, 8): `export_data` gives a participant everything the programme holds
  about them as JSON: their account, couples (the partner by name only), lesson progress, quiz
  attempts with scores, letters' metadata (the files themselves are downloadable from the
  letter page while they are kept), dispensations and the certificates issued to their couple.
  Never another person's personal fields; never file bytes.
* **Erasure** (Pasal 8, 16): `delete_account` anonymises the account (name, email, phone,
  birth date, sex, language), deletes every SKCK file, withdraws a letter still waiting for
  review, ends every session, deactivates the account and dissolves a couple still in
  progress (the partner keeps their own account and may form a new couple). What the law lets
  the office keep stays, and the confirmation page says so: an issued certificate's frozen
  snapshot (officiants must still be able to verify it: the programme's public task and legal
  basis of Pasal 20(2), not consent), letters' metadata and decisions, quiz results tied to
  the anonymised account, and the audit log (which holds ids, never names).
  Staff accounts are not deleted this way: an admin deactivates them.

docs/privacy.md lists every personal field, who sees it and how long it is kept.
"""
import json
import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from ..extensions import db
from ..models import CoupleMember, Lesson, LessonProgress, Module, QuizAttempt
from ..models.certificates import Certificate, Dispensation
from ..models.letters import LetterEvent
from ..models.mail import OutboxMessage
from . import DomainError, clock, couples, letters
from .accounts import end_sessions
from .caselog import audit
from .letters import retention
from .passwords import hash_password, verify_password

EXPORT_FORMAT = 1
#: What a deleted account shows where a name used to be (the partner's couple page, reviewers).
DELETED_NAME = "Akun dihapus"
#: A reserved top-level domain (RFC 2606): the placeholder can never reach a real mailbox.
DELETED_EMAIL_DOMAIN = "akun-dihapus.invalid"


def _iso(moment):
    return moment.isoformat() if moment is not None else None


# --- access: the participant's own data ---------------------------------------------------------

def _couples(user):
    memberships = db.session.scalars(select(CoupleMember).where(CoupleMember.user_id == user.id)
                                     .order_by(CoupleMember.id)).all()
    found = []
    for membership in memberships:
        couple = membership.couple
        partners = [m.user.full_name for m in couple.members if m.user_id != user.id]
        found.append({
            "couple_id": couple.id,
            "joined_at": _iso(membership.joined_at),
            "left_at": _iso(membership.left_at),
            "planned_wedding_date": _iso(couple.planned_wedding_date),
            "institution_type": couple.institution_type,
            "institution_name": couple.institution_name,
            "residence_kecamatan": couple.residence_kecamatan,
            "dissolved_at": _iso(couple.dissolved_at),
            # The partner's name only: their other fields are their own data.
            "partner_names": partners,
        })
    return found


def _lessons(user):
    rows = db.session.execute(
        select(Module.code, Lesson.slug, Lesson.title, LessonProgress.opened_at, LessonProgress.read_at)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id).join(Module, Module.id == Lesson.module_id)
        .where(LessonProgress.user_id == user.id).order_by(LessonProgress.id))
    return [{"module": code, "lesson": slug, "title": title, "opened_at": _iso(opened),
             "read_at": _iso(read)} for code, slug, title, opened, read in rows]


def _attempts(user):
    attempts = db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user.id)
                                  .order_by(QuizAttempt.id)).all()
    return [{"module": a.module.code, "module_version": a.module_version,
             "started_at": _iso(a.started_at), "submitted_at": _iso(a.submitted_at),
             "questions": len(a.questions), "correct": a.correct_count,
             "score_percent": a.score_percent, "pass_mark": a.pass_mark, "passed": a.passed}
            for a in attempts]


def _letters(user):
    found = []
    for letter in letters.letters_of(user):
        found.append({
            "letter_id": letter.id,
            "number": letter.number,
            "police_office": letters.police_office_text(letter),
            "issued_on": _iso(letter.issued_on),
            "valid_until": _iso(letter.valid_until),
            "status": letter.status,
            "uploaded_at": _iso(letter.uploaded_at),
            "decided_at": _iso(letter.decided_at),
            "rejection_reason": letter.reason_code and str(letters.reason_label(letter.reason_code)),
            "rejection_note": letter.reason_text,
            "file": {"name": letter.original_filename, "type": letter.blob.content_type,
                     "size": letter.blob.size, "sha256": letter.blob.sha256,
                     "deleted_at": _iso(letter.file_deleted_at)},
            "history": [{"at": _iso(e.at), "action": e.action} for e in letter.events],
        })
    return found


def _certificates(user):
    couple_ids = select(CoupleMember.couple_id).where(CoupleMember.user_id == user.id)
    found = []
    for certificate in db.session.scalars(select(Certificate).where(Certificate.couple_id.in_(couple_ids))
                                          .order_by(Certificate.issued_at)):
        found.append({"certificate_id": certificate.id, "issued_at": _iso(certificate.issued_at),
                      "expires_at": _iso(certificate.expires_at), "used_at": _iso(certificate.used_at),
                      "marriage_date": _iso(certificate.marriage_date),
                      "revoked_at": _iso(certificate.revoked_at)})
    return found


def export_data(user, now=None):
    """Everything held about `user`, as plain JSON types (UU 27/2022: the right of access)."""
    now = now or clock.utcnow()
    dispensations = db.session.scalars(select(Dispensation).where(Dispensation.user_id == user.id)
                                       .order_by(Dispensation.id)).all()
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(now),
        "exported_on": clock.local_date(now).isoformat(),
        "note": str(_l("Data Anda di Pranikah Kupang (Dinas P3A Kota Kupang). Berkas SKCK dapat "
                       "diunduh dari halaman Surat selama masih disimpan.")),
        "account": {
            "id": user.id, "full_name": user.full_name, "email": user.email, "phone": user.phone,
            "birth_date": _iso(user.birth_date), "sex": user.sex, "language": user.locale,
            "roles": sorted(user.role_codes), "created_at": _iso(user.created_at),
            "password_changed_at": _iso(user.password_changed_at),
        },
        "couples": _couples(user),
        "lessons": _lessons(user),
        "quiz_attempts": _attempts(user),
        "letters": _letters(user),
        "dispensations": [{"couple_id": d.couple_id, "court_number": d.court_number,
                           "recorded_at": _iso(d.recorded_at)} for d in dispensations],
        "certificates": _certificates(user),
    }


def export_json(user, now=None):
    """The export as UTF-8 JSON bytes; written to the audit log ("data_export", no content)."""
    data = export_data(user, now)
    audit.record(user, "data_export", "user", user.id)
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def export_filename(today=None):
    """data-saya-pranikah-2026-12-06.json: Kupang's date."""
    return f"data-saya-pranikah-{(today or clock.today()).isoformat()}.json"


# --- erasure ------------------------------------------------------------------------------------

def can_delete_own_account(user):
    """Participants only: a staff account (any other role) is deactivated by an admin, so that
    what staff did stays attributable."""
    return user.role_codes == {"participant"}


@dataclass
class WhatIsKept:
    """What deleting the account would keep and change, for the confirmation page."""

    certificate_ids: list
    couple_in_progress: bool
    letter_count: int


def what_deletion_keeps(user):
    couple = couples.current_couple(user)
    couple_ids = select(CoupleMember.couple_id).where(CoupleMember.user_id == user.id)
    certificate_ids = db.session.scalars(select(Certificate.id).where(Certificate.couple_id.in_(couple_ids))
                                         .order_by(Certificate.issued_at)).all()
    letter_count = len(letters.letters_of(user))
    return WhatIsKept(certificate_ids=list(certificate_ids),
                      couple_in_progress=couple is not None and couple.locked_at is None,
                      letter_count=letter_count)


def delete_account(user, password, now=None):
    """Erase a participant's personal data at their request (UU 27/2022), keeping what must be
    kept (see the module docstring). The password is asked again. The caller commits and ends
    the current session; every other session is already ended here."""
    now = now or clock.utcnow()
    if not can_delete_own_account(user):
        raise DomainError(_l("Akun petugas tidak dapat dihapus sendiri. Minta admin P3A menonaktifkannya."))
    if not verify_password(user.password_hash, password or ""):
        raise DomainError(_l("Kata sandi salah."), field="password")

    couple = couples.current_couple(user)
    if couple is not None and couple.locked_at is None:
        couples.dissolve_couple(user, now)  # the partner sees it dissolved and may start again

    for letter in letters.letters_of(user):
        if letter.status == "pending":  # nothing left for a reviewer to decide
            letter.status = "withdrawn"
            db.session.add(LetterEvent(letter_id=letter.id, actor_id=user.id, action="withdrawn", at=now))
        retention.delete_file(letter, now)

    # Mail still addressed to the person (waiting, or kept a while after sending).
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient == user.email)
                       .execution_options(synchronize_session=False))

    user.full_name = DELETED_NAME
    user.email = f"dihapus-{user.id}@{DELETED_EMAIL_DOMAIN}"
    user.phone = None
    user.birth_date = None
    user.sex = None
    user.locale = None
    user.institution_type = None
    user.institution_name = None
    # No password can match: a random one nobody ever saw.
    user.password_hash = hash_password(secrets.token_urlsafe(32))
    user.password_changed_at = now
    user.failed_logins = 0
    user.locked_until = None
    user.is_active_account = False
    end_sessions(user)
    audit.record(user, "account_delete", "user", user.id)
    db.session.flush()
    return user


def is_deleted(user):
    """A deleted (anonymised) account, as opposed to one an admin deactivated."""
    return user.email.endswith("@" + DELETED_EMAIL_DOMAIN)

