"""Items come from where the problems are, with one action each, linked back: a laggard
statement's commitment, an upheld objection, a project's weekly problem (the projects app is told)
and a red light that has lasted three months."""

from __future__ import annotations

import datetime

import polars as pl
import pytest
from django.core.management import call_command

from saima.org.access import Access
from saima.races.followup import services as followup
from saima.races.followup.selectors import published_on
from saima.races.models import LaggardStatement
from saima.supervision import origins
from saima.supervision.models import Item
from saima.supervision.tests.conftest import TODAY


@pytest.fixture(scope="module")
def publication_day() -> datetime.date:
    return TODAY


def office(world) -> Access:
    return Access.for_user(world.user("office"))


def accepted_statement(world, publication) -> LaggardStatement:
    statement = LaggardStatement.objects.get(publication=publication, unit__code="west")
    statement = followup.statement_submit(
        office(world),
        statement,
        cause="两个项目延期",
        measures="周调度",
        commitment="六月底前追上进度",
        commitment_date=published_on(publication) + datetime.timedelta(days=20),
    )
    return followup.statement_accept(office(world), statement)


def turn(client, key: str, **changes):
    """The office's one action: open the form from the origin and assign it as offered."""
    form = client.get(f"/supervision/new/?origin={key}")
    assert form.status_code == 200, form.content[:500]
    values = form.context["values"]
    body = {k: v for k, v in values.items() if k not in ("origin_label", "co_units")}
    body.update(changes)
    return client.post("/supervision/new/", body)


def test_a_commitment_becomes_an_item_linked_back(world, today, publication, client):
    statement = accepted_statement(world, publication)
    client.force_login(world.user("office"))
    listed = client.get("/supervision/origins/").content.decode()
    assert f'data-origin="statement:{statement.pk}"' in listed
    response = turn(client, f"statement:{statement.pk}")
    assert response.status_code == 302
    item = Item.objects.get(origin=f"statement:{statement.pk}")
    assert (item.source, item.lead_unit.code, item.deadline) == (
        "race",
        "west",
        statement.commitment_date,
    )
    assert item.origin_url == f"/races/{publication.race.code}/statements/{statement.pk}/"
    page = client.get(f"/supervision/{item.pk}/").content.decode()
    assert item.origin_url in page
    # Offered once: the origin page no longer lists it, and a second one is refused by name.
    assert (
        f'data-origin="statement:{statement.pk}"'
        not in client.get("/supervision/origins/").content.decode()
    )
    again = client.post(
        "/supervision/new/",
        {**{k: v for k, v in origins_values(world, statement).items()}},
    )
    assert again.status_code == 400
    assert "DB2026-001" in again.content.decode()


def origins_values(world, statement) -> dict:
    origin = origins.resolve(office(world), f"statement:{statement.pk}")
    return {
        "origin": origin.key,
        "title": origin.title,
        "task": origin.task,
        "source": origin.source,
        "lead_unit": origin.lead_unit.code,
        "deadline": TODAY.isoformat(),
        "level": "ordinary",
        "rhythm": "weekly",
    }


def test_an_upheld_objection_becomes_an_item(world, today, publication, client):
    objection = followup.objection_file(
        Access.for_user(world.user("west_approver")),
        publication,
        world.units["west"],
        reason="三月投资数据有误",
    )
    followup.objection_answer(
        office(world), objection, status="upheld", answer="西城区重报三月数据并说明原因"
    )
    client.force_login(world.user("office"))
    assert turn(client, f"objection:{objection.pk}").status_code == 302
    item = Item.objects.get(origin=f"objection:{objection.pk}")
    assert item.source == "objection" and "重报三月数据" in item.task
    assert item.origin_url == f"/races/objections/{objection.pk}/"


def test_an_origin_that_is_not_there_is_refused(world, today, client):
    client.force_login(world.user("office"))
    response = client.get("/supervision/new/?origin=statement:999")
    assert response.status_code == 400
    response = client.post(
        "/supervision/new/",
        {
            "origin": "problem:999",
            "title": "x",
            "task": "x",
            "source": "project",
            "lead_unit": "east",
            "deadline": TODAY.isoformat(),
            "level": "ordinary",
            "rhythm": "weekly",
        },
    )
    assert response.status_code == 400
    assert not Item.objects.exists()


def test_a_red_light_of_three_months_becomes_an_item(world, today, client, monkeypatch):
    def progress(access, period):
        rows = {"unit": ["east", "west"], "indicator": ["fai", "fai"]}
        lights = ["red", "red" if period.month != 5 else "yellow"]
        return pl.DataFrame({**rows, "light": lights})

    monkeypatch.setattr(origins, "cached_progress", progress)
    found = origins.persistent_red_lights(office(world))
    assert [o.key for o in found] == ["light:east:fai"]
    client.force_login(world.user("office"))
    assert turn(client, "light:east:fai").status_code == 302
    item = Item.objects.get(origin="light:east:fai")
    assert (item.source, item.lead_unit.code, item.origin_url) == ("light", "east", "/units/east/")


def test_a_project_problem_becomes_an_item_and_the_projects_app_is_told(world, today, client):
    from saima.engine.calendar import Week
    from saima.projects.catalogue.services import project_create
    from saima.projects.models import WeeklyProblem
    from saima.projects.tests.conftest import data
    from saima.projects.weekly.services import weekly_report_save

    project = project_create(
        access=office(world), user=world.user("office"), data=data(world, "W1", "west")
    )
    weekly_report_save(
        access=office(world),
        user=world.user("office"),
        project=project,
        week=Week.of(TODAY),
        progress="场地平整完成",
        problems="用地指标尚未落实",
        photos=[],
    )
    problem = WeeklyProblem.objects.get(project=project)
    client.force_login(world.user("office"))
    # The problems page's button leads to the form, started from the problem.
    start = client.get(f"/supervision/from-problem/{problem.pk}/")
    assert start.status_code == 302 and start["Location"].endswith(f"?origin=problem:{problem.pk}")
    assert turn(client, f"problem:{problem.pk}").status_code == 302
    item = Item.objects.get(origin=f"problem:{problem.pk}")
    assert (item.source, item.lead_unit.code, item.task) == ("project", "west", "用地指标尚未落实")
    problem.refresh_from_db()
    assert (problem.status, problem.supervision_item_id) == ("supervised", item.pk)
    assert problem.supervision_url == f"/supervision/{item.pk}/"
    assert problem.supervision_reference == item.reference


def test_the_escalate_command(world, today, capsys):
    from saima.supervision.tests.conftest import make_item

    make_item(world, deadline=TODAY)
    call_command("escalate", "--today", "2026-06-16")
    out = capsys.readouterr().out
    assert "DB2026-001 acknowledgement_reminder (reminder)" in out
    assert "2 step(s) taken" in out
    call_command("escalate", "--today", "2026-06-16")
    assert "0 step(s) taken, 0 reminder email(s)" in capsys.readouterr().out
