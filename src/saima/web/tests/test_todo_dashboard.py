"""The to-do list (and the header's count) and the leader's dashboard."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from saima.reporting import services as reporting
from saima.reporting.models import Submission


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()


def test_reporter_sees_what_is_due_and_the_count_in_the_header(as_user):
    html = as_user("east_reporter").get("/todo/").content.decode()
    # Today is 2026-11-25 (conftest): October, September and August are owed, October was due
    # on 2026-11-08 and is late.
    assert re.search(r"East District: \d+ figures? to report for 2026-10", html)
    assert "2026-11-08" in html
    assert "late" in html
    assert 'href="/reporting/units/east/?period=2026-10"' in html
    count = re.search(r'data-todo-count="(\d+)"', html)
    assert count and int(count.group(1)) == html.count('<tr data-task="')


def test_returned_figures_show_the_reason(as_user, world):
    from saima.org.access import Access

    office = world.user("office")
    east = world.units["east"]
    Submission.objects.create(unit=east, year=2026, month=10, status="submitted")
    reporting.submission_return(
        access=Access.for_user(office),
        user=office,
        unit=east,
        year=2026,
        month=10,
        comment="The investment figure is in 亿元, not 万元",
    )
    html = as_user("east_reporter").get("/todo/").content.decode()
    assert "figures for 2026-10 were returned" in html
    assert "The investment figure is in 亿元, not 万元" in html


def test_statement_asked_of_the_unit_is_on_its_list(as_user, world, publication):
    from saima.races.models import LaggardStatement

    statement, _created = LaggardStatement.objects.get_or_create(
        publication=publication, unit=world.units["east"]
    )
    html = as_user("east_reporter").get("/todo/").content.decode()
    assert "a statement is asked after" in html
    assert f"/statements/{statement.pk}/" in html


def test_header_loads_the_count_when_it_is_not_known(as_user):
    client = as_user("east_reporter")
    html = client.get("/units/").content.decode()
    assert 'hx-get="/todo/count/"' in html
    badge = client.get("/todo/count/").content.decode()
    assert re.search(r'data-todo-count="[1-9]\d*"', badge)
    # Counted once, the next page shows it without asking again.
    html = client.get("/units/").content.decode()
    assert 'hx-get="/todo/count/"' not in html
    assert "data-todo-count" in html


def test_nothing_waits_for_a_stranger(as_user):
    html = as_user("stranger").get("/todo/").content.decode()
    assert "Nothing is waiting for you." in html
    assert "data-todo-count" not in html


def test_dashboard_for_a_leader(as_user):
    response = as_user("leader").get("/dashboard/?period=2026-06")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Lights per indicator" in html
    assert "Double over half" in html
    assert "What changed since 2026-05" in html
    assert "Furthest behind" in html


def test_dashboard_without_a_previous_month(as_user):
    html = as_user("leader").get("/dashboard/?period=2026-01").content.decode()
    assert "nothing to compare with" in html


def test_menu_offers_the_dashboard_to_leaders_only(as_user):
    assert 'href="/dashboard/' in as_user("leader").get("/").content.decode()
    assert 'href="/dashboard/' not in as_user("east_reporter").get("/").content.decode()


def test_period_picker_offers_quarters_halves_and_the_year(as_user):
    html = as_user("office").get("/?period=2026-06").content.decode()
    for label in ("2026-Q1", "2026-Q2", "2026-Q3", "2026-H1"):
        assert f'<option value="{label}"' in html
    # Today is 2026-11-25: the fourth quarter, the second half and the year are still running.
    for label in ("2026-Q4", "2026-H2", "2026"):
        assert f'<option value="{label}"' not in html
    for path in ("/?period=2026-Q2", "/table/?period=2026-H1", "/dashboard/?period=2026-Q3"):
        assert as_user("office").get(path).status_code == 200


def test_the_entry_form_lights_reporting_not_units_in_the_menu(as_user):
    html = as_user("east_reporter").get("/reporting/units/east/?period=2026-10").content.decode()
    current = re.findall(r'<a href="([^"]+)"[^>]*aria-current="page"', html)
    assert current == ["/reporting/"]
