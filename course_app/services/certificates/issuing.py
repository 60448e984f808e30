"""Issuing: the moment the last condition holds, freeze a snapshot, sign the token, build
the PDF once; the couple is locked from then on.

The receivers at the bottom react to the domain events that can complete the conditions (a
quiz passed, a letter approved, a court dispensation recorded, the second partner joining);
`course_app/wiring.py` connects them. They issue in a savepoint (`try_to_issue`): a failure
to sign, draw the QR or build the PDF is logged and undone alone, and the action that sent
the event still commits. `issue_pending` (the `certificates issue-pending` command, for
cron) and the couple's next dashboard view (`issue_pending_for`) try again.
"""
import logging
import traceback
from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select, update

from ...extensions import db
from ...labels import institution_label
from ...models import Couple
from ...models.certificates import Certificate
from .. import certificate_pdf, clock, couples, events, learning, qr, quizzes, signing
from ..clock import utcnow
from .eligibility import dispensation_for, eligibility
from .rules import clean_name, live_certificate, new_certificate_id

log = logging.getLogger("course_app.services.certificates")


def issue_if_eligible(couple, now=None, today=None):
    """Issue the couple's certificate if every condition holds now; else do nothing.

    Without a signing key on this host nothing is issued (and the participant's request that
    completed the last condition still succeeds): `issue_pending` and the couple's next
    dashboard view try again. Other failures raise: callers that must not fail with it use
    `try_to_issue`.
    """
    if couple is None or live_certificate(couple) is not None:
        return None
    if not eligibility(couple, today).eligible:
        return None
    if not signing.can_sign():
        log.warning("couple %s is eligible but no signing key is available", couple.id)
        return None
    return issue_certificate(couple, now)


def issue_certificate(couple, now=None):
    """Issue now, without checking eligibility (callers do; the demo doesn't).

    The couple is claimed with a conditional UPDATE of `locked_at`: of two simultaneous
    issues exactly one proceeds, the other gets the certificate already made (or None while
    it is being made). The unique `live_couple_id` is the database's backstop.
    """
    now = (now or utcnow()).replace(microsecond=0)
    key, private_key = signing.current_signing_key()
    claimed = db.session.execute(
        update(Couple).where(Couple.id == couple.id, Couple.locked_at.is_(None))
        .values(locked_at=now).execution_options(synchronize_session=False)).rowcount
    db.session.expire(couple, ["locked_at"])
    if claimed != 1:
        return live_certificate(couple)
    certificate_id = new_certificate_id()
    expires_at = now + timedelta(days=current_app.config["CERTIFICATE_VALIDITY_DAYS"])
    snapshot = build_snapshot(couple, certificate_id, now, expires_at, key)
    claims = signing.CertificateClaims(
        certificate_id=certificate_id, issued_at=now, expires_at=expires_at,
        names=tuple(person["name"] for person in snapshot["people"]),
        office_code=snapshot["office"]["code"],
        # Format 2: the same birth dates the age rule of `eligibility` used (users.birth_date).
        birth_dates=tuple(_birth_date(person) for person in snapshot["people"]))
    token = signing.certificate_token(claims, key, private_key)
    base_url = current_app.config["PUBLIC_BASE_URL"]
    snapshot["verify_url"] = qr.verify_url(base_url, certificate_id, signing.b32encode(token))
    snapshot["page_url"] = qr.page_url(base_url, certificate_id)
    pdf = certificate_pdf.render(snapshot)
    certificate = Certificate(
        id=certificate_id, couple_id=couple.id, live_couple_id=couple.id,
        format_version=claims.version, template_version=certificate_pdf.TEMPLATE_VERSION,
        snapshot=snapshot, issued_at=now, expires_at=expires_at, signing_key_id=key.id,
        token=token, pdf=pdf, pdf_sha256=certificate_pdf.sha256(pdf))
    db.session.add(certificate)
    db.session.flush()
    log.info("certificate %s issued for couple %s", certificate.id, couple.id)
    events.certificate_issued.send(couple, certificate=certificate)
    return certificate


def _birth_date(person):
    if not person["birth_date"]:
        raise ValueError("a partner without a birth date cannot get a format-2 certificate")
    return date.fromisoformat(person["birth_date"])


