"""A notification: one member of staff told of one thing someone else did that needs them.

The text is written when the notification is made, in plain words and without clinical
detail (no diagnosis, ward, reason or note: those stay behind the record's rules), and
names the person only for a recipient who may know them (joinedup.notifications.sending
decides). `link` is the page to act on, a path inside joinedup; `read_at` stays empty until
the recipient opens it or marks everything read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from joinedup.record.models import Person


class Kind(models.TextChoices):
    """What happened. The label is all an e-mail says, so it names no one and nothing clinical."""

    REFERRAL_ACCEPTED = "referral_accepted", "Referral accepted"
    REFERRAL_REJECTED = "referral_rejected", "Referral rejected"
    REFERRAL_COMPLETED = "referral_completed", "Referral completed"
    REFERRAL_CLOSED = "referral_closed", "Referral closed"
    KEY_WORKER = "key_worker", "Key worker allocation"
    TASK = "task", "Task for you"
    ADMITTED = "admitted", "Hospital admission"
    DISCHARGED = "discharged", "Hospital discharge"
    CARE_PLAN = "care_plan", "Care plan changed"


# Kinds whose link is the person's record or care plan: it opens only while the recipient
# has a relationship with the person, so the page offers it only then (no dead ends).
NEEDS_THE_RECORD = frozenset({Kind.KEY_WORKER, Kind.ADMITTED, Kind.DISCHARGED, Kind.CARE_PLAN})

TEXT_MAX = 500
LINK_MAX = 300


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications", db_index=False
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    person = models.ForeignKey(
        Person, models.CASCADE, null=True, blank=True, related_name="+", db_index=False
    )
    text = models.CharField(max_length=TEXT_MAX)
    link = models.CharField(max_length=LINK_MAX, help_text="A path inside joinedup")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # the list, newest first
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_list"),
            # the header's count on every page: only the unread rows are in it
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
        ]
        constraints = [
            # a path of joinedup's own, never another site ("//host" is one)
            models.CheckConstraint(
                condition=Q(link__startswith="/") & ~Q(link__startswith="//"),
                name="notification_link_is_a_path",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="notification_has_text"),
        ]

    def __str__(self) -> str:
        return f"notification {self.pk} ({self.kind})"

    @property
    def needs_the_record(self) -> bool:
        return self.person_id is not None and self.kind in NEEDS_THE_RECORD
