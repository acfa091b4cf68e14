"""How the record's models declare their columns: the contract's enumerations, nullable text,
the lake's ids as keys, end-after-start constraints and the link every event has to its
person. One declaration each, so every table says the same thing the same way.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F, Q

ID_LENGTH = 64


# Contract values whose words are acronyms, which capitalising would spoil ("Gp", "Nhs111").
LABELS: dict[str, str] = {
    "gp": "GP",
    "nhs111": "NHS 111",
    "mdt_review": "Multidisciplinary team review",
    "nhs": "NHS",
}


def label(value: str) -> str:
    return LABELS.get(value) or value.replace("_", " ").replace("-", " ").capitalize()


def enum_choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    """Django choices for a contract enumeration, labelled for people ("Awaiting assessment")."""
    return [(v, label(v)) for v in values]


def enum_field(values: tuple[str, ...], *, null: bool, **kwargs: Any) -> models.CharField[Any, Any]:
    return models.CharField(
        max_length=max(len(v) for v in values),
        choices=enum_choices(values),
        null=null,
        blank=null,
        **kwargs,
    )


def text_field(max_length: int | None = None, verbose_name: str | None = None) -> Any:
    """A string the contract allows to be null: null means unknown, which "" would not say."""
    if max_length is None:
        return models.TextField(verbose_name, null=True, blank=True)
    return models.CharField(verbose_name, max_length=max_length, null=True, blank=True)


def key_field(column: str) -> models.CharField[Any, Any]:
    return models.CharField(primary_key=True, max_length=ID_LENGTH, db_column=column)


def ordered(later: str, earlier: str, *, name: str) -> models.CheckConstraint:
    """`later` is null or not before `earlier` (an end never precedes its start)."""
    return models.CheckConstraint(
        condition=Q(**{f"{later}__isnull": True}) | Q(**{f"{later}__gte": F(earlier)}), name=name
    )


def person_link(related_name: str) -> models.ForeignKey[Any, Any]:
    """An event's person (indexed by the table's own person-first indexes, not alone)."""
    return models.ForeignKey(
        "record.Person",
        models.PROTECT,
        db_column="person_id",
        related_name=related_name,
        db_index=False,
    )


def optional_link(
    to: type[models.Model] | str, column: str, related_name: str, **kwargs: Any
) -> models.ForeignKey[Any, Any]:
    """A link the contract allows to be null (unknown, or none)."""
    return models.ForeignKey(
        to,
        models.PROTECT,
        db_column=column,
        null=True,
        blank=True,
        related_name=related_name,
        **kwargs,
    )


def copied_username(help_text: str = "Username, copied") -> models.CharField[Any, Any]:
    """Who did something, copied when it was done: later changes to staff records (or
    their removal) never rewrite what a row says about its past."""
    return models.CharField(max_length=150, help_text=help_text)


class ShownById(models.Model):
    """A row shown by its kind and id ("meeting 12", "hospital spell S01"), never by anything
    identifying: a row's name turns up in logs and the admin's messages."""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"
