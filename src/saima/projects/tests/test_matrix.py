"""Who may do what with projects: every page and every API operation of the app, tried as every
persona, with the status each must get; a refused request changes nothing.

East's reporter reads and reports East's projects (E1, E2); West's approver reads West's (W1)
and confirms its dates; the leader reads everything and changes nothing; the stranger reads no
project; anonymous callers are sent to sign in (pages) or refused (API, 401).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from saima.projects.models import (
    AnnualPlan,
    InvestmentActual,
    Milestone,
    Project,
    ProjectSettings,
    StageChange,
    WeeklyPhoto,
    WeeklyProblem,
    WeeklyReport,
)
from saima.projects.pipeline.services import milestone_propose
from saima.projects.tests.conftest import office
from saima.projects.weekly.services import weekly_report_save
from saima.races.register.tests.test_evidence import png_bytes
from saima.testing import PERSONAS


def fingerprint() -> tuple:
    """Everything a request could change, in a comparable form."""
    models = (
        Project,
        StageChange,
        Milestone,
        AnnualPlan,
        InvestmentActual,
        WeeklyReport,
        WeeklyPhoto,
        WeeklyProblem,
        ProjectSettings,
    )
    counts = tuple(m.objects.count() for m in models)
    history = tuple(
        m.history.order_by("-history_id").values_list("history_id", flat=True).first()
        for m in (Project, Milestone, AnnualPlan, InvestmentActual, WeeklyReport, WeeklyProblem)
    )
    return counts, history


def post_json(client, url: str, body: dict, method: str = "post"):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def prepare(world, projects) -> dict:
    """A proposal waiting on W1, and a photo of W1's report."""
    milestone_propose(
        access=office(world),
        user=world.user("office"),
        milestone=Milestone.objects.get(project=projects["W1"], code="land"),
        planned=None,
        actual=__import__("datetime").date(2026, 6, 1),
    )
    from saima.common.evidence import check_evidence
    from saima.engine.calendar import Week
    from saima.projects.tests.conftest import TODAY

    report = weekly_report_save(
        access=office(world),
        user=world.user("office"),
        project=projects["W1"],
        week=Week.of(TODAY),
        progress="场地平整完成",
        problems="用地指标尚未落实",
        photos=[check_evidence("site.png", png_bytes())],
    )
    from saima.projects.pipeline.services import milestone_add

    node = milestone_add(
        access=office(world), user=world.user("office"), project=projects["E1"], name="封顶"
    )
    return {
        "node": node.code,
        "proposal": Milestone.objects.get(project=projects["W1"], code="land").pk,
        "photo": report.photos.first().pk,
        "problem": WeeklyProblem.objects.get(project=projects["W1"]).pk,
    }


# Status per persona, in the order of PERSONAS:
#        office, leader, east_reporter, west_approver, stranger, anonymous
PAGE_ALL = (200, 200, 200, 200, 200, 302)
PAGE_OFFICE = (200, 403, 403, 403, 403, 302)
PAGE_EAST = (200, 200, 200, 403, 403, 302)
PAGE_WEST = (200, 200, 403, 200, 403, 302)
API_ALL = (200, 200, 200, 200, 200, 401)
API_EAST = (200, 200, 200, 403, 403, 401)
API_WEST = (200, 200, 403, 200, 403, 401)
OFFICE_DOES_ON_E1 = (200, 403, 403, 403, 403, 401)

PROJECT = {
    "code": "NEW1",
    "name": "新建项目",
    "category": "industry",
    "level": "city",
    "unit": "east",
    "total_investment": "12000",
    "start_year": "2026",
    "end_year": "2027",
}

Case = tuple[str, str, Callable[[dict], dict | None], tuple[int, ...]]

