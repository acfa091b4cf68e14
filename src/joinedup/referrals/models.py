"""What the single point of access keeps beside the referral itself (joinedup.record.Referral).

Every change of a referral's status or owning team is a ReferralEvent, written in the same
transaction as the change (joinedup.referrals.workflow), with who made it copied so that
history never changes when staff records do; the database refuses an event that records a
transition the FHIR Task lifecycle does not allow. What came of an urgent response's first
visit (VisitOutcome) and whether the person agreed to being referred (ReferralConsent) are
kept here, one row per referral beside the record's Referral, so the referrals app owns
its own answers. Systems (GP systems, NHS 111, the
ambulance service, the telecare monitoring centre) send referrals with a token; a referral
whose person cannot be matched safely waits as an Intake until the triage clinician
matches it, so nothing a system sends is lost and no duplicate person is made silently.
"""

from __future__ import annotations

import hashlib

from django.db import models
from django.db.models import Q

from joinedup.lake import schema
from joinedup.record import referral_lifecycle as lifecycle
from joinedup.record.model_fields import ShownById
from joinedup.record.models import Referral, Team, enum_choices


def _allowed_transitions() -> Q:
    allowed = Q(kind__in=["created", "redirected", "first_visit", "visit_outcome", "note"])
    for current, following in lifecycle.TRANSITIONS.items():
        allowed |= Q(kind="status", from_status=current, to_status__in=sorted(following))
    return allowed


class ReferralEvent(models.Model):
    """One step in a referral's history: made, routed, accepted, redirected, closed, visited."""

    class Kind(models.TextChoices):
        CREATED = "created", "Referred"
        STATUS = "status", "Status changed"
        REDIRECTED = "redirected", "Redirected"
        FIRST_VISIT = "first_visit", "First visit"
        VISIT_OUTCOME = "visit_outcome", "Visit outcome"
        NOTE = "note", "Note"

    referral = models.ForeignKey(Referral, models.PROTECT, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    from_status = models.CharField(  # noqa: DJ001 - null: no status before (creation)
        max_length=16, choices=enum_choices(schema.TASK_STATUSES), null=True, blank=True
    )
    to_status = models.CharField(  # noqa: DJ001
        max_length=16, choices=enum_choices(schema.TASK_STATUSES), null=True, blank=True
    )
    from_team = models.ForeignKey(
        Team, models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    to_team = models.ForeignKey(
        Team, models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    reason = models.TextField(blank=True, default="")
    # Who: copied, like the audit log (a system's name when a system sent it).
    username = models.CharField(max_length=150, blank=True, default="")
    profession = models.CharField(max_length=32, blank=True, default="")
    organisation = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["referral", "at"], name="referral_event_referral")]
        constraints = [
            models.CheckConstraint(
                condition=_allowed_transitions(), name="referral_event_allowed_transition"
            )
        ]

    def __str__(self) -> str:
        return f"referral event {self.pk} ({self.kind})"


class Outcome(models.TextChoices):
    """What came of an urgent response's first visit (VisitOutcome.outcome)."""

    STAYED_HOME = "stayed_home", "Stayed at home with support"
    ADMITTED = "admitted", "Admitted to hospital"
    REFERRED_ON = "referred_on", "Referred on to another service or team"
    DECLINED = "declined", "Declined the service"


class VisitOutcome(models.Model):
    """What came of a two-hour referral's first visit: recorded once, by the urgent response
    team, and it ends the referral (joinedup.referrals.visit_outcomes says how)."""

    Outcome = Outcome

    referral = models.OneToOneField(
        Referral, models.PROTECT, primary_key=True, related_name="visit_outcome"
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    referred_to_team = models.ForeignKey(
        Team, models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    referred_to = models.CharField(
        max_length=100,
        blank=True,
        default="",
        help_text="Where the person was referred on to, when it is not one of the teams",
    )
    recorded_at = models.DateTimeField()
    recorded_by = models.CharField(max_length=150, help_text="Username, copied")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values),
                name="visit_outcome_known",
            ),
            # Referred on: to one team or one service named in words; otherwise to nowhere.
            models.CheckConstraint(
                condition=(
                    Q(outcome="referred_on")
                    & (
                        (Q(referred_to_team__isnull=False) & Q(referred_to=""))
                        | (Q(referred_to_team__isnull=True) & ~Q(referred_to=""))
                    )
                )
                | (
                    ~Q(outcome="referred_on") & Q(referred_to_team__isnull=True) & Q(referred_to="")
                ),
                name="visit_outcome_referred_on_somewhere",
            ),
        ]

    def __str__(self) -> str:
        return f"outcome of {self.referral_id}: {self.outcome}"


