"""Staff members: whose a login is, what they do, who employs them and which teams they work in.

Every later access decision (legitimate relationship, sensitive labels, break-glass) starts
from these three facts, so an account without a StaffMember sees nothing. Beside them, the
other facts the decisions rest on: the audit trail and break-glass uses, who cares for a
person (a key worker may open their record), the person's consent decisions (an objection
to sharing between health and social care), and the labels of sector and sensitivity.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q

from joinedup.access.professions import Profession
from joinedup.record.model_fields import ShownById, copied_username
from joinedup.record.models import ID_LENGTH, Organisation, Person, Team


class StaffMember(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="staff_member"
    )
    profession = models.CharField(max_length=32, choices=Profession.choices)
    organisation = models.ForeignKey(Organisation, models.PROTECT, related_name="staff")
    teams = models.ManyToManyField(Team, blank=True, related_name="staff")
    phone = models.CharField(
        max_length=20, blank=True, default="", help_text="Work number, shown in care teams"
    )

    class Meta:
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_profession_display()})"


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    SEARCH_HIT = "search_hit", "Appeared in search results"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"
    BREAK_GLASS = "break_glass", "Broke the glass"
    EXPORT = "export", "Exported"
    LOGIN = "login", "Logged in"
    LOGOUT = "logout", "Logged out"
    LOGIN_FAILED = "login_failed", "Failed login"
    # Account administration (joinedup.accounts): changes to a login, never about a person.
    DEACTIVATE = "deactivate", "Deactivated an account"
    REACTIVATE = "reactivate", "Reactivated an account"
    PASSWORD_RESET = "password_reset", "Reset a password"


class AuditLogAppendOnlyError(Exception):
    """An attempt to change or remove an audit event through Django (the database refuses too)."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Refuses bulk changes: a queryset's update() and delete() skip the model's own refusal."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditLogAppendOnlyError("audit events are never changed")

    def delete(self) -> NoReturn:
        raise AuditLogAppendOnlyError("audit events are never deleted")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogAppendOnlyError("audit events are never changed")


