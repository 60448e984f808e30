"""The partners' email when their certificate is issued (issue 12 point 4).

`on_certificate_issued` receives `events.certificate_issued` (connected in course_app/wiring.py).
The event is sent inside the issue's savepoint (`issuing.try_to_issue`), so the emails go to the
outbox in the same transaction as the certificate: an issue that fails and is undone leaves no
email behind, and a mail server that is down only delays them (product §8).
"""
from . import account_mail


def on_certificate_issued(couple, certificate=None, **_extra):
    """Both partners, each in their own language, get the dashboard's link."""
    for member in couple.active_members:
        account_mail.tell_certificate_issued(member.user, certificate)
