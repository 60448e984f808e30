"""The reviewers' desk: the queue of letters and the progress of couples (product §5, issue 3)."""

from sqlalchemy import case, func, select

from ...extensions import db
from ...models import Couple, CoupleMember, User
from ...models.letters import Letter
from .. import clock
from ..dashboard import person_progress
from . import STATUS_LABELS


def review_queue(status=None, date_from=None, date_to=None, query=None):
    """A select of letters for the queue: pending first, oldest first; then the decided ones,
    newest first. Filters: status, upload date range (local days, inclusive), name."""
    pending = Letter.status == "pending"
    statement = (select(Letter).join(User, User.id == Letter.user_id)
                 .order_by(case((pending, 0), else_=1), case((pending, Letter.uploaded_at)),
                           Letter.uploaded_at.desc(), Letter.id))
    if status in STATUS_LABELS and status not in ("none", "expired"):
        statement = statement.where(Letter.status == status)
    if date_from:
        statement = statement.where(Letter.uploaded_at >= clock.day_start(date_from))
    if date_to:
        statement = statement.where(Letter.uploaded_at < clock.day_end(date_to))
    if query and query.strip():
        statement = statement.where(User.full_name.icontains(query.strip(), autoescape=True))
    return statement


def pending_count():
    return db.session.scalar(select(func.count()).select_from(Letter).where(Letter.status == "pending"))


def couples_query(query=None):
    """Active couples, the nearest wedding first, optionally those with a partner named like `query`."""
    statement = (select(Couple).where(Couple.dissolved_at.is_(None))
                 .order_by(Couple.planned_wedding_date, Couple.id))
    if query and query.strip():
        named = (select(CoupleMember.couple_id).join(User, User.id == CoupleMember.user_id)
                 .where(CoupleMember.left_at.is_(None),
                        User.full_name.icontains(query.strip(), autoescape=True)))
        statement = statement.where(Couple.id.in_(named))
    return statement


def couple_progress(couple, today=None):
    """Each active partner's module progress and letter status (dashboard.PersonProgress)."""
    return [person_progress(m.user, today) for m in couple.active_members]


