"""What staff add to a person's identity, and the history of every change to either.

The lake-loaded identity and contact facts (address, town, postcode, phone) stay on Person:
there is one place to read where someone lives, and the loader fills it. What only staff
know (a preferred name, next of kin, an emergency contact, communication needs, a ReSPECT or
DNACPR decision held elsewhere) lives here, one row a person, made on the first save, with
the `version` every save advances. Keeping these off Person means the lake's table, the bulk
loader's column list and `joinedup extract` never see them, and no lake column changes.

Every change of a field, on either model, is a PersonDetailChange with its old and new text;
the first change of a loaded fact keeps the loaded value as its old value, so nothing the
lake said is ever lost.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from joinedup.record.model_fields import ShownById, copied_username
from joinedup.record.person import Person

# Person's own columns that staff may correct (identity and contact facts from the lake).
PERSON_FIELDS = ("address_line_1", "address_line_2", "town", "postcode", "phone")

# Every field staff change, in the order the form asks for them, with its words for people.
FIELD_LABELS: dict[str, str] = {
    "address_line_1": "Address line 1",
    "address_line_2": "Address line 2",
    "town": "Town or city",
    "postcode": "Postcode",
    "phone": "Phone",
    "preferred_name": "Preferred name",
    "next_of_kin_name": "Next of kin: name",
    "next_of_kin_relationship": "Next of kin: relationship",
    "next_of_kin_phone": "Next of kin: phone",
    "emergency_contact_name": "Emergency contact: name",
    "emergency_contact_relationship": "Emergency contact: relationship",
    "emergency_contact_phone": "Emergency contact: phone",
    "communication_needs": "Communication needs",
    "interpreter_needed": "Interpreter needed",
    "interpreter_language": "Interpreter's language",
    "resuscitation_status": "ReSPECT / DNACPR",
    "resuscitation_held_where": "Where the ReSPECT or DNACPR form is held",
}


class ResuscitationStatus(models.TextChoices):
    """That a decision exists elsewhere, and which: the platform never holds the decision."""

    NOT_KNOWN = "not_known", "Not known"
    RESPECT_FORM = "respect_form", "ReSPECT form in place"
    DNACPR = "dnacpr", "DNACPR decision in place"
    NO_DNACPR = "no_dnacpr", "No DNACPR decision"


class PersonDetails(models.Model):
    """What staff know about a person beyond the lake, and the version of all their details.

    A separate row rather than columns on Person: the bulk loader inserts Person's rows
    with a raw column list, so every Person column must be one the lake fills; and the
    version advanced by each save (WHERE version = base) belongs to the details, not to
    the lake's facts.
    """

    person = models.OneToOneField(
        Person, models.PROTECT, primary_key=True, related_name="details", db_column="person_id"
    )
    version = models.PositiveIntegerField(default=0, help_text="Advanced by every save")
    preferred_name = models.CharField(max_length=100, blank=True, default="")
    next_of_kin_name = models.CharField(max_length=200, blank=True, default="")
    next_of_kin_relationship = models.CharField(max_length=100, blank=True, default="")
    next_of_kin_phone = models.CharField(max_length=20, blank=True, default="")
    emergency_contact_name = models.CharField(max_length=200, blank=True, default="")
    emergency_contact_relationship = models.CharField(max_length=100, blank=True, default="")
    emergency_contact_phone = models.CharField(max_length=20, blank=True, default="")
    communication_needs = models.TextField(blank=True, default="")
    interpreter_needed = models.BooleanField(default=False)
    interpreter_language = models.CharField(max_length=100, blank=True, default="")
    resuscitation_status = models.CharField(
        "ReSPECT / DNACPR",
        max_length=16,
        choices=ResuscitationStatus.choices,
        default=ResuscitationStatus.NOT_KNOWN,
    )
    resuscitation_held_where = models.CharField(max_length=500, blank=True, default="")
    saved_at = models.DateTimeField(null=True, blank=True, help_text="Of the last save")
    saved_by = models.CharField(max_length=150, blank=True, default="", help_text="Username")
    saved_by_name = models.CharField(max_length=300, blank=True, default="")
    profession = models.CharField(max_length=32, blank=True, default="")
    organisation = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        verbose_name_plural = "person details"
        constraints = [
            models.CheckConstraint(
                condition=Q(resuscitation_status__in=ResuscitationStatus.values),
                name="person_details_resuscitation_status",
            )
        ]

    def __str__(self) -> str:
        return f"details of person {self.pk}"


class PersonDetailChange(ShownById):
    """One field changed by one save: who, when, the old text and the new. Never changed.

    Values are kept as text: a yes/no as "yes" or "no", the ReSPECT/DNACPR status by its
    code, so the history reads the same whichever model the field lives on.
    """

    person = models.ForeignKey(
        Person,
        models.PROTECT,
        related_name="detail_changes",
        db_column="person_id",
        db_index=False,  # the (person, version) index serves it
    )
    version = models.PositiveIntegerField(help_text="The version this save made")
    field = models.CharField(max_length=40, choices=list(FIELD_LABELS.items()))
    old_value = models.TextField(blank=True, default="")
    new_value = models.TextField(blank=True, default="")
    changed_at = models.DateTimeField()
    changed_by = copied_username()
    changed_by_name = models.CharField(max_length=300, blank=True, default="")
    profession = models.CharField(max_length=32, blank=True, default="")
    organisation = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["person", "-version", "id"]
        indexes = [
            models.Index(fields=["person", "-version"], name="person_detail_change_person"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "version", "field"], name="person_detail_change_once"
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="person_detail_change_version_from_1"
            ),
        ]
