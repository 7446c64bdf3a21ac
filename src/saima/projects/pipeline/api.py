"""API of a project's pipeline: its stage changes and milestones (with the proposal, confirm and
reject steps), reverse scheduling, and the office's project settings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import polars as pl
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import ConfigDict, StrictInt

from saima.common.api import ERRORS, Flag, Status
from saima.engine.projects import milestone_statuses
from saima.org.access import access_of
from saima.projects.access import readable_project
from saima.projects.apischema import (
    MilestoneName,
    MilestoneOut,
    ProjectCode,
    milestone_out,
)
from saima.projects.models import (
    Milestone,
    Project,
    ProjectSettings,
    StageChange,
    milestone_order,
)
from saima.projects.pipeline import services
from saima.projects.rules import current_settings, lead_days

router = Router(tags=["projects"])
Reason = Annotated[str, Field(max_length=200)]


class StageOut(Schema):
    stage: str
    previous: str
    date: date
    reason: str
    by: str | None
    at: datetime


def _stage_out(change: StageChange) -> StageOut:
    return StageOut(
        stage=change.stage,
        previous=change.previous,
        date=change.date,
        reason=change.reason,
        by=change.by.get_username() if change.by else None,
        at=change.at,
    )


@router.get("/{code}/stages", response={200: list[StageOut], **ERRORS})
def list_stages(request, code: ProjectCode):
    """Every stage change of the project, oldest first, with who recorded it."""
    project = readable_project(access_of(request), code)
    changes = (
        StageChange.objects.filter(project=project).select_related("by").order_by("date", "pk")
    )
    return [_stage_out(c) for c in changes]


class StageIn(Schema):
    model_config = ConfigDict(extra="forbid")

    stage: Annotated[str, Field(min_length=1, max_length=16)]
    date: date
    reason: Reason = ""


@router.post("/{code}/stages", response={201: StageOut, **ERRORS})
def change_stage(request, code: ProjectCode, payload: StageIn):
    """Move the project to a stage (the office); moving back needs a reason."""
    access = access_of(request)
    project = readable_project(access, code)
    change = services.project_stage_change(
        access=access,
        user=request.user,
        project=project,
        stage=payload.stage,
        on=payload.date,
        reason=payload.reason,
    )
    return Status(201, _stage_out(change))


def _statuses(project: Project, milestones: list[Milestone]) -> dict[int, tuple[str, int | None]]:
    frame = pl.DataFrame(
        {
            "pk": [m.pk for m in milestones],
            "planned": [m.planned for m in milestones],
            "actual": [m.actual for m in milestones],
        },
        schema={"pk": pl.Int64, "planned": pl.Date, "actual": pl.Date},
    )
    found = milestone_statuses(frame, services.today(), soon_days=current_settings().soon_days)
    return {row["pk"]: (row["status"], row["days_late"]) for row in found.iter_rows(named=True)}


def _milestone(project: Project, name: str) -> Milestone:
    milestone = (
        Milestone.objects.filter(project=project, code=name)
        .select_related("project", "proposed_by")
        .first()
    )
    if milestone is None:
        raise Http404(_("The project has no milestone %(name)s.") % {"name": name})
    return milestone


def _out(milestone: Milestone) -> MilestoneOut:
    status, days = _statuses(milestone.project, [milestone])[milestone.pk]
    return milestone_out(milestone, status, days)


@router.get("/{code}/milestones", response={200: list[MilestoneOut], **ERRORS})
def list_milestones(request, code: ProjectCode):
    """The project's milestones in the order a project passes them, each with its status today."""
    project = readable_project(access_of(request), code)
    milestones = sorted(
        Milestone.objects.filter(project=project).select_related("proposed_by"),
        key=lambda m: milestone_order(m.code, m.planned),
    )
    statuses = _statuses(project, milestones)
    return [milestone_out(m, *statuses[m.pk]) for m in milestones]


class DatesIn(Schema):
    model_config = ConfigDict(extra="forbid")

    planned: date | None = None
    actual: date | None = None
    note: Reason = ""


@router.put("/{code}/milestones/{milestone}", response={200: MilestoneOut, **ERRORS})
def set_milestone(request, code: ProjectCode, milestone: MilestoneName, payload: DatesIn):
    """Set a milestone's dates (the office); an actual date of a stage moves the project on."""
    access = access_of(request)
    found = _milestone(readable_project(access, code), milestone)
    services.milestone_set(
        access=access,
        user=request.user,
        milestone=found,
        planned=payload.planned,
        actual=payload.actual,
        note=payload.note,
    )
    return _out(_milestone(found.project, milestone))


@router.post("/{code}/milestones/{milestone}/proposal", response={200: MilestoneOut, **ERRORS})
def propose_dates(request, code: ProjectCode, milestone: MilestoneName, payload: DatesIn):
    """Propose dates (the unit's reporter or the office), for the unit's approver to confirm."""
    access = access_of(request)
    found = _milestone(readable_project(access, code), milestone)
    services.milestone_propose(
        access=access,
        user=request.user,
        milestone=found,
        planned=payload.planned,
        actual=payload.actual,
        note=payload.note,
    )
    return _out(_milestone(found.project, milestone))


