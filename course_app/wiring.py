"""Who reacts to which domain event — the one place (STYLE habit 11).

The events are declared in `services/events.py`; no module connects a receiver when it is
imported. `create_app` calls `register(app)`, which connects every row of `RECEIVERS`:

| Event                   | Sent by                                        | Receiver                                 | Reaction                         |
|-------------------------|------------------------------------------------|------------------------------------------|----------------------------------|
| `quiz_passed`           | `quizzes.submit_attempt` (a passed attempt)    | `on_quiz_passed`                         | issue the couple's certificate   |
| `letter_approved`       | `letters.approve_letter` (a reviewer approves) | `on_letter_approved`                     | issue the couple's certificate   |
| `dispensation_recorded` | `certificates.record_dispensation`             | `on_dispensation_recorded`               | issue the couple's certificate   |
| `partner_joined`        | `couples.join_couple` (the second partner)     | `on_partner_joined`                      | issue the couple's certificate   |
| `certificate_issued`    | `certificates.issue_certificate`               | `certificate_mail.on_certificate_issued` | email both partners the link     |

The first four issue (receivers in `services.certificates.issuing`); the last one tells the
couple. Each issuing reaction issues only if the couple is eligible, and in a savepoint
(`try_to_issue`): if signing, the QR or the PDF fails, the failure is logged and undone alone,
and the quiz submission, approval, dispensation or joining that sent the event still commits.
`flask certificates issue-pending` (cron) and the couple's next dashboard view try again.
`certificate_issued` is sent inside that savepoint, so its email is queued in the outbox with
the certificate, and undone with a failed issue.

Receivers are connected once per process, strongly (`weak=False`): several apps in one
process (the tests make some) share the signals, and a second `create_app` must not make a
reaction run twice.
"""
import threading

from .services import certificate_mail, events
from .services.certificates import issuing

#: (event, receiver): the whole table above, in code.
RECEIVERS = (
    (events.quiz_passed, issuing.on_quiz_passed),
    (events.letter_approved, issuing.on_letter_approved),
    (events.dispensation_recorded, issuing.on_dispensation_recorded),
    (events.partner_joined, issuing.on_partner_joined),
    (events.certificate_issued, certificate_mail.on_certificate_issued),
)

_lock = threading.Lock()
_connected = False


def connect_receivers():
    """Connect every receiver of `RECEIVERS`, once per process."""
    global _connected
    with _lock:
        if _connected:
            return
        for signal, receiver in RECEIVERS:
            signal.connect(receiver, weak=False)
        _connected = True


def register(app):
    connect_receivers()
