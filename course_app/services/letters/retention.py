"""Deleting SKCK files once they have served their decision (UU 27/2022, product §8).

UU 27/2022 (Pelindungan Data Pribadi) asks that personal data be kept no longer than its
purpose needs. An SKCK file's purpose is the reviewer's decision and the certificate it leads
to; after that only the facts about it matter. So a file is deleted
LETTER_FILE_RETENTION_DAYS Kupang days after:

* the couple's certificate was issued, for an approved letter that served it (the first
  certificate issued at or after the approval, of a couple the owner belonged to then);
* the rejection, for a rejected letter;
* its replacement by a newer upload, for a withdrawn (superseded) letter;
* its last valid day, for an approved letter that never served a certificate (an expired
  letter can never make one).

A letter waiting for review keeps its file. Deleting a file empties the blob's bytes and sets
`Letter.file_deleted_at`; the letter (number, office, dates, decision, reason) and the blob row
(SHA-256, size, type) stay, so reviewers and the owner still see what was decided and on what.
The device's file name, which may carry a name, becomes a neutral "skck.<ext>".

`flask letters purge` (course_app/letters/commands.py) runs `purge_batch` until nothing is left.
"""
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from ...extensions import db
from ...models import CoupleMember
from ...models.certificates import Certificate
from ...models.letters import FileBlob, Letter, LetterEvent
from .. import clock

EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
#: Why a file was deleted, for the purge's counts (codes; no names).
REASONS = ("certificate_issued", "rejected", "withdrawn", "expired_unused", "account_deleted")


def retention_days():
    return current_app.config["LETTER_FILE_RETENTION_DAYS"]


def delete_file(letter, now=None):
    """Delete one letter's file bytes now (retention, or the owner deleting their account).
    Idempotent: a file already deleted stays as it is. Returns True when bytes were deleted."""
    if letter.file_deleted_at is not None:
        return False
    now = now or clock.utcnow()
    # A bulk UPDATE: the deferred bytes are never loaded to be thrown away.
    db.session.execute(update(FileBlob).where(FileBlob.id == letter.blob_id).values(data=b"")
                       .execution_options(synchronize_session=False))
    db.session.expire(letter.blob, ["data"])
    letter.file_deleted_at = now
    letter.original_filename = "skck" + EXTENSIONS.get(letter.blob.content_type, "")
    db.session.flush()
    return True


# --- when a file is due --------------------------------------------------------------------------

def _certificates_by_user(user_ids):
    """{user_id: [(issued_at, joined_at, left_at), ...]} for the couples these people were in."""
    found = {}
    if not user_ids:
        return found
    rows = db.session.execute(
        select(CoupleMember.user_id, Certificate.issued_at, CoupleMember.joined_at, CoupleMember.left_at)
        .join(Certificate, Certificate.couple_id == CoupleMember.couple_id)
        .where(CoupleMember.user_id.in_(user_ids)))
    for user_id, issued_at, joined_at, left_at in rows:
        found.setdefault(user_id, []).append((issued_at, joined_at, left_at))
    return found


def _withdrawn_at(letter_ids):
    if not letter_ids:
        return {}
    return dict(db.session.execute(
        select(LetterEvent.letter_id, func.max(LetterEvent.at))
        .where(LetterEvent.letter_id.in_(letter_ids), LetterEvent.action == "withdrawn")
        .group_by(LetterEvent.letter_id)).all())


def _seconds(moment):
    # A certificate's issued_at is whole seconds (it is signed so); the rest carry microseconds.
    return moment.replace(microsecond=0) if moment is not None else None


def _served_certificate_at(letter, certificates):
    """When the first certificate this approved letter served was issued, or None: one issued
    after the approval, while the owner was a member of its couple."""
    decided_at = _seconds(letter.decided_at)
    served = [issued_at for issued_at, joined_at, left_at in certificates
              if decided_at is not None and issued_at >= decided_at
              and _seconds(joined_at) <= issued_at and (left_at is None or _seconds(left_at) > issued_at)]
    return min(served) if served else None


def due(letter, certificates=(), withdrawn_at=None, days=None):
    """(the first Kupang day the file may be deleted, reason code), or (None, None) while it is
    still needed. `certificates` and `withdrawn_at` as `purge_batch` loads them."""
    days = retention_days() if days is None else days
    keep = timedelta(days=days)
    if letter.file_deleted_at is not None or letter.status == "pending":
        return None, None
    if letter.status == "rejected":
        return clock.local_date(letter.decided_at or letter.uploaded_at) + keep, "rejected"
    if letter.status == "withdrawn":
        return clock.local_date(withdrawn_at or letter.uploaded_at) + keep, "withdrawn"
    served_at = _served_certificate_at(letter, certificates)
    if served_at is not None:
        return clock.local_date(served_at) + keep, "certificate_issued"
    return letter.valid_until + keep, "expired_unused"


def file_due_on(letter):
    """The first Kupang day `letter`'s file may be deleted (None: still needed), for one letter."""
    certificates = _certificates_by_user([letter.user_id]).get(letter.user_id, [])
    return due(letter, certificates, _withdrawn_at([letter.id]).get(letter.id))[0]


# --- the purge -----------------------------------------------------------------------------------

@dataclass
class PurgeReport:
    examined: int = 0
    deleted: int = 0
    bytes_freed: int = 0
    by_reason: Counter = field(default_factory=Counter)
    last_id: int = 0

    def add(self, other):
        self.examined += other.examined
        self.deleted += other.deleted
        self.bytes_freed += other.bytes_freed
        self.by_reason.update(other.by_reason)
        self.last_id = other.last_id


def purge_batch(after_id=0, batch_size=500, today=None, now=None, dry_run=False):
    """Delete the due files among the next `batch_size` letters that still hold one (by id,
    after `after_id`). Returns a PurgeReport; `examined == 0` means there is nothing left.
    With `dry_run`, counts what would be deleted and deletes nothing. The caller commits."""
    today = today or clock.today()
    now = now or clock.utcnow()
    report = PurgeReport(last_id=after_id)
    letters = db.session.scalars(
        select(Letter).where(Letter.id > after_id, Letter.file_deleted_at.is_(None),
                             Letter.status != "pending")
        .order_by(Letter.id).limit(batch_size)).all()
    if not letters:
        return report
    certificates = _certificates_by_user({le.user_id for le in letters if le.status == "approved"})
    withdrawn = _withdrawn_at([le.id for le in letters if le.status == "withdrawn"])
    days = retention_days()
    for letter in letters:
        report.examined += 1
        report.last_id = letter.id
        due_on, reason = due(letter, certificates.get(letter.user_id, []), withdrawn.get(letter.id), days)
        if due_on is None or due_on > today:
            continue
        report.deleted += 1
        report.bytes_freed += letter.blob.size
        report.by_reason[reason] += 1
        if not dry_run:
            delete_file(letter, now)
    return report


def purge(batch_size=500, today=None, now=None, dry_run=False, after_batch=None):
    """Every due file, batch after batch; `after_batch()` (the CLI's commit) runs after each."""
    total = PurgeReport()
    while True:
        report = purge_batch(total.last_id, batch_size, today, now, dry_run)
        if report.examined == 0:
            return total
        total.add(report)
        if after_batch is not None:
            after_batch()