class ConsentAnswer(models.TextChoices):
    """The answers a referral may be made with (ReferralConsent.answer)."""

    AGREED = "agreed", "Yes, they agreed"
    BEST_INTERESTS = (
        "best_interests",
        "No: they lack capacity to decide and it is in their best interests",
    )
    SAFEGUARDING = "safeguarding", "No: made without consent because of a safeguarding concern"


class ReferralConsent(models.Model):
    """Whether the person agreed to being referred, as the referrer answered on the form.

    A person with capacity who declines is not referred unless there is a safeguarding
    concern, so "declined" is never stored. A referral with no row (sent by a system, or
    made before the question was asked) shows "Not recorded".
    """

    Answer = ConsentAnswer

    referral = models.OneToOneField(
        Referral, models.PROTECT, primary_key=True, related_name="consent"
    )
    answer = models.CharField(max_length=16, choices=ConsentAnswer.choices)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(answer__in=ConsentAnswer.values), name="referral_consent_known"
            )
        ]

    def __str__(self) -> str:
        return f"consent to {self.referral_id}: {self.answer}"


def token_digest(token: str) -> str:
    """What is stored of a system's token: its SHA-256 (the token itself is shown once)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SystemClient(models.Model):
    """A system allowed to send referrals to the endpoint, with the source it speaks for;
    the acute hospital's may also send admissions (joinedup.transfers.feed)."""

    name = models.CharField(max_length=100, unique=True)
    source = models.CharField(max_length=16, choices=enum_choices(schema.REFERRAL_SOURCES))
    token_sha256 = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)
    sends_admissions = models.BooleanField(
        default=False, help_text="May send admit, update and discharge events"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Intake(ShownById):
    """A referral from a system whose person could not be matched safely, awaiting triage.

    Holds the submission as sent; the triage clinician matches it to a person (or confirms
    a new one), which makes the Referral, or rejects it. Either way it is kept.
    """

    class Status(models.TextChoices):
        AWAITING_MATCH = "awaiting_match", "Awaiting a person match"
        MATCHED = "matched", "Matched"
        REJECTED = "rejected", "Rejected"

    client = models.ForeignKey(SystemClient, models.PROTECT, related_name="intakes")
    received_at = models.DateTimeField()
    external_id = models.CharField(max_length=100, blank=True, default="")
    payload = models.JSONField(help_text="The submission as received")
    urgency = models.CharField(max_length=8, choices=enum_choices(schema.URGENCIES))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.AWAITING_MATCH)
    why = models.CharField(max_length=300, help_text="Why the person was not matched")
    referral = models.OneToOneField(
        Referral, models.PROTECT, null=True, blank=True, related_name="intake"
    )
    decided_by = models.CharField(max_length=150, blank=True, default="")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [models.Index(fields=["status", "received_at"], name="intake_status_received")]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "external_id"],
                condition=~Q(external_id=""),
                name="intake_external_id_once_per_client",
            )
        ]


class ReceivedReferral(models.Model):
    """What a system sent under each of its external ids (a digest of the body as read), so
    a repeat is answered as one and an id reused for another referral is refused (409)."""

    client = models.ForeignKey(SystemClient, models.PROTECT, related_name="+")
    external_id = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, help_text="SHA-256 of the body as read")
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "external_id"], name="received_referral_once_per_client"
            )
        ]

    def __str__(self) -> str:
        return f"{self.external_id} from {self.client_id}"
