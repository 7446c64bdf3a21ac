"""Slides of other apps on the meeting screen, drawn from their own reads (the bulletins app sits
above them in the layers, so it may read them; they never import it). Each function is a
`selectors.Panel`, registered in `BulletinsConfig.ready`."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from saima.bulletins.meeting.selectors import Slide
from saima.org.access import Access
from saima.projects.access import readable_projects
from saima.projects.map.selectors import map_page
from saima.projects.present import status
from saima.races.models import RaceDefinition

#: Overdue milestones listed on the battle map slide, the latest first.
OVERDUE_SHOWN = 8
#: Units on the slide, those with the most overdue milestones first.
UNITS_SHOWN = 10


def projects_panel(access: Access, race: RaceDefinition, period: str) -> list[Slide]:
    """The key projects' battle map as a room reads it: per unit the projects and milestones
    overdue, due soon and done, and the milestones furthest behind, at today's date."""
    projects = readable_projects(access)
    if not projects.exists():
        return []
    today = timezone.localdate()
    found = map_page(projects, today=today, everything=True)
    rows = sorted(
        found.summary, key=lambda r: (-r["n_overdue"], -r["projects_overdue"], r["group_name"])
    )
    late = [
        {
            "project": item["project"].display_name,
            "unit": group["group_name"],
            "milestone": m["label"],
            "days_late": m["days_late"],
        }
        for group in found.groups
        for item in group["projects"]
        for m in item["overdue"]
    ]
    late.sort(key=lambda m: (-(m["days_late"] or 0), m["project"]))
    return [
        Slide(
            "projects",
            _("Key projects: the battle map"),
            {
                "today": today,
                "totals": found.totals,
                "rows": rows[:UNITS_SHOWN],
                "more": max(0, len(rows) - UNITS_SHOWN),
                "late": late[:OVERDUE_SHOWN],
                "looks": {key: status(key) for key in ("overdue", "due_soon", "done")},
            },
        )
    ]
