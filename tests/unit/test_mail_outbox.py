"""The mail outbox (product §8): messages are committed or rolled back with the change that made
them, sent after the commit with retries and backoff, and a mail server that is down never fails
an action. Synthetic addresses only."""
import smtplib
from datetime import timedelta

import pytest

from course_app import mail_delivery as delivery
from course_app.extensions import db
from course_app.models.mail import OutboxMessage
from course_app.services import mail
from course_app.services.clock import utcnow
from tests.mailbox import closed_port, rows, sent

LINK = "http://127.0.0.1:5000/atur-ulang-kata-sandi/" + "eyJ1IjoxLCJmIjoiYWJjZGVmIn0." * 4


@pytest.fixture
def delivered(app):
    messages = sent(app)
    messages.clear()
    return messages


def queue(to="penerima.satu@contoh.test", subject="Uji", body="Halo"):
    message = mail.send_mail(to, subject, body)
    db.session.commit()
    return message


# --- written with the change -----------------------------------------------------------------

def test_a_queued_message_is_rolled_back_with_the_change_that_made_it():
    mail.send_mail("penerima.satu@contoh.test", "Uji", "Halo")
    db.session.rollback()
    assert rows() == []


def test_a_queued_message_waits_in_the_outbox_until_the_worker_sends_it(app, delivered):
    queue()
    [row] = rows()
    assert (row.status, row.attempts, row.sent_at) == ("waiting", 0, None)
    assert delivered == []  # nothing talks to a mail server during the change

    result = delivery.deliver_due()

    assert result == {"sent": 1, "retrying": 0, "failed": 0}
    assert [(m["To"], m["Subject"], m.get_content().strip()) for m in delivered] == [
        ("penerima.satu@contoh.test", "Uji", "Halo")]
    db.session.expire_all()
    [row] = rows()
    assert row.status == "sent" and row.sent_at is not None and row.attempts == 1
    assert row.body == ""  # a sent reset link does not stay in the database
    assert delivery.deliver_due() == {"sent": 0, "retrying": 0, "failed": 0}  # never twice


# --- a mail server that is down --------------------------------------------------------------

