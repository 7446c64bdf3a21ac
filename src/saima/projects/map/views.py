"""The battle map's pages: the office's map (grouped by unit or by leader, filtered), a unit's
wall view for the meeting room, and the A3 landscape print."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render
from django.views.decorators.http import require_safe

from saima.common.pages import page
from saima.common.requests import whole_number
from saima.org.access import access_of, readable_unit
from saima.projects import present
from saima.projects.catalogue.selectors import (
    Filters,
    filtered,
    leader_names,
    read_filters,
    readable_units,
)
from saima.projects.map import selectors
from saima.projects.models import Project, Stage
from saima.projects.pipeline.services import today
from saima.projects.rules import current_settings


def _grouping(request) -> str:
    group = request.GET.get("group", "unit")
    return group if group in selectors.GROUPINGS else "unit"


def _context(request, *, everything: bool = False) -> dict:
    access = access_of(request)
    units = readable_units(access)
    filters = read_filters(request.GET, units)
    group_by = _grouping(request)
    late_only = request.GET.get("late") == "1"
    number = whole_number(request.GET.get("page")) or 1
    day = today()
    found = selectors.map_page(
        filtered(access, filters),
        today=day,
        group_by=group_by,
        number=number,
        late_only=late_only,
        everything=everything,
    )
    query = {**filters.query(), "group": group_by, **({"late": "1"} if late_only else {})}
    return {
        "map": found,
        "filters": filters,
        "group_by": group_by,
        "late_only": late_only,
        "query": urlencode(query),
        "units": units,
        "categories": Project.Category.choices,
        "stage_choices": Stage.choices,
        "leaders": leader_names(access),
        "today": day,
        "statuses": present.STATUSES.values(),
        "soon_days": current_settings().soon_days,
    }


@page
@require_safe
def battle_map(request):
    return render(request, "projects/map.html", _context(request))


@page
@require_safe
def print_map(request):
    return render(request, "projects/map_print.html", _context(request, everything=True))


@page
@require_safe
def wall(request, unit: str):
    access = access_of(request)
    found = readable_unit(access, unit)
    day = today()
    projects = filtered(access, Filters()).filter(unit=found)
    result = selectors.map_page(projects, today=day, everything=True)
    return render(
        request,
        "projects/map_wall.html",
        {
            "unit": found,
            "map": result,
            "today": day,
            "statuses": present.STATUSES.values(),
            "soon_days": current_settings().soon_days,
            "group_by": "unit",
        },
    )
