"""API of the weekly schedule: a project's weekly reports (read by its readers, filed by the
unit's reporter or the office), the problems they raise, the office's follow-up, and the hook by
which the supervision app takes a problem over."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from saima.common.api import ERRORS, Id
from saima.engine.calendar import parse_week
from saima.org.access import access_of
from saima.projects.access import readable_project
from saima.projects.apischema import ProjectCode, Text, WeekName
from saima.projects.models import WeeklyProblem, WeeklyReport
from saima.projects.weekly import selectors, services

router = Router(tags=["projects"])


class ReportOut(Schema):
    project: str
    week: str
    progress: str
    next_plan: str
    problems: str
    photos: list[str] = Field(description="Addresses of the site photos (downloads)")
    reported_by: str | None
    reported_at: datetime


def _report_out(report: WeeklyReport) -> ReportOut:
    return ReportOut(
        project=report.project.code,
        week=report.week_label,
        progress=report.progress,
        next_plan=report.next_plan,
        problems=report.problems,
        photos=[f"/projects/photos/{p.pk}/" for p in report.photos.all()],
        reported_by=report.reported_by.get_username() if report.reported_by else None,
        reported_at=report.reported_at,
    )


@router.get("/{code}/weekly", response={200: list[ReportOut], **ERRORS})
def list_reports(request, code: ProjectCode):
    """The project's weekly reports, newest first."""
    project = readable_project(access_of(request), code)
    reports = (
        WeeklyReport.objects.filter(project=project)
        .select_related("project", "reported_by")
        .prefetch_related("photos")
        .defer("photos__data")
        .order_by("-year", "-week")
    )
    return [_report_out(r) for r in reports]


class ReportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    progress: Annotated[str, Field(min_length=1, max_length=2000)]
    next_plan: Text = ""
    problems: Text = ""


@router.put("/{code}/weekly/{week}", response={200: ReportOut, **ERRORS})
def write_report(request, code: ProjectCode, week: WeekName, payload: ReportIn):
    """File or correct the week's report (the unit's reporter or the office); photos are added
    on the unit's weekly page."""
    access = access_of(request)
    project = readable_project(access, code)
    report = services.weekly_report_save(
        access=access,
        user=request.user,
        project=project,
        week=parse_week(week),
        progress=payload.progress,
        next_plan=payload.next_plan or "",
        problems=payload.problems or "",
    )
    return _report_out(report)


class ProblemOut(Schema):
    id: int
    project: str
    unit: str
    week: str
    text: str
    status: str = Field(description="open, coordinating, resolved or supervised")
    response: str
    supervision_item_id: int | None
    supervision_reference: str
    supervision_url: str


def _problem_out(problem: WeeklyProblem) -> ProblemOut:
    return ProblemOut(
        id=problem.pk,
        project=problem.project.code,
        unit=problem.project.unit.code,
        week=problem.week_label,
        text=problem.text,
        status=problem.status,
        response=problem.response,
        supervision_item_id=problem.supervision_item_id,
        supervision_reference=problem.supervision_reference,
        supervision_url=problem.supervision_url,
    )


class ProblemsQuery(Schema):
    week: WeekName | None = None
    status: Annotated[str | None, Field(max_length=16)] = None


@router.get("/problems", response={200: list[ProblemOut], **ERRORS})
def list_problems(request, filters: Query[ProblemsQuery]):
    """The problems weekly reports raised on the caller's readable projects, newest first."""
    access = access_of(request)
    week = parse_week(filters.week) if filters.week else None
    found = selectors.problems(access, week=week, status=filters.status or "")
    return [_problem_out(p) for p in found]


def _problem(request, pk: int) -> WeeklyProblem:
    access = access_of(request)
    problem = selectors.problems(access).filter(pk=pk).first()
    if problem is None:
        if WeeklyProblem.objects.filter(pk=pk).exists():
            raise PermissionDenied(_("You may not see this problem."))
        raise Http404(_("There is no such problem."))
    return problem


class StatusIn(Schema):
    model_config = ConfigDict(extra="forbid")

    status: Annotated[str, Field(min_length=1, max_length=16)]
    response: Text = ""


@router.post("/problems/{problem_id}/status", response={200: ProblemOut, **ERRORS})
def follow_up(request, problem_id: Id, payload: StatusIn):
    """The office moves a problem to in coordination, resolved (saying how) or open again."""
    problem = services.problem_status_set(
        access=access_of(request),
        user=request.user,
        problem=_problem(request, problem_id),
        status=payload.status,
        response=payload.response or "",
    )
    return _problem_out(WeeklyProblem.objects.select_related("project__unit").get(pk=problem.pk))


class SupervisionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    item_id: Id
    reference: Annotated[str, Field(max_length=100)] = ""
    url: Annotated[str, Field(max_length=200)] = ""


@router.post("/problems/{problem_id}/supervision", response={200: ProblemOut, **ERRORS})
def hand_over(request, problem_id: Id, payload: SupervisionIn):
    """The problem has become a supervision item (the office, through the supervision app):
    record the item's number, reference and address; the problem is then followed there."""
    problem = services.problem_link_supervision(
        access=access_of(request),
        user=request.user,
        problem=_problem(request, problem_id),
        item_id=payload.item_id,
        reference=payload.reference,
        url=payload.url,
    )
    return _problem_out(WeeklyProblem.objects.select_related("project__unit").get(pk=problem.pk))
