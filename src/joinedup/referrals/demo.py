"""Today's referrals for the demo city, so the triage queue and the urgent board have work.

The lake's referrals end where its window does (months or years before today), so without
these the single point of access would show only old ones. Seeded for people of the demo
team's neighbourhood who are on no caseload: two two-hour referrals (a telecare alarm and
an ambulance crew, one close to its two hours), urgent and routine ones from the demo GP
(some past the time they should have been accepted), and one from NHS 111 whose person is
uncertain, waiting to be matched. Idempotent and refused unless every lake is synthetic.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from joinedup.access.demo import demo_team, demo_username, refuse_unless_synthetic
from joinedup.access.models import Profession
from joinedup.record.models import Episode, Person, Referral
from joinedup.referrals.models import Intake, SystemClient, token_digest
from joinedup.referrals.workflow import Actor, create_referral

DEMO_SYSTEM = "joinedup demo"
# (minutes ago, urgency, source, reason, needs)
REFERRALS = (
    (35, "two_hour", "telecare", "Pendant alarm: fall, cannot get up",
     "Lift and assess at home; no injury reported; key safe at the front door"),
    (100, "two_hour", "ambulance", "Crew on scene: fall, no fracture, cannot manage at home",
     "Urgent community response instead of conveyance; needs equipment and a care review"),
    (60, "urgent", "gp", "Worsening breathlessness, COPD",
     "Nurse review within 48 hours; rescue pack started; lives alone"),
    (300, "urgent", "gp", "Carer in hospital, unable to manage personal care",
     "Social care assessment and a short-term package while her husband is in hospital"),
    (60 * 26, "routine", "gp", "Falls: two in a month, frightened to go out",
     "Falls assessment, home hazards, strength and balance; would like to get to church"),
    (60 * 24 * 3, "routine", "gp", "Social isolation and low mood since bereavement",
     "Care navigation to community groups; check benefits; bereavement support"),
)  # fmt: skip


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
    """Add today's demo referrals once; returns how many were made (0 on a second call)."""
    now = now or timezone.now()
    with transaction.atomic():
        refuse_unless_synthetic()
        if Referral.objects.filter(source_system=DEMO_SYSTEM).exists():
            return 0
        gp = get_user_model().objects.filter(username=demo_username(Profession.GP)).first()
        people = _people(len(REFERRALS) + 1, timezone.localdate(now))
        made = 0
        for person, (minutes, urgency, source, reason, needs) in zip(
            people, REFERRALS, strict=False
        ):
            by_gp = source == "gp" and gp is not None
            create_referral(
                person=person, urgency=urgency, source=source, reason=reason, needs=needs,
                actor=Actor(user=gp) if by_gp else Actor(system=DEMO_SYSTEM),
                source_system=DEMO_SYSTEM, referrer_name="Demo referrer",
                referrer_phone="01632 960000", now=now - dt.timedelta(minutes=minutes),
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
