"""Reads of the weekly schedule: who has reported a week, a unit's reports, the week's problems.

The problems list is also what the supervision app reads to offer a problem as a supervision
item (`open_problems`).
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from django.db.models import Prefetch, QuerySet

from saima.engine.calendar import Week
from saima.engine.projects import weekly_reporting
from saima.org.access import Access
from saima.org.models import Unit
from saima.projects.access import readable_projects
from saima.projects.models import Project, WeeklyPhoto, WeeklyProblem, WeeklyReport


def board(access: Access, week: Week) -> list[dict]:
    """Each readable unit with projects on the list: how many projects it reported for the
    week, and which it has not, by the engine's count."""
    projects = list(
        readable_projects(access).filter(active=True).order_by("unit__order", "unit__code", "code")
    )
    if not projects:
        return []
    filed = WeeklyReport.objects.filter(
        project__in=[p.pk for p in projects], year=week.year, week=week.week
    ).values_list("project__code", flat=True)
    found = weekly_reporting(
        pl.DataFrame(
            {"project": [p.code for p in projects], "unit": [p.unit.code for p in projects]},
            schema={"project": pl.String, "unit": pl.String},
        ),
        pl.DataFrame({"project": list(filed)}, schema={"project": pl.String}),
    )
    by_code = {p.code: p for p in projects}
    units = {p.unit.code: p.unit for p in projects}
    return [
        {
            "unit": units[row["unit"]],
            "projects": row["projects"],
            "reported": row["reported"],
            "missing": [by_code[code] for code in row["missing"]],
        }
        for row in found.iter_rows(named=True)
    ]


def due_date(week: Week, weekday: int) -> date:
    """The day of `week` a report is due (1 = Monday … 7 = Sunday)."""
    return week.monday + timedelta(days=weekday - 1)


def unit_projects(access: Access, unit: Unit) -> list[Project]:
    return list(readable_projects(access).filter(unit=unit, active=True).order_by("code"))


def unit_reports(projects: list[Project], week: Week) -> dict[int, WeeklyReport]:
    """The week's report of each project that has one, with its photos (not their content)."""
    reports = (
        WeeklyReport.objects.filter(
            project__in=[p.pk for p in projects], year=week.year, week=week.week
        )
        .select_related("reported_by")
        .prefetch_related(Prefetch("photos", WeeklyPhoto.objects.defer("data")))
    )
    return {r.project_id: r for r in reports}


def previous_reports(projects: list[Project], week: Week) -> dict[int, WeeklyReport]:
    """Each project's report of the week before (its plan for this week shows beside the form)."""
    before = Week.of(week.monday - timedelta(days=7))
    reports = WeeklyReport.objects.filter(
        project__in=[p.pk for p in projects], year=before.year, week=before.week
    )
    return {r.project_id: r for r in reports}


def problems(
    access: Access, *, week: Week | None = None, status: str = ""
) -> QuerySet[WeeklyProblem]:
    """The problems weekly reports raised on readable projects, newest week first."""
    found = WeeklyProblem.objects.filter(project__in=readable_projects(access)).select_related(
        "project__unit", "report__reported_by", "updated_by"
    )
    if week is not None:
        found = found.filter(year=week.year, week=week.week)
    if status in WeeklyProblem.Status.values:
        found = found.filter(status=status)
    return found.order_by("-year", "-week", "project__unit__order", "project__code")


def open_problems(access: Access) -> QuerySet[WeeklyProblem]:
    """Problems not yet resolved nor handed over: what the supervision app offers to take."""
    return problems(access).filter(
        status__in=(WeeklyProblem.Status.OPEN, WeeklyProblem.Status.COORDINATING)
    )


def readable_photo(access: Access, pk: int) -> WeeklyPhoto | None:
    photo = WeeklyPhoto.objects.select_related("report__project").filter(pk=pk).first()
    if photo is None or not access.can_read_unit(photo.report.project.unit_id):
        return None
    return photo