def build_snapshot(couple, certificate_id, issued_at, expires_at, key):
    """Everything the certificate shows, frozen: later edits of profiles, modules or the
    couple never reach it. Plain JSON types only."""
    people = []
    for member in couple.active_members:
        user = member.user
        modules = []
        for progress in learning.module_progress(user):
            best = quizzes.best_attempt(user, progress.module)
            modules.append({
                "code": progress.module.code, "title": progress.module.title,
                # Frozen: which modules this certificate required (the PDF lists these).
                "required": progress.module.required,
                "version": best.module_version if best else progress.module.version,
                "best_score": best.score_percent if best else None,
                "passed_on": clock.local_date(best.submitted_at).isoformat() if best else None,
            })
        dispensation = dispensation_for(couple, user)
        people.append({"name": clean_name(user.full_name),
                       "birth_date": user.birth_date.isoformat() if user.birth_date else None,
                       "modules": modules,
                       "dispensation": dispensation.court_number if dispensation else None})
    with force_locale("id"):
        institution = str(institution_label(couple.institution_type))
    return {
        "format_version": signing.FORMAT_VERSION,  # the token below is made in this version
        "template_version": certificate_pdf.TEMPLATE_VERSION,
        "certificate_id": certificate_id,
        "issued_at": signing.iso(issued_at),
        "expires_at": signing.iso(expires_at),
        # Dates as people in Kupang read them (WITA), for the paper.
        "issued_on": clock.local_date(issued_at).isoformat(),
        "expires_on": clock.local_date(expires_at).isoformat(),
        "office": {"code": current_app.config["ISSUING_OFFICE_CODE"],
                   "name": current_app.config["ISSUING_OFFICE_NAME"]},
        "people": people,
        "wedding": {"planned_date": couple.planned_wedding_date.isoformat(),
                    "institution_type": couple.institution_type,
                    "institution_label": institution,
                    "institution_name": couple.institution_name},
        "kid": key.kid,
    }


# --- issuing without undoing what triggered it ----------------------------------------------

def try_to_issue(couple):
    """`issue_if_eligible` in a savepoint: if signing, the QR or the PDF fails, only the issue
    is undone (and logged, with the couple's number and the error's type and place — no
    names); the caller's own changes stay and commit. Returns the certificate or None."""
    if couple is None:
        return None
    try:
        with db.session.begin_nested():
            return issue_if_eligible(couple)
    except Exception as error:  # noqa: BLE001  (any failure of the issue must stay the issue's)
        frame = traceback.extract_tb(error.__traceback__)[-1]
        log.error("issuing the certificate of couple %s failed (%s at %s:%s); "
                  "`certificates issue-pending` or the couple's next dashboard view tries again",
                  couple.id, type(error).__name__, frame.filename.rsplit("/", 1)[-1], frame.lineno)
        return None


def pending_couples():
    """Active couples without a certificate yet (locked couples already have one, live or
    revoked); `eligibility` decides which of them may have it."""
    return db.session.scalars(select(Couple).where(Couple.dissolved_at.is_(None),
                                                   Couple.locked_at.is_(None))
                              .order_by(Couple.id)).all()


def issue_pending(today=None):
    """Issue for every eligible couple still without a certificate (after a failure, a
    missing key, or a condition completed by time): `(issued, failed)`, lists of couples.
    Each issue in its own savepoint; the caller commits."""
    issued, failed = [], []
    for couple in pending_couples():
        if not eligibility(couple, today).eligible:
            continue
        certificate = try_to_issue(couple)
        (issued if certificate is not None else failed).append(couple)
    return issued, failed


def issue_pending_for(user):
    """On a member's dashboard view: issue their couple's certificate if it is due and
    missing. The certificate, or None; the view commits."""
    couple = couples.current_couple(user)
    if couple is None or couple.locked_at is not None or len(couple.active_members) < 2:
        return None
    return try_to_issue(couple)


# --- receivers of the events that can complete the conditions (wired in course_app/wiring.py)

def _couple_of(user):
    return couples.current_couple(user) if user is not None else None


def on_quiz_passed(user, **_extra):
    try_to_issue(_couple_of(user))


def on_letter_approved(user, **_extra):
    try_to_issue(_couple_of(user))


def on_dispensation_recorded(user, couple=None, **_extra):
    try_to_issue(couple or _couple_of(user))


def on_partner_joined(user, couple=None, **_extra):
    try_to_issue(couple or _couple_of(user))
