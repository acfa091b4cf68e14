"""The integrated record: every table of docs/lake.md, plus identities and organisations,
and the details staff add to a person's identity (joinedup.record.person_details).

Column names follow the lake (db_column), so a lake table loads straight into its model's
table and `joinedup extract` reads it back without a mapping. Enumerations come from
joinedup.lake.schema; nullability matches the contract exactly (a test checks both).
Keys are the lake's ids. Every foreign key PROTECTs: a person's history is never deleted
as a side effect of deleting something else.
"""

from __future__ import annotations

from django.db import models

from joinedup.lake import schema
from joinedup.record.history import (
    AeAttendance,
    BudgetLine,
    CarePackage,
    Condition,
    Contact,
    Episode,
    HospitalSpell,
    Referral,
)
from joinedup.record.model_fields import ID_LENGTH, enum_choices
from joinedup.record.person import Person
from joinedup.record.person_details import PersonDetailChange, PersonDetails, ResuscitationStatus
from joinedup.record.providers import GpPractice, Neighbourhood, Organisation, Team

__all__ = [
    "ID_LENGTH",
    "LAKE_MODELS",
    "AeAttendance",
    "BudgetLine",
    "CarePackage",
    "Condition",
    "Contact",
    "Episode",
    "GpPractice",
    "HospitalSpell",
    "LoadedLake",
    "Neighbourhood",
    "Organisation",
    "Person",
    "PersonDetailChange",
    "PersonDetails",
    "Referral",
    "ResuscitationStatus",
    "Team",
    "enum_choices",
]


class LoadedLake(models.Model):
    """A lake loaded into this database: its fingerprint refuses a second load of the same lake."""

    fingerprint = models.CharField(max_length=64, unique=True)
    path = models.CharField(max_length=1000)
    purpose = models.CharField(max_length=16, choices=enum_choices(schema.PURPOSES))
    source = models.CharField(max_length=100)
    observation_start = models.DateField()
    observation_end = models.DateField()
    manifest = models.JSONField()
    seed = models.IntegerField(help_text="Seed of the synthetic identities")
    rows = models.JSONField(help_text="Rows loaded per table")
    seconds = models.FloatField()
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["loaded_at"]

    def __str__(self) -> str:
        return f"{self.path} ({self.fingerprint[:12]})"


# Lake table name -> the model that holds it (the loader and the contract test use this).
LAKE_MODELS: dict[str, type[models.Model]] = {
    "neighbourhood": Neighbourhood,
    "team": Team,
    "gp_practice": GpPractice,
    "person": Person,
    "condition": Condition,
    "hospital_spell": HospitalSpell,
    "ae_attendance": AeAttendance,
    "referral": Referral,
    "contact": Contact,
    "budget_line": BudgetLine,
    "care_package": CarePackage,
    "episode": Episode,
}
assert set(LAKE_MODELS) == set(schema.TABLES)
