"""The person's columns that a list of people shows on each line: id, name, NHS number, age.

The case-finding worklist (joinedup.casefinding.worklist) and the caseload
(joinedup.teams.caseload) show their people the same way; each line says where its
person comes from and the day ages are counted on.
"""

from __future__ import annotations

import datetime as dt

from joinedup.record.age import age_on
from joinedup.record.nhs_number import spaced
from joinedup.record.person import Person


class PersonLine:
    """A line about one person; subclasses give `person` (read with the line, so these cost
    no query) and `today`."""

    today: dt.date

    @property
    def person(self) -> Person:
        raise NotImplementedError

    @property
    def person_id(self) -> str:
        return self.person.pk

    @property
    def name(self) -> str:
        return str(self.person)  # the name, or the id when no name is recorded

    @property
    def nhs_number(self) -> str:
        number = self.person.nhs_number
        return spaced(number) if number else ""

    @property
    def age(self) -> int:
        return age_on(self.person.birth_date, self.today)