PAGES: list[Case] = [
    ("get", "/projects/", lambda s: None, PAGE_ALL),
    ("get", "/projects/new/", lambda s: None, PAGE_OFFICE),
    ("post", "/projects/new/", lambda s: PROJECT, (302, 403, 403, 403, 403, 302)),
    ("get", "/projects/import/", lambda s: None, PAGE_OFFICE),
    (
        "post",
        "/projects/import/",
        lambda s: {"measure": "万元", "year": "2026"},
        (400, 403, 403, 403, 403, 302),
    ),
    ("get", "/projects/export/?format=csv", lambda s: None, PAGE_ALL),
    ("get", "/projects/settings/", lambda s: None, (200, 200, 403, 403, 403, 302)),
    (
        "post",
        "/projects/settings/",
        lambda s: {
            **{
                f"lead_{c}": "30"
                for c in ("approval", "land", "planning", "environment", "construction_permit")
            },
            **{f"lead_{c}": "100" for c in ("started", "completed", "in_production")},
            "soon_days": "10",
            "weekly_due_weekday": "5",
            "rate_basis": "annual_list",
            "rate_numerator": "of_basis",
            "decimals": "1",
            "milestones_from": "year",
        },
        (302, 403, 403, 403, 403, 302),
    ),
    ("get", "/projects/proposals/", lambda s: None, PAGE_ALL),
    (
        "post",
        "/projects/proposals/",
        lambda s: {"pk": s["proposal"], "action": "confirm"},
        (302, 403, 400, 302, 400, 302),
    ),
    ("get", "/projects/E1/", lambda s: None, PAGE_EAST),
    ("get", "/projects/W1/", lambda s: None, PAGE_WEST),
    (
        "post",
        "/projects/E1/",
        lambda s: {"action": "stage", "stage": "completed", "date": "2026-06-01"},
        (302, 403, 403, 403, 403, 302),
    ),
    (
        "post",
        "/projects/E1/",
        lambda s: {"action": "actual", "month": "2026-06", "value": "420"},
        (302, 403, 302, 403, 403, 302),
    ),
    (
        "post",
        "/projects/E1/",
        lambda s: {"action": "node", "name": "主体封顶"},
        (302, 403, 403, 403, 403, 302),
    ),
    (
        "post",
        "/projects/E1/",
        lambda s: {"action": "remove_node", "milestone": s["node"]},
        (302, 403, 403, 403, 403, 302),
    ),
    (
        "post",
        "/projects/W1/",
        lambda s: {"action": "confirm", "milestone": "land"},
        (302, 403, 403, 302, 403, 302),
    ),
    ("get", "/projects/E1/edit/", lambda s: None, (200, 403, 403, 403, 403, 302)),
    (
        "post",
        "/projects/E1/edit/",
        lambda s: {**PROJECT, "code": "E1", "active": "on"},
        (302, 403, 403, 403, 403, 302),
    ),
    ("get", "/projects/map/", lambda s: None, PAGE_ALL),
    ("get", "/projects/map/print/", lambda s: None, PAGE_ALL),
    ("get", "/projects/map/wall/east/", lambda s: None, PAGE_EAST),
    ("get", "/projects/weekly/", lambda s: None, PAGE_ALL),
    ("get", "/projects/weekly/east/", lambda s: None, PAGE_EAST),
    (
        "post",
        "/projects/weekly/east/",
        lambda s: {"week": "2026-W24", "progress": ""},
        (302, 403, 302, 403, 403, 302),
    ),
    ("get", "/projects/problems/", lambda s: None, PAGE_ALL),
    (
        "post",
        "/projects/problems/",
        lambda s: {"problem": s["problem"], "status": "coordinating", "response": "协调中"},
        (302, 403, 400, 403, 400, 302),
    ),
    ("get", "/projects/photos/{photo}/", lambda s: None, (200, 200, 404, 200, 404, 302)),
    ("get", "/projects/investment/?period=2026-05", lambda s: None, PAGE_ALL),
    ("get", "/projects/indicators/?period=2026-05", lambda s: None, PAGE_ALL),
]

API = "/api/projects"
API_CASES: list[Case] = [
    ("get", f"{API}/", lambda s: None, API_ALL),
    (
        "post",
        f"{API}/",
        lambda s: {**PROJECT, "start_year": 2026, "end_year": 2027},
        (201, 403, 403, 403, 403, 401),
    ),
    ("get", f"{API}/E1", lambda s: None, API_EAST),
    (
        "put",
        f"{API}/E1",
        lambda s: {**PROJECT, "code": "E1", "start_year": 2026, "end_year": 2027},
        OFFICE_DOES_ON_E1,
    ),
    ("get", f"{API}/E1/stages", lambda s: None, API_EAST),
    (
        "post",
        f"{API}/E1/stages",
        lambda s: {"stage": "completed", "date": "2026-06-01"},
        (201, 403, 403, 403, 403, 401),
    ),
    ("get", f"{API}/E1/milestones", lambda s: None, API_EAST),
    (
        "post",
        f"{API}/E1/milestones",
        lambda s: {"name": "主体封顶", "planned": "2026-09-30"},
        (201, 403, 403, 403, 403, 401),
    ),
    ("delete", f"{API}/E1/milestones/{{node}}", lambda s: None, (204, 403, 403, 403, 403, 401)),
    (
        "put",
        f"{API}/E1/milestones/environment",
        lambda s: {"planned": "2026-07-01"},
        OFFICE_DOES_ON_E1,
    ),
    (
        "post",
        f"{API}/E1/milestones/environment/proposal",
        lambda s: {"planned": "2026-07-01"},
        (200, 403, 200, 403, 403, 401),
    ),
    ("post", f"{API}/W1/milestones/land/confirm", lambda s: None, (200, 403, 403, 200, 403, 401)),
    (
        "post",
        f"{API}/W1/milestones/land/reject",
        lambda s: {"reason": "日期有误"},
        (200, 403, 403, 200, 403, 401),
    ),
    ("post", f"{API}/E1/schedule", lambda s: {"target_start": "2026-12-01"}, OFFICE_DOES_ON_E1),
    ("get", f"{API}/settings", lambda s: None, (200, 200, 403, 403, 403, 401)),
    ("put", f"{API}/settings", lambda s: {"soon_days": 10}, (200, 403, 403, 403, 403, 401)),
    ("get", f"{API}/E1/plans/2026", lambda s: None, API_EAST),
    ("put", f"{API}/E1/plans/2026", lambda s: {"amount": "1500"}, OFFICE_DOES_ON_E1),
    ("get", f"{API}/E1/actuals", lambda s: None, API_EAST),
    (
        "put",
        f"{API}/E1/actuals/2026-06",
        lambda s: {"value": "420"},
        (200, 403, 200, 403, 403, 401),
    ),
    ("get", f"{API}/W1/weekly", lambda s: None, API_WEST),
    (
        "put",
        f"{API}/E1/weekly/2026-W24",
        lambda s: {"progress": "进展"},
        (200, 403, 200, 403, 403, 401),
    ),
    ("get", f"{API}/problems", lambda s: None, API_ALL),
    (
        "post",
        f"{API}/problems/{{problem}}/status",
        lambda s: {"status": "coordinating"},
        (200, 403, 403, 403, 403, 401),
    ),
    (
        "post",
        f"{API}/problems/{{problem}}/supervision",
        lambda s: {"item_id": 5},
        (200, 403, 403, 403, 403, 401),
    ),
    ("get", f"{API}/indicators?period=2026-05", lambda s: None, API_ALL),
]


