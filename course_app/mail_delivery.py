"""The mail worker: send the committed, due outbox messages, retrying with backoff.

A worker, not a service: like a CLI command it owns its transactions. Each message is
claimed in its own short transaction before the mail server is contacted, and its result is
recorded in another, so two workers (cron and a development request) never send the same claim,
and one message's failure never undoes another's record. A worker that dies mid-send leaves the
message claimed until its next attempt time; it is then sent again (at least once, never lost).
"""
import logging
import smtplib
import sys
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update

from .extensions import db
from .models.mail import OutboxMessage
from .services.clock import utcnow
from .services.mail import as_email

log = logging.getLogger(__name__)

#: The longest wait between two attempts, whatever MAIL_RETRY_SECONDS and the attempt count.
MAX_RETRY_DELAY = timedelta(hours=6)
#: Failures of one message (its recipient or content was refused). Every other network or SMTP
#: error (smtplib's errors are OSErrors) is the server's: the rest of the run would fail the
#: same way, so the run stops and the other messages keep their turn and their attempt count.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)


def _server_failed(error):
    return isinstance(error, OSError) and not isinstance(error, MESSAGE_ERRORS)


def retry_delay(attempts, config):
    """Exponential backoff: MAIL_RETRY_SECONDS after the first failure, doubling, capped."""
    seconds = config["MAIL_RETRY_SECONDS"] * 2 ** max(attempts - 1, 0)
    return min(timedelta(seconds=seconds), MAX_RETRY_DELAY)


def describe_error(error):
    """A short kind of failure for `last_error`: codes and class names only, because SMTP
    servers' messages quote the recipient's address (no personal data in the database's
    operational columns or the logs)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(code) for code, _text in error.recipients.values()})
        return f"SMTPRecipientsRefused {' '.join(codes)}"[:120]
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{type(error).__name__} {error.smtp_code}"[:120]
    return type(error).__name__[:120]


def deliver_due(now=None, limit=100):
    """Send up to `limit` waiting messages whose time has come. Returns counts
    {"sent", "retrying", "failed"} of this run. A message that fails MAIL_MAX_ATTEMPTS times is
    marked failed; admins see it on /admin/email."""
    config = current_app.config
    now = now or utcnow()
    due = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.attempts)
        .where(OutboxMessage.status == "waiting", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)).all()
    db.session.commit()  # end the read: each claim below is its own transaction
    result = {"sent": 0, "retrying": 0, "failed": 0}
    with transport_for(config) as transport:
        for message_id, attempts in due:
            message = _claim(message_id, attempts, now, config)
            if message is None:
                continue  # another worker has it
            try:
                transport(message)
            except Exception as error:  # noqa: BLE001 - SMTP fails in many ways; each is recorded
                outcome = _record_failure(message, error, now, config)
                result[outcome] += 1
                if _server_failed(error):
                    break
            else:
                message.status, message.sent_at, message.last_error = "sent", utcnow(), None
                message.body = ""  # reset links do not stay in the database once delivered
                db.session.commit()
                result["sent"] += 1
    _purge_old(now, config)
    return result


def _claim(message_id, seen_attempts, now, config):
    """Take one message for this run: count the attempt and move its next time past the backoff
    before sending, so a crash mid-send cannot lead to a tight resend loop."""
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "waiting",
               OutboxMessage.attempts == seen_attempts, OutboxMessage.next_attempt_at <= now)
        .values(attempts=seen_attempts + 1,
                next_attempt_at=now + retry_delay(seen_attempts + 1, config))
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return db.session.get(OutboxMessage, message_id) if claimed == 1 else None


def _record_failure(message, error, now, config):
    message.last_error = describe_error(error)
    if message.attempts >= config["MAIL_MAX_ATTEMPTS"]:
        message.status = "failed"
        message.body = ""  # nobody will send it: don't keep its contents
        outcome = "failed"
    else:
        outcome = "retrying"
    db.session.commit()
    log.warning("mail %s not sent (attempt %s, %s): %s", message.id, message.attempts, outcome,
                message.last_error)
    return outcome


def _purge_old(now, config):
    """Sent and failed messages are kept MAIL_KEEP_DAYS for the admins' counts, then deleted
    (data minimisation: the recipient and subject are personal data)."""
    cutoff = now - timedelta(days=config["MAIL_KEEP_DAYS"])
    db.session.execute(delete(OutboxMessage).where(or_(
        (OutboxMessage.status == "sent") & (OutboxMessage.sent_at < cutoff),
        (OutboxMessage.status == "failed") & (OutboxMessage.created_at < cutoff))))
    db.session.commit()


# --- transports ------------------------------------------------------------------------------

class transport_for:  # noqa: N801 - used as a function: `with transport_for(config) as send:`
    """The way out for this configuration: SMTP when MAIL_SERVER is set (one connection for
    the run, opened on first use); in testing, a list in app.extensions["mail_sent"]; in
    development without MAIL_SERVER, the console. Production never prints a message."""

    def __init__(self, config):
        self.config = config
        self.smtp = None

    def __enter__(self):
        config = self.config
        if config.get("MAIL_SERVER"):
            return self.send_smtp
        if config.get("APP_ENV") == "production":
            raise RuntimeError("MAIL_SERVER is not set; production never prints emails")
        if config.get("TESTING"):
            return self.send_to_list
        return self.send_to_console

    def __exit__(self, *exc):
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
        return False

    def send_smtp(self, message):
        config = self.config
        try:
            if self.smtp is None:
                smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
                self.smtp = smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"],
                                       timeout=config["MAIL_TIMEOUT"])
                if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
                    self.smtp.starttls()
                if config["MAIL_USERNAME"]:
                    self.smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            self.smtp.send_message(as_email(message, config["MAIL_FROM"]))
        except OSError as error:
            if _server_failed(error):
                self.smtp = None  # reconnect next time
            raise

    def send_to_list(self, message):
        current_app.extensions.setdefault("mail_sent", []).append(
            as_email(message, self.config["MAIL_FROM"]))

    def send_to_console(self, message):
        # Decoded, not the MIME form: quoted-printable would break reset links across lines.
        print(f"----- email (MAIL_SERVER not set) -----\n"
              f"From: {self.config['MAIL_FROM']}\nTo: {message.recipient}\n"
              f"Subject: {message.subject}\n\n{message.body}\n-----",
              file=sys.stderr, flush=True)
