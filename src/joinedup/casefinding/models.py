"""Risk scores as loaded into the operational database: one run, one row per person matched.

`joinedup risk load` reads a scores file (`joinedup risk score`), takes its ids back to
the people of this database (joinedup.casefinding.loading) and replaces the stored run in
one transaction: there is only ever one run, the current one, so a page never mixes two
runs and people a later run no longer scores leave the lists. The audit log keeps every
load. A row copies the person's neighbourhood as it was at the load, for the index the
worklist reads ("this neighbourhood, highest first"); the worklist also asks that the
person still lives there, so someone who moves leaves the old team's list at once and
joins the new team's at the next load.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from joinedup.record.model_fields import copied_username
from joinedup.record.models import Neighbourhood, Person


class Band(models.TextChoices):
    """joinedup.risk.scoring's bands by rank: top 1%, next 4%, next 15%, the rest."""

    VERY_HIGH = "very_high", "Very high"
    HIGH = "high", "High"
    MODERATE = "moderate", "Moderate"
    LOW = "low", "Low"


class ScoreRun(models.Model):
    """Which scores are loaded: their date, the model's, where they came from, who loaded them."""

    as_of = models.DateField(help_text="The date the people were scored on")
    model_as_of = models.DateField(
        null=True, blank=True, help_text="The model's training date (null: not recorded)"
    )
    lake_source = models.CharField(max_length=200, help_text="The scored lake's source")
    pseudonymised = models.BooleanField(help_text="The file's ids were pseudonyms")
    file_name = models.CharField(max_length=1000)
    loaded_at = models.DateTimeField()
    loaded_by = copied_username()
    people_in_file = models.PositiveIntegerField()
    people_matched = models.PositiveIntegerField()

    class Meta:
        ordering = ["-loaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(people_matched__lte=models.F("people_in_file")),
                name="score_run_matched_within_file",
            )
        ]

    def __str__(self) -> str:
        return f"risk scores of {self.as_of} (loaded {self.loaded_at:%Y-%m-%d %H:%M})"

    @property
    def people_unmatched(self) -> int:
        return self.people_in_file - self.people_matched


class PersonScore(models.Model):
    """One person's score: probability of an emergency admission in the next 12 months."""

    # Both covered by the indexes below, which start with the run.
    run = models.ForeignKey(ScoreRun, models.CASCADE, related_name="scores", db_index=False)
    person = models.ForeignKey(Person, models.PROTECT, related_name="+", db_index=False)
    neighbourhood = models.ForeignKey(
        Neighbourhood, models.PROTECT, related_name="+", db_index=False,
        help_text="The person's neighbourhood when the scores were loaded",
    )  # fmt: skip
    probability = models.FloatField()
    band = models.CharField(max_length=16, choices=Band.choices)
    top_factors = models.JSONField(default=list, help_text="Feature names, most weight first")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "person"], name="person_score_once_a_run"),
            models.CheckConstraint(
                condition=Q(probability__gte=0) & Q(probability__lte=1),
                name="person_score_probability_0_1",
            ),
        ]
        indexes = [
            # The worklist: a team's neighbourhood, highest first.
            models.Index(
                fields=["run", "neighbourhood", "-probability"], name="person_score_worklist"
            ),
        ]

    def __str__(self) -> str:
        return f"score of {self.person_id}"
