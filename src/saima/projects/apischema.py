"""What the projects API's routers share: the validated types of its paths and bodies, and how
a project and its records read as JSON."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema

from saima.metrics.api import Figure, Note, figure
from saima.projects.models import CODE_PATTERN, Milestone, Project

#: A project's code as in the URL (anything else is a 400, not a lookup).
ProjectCode = Annotated[str, Field(min_length=1, max_length=32, pattern=CODE_PATTERN)]
#: A milestone's code.
MilestoneName = Annotated[str, Field(min_length=1, max_length=24, pattern=r"^[a-z0-9_]+$")]
#: An ISO week, 2026-W14.
WeekName = Annotated[str, Field(min_length=6, max_length=10, pattern=r"^[0-9]{4}-?[Ww][0-9]{1,2}$")]
Year = Annotated[int, Field(ge=1990, le=2100)]
Text = Annotated[str | None, Field(max_length=2000)]

__all__ = ["Figure", "Note", "Text", "figure"]


def _name(user) -> str | None:
    return user.get_username() if user is not None else None


class ProjectOut(Schema):
    code: str
    name: str
    name_en: str
    category: str
    level: str
    unit: str
    leader_name: str
    leader: str | None
    owner: str
    location: str
    total_investment: str = Field(description="万元 (10k yuan)")
    start_year: int
    end_year: int
    stage: str
    stage_since: date | None
    target_start: date | None
    lead_days: dict[str, int]
    active: bool


def project_out(project: Project) -> ProjectOut:
    return ProjectOut(
        code=project.code,
        name=project.name,
        name_en=project.name_en,
        category=project.category,
        level=project.level,
        unit=project.unit.code,
        leader_name=project.leader_name,
        leader=_name(project.leader),
        owner=project.owner,
        location=project.location,
        total_investment=figure(project.total_investment),
        start_year=project.start_year,
        end_year=project.end_year,
        stage=project.stage,
        stage_since=project.stage_since,
        target_start=project.target_start,
        lead_days=project.lead_days or {},
        active=project.active,
    )


class MilestoneOut(Schema):
    milestone: str = Field(description="The pipeline's code (approval, started...) or node_NN")
    name: str = Field(description="As people name it")
    planned: date | None
    actual: date | None
    status: str = Field(description="done, done_late, overdue, due_soon, on_track or unscheduled")
    days_late: int | None
    note: str
    proposed_planned: date | None
    proposed_actual: date | None
    proposal_note: str
    proposed_by: str | None
    proposed_at: datetime | None
    rejection: str


def milestone_out(milestone: Milestone, status: str, days_late: int | None) -> MilestoneOut:
    return MilestoneOut(
        milestone=milestone.code,
        name=milestone.label,
        planned=milestone.planned,
        actual=milestone.actual,
        status=status,
        days_late=days_late,
        note=milestone.note,
        proposed_planned=milestone.proposed_planned,
        proposed_actual=milestone.proposed_actual,
        proposal_note=milestone.proposal_note,
        proposed_by=_name(milestone.proposed_by),
        proposed_at=milestone.proposed_at,
        rejection=milestone.rejection,
    )
