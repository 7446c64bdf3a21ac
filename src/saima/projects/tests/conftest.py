"""The projects of the test world: a few key projects of East, West and North, built through the
services as the office, on a fixed today (2026-06-10, a Wednesday of 2026-W24).

- E1 (East, leader "leader"): started 2026-03-01; approval done, land done late, planning
  overdue (planned 2026-05-20), a plan of 1,200 (万元) split by month, May reported.
- E2 (East): signed 2026-02-10, reverse-scheduled from 2026-09-30.
- W1 (West): landed 2026-01-15, a linear plan of 600, a weekly report with a problem.
- N1 (North): planned, no plan.

They are built once per test module and kept (`kept_projects`, see `saima.testing.keep`); each
test gets them afresh from the database, and what it writes is rolled back after it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from saima.org.access import Access

TODAY = datetime.date(2026, 6, 10)


@pytest.fixture
def today(monkeypatch):
    """Fix the office's today (the services and pages read `timezone.localdate`)."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


def office(world) -> Access:
    return Access.for_user(world.user("office"))


def data(world, code: str, unit: str, **extra):
    from saima.projects.catalogue.services import ProjectData

    fields = {
        "code": code,
        "name": f"项目{code}",
        "name_en": f"Project {code}",
        "category": "industry",
        "level": "city",
        "unit": world.units[unit],
        "total_investment": Decimal("50000"),
        "start_year": 2025,
        "end_year": 2027,
        "owner": "青河实业有限公司",
        "location": "青河",
    }
    fields.update(extra)
    return ProjectData(**fields)


@pytest.fixture(scope="module")
def kept_projects(kept_world, django_db_blocker) -> dict:
    """The projects, built once for the tests of a module on the fixed today (see `keep`)."""
    from django.utils import timezone

    from saima.testing import keep

    with keep(django_db_blocker):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
            made = _build_projects(kept_world)
        yield made


@pytest.fixture
def projects(kept_projects, world, today) -> dict:
    """The kept projects (see the module's docstring), fetched afresh for the test."""
    from saima.projects.models import Project

    fetched = Project.objects.in_bulk([p.pk for p in kept_projects.values()])
    return {code: fetched[p.pk] for code, p in kept_projects.items()}


def _build_projects(world) -> dict:
    from saima.engine.calendar import Week
    from saima.projects.catalogue.services import project_create
    from saima.projects.investment.services import actual_save, plan_save
    from saima.projects.models import Milestone
    from saima.projects.pipeline.services import milestone_set, project_stage_change
    from saima.projects.weekly.services import weekly_report_save

    access, user = office(world), world.user("office")
    made = {}
    made["E1"] = project_create(
        access=access, user=user, data=data(world, "E1", "east", leader_name="leader")
    )
    for code, planned, actual in (
        ("approval", datetime.date(2026, 1, 10), datetime.date(2026, 1, 8)),
        ("land", datetime.date(2026, 2, 1), datetime.date(2026, 2, 20)),
        ("planning", datetime.date(2026, 5, 20), None),
        ("construction_permit", datetime.date(2026, 6, 20), None),
    ):
        milestone_set(
            access=access,
            user=user,
            milestone=Milestone.objects.get(project=made["E1"], code=code),
            planned=planned,
            actual=actual,
        )
    project_stage_change(
        access=access, user=user, project=made["E1"], stage="started", on=datetime.date(2026, 3, 1)
    )
    plan_save(
        access=access,
        user=user,
        project=made["E1"],
        year=2026,
        total=Decimal("1200"),
        monthly=[Decimal(v) for v in (50, 50, 100, 100, 100, 100, 100, 100, 150, 150, 100, 100)],
    )
    actual_save(
        access=access, user=user, project=made["E1"], year=2026, month=5, value=Decimal("380")
    )
    made["E2"] = project_create(
        access=access,
        user=user,
        data=data(
            world, "E2", "east", target_start=datetime.date(2026, 9, 30), category="services"
        ),
    )
    project_stage_change(
        access=access, user=user, project=made["E2"], stage="signed", on=datetime.date(2026, 2, 10)
    )
    made["W1"] = project_create(
        access=access, user=user, data=data(world, "W1", "west", level="provincial")
    )
    project_stage_change(
        access=access, user=user, project=made["W1"], stage="landed", on=datetime.date(2026, 1, 15)
    )
    plan_save(access=access, user=user, project=made["W1"], year=2026, total=Decimal("600"))
    weekly_report_save(
        access=access,
        user=user,
        project=made["W1"],
        week=Week.of(TODAY),
        progress="场地平整完成",
        next_plan="办理施工许可",
        problems="用地指标尚未落实，需市自然资源局协调",
    )
    made["N1"] = project_create(access=access, user=user, data=data(world, "N1", "north"))
    for project in made.values():
        project.refresh_from_db()
    return made