@pytest.fixture
def refused(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", closed_port())
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    return app


def test_a_refused_connection_leaves_the_message_waiting_with_one_attempt_and_a_short_error(refused):
    queue(to="penerima.rahasia@contoh.test")
    now = utcnow()

    result = delivery.deliver_due(now=now)

    assert result == {"sent": 0, "retrying": 1, "failed": 0}
    db.session.expire_all()
    [row] = rows()
    assert (row.status, row.attempts, row.last_error) == ("waiting", 1, "ConnectionRefusedError")
    assert row.next_attempt_at == now + timedelta(seconds=refused.config["MAIL_RETRY_SECONDS"])
    assert row.body == "Halo"  # kept until it is sent
    assert delivery.deliver_due(now=now + timedelta(seconds=1))["retrying"] == 0  # not due yet


def test_a_server_failure_stops_the_run_so_the_other_messages_keep_their_attempts(refused):
    for n in range(3):
        queue(to=f"penerima.{n}@contoh.test")

    delivery.deliver_due()

    db.session.expire_all()
    assert [row.attempts for row in rows()] == [1, 0, 0]


def test_retries_back_off_and_the_message_fails_for_good_after_max_attempts(refused, monkeypatch):
    monkeypatch.setitem(refused.config, "MAIL_MAX_ATTEMPTS", 3)
    queue()
    now = utcnow()
    waits = []
    for _ in range(3):
        before = now
        delivery.deliver_due(now=now)
        db.session.expire_all()
        [row] = rows()
        waits.append(row.next_attempt_at - before)
        now = row.next_attempt_at

    assert (row.status, row.attempts, row.body) == ("failed", 3, "")
    assert waits[:2] == [timedelta(seconds=60), timedelta(seconds=120)]
    assert mail.outbox_counts() == {"waiting": 0, "retrying": 0, "failed": 1}


def test_the_backoff_is_capped():
    config = {"MAIL_RETRY_SECONDS": 60}
    assert delivery.retry_delay(1, config) == timedelta(minutes=1)
    assert delivery.retry_delay(4, config) == timedelta(minutes=8)
    assert delivery.retry_delay(30, config) == delivery.MAX_RETRY_DELAY


class FakeSMTP:
    """Accepts everything but one refused recipient; records what it sent."""
    sent = []

    def __init__(self, host, port, timeout):
        pass

    def starttls(self):
        pass

    def login(self, username, password):
        pass

    def send_message(self, message):
        if message["To"] == "ditolak@contoh.test":
            raise smtplib.SMTPRecipientsRefused({"ditolak@contoh.test": (550, b"ditolak@contoh.test unknown")})
        FakeSMTP.sent.append(message["To"])

    def quit(self):
        pass


def test_a_refused_recipient_fails_only_its_own_message_and_the_error_names_no_address(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.contoh.test")
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    FakeSMTP.sent = []
    queue(to="ditolak@contoh.test")
    queue(to="diterima@contoh.test")

    assert delivery.deliver_due() == {"sent": 1, "retrying": 1, "failed": 0}

    db.session.expire_all()
    refused_row, accepted_row = rows()
    assert FakeSMTP.sent == ["diterima@contoh.test"]
    assert refused_row.last_error == "SMTPRecipientsRefused 550" and accepted_row.status == "sent"


# --- two workers, old messages ---------------------------------------------------------------

def test_two_workers_never_claim_the_same_message(app):
    message = queue()
    now = utcnow()
    assert delivery._claim(message.id, 0, now, app.config) is not None
    assert delivery._claim(message.id, 0, now, app.config) is None


def test_sent_and_failed_messages_are_deleted_after_the_keeping_period(app, delivered):
    queue()
    delivery.deliver_due()
    later = utcnow() + timedelta(days=app.config["MAIL_KEEP_DAYS"] + 1)
    queue(to="baru@contoh.test")
    db.session.get(OutboxMessage, rows()[-1].id).next_attempt_at = later + timedelta(days=1)
    db.session.commit()

    delivery.deliver_due(now=later)

    db.session.expire_all()
    assert [row.recipient for row in rows()] == ["baru@contoh.test"]


# --- transports ------------------------------------------------------------------------------

def test_the_console_prints_the_message_decoded_so_links_stay_whole(app, capsys):
    row = OutboxMessage(recipient="penerima@contoh.test", subject="Atur ulang kata sandi",
                        body=f"Halo Kornelia Ü,\n\n{LINK}\n")
    config = dict(app.config, TESTING=False, MAIL_SERVER="", APP_ENV="development")

    with delivery.transport_for(config) as send:
        send(row)

    printed = capsys.readouterr().err
    assert LINK in printed.splitlines()  # one line, clickable whole
    assert "Halo Kornelia Ü," in printed and "=\n" not in printed and "=C3" not in printed


def test_production_never_prints_an_email(app):
    config = dict(app.config, TESTING=False, MAIL_SERVER="", APP_ENV="production")
    with pytest.raises(RuntimeError, match="never prints"):
        with delivery.transport_for(config):
            pass


# --- the command for cron --------------------------------------------------------------------

def test_flask_mail_send_retries_what_waits_and_reports_it(refused, runner, monkeypatch, delivered):
    queue()
    failed = runner.invoke(args=["mail", "send"])
    assert failed.exit_code == 0 and "sent 0, retrying 1" in failed.output
    db.session.expire_all()
    rows()[0].next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    monkeypatch.setitem(refused.config, "MAIL_SERVER", "")  # the server is back (testing transport)

    again = runner.invoke(args=["mail", "send"])

    assert again.exit_code == 0 and "sent 1" in again.output and "0 waiting, 0 failed" in again.output
    assert len(delivered) == 1
    db.session.expire_all()
    assert rows()[0].attempts == 2