@router.post("/{code}/milestones/{milestone}/confirm", response={200: MilestoneOut, **ERRORS})
def confirm_dates(request, code: ProjectCode, milestone: MilestoneName):
    """Confirm the proposed dates (the unit's approver or the office)."""
    access = access_of(request)
    found = _milestone(readable_project(access, code), milestone)
    services.milestone_confirm(access=access, user=request.user, milestone=found)
    return _out(_milestone(found.project, milestone))


class NodeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=100)]
    planned: date | None = None


@router.post("/{code}/milestones", response={201: MilestoneOut, **ERRORS})
def add_node(request, code: ProjectCode, payload: NodeIn):
    """Add a node of the project's own (形象进度节点, the office): `node_01`, `node_02`..."""
    access = access_of(request)
    project = readable_project(access, code)
    node = services.milestone_add(
        access=access,
        user=request.user,
        project=project,
        name=payload.name,
        planned=payload.planned,
    )
    return Status(201, _out(_milestone(project, node.code)))


@router.delete("/{code}/milestones/{milestone}", response={204: None, **ERRORS})
def remove_node(request, code: ProjectCode, milestone: MilestoneName):
    """Take a project's own node off (the office); the pipeline's milestones stay."""
    access = access_of(request)
    found = _milestone(readable_project(access, code), milestone)
    services.milestone_remove(access=access, user=request.user, milestone=found)
    return Status(204, None)


class RejectIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[Reason, Field(min_length=1)]


@router.post("/{code}/milestones/{milestone}/reject", response={200: MilestoneOut, **ERRORS})
def reject_dates(request, code: ProjectCode, milestone: MilestoneName, payload: RejectIn):
    """Reject the proposed dates, saying why (the unit's approver or the office)."""
    access = access_of(request)
    found = _milestone(readable_project(access, code), milestone)
    services.milestone_reject(
        access=access, user=request.user, milestone=found, reason=payload.reason
    )
    return _out(_milestone(found.project, milestone))


class ScheduleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    target_start: date
    lead_days: dict[str, StrictInt] | None = Field(
        None,
        description="The project's own lead times (days to the next milestone); null keeps them",
    )


@router.post("/{code}/schedule", response={200: list[MilestoneOut], **ERRORS})
def schedule(request, code: ProjectCode, payload: ScheduleIn):
    """Reverse-schedule the project from its target start date (the office)."""
    access = access_of(request)
    project = readable_project(access, code)
    if payload.lead_days is not None and len(payload.lead_days) > 20:
        raise ValidationError({"lead_days": _("Give at most one lead time per milestone.")})
    services.milestones_schedule(
        access=access,
        user=request.user,
        project=project,
        target_start=payload.target_start,
        own_lead_days=payload.lead_days,
    )
    return list_milestones(request, code)


class SettingsOut(Schema):
    lead_days: dict[str, int] = Field(
        description="Every lead time in use: the defaults and the office's own"
    )
    soon_days: int
    weekly_due_weekday: int
    rate_basis: str
    rate_numerator: str
    later_stages: bool
    cap: bool
    decimals: int
    milestones_from: str


def _settings_out(settings: ProjectSettings) -> SettingsOut:
    return SettingsOut(
        lead_days=lead_days(settings),
        soon_days=settings.soon_days,
        weekly_due_weekday=settings.weekly_due_weekday,
        rate_basis=settings.rate_basis,
        rate_numerator=settings.rate_numerator,
        later_stages=settings.later_stages,
        cap=settings.cap,
        decimals=settings.decimals,
        milestones_from=settings.milestones_from,
    )


@router.get("/settings", response={200: SettingsOut, **ERRORS})
def read_settings(request):
    """The office's project settings (the office and leaders)."""
    access = access_of(request)
    if not access.sees_everything:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Only the office and leaders read the project settings."))
    return _settings_out(current_settings())


class SettingsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    lead_days: dict[str, StrictInt] = Field(default_factory=dict)
    soon_days: Annotated[int, Field(ge=0, le=90, strict=True)] = 14
    weekly_due_weekday: Annotated[int, Field(ge=1, le=7, strict=True)] = 5
    rate_basis: Annotated[str, Field(max_length=24)] = "from_stage_this_year"
    rate_numerator: Annotated[str, Field(max_length=24)] = "of_basis"
    later_stages: Flag = True
    cap: Flag = False
    decimals: Annotated[int, Field(ge=0, le=6, strict=True)] = 1
    milestones_from: Annotated[str, Field(max_length=8)] = "year"


@router.put("/settings", response={200: SettingsOut, **ERRORS})
def write_settings(request, payload: SettingsIn):
    """Set the office's project settings (the office)."""
    access = access_of(request)
    if len(payload.lead_days) > 20:
        raise ValidationError({"lead_days": _("Give at most one lead time per milestone.")})
    settings = services.project_settings_save(access=access, user=request.user, **payload.dict())
    return _settings_out(settings)
