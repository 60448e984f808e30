"""The couple's checklist: what each partner has done and what is still missing."""
from dataclasses import dataclass, field

from . import couples, learning


@dataclass
class PersonChecklist:
    user: object
    modules: list = field(default_factory=list)

    @property
    def modules_done(self):
        return sum(1 for m in self.modules if m.passed and m.lessons_read >= m.lessons_total)


@dataclass
class CoupleChecklist:
    couple: object
    people: list
    partner_missing: bool


def checklist_for(user):
    """Each partner's module status and best score. The letter and certificate steps are
    shown as upcoming steps until those features exist."""
    couple = couples.current_couple(user)
    people = [PersonChecklist(user=user, modules=learning.module_progress(user))]
    partner = couples.partner_of(user, couple) if couple else None
    if partner is not None:
        people.append(PersonChecklist(user=partner, modules=learning.module_progress(partner)))
    return CoupleChecklist(couple=couple, people=people, partner_missing=partner is None)
