"""API of the project list: list and read (everyone, their readable projects), add and change
(the office), through the same services as the pages."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from saima.common.api import ERRORS, CodeFilter, Flag, Status
from saima.org.access import access_of, require_office
from saima.org.models import Unit
from saima.projects.access import readable_project
from saima.projects.apischema import Figure, ProjectCode, ProjectOut, Year, project_out
from saima.projects.catalogue import selectors
from saima.projects.catalogue.services import ProjectData, project_create, project_update
from saima.projects.models import Project
from saima.projects.values import amount

router = Router(tags=["projects"])

Short = Annotated[str, Field(max_length=200)]


class ListQuery(Schema):
    unit: CodeFilter = None
    category: Annotated[str | None, Field(max_length=16)] = None
    level: Annotated[str | None, Field(max_length=12)] = None
    stage: Annotated[str | None, Field(max_length=16)] = None
    leader: Annotated[str | None, Field(max_length=50)] = None
    q: Annotated[str | None, Field(max_length=100)] = None


@router.get("", response={200: list[ProjectOut], **ERRORS})
def list_projects(request, filters: Query[ListQuery]):
    """The projects on the list the caller may read, by unit then code; filters narrow them."""
    access = access_of(request)
    query = {k: v for k, v in filters.dict().items() if v}
    units = selectors.readable_units(access)
    found = selectors.filtered(access, selectors.read_filters(query, units))
    return [project_out(p) for p in found]


class ProjectIn(Schema):
    model_config = ConfigDict(extra="forbid")

    code: ProjectCode
    name: Annotated[str, Field(min_length=1, max_length=200)]
    name_en: Short = ""
    category: Annotated[str, Field(min_length=1, max_length=16)]
    level: Annotated[str, Field(min_length=1, max_length=12)]
    unit: Annotated[str, Field(max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
    total_investment: Figure = Field(description="万元 (10k yuan)")
    start_year: Year
    end_year: Year
    leader_name: Annotated[str, Field(max_length=50)] = ""
    owner: Short = ""
    location: Short = ""
    target_start: date | None = None
    active: Flag = True


def _data(payload: ProjectIn, project: Project | None) -> ProjectData:
    unit = Unit.objects.filter(code=payload.unit).first()
    if unit is None:
        raise ValidationError(
            {"unit": _("There is no unit with the code %(code)s.") % {"code": payload.unit}}
        )
    if payload.total_investment is None:
        raise ValidationError({"total_investment": _("Give an amount.")})
    return ProjectData(
        code=payload.code,
        name=payload.name,
        name_en=payload.name_en,
        category=payload.category,
        level=payload.level,
        unit=unit,
        total_investment=amount(payload.total_investment, "total_investment"),
        start_year=payload.start_year,
        end_year=payload.end_year,
        leader_name=payload.leader_name,
        owner=payload.owner,
        location=payload.location,
        target_start=payload.target_start,
        active=payload.active,
        lead_days=project.lead_days if project is not None else {},
    )


@router.post("", response={201: ProjectOut, **ERRORS})
def create_project(request, payload: ProjectIn):
    """Add a project to the list (the office)."""
    access = access_of(request)
    require_office(access)
    project = project_create(access=access, user=request.user, data=_data(payload, None))
    return Status(201, project_out(project))


@router.get("/{code}", response={200: ProjectOut, **ERRORS})
def read_project(request, code: ProjectCode):
    return project_out(readable_project(access_of(request), code))


@router.put("/{code}", response={200: ProjectOut, **ERRORS})
def update_project(request, code: ProjectCode, payload: ProjectIn):
    """Change what the list says about a project (the office); the code in the body must be
    the one in the path. Its stage changes through `/stages`."""
    access = access_of(request)
    project = readable_project(access, code)
    require_office(access)
    if payload.code != project.code:
        raise ValidationError({"code": _("The code in the body is not the project's code.")})
    updated = project_update(
        access=access, user=request.user, project=project, data=_data(payload, project)
    )
    return project_out(updated)
