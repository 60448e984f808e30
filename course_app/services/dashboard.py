"""The couple's checklist: what each partner has done and what is still missing."""
from dataclasses import dataclass, field

from . import couples, learning, letters


@dataclass
class PersonProgress:
    """One person's way to the certificate: their modules (learning.ModuleProgress) and their
    good-conduct letter (letters.LetterSummary). The couple's checklist and the reviewers' desk
    both show it."""
    user: object
    modules: list = field(default_factory=list)
    letter: object = None

    @property
    def required_modules(self):
        """The modules the certificate requires (`required:` in module.yaml)."""
        return [m for m in self.modules if m.module.required]

    @property
    def modules_done(self):
        """Required modules completed: "done of `modules_required`" is the way to the certificate;
        an optional module, finished or not, is not counted."""
        return sum(1 for m in self.required_modules if m.is_complete)

    @property
    def modules_required(self):
        return len(self.required_modules)


@dataclass
class CoupleChecklist:
    couple: object
    people: list
    partner_missing: bool


def person_progress(user, today=None):
    return PersonProgress(user=user, modules=learning.module_progress(user),
                          letter=letters.letter_summary(user, today))


def checklist_for(user):
    """Each partner's module status and best score, and their letter's status."""
    couple = couples.current_couple(user)
    people = [person_progress(user)]
    partner = couples.partner_of(user, couple) if couple else None
    if partner is not None:
        people.append(person_progress(partner))
    return CoupleChecklist(couple=couple, people=people, partner_missing=partner is None)
