"""Outgoing email. With MAIL_SERVER unset (development), messages are printed to the console."""
import smtplib
import sys
from email.message import EmailMessage

from flask import current_app


def send_mail(to, subject, body):
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    outbox = current_app.extensions.setdefault("mail_outbox", [])
    if config.get("TESTING"):
        outbox.append(message)
        return
    if not config.get("MAIL_SERVER"):
        # Development only: the console is the mailbox. Production always has MAIL_SERVER.
        print(f"----- email (MAIL_SERVER not set) -----\n{message}\n-----", file=sys.stderr, flush=True)
        return
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=15) as smtp:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
