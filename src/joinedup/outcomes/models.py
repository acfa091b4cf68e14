"""Stored outcome metrics: the long form of docs/metrics.md, as last computed from a lake.

The dashboards read these rows rather than the lake, so a page never waits for an engine
and shows the same figures to everyone until the next refresh. There is one set at a
time: a refresh replaces the run and every result in one transaction. Aggregates only;
`neighbourhood_id` is text, not a key, because the lake's neighbourhoods need not be loaded
into this database (and 'ALL' is the whole area).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from joinedup.record.models import ID_LENGTH

AREA = "ALL"


class PeriodKind(models.TextChoices):
    MONTH = "month", "Month"
    YEAR = "year", "Financial year"


class OutcomeRun(models.Model):
    """Which lake the stored results come from, when and how they were computed."""

    lake_path = models.CharField(max_length=1000)
    lake_fingerprint = models.CharField(
        max_length=64, help_text="joinedup.record.load.lake_fingerprint of the lake"
    )
    manifest = models.JSONField(help_text="The lake's manifest.json as it was")
    observation_start = models.DateField()
    observation_end = models.DateField()
    engine = models.CharField(max_length=16)
    computed_at = models.DateTimeField()
    seconds = models.FloatField(help_text="Time to compute and store")
    rows = models.IntegerField()

    class Meta:
        ordering = ["-computed_at"]

    def __str__(self) -> str:
        return f"outcomes from {self.lake_path} ({self.computed_at:%Y-%m-%d %H:%M})"


class OutcomeResult(models.Model):
    """One metric x group x period row of compute_metrics' result."""

    run = models.ForeignKey(OutcomeRun, models.CASCADE, related_name="results")
    period_kind = models.CharField(max_length=8, choices=PeriodKind.choices)
    metric = models.CharField(max_length=100)
    neighbourhood_id = models.CharField(max_length=ID_LENGTH)
    period_start = models.DateField()
    period_end = models.DateField()
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    value = models.FloatField(null=True, blank=True)
    suppressed = models.BooleanField(default=False)

    class Meta:
        ordering = ["metric", "neighbourhood_id", "period_kind", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "period_kind", "metric", "neighbourhood_id", "period_start"],
                name="outcome_result_unique",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="outcome_period_ordered"
            ),
        ]
        indexes = [
            models.Index(
                fields=["period_kind", "metric", "period_start"], name="outcome_metric_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.neighbourhood_id} {self.period_start}"