class AuditEvent(models.Model):
    """One view or change of a person's data (or a login), as it was at the time.

    Who did it is copied (username, profession, organisation name), so editing or removing
    a staff member later never rewrites history; the user link is informational only
    (no database constraint, no cascade) for the same reason. Events form a hash chain in
    `sequence` order: `hash` is sha256 over the event's fields and `prev_hash`, so an
    altered, removed or reordered event is found by joinedup.access.audit.verify_chain.
    Written only by joinedup.access.audit.record_event.
    """

    sequence = models.PositiveBigIntegerField(primary_key=True)
    occurred_at = models.DateTimeField(help_text="The database's clock when the event was written")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(max_length=150, blank=True)
    profession = models.CharField(max_length=32, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    # Null, not "", for events about no person (logins): the hash and reports keep them apart.
    person_id = models.CharField(max_length=ID_LENGTH, null=True, blank=True)  # noqa: DJ001
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    what = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = models.Manager.from_queryset(AuditEventQuerySet)()

    class Meta:
        ordering = ["sequence"]
        indexes = [models.Index(fields=["person_id", "sequence"], name="audit_person_sequence")]
        constraints = [
            models.CheckConstraint(condition=Q(sequence__gte=1), name="audit_sequence_positive"),
            models.CheckConstraint(
                condition=~Q(action="break_glass") | ~Q(reason=""),
                name="audit_break_glass_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"audit event {self.sequence} ({self.action})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogAppendOnlyError("audit events are never changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogAppendOnlyError("audit events are never deleted")


class AuditChainHead(models.Model):
    """The chain's last sequence and hash, in one row that every writer locks first.

    Locking this row (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions
    already let one writer in at a time) queues concurrent writers, so two can never
    extend the chain from the same event. It also lets verify_chain notice events cut off
    the end of the log, which a chain alone cannot show.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="audit_head_single_row")]

    def __str__(self) -> str:
        return f"audit chain head at {self.sequence}"


class BreakGlass(models.Model):
    """A member of staff opening a record they have no relationship with, for a stated reason.

    `person_id` is text, not a key: breaking the glass on an id that matches nobody must
    look the same as on a real person, so the row cannot depend on the person existing.
    Team managers review every use (reviewed_by/at).
    """

    staff = models.ForeignKey(StaffMember, models.PROTECT, related_name="break_glass")
    person_id = models.CharField(max_length=ID_LENGTH)
    reason = models.TextField()
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reviewed_by = models.CharField(max_length=150, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["staff", "person_id", "expires_at"], name="break_glass_lookup"),
            models.Index(fields=["person_id", "started_at"], name="break_glass_person"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="break_glass_has_reason"),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("started_at")),
                name="break_glass_expires_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"break-glass {self.pk}"


class LoginFailure(models.Model):
    """A failed login, kept to throttle password guessing by username and by address."""

    username = models.CharField(max_length=150)
    address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["username", "at"], name="login_failure_username"),
            models.Index(fields=["address", "at"], name="login_failure_address"),
        ]

    def __str__(self) -> str:
        return f"login failure {self.pk}"


class Sector(models.TextChoices):
    """Which side of the partnership an entry or a member of staff belongs to."""

    HEALTH = "health", "Health"
    SOCIAL_CARE = "social_care", "Social care"
    VOLUNTARY = "voluntary", "Voluntary sector"


class Sensitivity(models.TextChoices):
    """Labels that restrict an entry to the professions allowed to see it."""

    SAFEGUARDING = "safeguarding", "Safeguarding"
    SEXUAL_HEALTH = "sexual_health", "Sexual health"
    MENTAL_HEALTH = "mental_health", "Mental health detail"


class CareTeamMember(ShownById):
    """A member of staff caring for the person; at most one current key worker per person."""

    person = models.ForeignKey(Person, models.PROTECT, related_name="care_team")
    staff = models.ForeignKey(StaffMember, models.PROTECT, related_name="care_of")
    role = models.CharField(max_length=200, help_text="What they do for this person")
    key_worker = models.BooleanField(default=False)
    started = models.DateField()
    ended = models.DateField(null=True, blank=True, help_text="Null: still caring for them")
    reason = models.CharField(
        max_length=300, blank=True, default="", help_text="Why they were allocated or changed"
    )

    class Meta:
        db_table = "people_careteammember"  # the name the people app gave it
        ordering = ["-key_worker", "started", "id"]
        indexes = [
            models.Index(fields=["staff", "person"], name="care_team_staff_person"),
            models.Index(fields=["person", "started"], name="care_team_person"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(key_worker=True, ended__isnull=True),
                name="care_team_one_current_key_worker",
            ),
            models.CheckConstraint(
                condition=Q(ended__isnull=True) | Q(ended__gte=models.F("started")),
                name="care_team_ended_after_started",
            ),
        ]


class Consent(models.Model):
    """A person's consent decision or objection, from when it was recorded until it ended."""

    class Kind(models.TextChoices):
        SHARING_OBJECTION = (
            "sharing_objection",
            "Objects to sharing between health and social care",
        )
        NATIONAL_DATA_OPT_OUT = (
            "national_data_opt_out",
            "National Data Opt-out (no secondary use)",
        )
        CONSENT_TO_SHARE = "consent_to_share", "Consents to sharing with the integrated team"

    person = models.ForeignKey(Person, models.PROTECT, related_name="consents")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    recorded_at = models.DateTimeField()
    recorded_by = copied_username()
    note = models.CharField(max_length=300, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Null: still in force")
    ended_by = copied_username("Username, copied when it was ended; empty while in force")

    class Meta:
        db_table = "people_consent"  # the name the people app gave it
        ordering = ["recorded_at", "id"]
        indexes = [models.Index(fields=["person", "kind", "ended_at"], name="consent_person")]

    def __str__(self) -> str:
        return f"consent {self.pk} ({self.kind})"
