"""The morning's referrals for the demo city, so the triage queue and the urgent board have work.

The demo city's data end yesterday (joinedup.demo_city), so the lake's own referrals stop
at midnight; these arrived since, or over the last working days, as a single point of
access receives them: two two-hour referrals (a telecare alarm and an ambulance crew, one
close to its two hours), urgent and routine ones (about as many routine as the rest, as the
generator makes them) from the demo GP and a self-referral, one of each past the time it
should have been accepted, and one from NHS 111 whose person is uncertain, waiting to be
matched. Each is dated back from now: the alarm, the crew and NHS 111 by the clock, the
surgery's and the phone line's in their office hours, so none arrives at night or at a
weekend and none has waited more than a few days. Seeded for people of the demo team's
neighbourhood who are on no caseload. Idempotent and refused unless every lake is synthetic.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from joinedup.access.audit import DEMO_AUTHOR
from joinedup.access.demo import demo_team, demo_username, refuse_unless_synthetic
from joinedup.access.models import Profession
from joinedup.record.models import Episode, Person, Referral
from joinedup.referrals.models import Intake, SystemClient, token_digest
from joinedup.referrals.workflow import Actor, create_referral

DEMO_SYSTEM = DEMO_AUTHOR  # the demo's referrals, audited as its other records are
MINUTES, HOURS = dt.timedelta(minutes=1), dt.timedelta(hours=1)
# Sources that send only in office hours (OPENS to CLOSES, Monday to Friday, local time);
# the others (alarms, crews, NHS 111) send at any hour.
OFFICE_HOURS_SOURCES = frozenset({"gp", "self", "hospital"})
OPENS, CLOSES = dt.time(8, 0), dt.time(18, 30)
# (how long ago, urgency, source, reason, needs); "how long ago" counts office hours only
# for OFFICE_HOURS_SOURCES (10.5 a day: 24 hours is two working days and a bit).
REFERRALS = (
    (35 * MINUTES, "two_hour", "telecare", "Pendant alarm: fall, cannot get up",
     "Lift and assess at home; no injury reported; key safe at the front door"),
    (100 * MINUTES, "two_hour", "ambulance",
     "Crew on scene: fall, no fracture, cannot manage at home",
     "Urgent community response instead of conveyance; needs equipment and a care review"),
    (50 * MINUTES, "urgent", "gp", "Worsening breathlessness, COPD",
     "Nurse review within 48 hours; rescue pack started; lives alone"),
    (5 * HOURS, "urgent", "gp", "Carer in hospital, unable to manage personal care",
     "Social care assessment and a short-term package while her husband is in hospital"),
    (3 * HOURS, "routine", "gp", "Housebound since a hip replacement, cannot get into the bath",
     "Occupational therapy assessment for bathing equipment; home exercise programme"),
    (13 * HOURS, "routine", "gp", "Falls: two in a month, frightened to go out",
     "Falls assessment, home hazards, strength and balance; would like to get to church"),
    (18 * HOURS, "routine", "self", "Struggling with shopping and stairs since a stroke",
     "Therapy review; care navigation to shopping help and a befriending service"),
    (24 * HOURS, "routine", "gp", "Social isolation and low mood since bereavement",
     "Care navigation to community groups; check benefits; bereavement support"),
)  # fmt: skip


def _local(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def received_at(now: dt.datetime, ago: dt.timedelta, source: str) -> dt.datetime:
    """When a referral sent `ago` before `now` arrived: by the clock, or counting office
    hours only for a source that sends in them (OFFICE_HOURS_SOURCES)."""
    if source not in OFFICE_HOURS_SOURCES:
        return now - ago
    left, day = ago, timezone.localdate(now)
    while True:
        if day.weekday() < 5:
            opens, closes = _local(day, OPENS), _local(day, CLOSES)
            latest = min(now, closes)
            if latest > opens and latest - opens >= left:
                return latest - left
            left -= max(latest - opens, dt.timedelta(0))
        day -= dt.timedelta(days=1)


def _years_before(day: dt.date, years: int) -> dt.date:
    """The same day `years` earlier (28 February for a 29th that year lacks)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _people(count: int, today: dt.date) -> list[Person]:
    team = demo_team()
    on_caseload = Episode.objects.filter(person_id=OuterRef("pk"), end_date__isnull=True)
    return list(
        Person.objects.filter(
            neighbourhood_id=team.neighbourhood_id, death_date__isnull=True,
            registered_to__isnull=True, birth_date__lte=_years_before(today, 75),
        )
        .exclude(Exists(on_caseload))
        .order_by("birth_date", "id")[:count]
    )  # fmt: skip


def seed_demo_referrals(now: dt.datetime | None = None) -> int:
    """Add the demo's referrals once, received before `now`; returns how many were made
    (0 on a second call)."""
    now = now or timezone.now()
    with transaction.atomic():
        refuse_unless_synthetic()
        if Referral.objects.filter(source_system=DEMO_SYSTEM).exists():
            return 0
        gp = get_user_model().objects.filter(username=demo_username(Profession.GP)).first()
        people = _people(len(REFERRALS) + 1, timezone.localdate(now))
        made = 0
        for person, (ago, urgency, source, reason, needs) in zip(people, REFERRALS, strict=False):
            by_gp = source == "gp" and gp is not None
            create_referral(
                person=person, urgency=urgency, source=source, reason=reason, needs=needs,
                actor=Actor(user=gp) if by_gp else Actor(system=DEMO_SYSTEM),
                source_system=DEMO_SYSTEM, referrer_name="Demo referrer",
                referrer_phone="01632 960000", now=received_at(now, ago, source),
            )  # fmt: skip
            made += 1
        if len(people) > len(REFERRALS):
            uncertain = people[-1]
            client, _ = SystemClient.objects.get_or_create(
                name="NHS 111 (demo)",
                defaults={"source": "nhs111", "token_sha256": token_digest(f"demo-{now}"),
                          "created_at": now},
            )  # fmt: skip
            Intake.objects.create(
                client=client, received_at=now - dt.timedelta(minutes=20),
                external_id="demo-111-1", urgency="urgent",
                why="1 person has similar details",
                payload={
                    "urgency": "urgent", "reason": "Confused and not eating, daughter worried",
                    "needs": "Same-day nurse visit; check for infection",
                    "person": {"given_name": uncertain.given_name[:-1] or uncertain.given_name,
                               "family_name": uncertain.family_name,
                               "birth_date": uncertain.birth_date.isoformat(),
                               "postcode": uncertain.postcode},
                    "referrer": {"name": "NHS 111 clinician", "phone": "01632 960111"},
                },
            )  # fmt: skip
            made += 1
    return made
