"""Supervision seen elsewhere: the meeting screen's slide of overdue items, a unit's page with its
open items, the to-do list and the computed indicators a race scores."""

from __future__ import annotations

import datetime

from django.template.loader import render_to_string

from saima.bulletins.meeting import selectors as meeting
from saima.bulletins.meeting.supervision import overdue_slides
from saima.common import todo
from saima.metrics import sources
from saima.supervision import services
from saima.supervision.tests.conftest import TODAY, access, make_item

D = datetime.date


def test_the_meeting_screen_shows_the_overdue_items(world, today):
    assert "supervision" in meeting._PANELS
    make_item(world, deadline=TODAY)
    assert overdue_slides(access(world), None, "2026-Q2") == []
    today.set(D(2026, 6, 20))
    services.escalation_run(today=D(2026, 6, 20))
    (slide,) = overdue_slides(access(world), None, "2026-Q2")
    assert [(r["reference"], r["days"]) for r in slide.content["rows"]] == [("DB2026-001", 10)]
    html = render_to_string("bulletins/meeting/_supervision.html", {"slide": slide})
    assert 'data-item="DB2026-001"' in html and "10 days overdue" in html


def test_a_units_page_lists_its_open_items(world, today, client):
    item = make_item(world)
    client.force_login(world.user("east_reporter"))
    page = client.get("/units/east/?period=2026-06").content.decode()
    assert f'data-item="{item.reference}"' in page
    client.force_login(world.user("west_approver"))
    page = client.get("/units/west/?period=2026-06").content.decode()
    assert f'data-item="{item.reference}"' in page  # a co-unit's item too
    client.force_login(world.user("office"))
    assert 'data-item="' not in client.get("/units/north/?period=2026-06").content.decode()


def test_a_units_page_follows_its_items_at_once(world, today, client):
    """The unit page keeps the rows per person and data version: an item closed drops off at
    once, and another reader of the unit sees their own rows."""
    item = make_item(world)
    client.force_login(world.user("office"))
    assert (
        f'data-item="{item.reference}"'
        in client.get("/units/east/?period=2026-06").content.decode()
    )
    east = access(world, "east_reporter")
    reporter = world.user("east_reporter")
    services.item_acknowledge(access=east, user=reporter, item=item)
    services.item_feedback(access=east, user=reporter, item=item, text="进展")
    services.item_request_closure(access=east, user=reporter, item=item, text="完成")
    services.item_close(access=access(world), user=world.user("office"), item=item, note="好")
    page = client.get("/units/east/?period=2026-06").content.decode()
    assert f'data-item="{item.reference}"' not in page
    assert "No open supervision items." in page
    other = make_item(world)
    client.force_login(world.user("east_reporter"))
    page = client.get("/units/east/?period=2026-06").content.decode()
    assert f'data-item="{other.reference}"' in page


def test_the_to_do_list(world, today):
    item = make_item(world)
    east = access(world, "east_reporter")
    found = [t for t in todo.tasks_for(east, TODAY) if item.reference in t.title]
    assert [str(t.kind) for t in found] == ["Supervision item to acknowledge"]
    services.item_acknowledge(access=east, user=world.user("east_reporter"), item=item)
    services.item_feedback(access=east, user=world.user("east_reporter"), item=item, text="进展")
    services.item_request_closure(
        access=east, user=world.user("east_reporter"), item=item, text="完成"
    )
    office = [t for t in todo.tasks_for(access(world), TODAY) if item.reference in t.title]
    assert [str(t.kind) for t in office] == ["Closure requested"]


def test_the_on_time_closure_rate_as_a_computed_indicator(world, today):
    east = access(world, "east_reporter")
    user = world.user("east_reporter")
    on_time = make_item(world, deadline=D(2026, 6, 20))
    late = make_item(world, deadline=D(2026, 6, 15))
    for item in (on_time, late):
        services.item_acknowledge(access=east, user=user, item=item)
        services.item_feedback(access=east, user=user, item=item, text="进展")
    today.set(D(2026, 6, 18))
    for item in (on_time, late):
        services.item_request_closure(access=east, user=user, item=item, text="完成")
        services.item_close(access=access(world), user=world.user("office"), item=item)
    closure = sources.get("supervision.closure_on_time")
    found = closure.figures(["east", "west"], [(2026, 6), (2026, 5)])
    assert found.rows() == [("east", 2026, 6, 50.0)]  # May: nothing due, no figure
    assert "deadline" in closure.describe()
