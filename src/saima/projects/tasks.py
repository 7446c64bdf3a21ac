"""What the projects ask of whom, for the to-do list (`saima.common.todo`).

- A unit's reporter: the week's reports of the unit's projects not filed yet, due on the
  office's weekly day (late after it).
- A unit's approver: milestone dates proposed for the unit's projects, waiting to be confirmed.
- The office: the week's problems still open, and proposals of every unit.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from saima.common.todo import Task
from saima.engine.calendar import Week
from saima.org.access import Access
from saima.org.models import Unit
from saima.projects.models import Milestone, Project, WeeklyProblem, WeeklyReport
from saima.projects.rules import current_settings

WEEKLY = gettext_lazy("Weekly project report")
PROPOSALS = gettext_lazy("Milestone dates to confirm")
PROBLEMS = gettext_lazy("Project problems")


def tasks_for(access: Access, today: datetime.date) -> Iterator[Task]:
    if access.user_id is None:
        return
    week = Week.of(today)
    due = week.monday + datetime.timedelta(days=current_settings().weekly_due_weekday - 1)
    yield from _weekly(access, week, due, today)
    yield from _proposals(access)
    if access.is_office:
        yield from _problems(week)


def _weekly(access: Access, week: Week, due: datetime.date, today: datetime.date) -> Iterator[Task]:
    units = sorted(access.reporter_units)
    if not units:
        return
    listed = dict(
        Project.objects.filter(unit_id__in=units, active=True)
        .values_list("unit_id")
        .annotate(n=Count("pk"))
    )
    filed = dict(
        WeeklyReport.objects.filter(
            project__unit_id__in=units, project__active=True, year=week.year, week=week.week
        )
        .values_list("project__unit_id")
        .annotate(n=Count("pk"))
    )
    names = {u.pk: u for u in Unit.objects.filter(pk__in=list(listed))}
    for unit_id, count in sorted(listed.items()):
        missing = count - filed.get(unit_id, 0)
        if missing <= 0:
            continue
        unit = names[unit_id]
        url = reverse("projects:weekly_unit", args=[unit.code])
        yield Task(
            kind=WEEKLY,
            title=_("%(unit)s: %(missing)s of %(count)s projects not reported for %(week)s")
            % {"unit": unit.name, "missing": missing, "count": count, "week": week.label},
            url=f"{url}?{urlencode({'week': week.label})}",
            due=due,
            overdue=today > due,
        )


def _proposals(access: Access) -> Iterator[Task]:
    waiting = Milestone.objects.filter(proposed_at__isnull=False, project__active=True)
    if not access.is_office:
        if not access.approver_units:
            return
        waiting = waiting.filter(project__unit_id__in=access.approver_units)
    count = waiting.count()
    if count:
        yield Task(
            kind=PROPOSALS,
            title=ngettext(
                "%(count)s proposed milestone date waits for confirmation",
                "%(count)s proposed milestone dates wait for confirmation",
                count,
            )
            % {"count": count},
            url=reverse("projects:proposals"),
        )


def _problems(week: Week) -> Iterator[Task]:
    count = WeeklyProblem.objects.filter(
        year=week.year, week=week.week, status=WeeklyProblem.Status.OPEN
    ).count()
    if count:
        url = reverse("projects:problems")
        yield Task(
            kind=PROBLEMS,
            title=ngettext(
                "%(count)s problem raised in %(week)s is still open",
                "%(count)s problems raised in %(week)s are still open",
                count,
            )
            % {"count": count, "week": week.label},
            url=f"{url}?{urlencode({'week': week.label, 'status': 'open'})}",
        )
