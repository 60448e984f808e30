"""Outgoing email through the outbox (product §8).

`send_mail()` only adds a row to `mail_outbox` and flushes: the message is committed with the
change that caused it, or rolled back with it. Nothing talks to a mail server during a request;
the mail worker (course_app/mail_delivery.py: `flask mail send`, and after each request in
development) sends
the committed messages later, retrying with backoff. So a mail server that is down delays mail
and never fails, undoes or misreports an action.
"""
from email.message import EmailMessage

from sqlalchemy import case, func, select

from ...extensions import db
from ...models.mail import OutboxMessage
from ..clock import utcnow


def send_mail(to, subject, body):
    """Queue one message for `to`, in the caller's transaction. Returns the outbox row."""
    message = OutboxMessage(recipient=to, subject=str(subject)[:255], body=str(body),
                            status="waiting", attempts=0, next_attempt_at=utcnow())
    db.session.add(message)
    db.session.flush()
    return message


def as_email(message, sender):
    """The outbox row as the email that goes out (UTF-8, headers from the row)."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    return email


def outbox_counts():
    """What admins see: messages still to send (new or retrying) and messages given up on."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count(), func.sum(case((OutboxMessage.attempts > 0, 1), else_=0)))
        .where(OutboxMessage.status != "sent").group_by(OutboxMessage.status)).all()
    counts = {"waiting": 0, "retrying": 0, "failed": 0}
    for status, count, tried in rows:
        counts[status] = count
        if status == "waiting":
            counts["retrying"] = int(tried or 0)
    return counts


def unsent_messages(limit=50):
    """The newest messages not sent (waiting or failed), for the admins' outbox page."""
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status != "sent")
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit)).all()