def _send(client, method: str, url: str, body: dict | None, api: bool):
    if method in ("get", "delete"):
        return getattr(client, method)(url)
    if api:
        return post_json(client, url, body or {}, method)
    return getattr(client, method)(url, body or {})


@pytest.fixture(scope="module")
def kept_state(kept_world, kept_projects, django_db_blocker) -> dict:
    """What `prepare` makes, once for the module's matrix tests (see `saima.testing.keep`): each
    persona's request is rolled back anyway, and so is each test."""
    from django.utils import timezone

    from saima.projects.tests.conftest import TODAY
    from saima.testing import keep

    with keep(django_db_blocker):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
            state = prepare(kept_world, kept_projects)
        yield state


def _run(world, state: dict, client, case: Case, api: bool) -> None:
    method, url, body, expected = case
    url = url.format(**state)
    for persona, status in zip(PERSONAS, expected, strict=True):
        client.logout()
        if persona != "anonymous":
            client.force_login(world.user(persona))
        with transaction.atomic():
            before = fingerprint()
            payload = body(state)
            if isinstance(payload, dict) and "photos" in payload:
                payload = {**payload, "photos": SimpleUploadedFile("a.png", png_bytes())}
            response = _send(client, method, url, payload, api)
            assert response.status_code == status, (persona, method, url, response.content[:400])
            if status >= 400 or (status == 302 and persona == "anonymous"):
                assert fingerprint() == before, f"{persona} {method} {url} changed something"
            if api and status >= 400:
                assert response.json()["detail"]
            if status == 204:
                assert not response.content
            transaction.set_rollback(True)


@pytest.mark.parametrize("case", PAGES, ids=[f"{m} {u}" for m, u, _b, _e in PAGES])
def test_pages(world, projects, kept_state, client, case) -> None:
    _run(world, kept_state, client, case, api=False)


@pytest.mark.parametrize("case", API_CASES, ids=[f"{m} {u}" for m, u, _b, _e in API_CASES])
def test_api(world, projects, kept_state, client, case) -> None:
    _run(world, kept_state, client, case, api=True)


def test_what_each_persona_sees_in_the_list(world, projects, client) -> None:
    seen = {}
    for persona in ("office", "leader", "east_reporter", "west_approver", "stranger"):
        client.force_login(world.user(persona))
        page = client.get("/projects/").content.decode()
        seen[persona] = [
            code for code in ("E1", "E2", "W1", "N1") if f'data-project="{code}"' in page
        ]
        api = client.get(f"{API}/").json()
        assert [p["code"] for p in api] == seen[persona]
    assert seen == {
        "office": ["E1", "E2", "W1", "N1"],
        "leader": ["E1", "E2", "W1", "N1"],
        "east_reporter": ["E1", "E2"],
        "west_approver": ["W1"],
        "stranger": [],
    }


def test_the_leader_in_charge_sees_their_projects_first(world, projects, client) -> None:
    client.force_login(world.user("leader"))
    page = client.get("/projects/").content.decode()
    assert page.index('data-project="E1"') < page.index('data-project="E2"')
    w1 = Project.objects.get(code="W1")
    w1.leader = world.user("leader")
    w1.save()
    page = client.get("/projects/").content.decode()
    assert page.index('data-project="W1"') < page.index('data-project="E2"')  # theirs first
    mine = client.get("/projects/?mine=1").content.decode()
    assert 'data-project="E2"' not in mine and 'data-project="W1"' in mine
