"""The care team and consents, taken over from the people app (people 0003) as they are.

State only: the tables keep the names people_careteammember and people_consent.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_care_team_and_consent_to_access"),
        ("access", "0006_alter_staffmember_profession"),
        ("record", "0007_spell_discharge_date"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CareTeamMember",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "role",
                            models.CharField(
                                help_text="What they do for this person", max_length=200
                            ),
                        ),
                        ("key_worker", models.BooleanField(default=False)),
                        ("started", models.DateField()),
                        (
                            "ended",
                            models.DateField(
                                blank=True, help_text="Null: still caring for them", null=True
                            ),
                        ),
                        (
                            "reason",
                            models.CharField(
                                blank=True,
                                default="",
                                help_text="Why they were allocated or changed",
                                max_length=300,
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="care_team",
                                to="record.person",
                            ),
                        ),
                        (
                            "staff",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="care_of",
                                to="access.staffmember",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "people_careteammember",
                        "ordering": ["-key_worker", "started", "id"],
                        "indexes": [
                            models.Index(fields=["staff", "person"], name="care_team_staff_person"),
                            models.Index(fields=["person", "started"], name="care_team_person"),
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("ended__isnull", True), ("key_worker", True)),
                                fields=("person",),
                                name="care_team_one_current_key_worker",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("ended__isnull", True),
                                    ("ended__gte", models.F("started")),
                                    _connector="OR",
                                ),
                                name="care_team_ended_after_started",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Consent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    (
                                        "sharing_objection",
                                        "Objects to sharing between health and social care",
                                    ),
                                    (
                                        "national_data_opt_out",
                                        "National Data Opt-out (no secondary use)",
                                    ),
                                    (
                                        "consent_to_share",
                                        "Consents to sharing with the integrated team",
                                    ),
                                ],
                                max_length=24,
                            ),
                        ),
                        ("recorded_at", models.DateTimeField()),
                        (
                            "recorded_by",
                            models.CharField(help_text="Username, copied", max_length=150),
                        ),
                        ("note", models.CharField(blank=True, max_length=300)),
                        (
                            "ended_at",
                            models.DateTimeField(
                                blank=True, help_text="Null: still in force", null=True
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="consents",
                                to="record.person",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "people_consent",
                        "ordering": ["recorded_at", "id"],
                        "indexes": [
                            models.Index(
                                fields=["person", "kind", "ended_at"], name="consent_person"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
