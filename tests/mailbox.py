"""The mail outbox as tests read it (services/mail/): what an action queued, and what was sent.

`Outbox()` reads like the list the tests used to get: the queued messages (any status), oldest
first, each as the email that would go out (`mail["To"]`, `mail.get_content()`).
"""
import socket

import pytest
from flask import current_app
from sqlalchemy import delete, select

from course_app.extensions import db
from course_app.models.mail import OutboxMessage
from course_app.services import mail


def rows():
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


class Outbox:
    def messages(self):
        return [mail.as_email(row, current_app.config["MAIL_FROM"]) for row in rows()]

    def clear(self):
        db.session.execute(delete(OutboxMessage))
        db.session.commit()

    def __iter__(self):
        return iter(self.messages())

    def __len__(self):
        return len(rows())

    def __getitem__(self, index):
        return self.messages()[index]

    def __eq__(self, other):
        return self.messages() == list(other)


def sent(app):
    """The messages the testing transport delivered (`flask mail send` / `deliver_due()`)."""
    return app.extensions.setdefault("mail_sent", [])


def closed_port():
    """A loopback port nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(name="mail_server_down")
def mail_server_down_fixture(app, monkeypatch):
    """The app sends through SMTP to a server that refuses connections, right after each request
    (as in development), so a test sees what a user sees while the mail server is down."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", closed_port())
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    monkeypatch.setitem(app.config, "MAIL_SEND_AFTER_REQUEST", True)
    return app
