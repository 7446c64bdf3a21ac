"""Who may see and change which key project: one place, asked by every page and API route.

The office manages the list, the milestones' defaults and every project; leaders read every
project; a unit's reporter reads its unit's projects, reports their investment and weekly
progress and proposes milestone dates; the unit's approver reads them and confirms or rejects
the proposals.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from saima.org.access import Access
from saima.projects.models import CODE_PATTERN, Project

_CODE = re.compile(CODE_PATTERN)


def readable_projects(access: Access) -> QuerySet[Project]:
    """The projects this person may read (every one for the office and leaders)."""
    projects = Project.objects.select_related("unit", "leader")
    if access.sees_everything:
        return projects
    return projects.filter(unit_id__in=access.own_units)


def readable_project(access: Access, code: str) -> Project:
    """The project of `code`, if it exists (404) and this person may read it (403)."""
    project = None
    if isinstance(code, str) and _CODE.match(code):
        project = Project.objects.select_related("unit", "leader").filter(code=code).first()
    if project is None:
        raise Http404(_("There is no project with the code %(code)s.") % {"code": code})
    if not access.can_read_unit(project.unit_id):
        raise PermissionDenied(
            _("You may not see the projects of %(unit)s.") % {"unit": project.unit}
        )
    return project


def can_report(access: Access, project: Project) -> bool:
    """Report the project's investment and weekly progress, propose milestone dates."""
    return access.can_edit_figures(project.unit_id)


def can_confirm(access: Access, project: Project) -> bool:
    """Confirm or reject the dates proposed for the project's milestones."""
    return access.can_approve_figures(project.unit_id)


def require_reporter(access: Access, project: Project) -> None:
    if not can_report(access, project):
        raise PermissionDenied(
            _("Only the office or a reporter of %(unit)s may report on this project.")
            % {"unit": project.unit}
        )


def require_confirmer(access: Access, project: Project) -> None:
    if not can_confirm(access, project):
        raise PermissionDenied(
            _("Only the office or an approver of %(unit)s may confirm this project's dates.")
            % {"unit": project.unit}
        )
