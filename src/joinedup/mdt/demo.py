"""The demo team's MDT meetings: one held last week, with its actions, and the next one.

Without them the demo's meeting pages are empty and the team's task lists have nothing on
them. Last week's meeting has its agenda built by the same rules as any other (as of its
date), three cases discussed with notes, decisions and an action each, owned by the demo
district nurse, social worker and care navigator (one already overdue), who attended, and
its summary; the next meeting (the next working day's) has its agenda built and waits to be
held. Both are on working days, dated from the demo's now. Idempotent, refused unless
every loaded lake is synthetic, audited as created by "joinedup demo".
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from joinedup.access.audit import DEMO_AUTHOR, record_event
from joinedup.access.demo import demo_team, demo_username, refuse_unless_synthetic
from joinedup.access.models import AuditAction, Profession, StaffMember
from joinedup.access.staff_names import staff_name
from joinedup.mdt.agenda import build_agenda
from joinedup.mdt.models import Attendance, Meeting
from joinedup.tasks.models import Task

# (owner's profession, action, days from today it is due)
ACTIONS = (
    (Profession.DISTRICT_NURSE, "Review medication and inhaler technique at home", -2),
    (Profession.SOCIAL_WORKER, "Care act assessment with daughter present", 5),
    (Profession.CARE_NAVIGATOR, "Introduce to the Tuesday lunch club and befriending", 10),
)
ATTENDING = (
    Profession.TEAM_MANAGER, Profession.DISTRICT_NURSE, Profession.SOCIAL_WORKER,
    Profession.CARE_NAVIGATOR, Profession.GP,
)  # fmt: skip


def _at_ten(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def _working_day(day: dt.date, step: int) -> dt.date:
    """`day` if it is a working day (Monday to Friday), else the next one `step` days away."""
    while day.weekday() >= 5:
        day += dt.timedelta(days=step)
    return day


def seed_demo_meetings(now: dt.datetime | None = None) -> int:
    """Add last week's held meeting and the next working day's; returns meetings made (0
    the second time)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        refuse_unless_synthetic()
        team = demo_team()
        if Meeting.objects.filter(team=team, created_by=DEMO_AUTHOR).exists():
            return 0
        staff = {
            s.profession: s
            for s in StaffMember.objects.select_related("user", "organisation").filter(
                user__username__in=[
                    demo_username(p) for p in (*ATTENDING, *[a[0] for a in ACTIONS])
                ]
            )
        }
        held = Meeting.objects.create(
            team=team, starts_at=_at_ten(_working_day(today - dt.timedelta(days=7), -1)),
            location="Team base, meeting room 1", created_at=now, created_by=DEMO_AUTHOR,
        )  # fmt: skip
        items = build_agenda(held)
        origin = f"MDT {held.starts_at.day} {held.starts_at:%B %Y}"
        for item, (profession, action, due_in) in zip(items, ACTIONS, strict=False):
            owner = staff.get(profession)
            item.notes = "Discussed by the team; the person's wishes were read from the plan."
            item.decisions = f"{action}; review at the next meeting."
            item.discussed = True
            item.save(update_fields=["notes", "decisions", "discussed"])
            if owner is None:
                continue
            task = Task.objects.create(
                title=action, person_id=item.person_id, team=team, owner_staff=owner,
                due=today + dt.timedelta(days=due_in), origin=origin, created_at=now,
                created_by=DEMO_AUTHOR,
            )  # fmt: skip
            item.tasks.add(task)
            record_event(
                AuditAction.CREATE, username=DEMO_AUTHOR, person_id=item.person_id,
                what=f"mdt action (task {task.pk})",
            )  # fmt: skip
        for profession in ATTENDING:
            member = staff.get(profession)
            if member is not None:
                Attendance.objects.create(
                    meeting=held, staff=member,
                    name=staff_name(member),
                    profession=member.get_profession_display(),
                    organisation=member.organisation.name,
                )  # fmt: skip
        held.summary = (
            f"{len(items)} people on the agenda; {min(len(items), len(ACTIONS))} discussed, "
            "each with an action; the rest carried to the next meeting."
        )
        held.status, held.held_at = Meeting.Status.HELD, held.starts_at + dt.timedelta(hours=1)
        held.save(update_fields=["summary", "status", "held_at"])
        upcoming = Meeting.objects.create(
            team=team, starts_at=_at_ten(_working_day(today + dt.timedelta(days=1), 1)),
            location="Team base, meeting room 1", created_at=now, created_by=DEMO_AUTHOR,
        )  # fmt: skip
        build_agenda(upcoming)
    return 2
