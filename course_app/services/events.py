"""Domain events, so features react to each other without importing each other.

Receivers run synchronously inside the same transaction as the sender: if a receiver fails,
the whole request rolls back. Senders pass the user (or couple) as the sender argument.
"""
from blinker import Namespace

_signals = Namespace()

#: A participant passed a module's quiz (sender: user; kwargs: module, attempt).
quiz_passed = _signals.signal("quiz-passed")
#: A reviewer approved a participant's good-conduct letter (sender: user; kwargs: letter).
letter_approved = _signals.signal("letter-approved")
#: A reviewer recorded a court dispensation for a participant (sender: user; kwargs: couple).
dispensation_recorded = _signals.signal("dispensation-recorded")
