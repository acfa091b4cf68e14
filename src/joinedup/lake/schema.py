"""The lake contract of docs/lake.md as data: every table, column, type, enumeration and key.

Everything that writes or reads a lake (the generator, the extract, the loader, the
analytics engines) takes column names and enumerations from here, so the contract is
stated once in code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

SCHEMA_VERSION = 1

DATE = pa.date32()
INSTANT = pa.timestamp("us", tz="UTC")
MONEY = pa.float64()
COUNT = pa.int32()
SMALL = pa.int8()
STRING = pa.string()
BOOL = pa.bool_()
FLOAT = pa.float64()

SEX = ("female", "male", "other", "unknown")
CONDITIONS = (
    "hypertension",
    "diabetes",
    "copd",
    "asthma",
    "heart_failure",
    "coronary_heart_disease",
    "atrial_fibrillation",
    "stroke",
    "chronic_kidney_disease",
    "dementia",
    "depression",
    "severe_mental_illness",
    "cancer",
    "osteoarthritis",
    "parkinsons",
    "learning_disability",
    "frailty_mild",
    "frailty_moderate",
    "frailty_severe",
)
ADMISSION_METHODS = ("emergency", "elective", "other")
DISCHARGE_DESTINATIONS = (
    "usual_residence",
    "care_home_new",
    "temporary",
    "other_hospital",
    "died",
    "other",
)
DELAY_REASONS = (
    "awaiting_assessment",
    "awaiting_public_funding",
    "awaiting_further_nhs_care",
    "awaiting_residential_home",
    "awaiting_nursing_home",
    "awaiting_care_package",
    "awaiting_equipment_adaptation",
    "patient_family_choice",
    "dispute",
    "housing",
    "other",
)
DELAY_RESPONSIBILITIES = ("nhs", "social_care", "both")
SERVICES = (
    "gp",
    "community_nursing",
    "therapy",
    "mental_health",
    "social_work",
    "rapid_response",
    "care_navigation",
    "pharmacy",
    "mdt_review",
    "telecare_response",
    "other",
)
SECTORS = ("health", "social_care", "voluntary")
SERVICE_TYPES = (
    "home_care",
    "reablement",
    "intermediate_care",
    "residential_care",
    "nursing_care",
    "day_care",
    "telecare",
    "equipment_adaptation",
    "carer_support",
)
PACKAGE_FUNDERS = ("council", "nhs", "pooled", "self")
BUDGET_MODES = ("notional", "third_party", "direct_payment")
REFERRAL_SOURCES = (
    "gp",
    "hospital",
    "self",
    "family_carer",
    "nhs111",
    "ambulance",
    "social_care",
    "voluntary",
    "telecare",
    "other",
)
URGENCIES = ("two_hour", "urgent", "routine")
TASK_STATUSES = (
    "draft",
    "requested",
    "accepted",
    "rejected",
    "cancelled",
    "in-progress",
    "on-hold",
    "failed",
    "completed",
    "entered-in-error",
)
EPISODE_REASONS = ("case_finding", "referral", "post_discharge", "other")
EPISODE_END_REASONS = ("goals_met", "declined", "died", "moved_away", "care_home", "other")
BUDGET_FUNDERS = ("nhs", "council", "pooled")
PURPOSES = ("secondary_use", "direct_care", "synthetic")


@dataclass(frozen=True)
class Column:
    """One lake column: its Arrow type, whether null is allowed, and what it may hold."""

    name: str
    type: pa.DataType
    nullable: bool = True
    values: tuple[str, ...] | None = None
    value_range: tuple[int, int] | None = None
    references: tuple[str, str] | None = None  # (table, id column)


@dataclass(frozen=True)
class Table:
    name: str
    key: str
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in self.columns])

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _id(name: str) -> Column:
    return Column(name, STRING, nullable=False)


def _ref(name: str, table: str, key: str, *, required: bool) -> Column:
    return Column(name, STRING, nullable=not required, references=(table, key))


PERSON_REF = _ref("person_id", "person", "person_id", required=True)


def _event(name: str, key: str, *columns: Column) -> Table:
    """A table of things that happen to a person: its own id, the person, then its columns."""
    return Table(name, key, (_id(key), PERSON_REF, *columns))


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "neighbourhood",
            "neighbourhood_id",
            (
                _id("neighbourhood_id"),
                Column("name", STRING),
                Column("population", COUNT),
            ),
        ),
        Table(
            "team",
            "team_id",
            (
                _id("team_id"),
                _ref("neighbourhood_id", "neighbourhood", "neighbourhood_id", required=True),
                Column("name", STRING),
                Column("go_live_date", DATE),
            ),
        ),
        Table(
            "gp_practice",
            "practice_id",
            (
                _id("practice_id"),
                _ref("neighbourhood_id", "neighbourhood", "neighbourhood_id", required=True),
                Column("name", STRING),
            ),
        ),
        Table(
            "person",
            "person_id",
            (
                _id("person_id"),
                Column("birth_date", DATE, nullable=False),
                Column("sex", STRING, values=SEX),
                Column("deprivation_decile", SMALL, value_range=(1, 10)),
                _ref("neighbourhood_id", "neighbourhood", "neighbourhood_id", required=True),
                _ref("practice_id", "gp_practice", "practice_id", required=True),
                Column("lives_alone", BOOL, nullable=False),
                Column("has_unpaid_carer", BOOL, nullable=False),
                Column("registered_from", DATE, nullable=False),
                Column("registered_to", DATE),
                Column("death_date", DATE),
            ),
        ),
        Table(
            "condition",
            "",
            (
                PERSON_REF,
                Column("condition", STRING, nullable=False, values=CONDITIONS),
                Column("snomed_code", STRING),
                Column("onset_date", DATE, nullable=False),
                Column("recorded_date", DATE),
                Column("resolved_date", DATE),
            ),
        ),
        _event(
            "hospital_spell",
            "spell_id",
            Column("admission_date", DATE, nullable=False),
            Column("admission_method", STRING, values=ADMISSION_METHODS),
            Column("primary_diagnosis", STRING),
            Column("acsc", BOOL, nullable=False),
            Column("fall", BOOL, nullable=False),
            Column("ready_for_discharge_date", DATE),
            Column("discharge_date", DATE),
            Column("discharge_pathway", SMALL, value_range=(0, 3)),
            Column("discharge_destination", STRING, values=DISCHARGE_DESTINATIONS),
            Column("delay_reason", STRING, values=DELAY_REASONS),
            Column("delay_responsibility", STRING, values=DELAY_RESPONSIBILITIES),
            Column("cost", MONEY),
        ),
        _event(
            "ae_attendance",
            "attendance_id",
            Column("arrival", INSTANT, nullable=False),
            Column("admitted", BOOL, nullable=False),
            Column("cost", MONEY),
        ),
        _event(
            "contact",
            "contact_id",
            Column("contact_date", DATE, nullable=False),
            Column("service", STRING, values=SERVICES),
            Column("sector", STRING, values=SECTORS),
            _ref("team_id", "team", "team_id", required=False),
            _ref("referral_id", "referral", "referral_id", required=False),
            Column("urgent", BOOL, nullable=False),
            Column("response_minutes", COUNT),
            Column("cost", MONEY),
        ),
        _event(
            "care_package",
            "package_id",
            Column("service_type", STRING, values=SERVICE_TYPES),
            Column("start_date", DATE, nullable=False),
            Column("end_date", DATE),
            Column("hours_per_week", FLOAT),
            Column("weekly_cost", MONEY),
            Column("funder", STRING, values=PACKAGE_FUNDERS),
            Column("personal_budget", BOOL, nullable=False),
            Column("budget_mode", STRING, values=BUDGET_MODES),
            Column("permanent", BOOL, nullable=False),
            _ref("after_spell_id", "hospital_spell", "spell_id", required=False),
            _ref("budget_line_id", "budget_line", "line_id", required=False),
        ),
        _event(
            "referral",
            "referral_id",
            Column("received_at", INSTANT, nullable=False),
            Column("source", STRING, values=REFERRAL_SOURCES),
            Column("urgency", STRING, values=URGENCIES),
            Column("reason", STRING),
            _ref("team_id", "team", "team_id", required=False),
            Column("status", STRING, values=TASK_STATUSES),
            Column("accepted_at", INSTANT),
            Column("closed_at", INSTANT),
        ),
        _event(
            "episode",
            "episode_id",
            _ref("team_id", "team", "team_id", required=True),
            Column("start_date", DATE, nullable=False),
            Column("end_date", DATE),
            Column("reason", STRING, values=EPISODE_REASONS),
            Column("end_reason", STRING, values=EPISODE_END_REASONS),
        ),
        Table(
            "budget_line",
            "line_id",
            (
                _id("line_id"),
                Column("scheme", STRING),
                Column("scheme_type", STRING),
                Column("funder", STRING, values=BUDGET_FUNDERS),
                _ref("neighbourhood_id", "neighbourhood", "neighbourhood_id", required=False),
                Column("period_start", DATE, nullable=False),
                Column("period_end", DATE, nullable=False),
                Column("planned", MONEY),
                Column("spent", MONEY),
            ),
        ),
    )
}

# Tables in an order where every key points at a table that comes earlier (load order).
TABLE_ORDER: tuple[str, ...] = (
    "neighbourhood",
    "team",
    "gp_practice",
    "person",
    "condition",
    "hospital_spell",
    "ae_attendance",
    "referral",
    "contact",
    "budget_line",
    "care_package",
    "episode",
)
assert set(TABLE_ORDER) == set(TABLES)


def empty_table(name: str) -> pa.Table:
    """A table with the contract's columns and no rows (for writers with nothing to say)."""
    return TABLES[name].arrow_schema.empty_table()
