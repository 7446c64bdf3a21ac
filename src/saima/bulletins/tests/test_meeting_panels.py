"""The key projects' slide on the meeting screen: the battle map's counts per unit and the
milestones furthest behind, at the office's today, only of the projects the viewer may read."""

from __future__ import annotations

import pytest

from saima.bulletins.meeting import panels
from saima.org.access import Access
from saima.projects.tests.conftest import kept_projects, projects, today  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_the_battle_map_slide_counts_each_units_milestones(world, race, projects) -> None:  # noqa: F811
    (slide,) = panels.projects_panel(Access.for_user(world.user("office")), race, "2026-Q2")
    assert slide.kind == "projects"
    content = slide.content
    assert content["totals"]["projects"] == 4
    # E1's planning permit was due 2026-05-20; E2, reverse-scheduled from 2026-09-30, is behind
    # on its approval and land: three milestones overdue in two projects, all of East.
    assert content["totals"]["projects_overdue"] == 2
    first = content["rows"][0]  # the unit with the most overdue milestones comes first
    assert (first["group_name"], first["projects"], first["n_overdue"]) == ("East District", 2, 3)
    assert [row["group_name"] for row in content["rows"][1:]] == ["North County", "West District"]
    assert [(m["project"], m["days_late"]) for m in content["late"]] == [
        (projects["E2"].display_name, 53),
        (projects["E2"].display_name, 23),
        (projects["E1"].display_name, 21),  # due 2026-05-20, seen on 2026-06-10
    ]
    assert {m["unit"] for m in content["late"]} == {"East District"}


def test_a_unit_sees_only_its_own_projects_on_the_slide(world, race, projects) -> None:  # noqa: F811
    (slide,) = panels.projects_panel(Access.for_user(world.user("west_approver")), race, "2026-Q2")
    assert [row["group_name"] for row in slide.content["rows"]] == ["West District"]
    assert slide.content["late"] == []


def test_no_projects_no_slide(world, race, today) -> None:  # noqa: F811
    assert panels.projects_panel(Access.for_user(world.user("office")), race, "2026-Q2") == []


def test_the_meeting_screen_shows_the_slide(world, race, projects, as_user) -> None:  # noqa: F811
    from saima.engine import parse_period
    from saima.races.results.services import race_publish

    race_publish(Access.for_user(world.user("office")), race, parse_period("2026-Q2"))
    page = as_user("office").get("/meeting/").content.decode()
    assert 'data-kind="projects"' in page
    assert "Key projects: the battle map" in page
