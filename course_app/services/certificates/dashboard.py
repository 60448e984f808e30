"""The certificate as the couple sees it: the dashboard panel, downloads, and the demo couple."""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from ...extensions import db
from ...models import Couple
from ...models.certificates import Certificate
from .. import NotFound, learning, quizzes, signing
from ..clock import utcnow
from .eligibility import Eligibility, eligibility
from .rules import get_certificate, latest_certificate, status_of


@dataclass
class CertificatePanel:
    couple: Couple | None
    certificate: Certificate | None
    status: str | None
    eligibility: Eligibility | None
    waiting_for_key: bool = False


def certificate_panel(couple, user):
    """The certificate for the couple, or exactly what is still missing."""
    certificate = latest_certificate(couple)
    if certificate is not None:
        return CertificatePanel(couple, certificate, status_of(certificate), None)
    result = eligibility(couple)
    return CertificatePanel(couple, None, None, result,
                            waiting_for_key=result.eligible and not signing.can_sign())


def find_own_certificate(raw_id, user):
    """A certificate its couple's members (and P3A reviewers) may download; NotFound for
    anyone else, and for ids that don't exist, alike (the app answers 404)."""
    certificate = get_certificate(raw_id)
    if certificate is None:
        raise NotFound()
    if user.has_role("reviewer"):
        return certificate
    if user.has_role("participant") and any(m.user_id == user.id for m in certificate.couple.members):
        return certificate
    raise NotFound()


def complete_learning_for_demo(user):
    """For `flask demo`: every lesson read and every quiz passed through the quiz engine."""
    from ...models import Lesson, LessonProgress

    past = utcnow() - timedelta(days=2)
    for module in learning.list_modules():
        for lesson in db.session.scalars(select(Lesson).where(Lesson.module_id == module.id,
                                                              Lesson.is_active)):
            if learning.get_progress(user, lesson) is None:
                db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id,
                                              opened_at=past, read_at=past))
        db.session.flush()
        if not any(p.passed for p in learning.module_progress(user) if p.module.id == module.id):
            attempt = quizzes.start_attempt(user, module)
            answers = {aq.id: [o.id for o in aq.question.options if o.is_correct]
                       for aq in attempt.questions}
            quizzes.submit_attempt(user, attempt, answers)
