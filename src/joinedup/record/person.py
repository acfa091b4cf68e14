"""The person: the lake's columns, plus the identity staff need to find and contact them."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from joinedup.lake import schema
from joinedup.record.model_fields import enum_field, key_field, ordered
from joinedup.record.name_sounds import soundex
from joinedup.record.nhs_number import NhsNumberField, nhs_number_check_constraint
from joinedup.record.providers import GpPractice, Neighbourhood


class Person(models.Model):
    """A resident: the lake's columns plus the identity staff need to find and contact them."""

    id = key_field("person_id")
    birth_date = models.DateField()
    sex = enum_field(schema.SEX, null=True)
    deprivation_decile = models.SmallIntegerField(
        null=True, blank=True, help_text="Index of Multiple Deprivation decile: 1 = most deprived"
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood, models.PROTECT, db_column="neighbourhood_id", related_name="people"
    )
    practice = models.ForeignKey(
        GpPractice, models.PROTECT, db_column="practice_id", related_name="people"
    )
    lives_alone = models.BooleanField()
    has_unpaid_carer = models.BooleanField()
    registered_from = models.DateField()
    registered_to = models.DateField(null=True, blank=True, help_text="Null: still registered")
    death_date = models.DateField(null=True, blank=True)

    nhs_number = NhsNumberField("NHS number", unique=True, null=True, blank=True)
    given_name = models.CharField(max_length=100, blank=True, default="")
    family_name = models.CharField(max_length=100, blank=True, default="")
    address_line_1 = models.CharField(max_length=200, blank=True, default="")
    address_line_2 = models.CharField(max_length=200, blank=True, default="")
    town = models.CharField(max_length=100, blank=True, default="")
    postcode = models.CharField(max_length=8, blank=True, default="")
    phone = models.CharField(max_length=20, blank=True, default="")
    # Phonetic keys of the names (joinedup.people.search), so a search tolerant of typos
    # finds its candidates through an index instead of reading every person.
    family_name_sound = models.CharField(max_length=12, blank=True, default="")
    given_name_sound = models.CharField(max_length=12, blank=True, default="")

    class Meta:
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["family_name", "birth_date"], name="person_family_name_birth"),
            models.Index(fields=["postcode"], name="person_postcode"),
            models.Index(fields=["birth_date"], name="person_birth_date"),
            models.Index(
                fields=["family_name_sound", "given_name_sound"], name="person_name_sounds"
            ),
        ]
        constraints = [
            nhs_number_check_constraint("nhs_number", name="person_nhs_number_ten_digits"),
            models.CheckConstraint(
                condition=Q(deprivation_decile__isnull=True) | Q(deprivation_decile__range=(1, 10)),
                name="person_deprivation_decile_1_10",
            ),
            ordered("registered_to", "registered_from", name="person_registered_to_after_from"),
        ]

    def __str__(self) -> str:
        name = f"{self.given_name} {self.family_name}".strip()
        return name or self.id

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep the phonetic keys in step with the names (the loader fills them in bulk)."""
        self.family_name_sound = soundex(self.family_name)
        self.given_name_sound = soundex(self.given_name)
        super().save(*args, **kwargs)
