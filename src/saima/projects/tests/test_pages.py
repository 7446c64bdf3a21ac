"""What the pages show, and how many queries they take whatever the number of projects (no N+1);
the API's answers to bad input."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saima.engine.calendar import Week
from saima.projects.catalogue.services import project_create
from saima.projects.investment.services import actual_save, plan_save
from saima.projects.models import InvestmentActual, Milestone, Project, WeeklyReport
from saima.projects.pipeline.services import milestone_propose, milestone_set
from saima.projects.tests.conftest import TODAY, data, office
from saima.projects.weekly.services import weekly_report_save

LISTS = [
    "/projects/",
    "/projects/map/",
    "/projects/map/print/",
    "/projects/map/wall/east/",
    "/projects/weekly/",
    "/projects/weekly/east/",
    "/projects/problems/",
    "/projects/proposals/",
    "/projects/investment/?period=2026-05&unit=east",
    "/projects/indicators/?period=2026-05",
    "/projects/export/?format=csv",
]


def more_projects(world, count: int, prefix: str) -> None:
    """`count` more East projects, each with dates, a plan, a figure, a report and a proposal."""
    access, user = office(world), world.user("office")
    for n in range(count):
        project = project_create(
            access=access,
            user=user,
            data=data(world, f"{prefix}{n}", "east", target_start=datetime.date(2026, 8, 1)),
        )
        plan_save(access=access, user=user, project=project, year=2026, total=Decimal(120))
        actual_save(
            access=access, user=user, project=project, year=2026, month=5, value=Decimal(40)
        )
        weekly_report_save(
            access=access,
            user=user,
            project=project,
            week=Week.of(TODAY),
            progress="进展",
            problems="问题",
        )
        milestone_propose(
            access=access,
            user=user,
            milestone=Milestone.objects.get(project=project, code="signed"),
            planned=datetime.date(2026, 3, 1),
            actual=None,
        )


def counts(client) -> dict[str, int]:
    found = {}
    for url in LISTS:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        found[url] = len(queries)
    return found


def test_the_lists_take_as_many_queries_for_twelve_projects_as_for_two(world, projects, client):
    client.force_login(world.user("office"))
    more_projects(world, 2, "A")
    few = counts(client)
    more_projects(world, 10, "B")
    many = counts(client)
    assert many == few


def test_the_battle_map_shows_the_overdue_milestone_in_red(world, projects, client):
    client.force_login(world.user("office"))
    page = client.get("/projects/map/").content.decode()
    row = page[page.index('data-project="E1"') :]
    row = row[: row.index("</tr>")]
    assert 'data-status="overdue"' in row
    assert 'data-overdue="planning"' in row and "21 days" in row  # planned 2026-05-20
    blob = json.loads(page[page.index('id="saima-map"') :].split(">", 1)[1].split("</script>")[0])
    east = next(g for g in blob["groups"] if g["title"] == "East District")
    index = east["projects"].index("Project E1")
    points = [p for p in east["points"] if p[1] == index]
    assert ["2026-05-20", index, "overdue", "planning permit", "2026-05-20", "—", 21] in points
    assert blob["statuses"]["overdue"]["colour"] == "#d55e00"
    assert blob["today"] == "2026-06-10"
    # by leader, filtered, and the late ones only
    by_leader = client.get("/projects/map/?group=leader").content.decode()
    assert 'data-group="leader"' in by_leader
    late = client.get("/projects/map/?late=1").content.decode()
    assert 'data-project="E1"' in late and 'data-project="N1"' not in late
    west = client.get("/projects/map/?unit=west").content.decode()
    assert 'data-project="W1"' in west and 'data-project="E1"' not in west
    assert client.get("/projects/map/?unit=nowhere&stage=x&group=y").status_code == 200
    assert client.get("/projects/map/?stage=%00").status_code == 400  # refused before the view


def test_the_project_page_shows_each_status_and_the_investment(world, projects, client):
    client.force_login(world.user("east_reporter"))
    page = client.get("/projects/E1/").content.decode()
    statuses = {
        code: page.split(f'data-milestone="{code}" data-status="')[1].split('"')[0]
        for code in ("approval", "land", "planning", "construction_permit", "started", "completed")
    }
    assert statuses == {
        "approval": "done",
        "land": "done_late",
        "planning": "overdue",
        "construction_permit": "due_soon",
        "started": "done",
        "completed": "unscheduled",
    }
    assert 'name="action" value="propose"' in page  # a reporter proposes
    assert 'value="milestone"' not in page and 'value="stage"' not in page
    assert "31.7%" in page and "33.3%" in page  # completion, the plan's schedule at May


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("put", "/api/projects/E1/actuals/2026-06", {"value": "五百"}, "value"),
        ("put", "/api/projects/E1/actuals/2026-06", {"value": -3}, "value"),
        ("put", "/api/projects/E1/actuals/2026-06", {"value": 3800000}, "value"),
        ("put", "/api/projects/E1/actuals/2026-13", {"value": 400}, "period"),
        (
            "put",
            "/api/projects/E1/plans/2026",
            {"amount": 100, "monthly": [10] * 11 + [11]},
            "monthly",
        ),
        ("put", "/api/projects/E1/milestones/planning", {"actual": "2026-06-11"}, "actual"),
        ("post", "/api/projects/E1/stages", {"stage": "landed", "date": "2026-06-01"}, "stage"),
        ("put", "/api/projects/E1/weekly/2026-W30", {"progress": "进展"}, "week"),
        ("put", "/api/projects/E1/weekly/2026-W24", {"progress": "进\u0000展"}, "progress"),
        (
            "post",
            "/api/projects/",
            {
                "code": "E1",
                "name": "x",
                "category": "industry",
                "level": "city",
                "unit": "east",
                "total_investment": 1,
                "start_year": 2026,
                "end_year": 2026,
            },
            "code",
        ),
        (
            "post",
            "/api/projects/",
            {
                "code": "ok",
                "name": "x",
                "category": "nonsense",
                "level": "city",
                "unit": "nowhere",
                "total_investment": 1,
                "start_year": 2026,
                "end_year": 2026,
            },
            "unit",
        ),
    ],
)
def test_the_api_refuses_bad_input_by_field(world, projects, client, method, url, body, field):
    client.force_login(world.user("office"))
    before = (
        Project.objects.count(),
        InvestmentActual.objects.count(),
        list(Milestone.objects.values_list("planned", "actual")),
        WeeklyReport.objects.count(),
        Project.objects.get(code="E1").stage,
    )
    response = getattr(client, method)(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()
    after = (
        Project.objects.count(),
        InvestmentActual.objects.count(),
        list(Milestone.objects.values_list("planned", "actual")),
        WeeklyReport.objects.count(),
        Project.objects.get(code="E1").stage,
    )
    assert after == before


def test_unknown_codes_and_hostile_paths(world, projects, client):
    client.force_login(world.user("office"))
    assert client.get("/projects/NOPE/").status_code == 404
    assert client.get("/projects/%00/").status_code in (400, 404)
    assert client.get("/api/projects/NOPE").status_code == 404
    assert client.get("/api/projects/a%00b").status_code == 400
    assert client.get(
        "/api/projects/E1/milestones/nowhere", content_type="application/json"
    ).status_code in (404, 405)
    assert client.post("/projects/E1/", {"action": "explode"}).status_code == 400
    assert client.get("/projects/weekly/?week=2026-W99").status_code == 400
    assert client.get("/projects/weekly/?week=2027-W01").status_code == 400  # not begun
    assert client.get("/projects/?page=999999999999999999999").status_code == 200
    assert client.get("/projects/investment/?period=2099-01").status_code == 400
    milestone_set(
        access=office(world),
        user=world.user("office"),
        milestone=Milestone.objects.get(project=projects["E1"], code="environment"),
        planned=datetime.date(2026, 6, 1),
        actual=None,
    )
    refused = client.post(
        "/projects/E1/", {"action": "milestone", "milestone": "environment", "actual": "2026-13-01"}
    )
    assert refused.status_code == 400 and "is not a date" in refused.content.decode()
