"""Sending the mail outbox: `flask mail send` (cron), and after requests in development.

Queuing lives in services/mail/, sending in mail_delivery.py (the worker); this wires them to
the command line and to the request cycle.
"""
import logging

import click
from flask import request
from flask.cli import AppGroup

mail_cli = AppGroup("mail", help="The outgoing mail outbox.")
log = logging.getLogger(__name__)


@mail_cli.command("send")
@click.option("--limit", default=500, show_default=True, help="Most messages to try in this run.")
def send_command(limit):
    """Send the messages that are due, with retries and backoff (run it from cron every minute)."""
    from . import mail_delivery
    from .services import mail

    result = mail_delivery.deliver_due(limit=limit)
    counts = mail.outbox_counts()
    click.echo(f"sent {result['sent']}, retrying {result['retrying']}, failed {result['failed']}; "
               f"outbox: {counts['waiting']} waiting, {counts['failed']} failed")


@mail_cli.command("status")
def status_command():
    """Print how many messages wait and how many failed for good."""
    from .services import mail

    counts = mail.outbox_counts()
    click.echo(f"waiting {counts['waiting']} (retrying {counts['retrying']}), failed {counts['failed']}")


def register(app):
    app.cli.add_command(mail_cli)

    @app.after_request
    def send_mail_after_the_response(response):
        """Development (MAIL_SEND_AFTER_REQUEST): once the response has gone out, send what the
        request committed. The worker reads only committed rows, so a rolled-back request sends
        nothing; and it runs after the answer, so it can neither slow nor fail the request."""
        if app.config.get("MAIL_SEND_AFTER_REQUEST") and request.method not in ("GET", "HEAD", "OPTIONS"):
            response.call_on_close(lambda: _send_now(app))
        return response


def _send_now(app):
    from . import mail_delivery
    from .extensions import db

    with app.app_context():
        try:
            mail_delivery.deliver_due(limit=20)
        except Exception:  # noqa: BLE001 - a failure to send never fails the request
            log.exception("sending the outbox after a request failed")
        finally:
            db.session.remove()
