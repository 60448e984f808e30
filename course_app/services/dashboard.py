"""The couple's checklist: what each partner has done and what is still missing."""
from dataclasses import dataclass, field

from . import couples, learning, letters


@dataclass
class PersonChecklist:
    user: object
    modules: list = field(default_factory=list)
    #: The partner's good-conduct letter (SKCK): a letters.LetterSummary.
    letter: object = None

    @property
    def modules_done(self):
        return sum(1 for m in self.modules if m.passed and m.lessons_read >= m.lessons_total)


@dataclass
class CoupleChecklist:
    couple: object
    people: list
    partner_missing: bool


def _person(user):
    return PersonChecklist(user=user, modules=learning.module_progress(user),
                           letter=letters.letter_summary(user))


def checklist_for(user):
    """Each partner's module status and best score, and their letter's status."""
    couple = couples.current_couple(user)
    people = [_person(user)]
    partner = couples.partner_of(user, couple) if couple else None
    if partner is not None:
        people.append(_person(partner))
    return CoupleChecklist(couple=couple, people=people, partner_missing=partner is None)
