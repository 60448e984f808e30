"""Follow-up tasks of a case (issue 13 point 2): a title, a due Kupang day, an assignee (the
case's owner unless chosen), done or not; a caseworker's "Tugas saya" (overdue first, then by
due day); and the daily digest of overdue tasks, queued through the outbox."""
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ....extensions import db
from ....models import User
from ....models.caselog import Case, CaseTask, TaskDigest
from ... import DomainError, NotFound, clock
from ...account_mail import public_url
from ...clock import utcnow
from ...dates import long_date
from ...mail import send_mail
from . import _caseworker
from .merge import refuse_if_merged

#: Tasks due within this many days show as "due soon".
DUE_SOON_DAYS = 7


#: A task waits for someone while it is not done and its case is not closed (a merged case is
#: closed too): a closed case needs no follow-up, and its tasks come back if it reopens.
WAITING = (CaseTask.done_at.is_(None), Case.status != "closed")


def get_task(case, task_id):
    task = db.session.get(CaseTask, task_id)
    if task is None or task.case_id != case.id:
        raise NotFound()
    return task


def add_task(case, *, title, due_date, user, assignee_id=None, today=None):
    """A task for the case; the assignee defaults to the case's owner, else its recorder."""
    refuse_if_merged(case)
    today = today or clock.today()
    title = " ".join((title or "").split())
    if not title:
        raise DomainError(_l("Tulis tugasnya."), field="title")
    if due_date is None:
        raise DomainError(_l("Isi tanggal jatuh tempo."), field="due_date")
    if due_date < case.report_date:
        raise DomainError(_l("Jatuh tempo sebelum tanggal lapor kasus."), field="due_date")
    assignee_id = assignee_id or case.owner_id or user.id
    _caseworker(assignee_id, "assignee_id")
    task = CaseTask(case_id=case.id, title=title[:200], due_date=due_date, assignee_id=assignee_id,
                    created_by_id=user.id)
    db.session.add(task)
    db.session.flush()
    return task


def complete_task(task, user):
    """Mark a task done (once; doing it again changes nothing)."""
    if task.done_at is None:
        task.done_at, task.done_by_id = utcnow(), user.id
        db.session.flush()
    return task


def is_overdue(task, today=None):
    return task.done_at is None and task.due_date < (today or clock.today())


def open_tasks(user):
    """`user`'s waiting tasks (not done, case not closed), by due day — overdue ones first."""
    return list(db.session.scalars(
        select(CaseTask).join(Case, Case.id == CaseTask.case_id)
        .options(joinedload(CaseTask.case).load_only(Case.id, Case.number, Case.status))
        .where(CaseTask.assignee_id == user.id, *WAITING)
        .order_by(CaseTask.due_date, CaseTask.id)))


def my_tasks(user, today=None):
    """{"overdue", "soon", "later"}: the "Tugas saya" page's three groups, each by due day."""
    today = today or clock.today()
    groups = {"overdue": [], "soon": [], "later": []}
    for task in open_tasks(user):
        if task.due_date < today:
            groups["overdue"].append(task)
        elif (task.due_date - today).days <= DUE_SOON_DAYS:
            groups["soon"].append(task)
        else:
            groups["later"].append(task)
    return groups


def queue_task_digests(today=None):
    """One email per active caseworker with overdue tasks, once per Kupang day (a second run
    the same day queues nothing). The email names tasks and case numbers only — never a victim
    (product §8: no personal data leaves by email). Returns the number of emails queued."""
    today = today or clock.today()
    rows = db.session.execute(
        select(CaseTask, Case.number).join(Case, Case.id == CaseTask.case_id)
        .where(*WAITING, CaseTask.due_date < today, CaseTask.assignee_id.is_not(None))
        .order_by(CaseTask.assignee_id, CaseTask.due_date, CaseTask.id)).all()
    by_user = {}
    for task, number in rows:
        by_user.setdefault(task.assignee_id, []).append((task, number))
    done = set(db.session.scalars(select(TaskDigest.user_id).where(TaskDigest.day == today)))
    queued = 0
    for user_id, tasks in by_user.items():
        user = db.session.get(User, user_id)
        if user_id in done or user is None or not user.is_active_account or not user.has_role("caseworker"):
            continue
        _send_digest(user, tasks)
        db.session.add(TaskDigest(user_id=user_id, day=today, task_count=len(tasks)))
        queued += 1
    db.session.flush()
    return queued


def _send_digest(user, tasks):
    with force_locale(user.locale or "id"):
        lines = [_("%(number)s: %(title)s (jatuh tempo %(date)s)", number=number, title=task.title,
                   date=long_date(task.due_date)) for task, number in tasks]
        body = "\n\n".join([
            _("Halo %(name)s,", name=user.full_name),
            _("Tugas tindak lanjut kasus berikut sudah lewat jatuh tempo:"),
            "\n".join("- " + line for line in lines),
            _("Buka Tugas saya:"),
            public_url("caselog.my_tasks"),
            _("Dinas P3A Kota Kupang"),
        ])
        send_mail(user.email, _("%(n)d tugas kasus terlambat", n=len(tasks)), body)
