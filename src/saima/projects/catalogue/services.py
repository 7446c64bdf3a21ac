"""Writes of the project list (项目库): a project added or changed by the office, and the list
imported from a file in one transaction (every row or none).

A new project gets a row for every milestone and, when it has a target start date, its plan
reverse-scheduled from it. Stage changes go through `pipeline.services.stage_record`, plans
through `investment.services.plan_write`, so a change made by an import is checked and recorded
exactly as one made on a page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from saima.org.access import Access, require_office
from saima.org.models import Role, Unit
from saima.projects.catalogue.files import (
    ImportRow,
    ParsedList,
    _unit_lookup,
    import_problems,
    resolve_unit,
)
from saima.projects.investment.services import plan_write
from saima.projects.models import Milestone, Project, Stage
from saima.projects.pipeline.services import (
    milestones_ensure,
    schedule_milestones,
    stage_record,
    today,
)
from saima.tabular import InputError


@dataclass(frozen=True)
class ProjectData:
    """What the office says about a project (its stage, plans and dates are written apart)."""

    code: str
    name: str
    category: str
    level: str
    unit: Unit
    total_investment: Decimal
    start_year: int
    end_year: int
    name_en: str = ""
    leader_name: str = ""
    owner: str = ""
    location: str = ""
    target_start: date | None = None
    active: bool = True
    lead_days: dict[str, int] = field(default_factory=dict)


def leader_account(name: str):
    """The account of the leader in charge named on the list: a leader (or the office) whose
    full name or user name it is; None when no one is, or more than one is."""
    name = (name or "").strip()
    if not name:
        return None
    people = (
        get_user_model()
        .objects.filter(memberships__role__in=(Role.LEADER, Role.OFFICE), is_active=True)
        .distinct()
    )
    found = [
        u
        for u in people
        if name in (u.get_username(), u.get_full_name().strip(), f"{u.last_name}{u.first_name}")
    ]
    return found[0] if len(found) == 1 else None


def _fill(project: Project, data: ProjectData, user) -> None:
    for name in (
        "code",
        "name",
        "category",
        "level",
        "unit",
        "total_investment",
        "start_year",
        "end_year",
        "name_en",
        "owner",
        "location",
        "target_start",
        "active",
        "lead_days",
    ):
        setattr(project, name, getattr(data, name))
    project.leader_name = data.leader_name.strip()
    project.leader = leader_account(project.leader_name)
    project.updated_by = user


def _validate(project: Project) -> None:
    project.full_clean(validate_unique=False)
    if project.end_year < project.start_year:
        raise ValidationError({"end_year": _("Construction ends in or after the year it starts.")})
    clash = Project.objects.filter(code=project.code).exclude(pk=project.pk).exists()
    if clash:
        raise ValidationError(
            {"code": _("Another project has the code %(code)s.") % {"code": project.code}}
        )


@transaction.atomic
def project_create(*, access: Access, user, data: ProjectData) -> Project:
    """Add a project to the list (the office): its milestones, planned from the target start."""
    require_office(access)
    project = Project()
    _fill(project, data, user)
    _validate(project)
    project._history_user = user
    project.save()
    milestones_ensure(project)
    schedule_milestones(project, user)
    return project


@transaction.atomic
def project_update(*, access: Access, user, project: Project, data: ProjectData) -> Project:
    """Change what the list says about a project (the office); a new target start date
    reverse-schedules it again."""
    require_office(access)
    project = Project.objects.select_for_update().get(pk=project.pk)
    moved = data.target_start != project.target_start or data.lead_days != project.lead_days
    _fill(project, data, user)
    _validate(project)
    project._history_user = user
    project.save()
    if moved:
        schedule_milestones(project, user)
    return project


# --- importing the list --------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    created: list[str]
    updated: list[str]
    unchanged: list[str]


@transaction.atomic
def projects_import(*, access: Access, user, parsed: ParsedList) -> ImportResult:
    """Save an imported list: every row or none (InputError naming file, sheet, row, column).

    Checked again here, inside the transaction, since the preview: what changed in between is
    caught too."""
    require_office(access)
    problems = import_problems(parsed, today=today())
    if problems:
        raise InputError(problems)
    units = _unit_lookup()
    result = ImportResult([], [], [])
    for row in parsed.rows:
        unit = resolve_unit(units, row.unit)
        assert unit is not None  # import_problems refused unknown units
        project = Project.objects.select_for_update().filter(code=row.code).first()
        changed = _import_row(row, project, unit, parsed.year, user)
        bucket = result.created if project is None else result.updated if changed else None
        (bucket if bucket is not None else result.unchanged).append(row.code)
    return result


def _data(row: ImportRow, unit: Unit, project: Project | None) -> ProjectData:
    return ProjectData(
        code=row.code,
        name=row.name,
        category=row.category,
        level=row.level,
        unit=unit,
        total_investment=row.total_investment,
        start_year=row.start_year,
        end_year=row.end_year,
        name_en=row.name_en,
        leader_name=row.leader,
        owner=row.owner,
        location=row.location,
        target_start=row.target_start if row.target_start else (project and project.target_start),
        active=True,
        lead_days=project.lead_days if project is not None else {},
    )


#: The fields an import compares to say whether a project changed.
COMPARED = (
    "name",
    "category",
    "level",
    "unit_id",
    "total_investment",
    "start_year",
    "end_year",
    "name_en",
    "leader_name",
    "owner",
    "location",
    "target_start",
    "active",
)


def _import_row(row: ImportRow, project: Project | None, unit: Unit, year: int, user) -> bool:
    data = _data(row, unit, project)
    if project is None:
        project = Project()
        before = None
    else:
        before = {name: getattr(project, name) for name in COMPARED}
    moved = project.pk is None or data.target_start != project.target_start
    _fill(project, data, user)
    _validate(project)
    changed = before != {name: getattr(project, name) for name in COMPARED}
    if changed:
        project._history_user = user
        project._change_reason = _("imported")
        project.save()
    milestones_ensure(project)
    if moved:
        changed |= bool(schedule_milestones(project, user))
    changed |= _import_dates(row, project, user)
    if row.stage is not None and row.stage != project.stage:
        stage_record(
            user=user,
            project=project,
            stage=row.stage,
            on=row.stage_date or today(),
            reason=row.stage_reason,
        )
        changed = True
    if row.annual_plan is not None:
        before_plan = project.plans.filter(year=year).values_list("amount", "monthly").first()
        plan = plan_write(
            user=user, project=project, year=year, total=row.annual_plan, monthly=row.monthly
        )
        changed |= before_plan != (plan.amount, plan.monthly)
    return changed


def _import_dates(row: ImportRow, project: Project, user) -> bool:
    """The dates the file gives for milestones, over what is stored (a stage milestone's actual
    date moves the stage only through the stage column)."""
    changed = False
    for milestone in Milestone.objects.filter(project=project, code__in=list(row.milestones)):
        planned, actual = row.milestones[milestone.code]
        planned = planned or milestone.planned
        actual = actual or milestone.actual
        if (planned, actual) == (milestone.planned, milestone.actual):
            continue
        milestone.planned, milestone.actual, milestone.updated_by = planned, actual, user
        milestone._history_user = user
        milestone._change_reason = _("imported")
        milestone.save(update_fields=["planned", "actual", "updated_by", "updated_at"])
        changed = True
    return changed


__all__ = [
    "ImportResult",
    "ProjectData",
    "Stage",
    "leader_account",
    "project_create",
    "project_update",
    "projects_import",
]
