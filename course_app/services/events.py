"""Domain events, so features react to each other without importing each other.

Senders pass the user as the sender argument. Who listens to what is not decided here nor
by the listeners: `course_app/wiring.py` connects every receiver, in one table, when
`create_app` runs. Receivers run synchronously inside the sender's transaction; a reaction
that may fail on its own (issuing a certificate) catches its failure in a savepoint, so the
action that sent the event still succeeds.
"""
from blinker import Namespace

_signals = Namespace()

#: A participant passed a module's quiz (sender: user; kwargs: module, attempt).
quiz_passed = _signals.signal("quiz-passed")
#: A reviewer approved a participant's good-conduct letter (sender: user; kwargs: letter).
letter_approved = _signals.signal("letter-approved")
#: A reviewer recorded a court dispensation for a participant (sender: user; kwargs: couple).
dispensation_recorded = _signals.signal("dispensation-recorded")
#: The second partner joined a couple with its invite code (sender: the joining user;
#: kwargs: couple).
partner_joined = _signals.signal("partner-joined")
#: A couple's certificate was issued (sender: the couple; kwargs: certificate). Sent inside the
#: issue's savepoint, so a reaction (the partners' email) is undone with a failed issue.
certificate_issued = _signals.signal("certificate-issued")
