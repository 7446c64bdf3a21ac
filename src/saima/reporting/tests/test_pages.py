"""The reporting pages × every persona, and the form's paths: save, check, submit, approve."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from saima.metrics.models import Observation
from saima.reporting.models import Submission
from saima.reporting.tests.conftest import EAST_OCTOBER, save, set_status
from saima.testing import PERSONAS

LOGIN = reverse("login")
BOARD = "/reporting/?period=2026-10"
EAST = "/reporting/units/east/?period=2026-10"
WEST = "/reporting/units/west/?period=2026-10"

# page: (method, path, data); statuses in the order of PERSONAS:
# office, leader, east_reporter, west_approver, stranger, anonymous
MATRIX = {
    "board": ("get", BOARD, None, (200, 200, 302, 302, 403, 302)),
    "board default month": ("get", "/reporting/", None, (200, 200, 302, 302, 403, 302)),
    "unit east": ("get", EAST, None, (200, 200, 200, 403, 403, 302)),
    "unit west": ("get", WEST, None, (200, 200, 403, 200, 403, 302)),
    "unknown unit": ("get", "/reporting/units/nowhere/", None, (404, 404, 404, 404, 404, 302)),
    "future month": (
        "get",
        "/reporting/units/east/?period=2026-12",
        None,
        (400, 400, 400, 403, 403, 302),
    ),
    "light east": (
        "post",
        "/reporting/units/east/light/?period=2026-10",
        {"indicator": "fai", "value-fai": "100"},
        (200, 200, 200, 403, 403, 302),
    ),
    "save east": (
        "post",
        EAST,
        {"action": "save", "value-fai": "125"},
        (302, 403, 302, 403, 403, 302),
    ),
    "lock": (
        "post",
        "/reporting/lock/?period=2026-10",
        {"action": "lock", "confirm": "yes"},
        (302, 403, 403, 403, 403, 302),
    ),
    "lock asks first": (
        "get",
        "/reporting/lock/?period=2026-10",
        None,
        (200, 403, 403, 403, 403, 302),
    ),
    "remind": (
        "post",
        "/reporting/remind/?period=2026-10",
        {},
        (302, 403, 403, 403, 403, 302),
    ),
}
CASES = [
    pytest.param(page, method, path, data, persona, statuses[i], id=f"{page}-{persona}")
    for page, (method, path, data, statuses) in MATRIX.items()
    for i, persona in enumerate(PERSONAS)
]


@pytest.mark.parametrize(("page", "method", "path", "data", "persona", "status"), CASES)
def test_page_status(as_user, page, method, path, data, persona, status):
    client = as_user(persona)
    response = client.get(path) if method == "get" else client.post(path, data or {})
    assert response.status_code == status
    if persona == "anonymous":
        assert response["Location"].startswith(f"{LOGIN}?next=")


def test_unit_people_are_sent_from_the_board_to_their_unit(as_user):
    response = as_user("east_reporter").get(BOARD)
    assert response["Location"] == EAST


def test_board_shows_statuses_counts_and_reminders(as_user, world):
    save(world, "east_reporter", "east", 10, EAST_OCTOBER)
    set_status(world, "east", 10, "submitted")
    response = as_user("leader").get(BOARD)
    page = response.content.decode()
    assert '<tr data-unit="east" data-status="submitted">' in page
    assert '<tr data-unit="west" data-status="late">' in page
    assert '<tr data-unit="north" data-status="late">' in page
    assert response.context["board"].counts["late"] == 2
    assert "Lock the period" not in page  # leaders do not lock
    assert "Lock the period" in as_user("office").get(BOARD).content.decode()


def test_board_queries_do_not_grow_with_units(as_user, django_assert_max_num_queries):
    client = as_user("office")
    with django_assert_max_num_queries(20):
        client.get(BOARD)


def test_form_shows_each_indicator_with_history_and_versions(as_user, world):
    response = as_user("east_reporter").get("/reporting/units/east/?period=2026-06")
    page = response.content.decode()
    for code in ("fai", "ivag", "pm25", "projects"):
        assert f'name="value-{code}"' in page
        assert f'name="version-{code}" value="0"' in page
    assert 'value="79.2"' in page  # June's fixed-asset investment
    assert "72" in page  # last year's June (10·6·1.2)
    assert "light--green" in page


def test_reporter_saves_a_draft(as_user, world):
    data = {"action": "save", **{f"value-{k}": v for k, v in EAST_OCTOBER.items()}}
    response = as_user("east_reporter").post(EAST, data)
    assert response.status_code == 302 and response["Location"] == EAST
    stored = Observation.objects.get(unit__code="east", indicator__code="fai", month=10, year=2026)
    assert (stored.value, stored.version) == (Decimal("120.5"), 1)
    follow = as_user("east_reporter").get(EAST).content.decode()
    assert "4 figures saved." in follow
    assert 'name="version-fai" value="1"' in follow


def test_a_bad_figure_stores_nothing_and_says_where(as_user, world):
    data = {"action": "save", "value-fai": "120", "value-ivag": "seven"}
    response = as_user("east_reporter").post(EAST, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert "&#x27;seven&#x27; is not a number." in page
    assert 'value="seven"' in page  # what was typed is kept
    assert not Observation.objects.filter(year=2026, month=10).exists()


def test_check_stores_nothing(as_user, world):
    data = {"action": "check", "value-fai": "10"}
    response = as_user("east_reporter").post(EAST, data)
    assert response.status_code == 400  # a decrease blocks
    assert "79.2" in response.content.decode()
    ok = as_user("east_reporter").post(EAST, {"action": "check", "value-fai": "100"})
    assert ok.status_code == 200 and "Checked; nothing was saved." in ok.content.decode()
    assert not Observation.objects.filter(year=2026, month=10).exists()


def test_the_form_refuses_a_stale_version(as_user, world):
    save(world, "office", "east", 10, {"fai": "100"})
    data = {"action": "save", "value-fai": "101", "version-fai": "0"}
    response = as_user("east_reporter").post(EAST, data)
    assert response.status_code == 400
    assert "Changed by office at " in response.content.decode()
    assert "to 100; reload." in response.content.decode()


def test_submit_approve_accept_and_return_through_the_form(as_user, world, client):
    data = {"action": "submit", **{f"value-{k}": v for k, v in EAST_OCTOBER.items()}}
    response = as_user("east_reporter").post(EAST, data)
    assert response.status_code == 302
    submission = Submission.objects.get(unit=world.units["east"], year=2026, month=10)
    assert submission.status == "submitted"
    page = client.get(EAST).content.decode()
    assert 'value="submit"' not in page  # submitted: the reporter waits
    assert "readonly" in page

    client.force_login(world.user("office"))
    assert 'value="approve"' in client.get(EAST).content.decode()
    assert client.post(EAST, {"action": "approve"}).status_code == 302
    assert client.post(EAST, {"action": "approve"}).status_code == 400  # already approved
    assert client.post(EAST, {"action": "accept"}).status_code == 302
    assert client.post(EAST, {"action": "return", "comment": ""}).status_code == 400
    assert client.post(EAST, {"action": "return", "comment": "Recheck FAI"}).status_code == 302
    submission.refresh_from_db()
    assert (submission.status, submission.return_comment) == ("returned", "Recheck FAI")


def test_submit_refused_shows_why(as_user, world):
    response = as_user("east_reporter").post(EAST, {"action": "submit", "value-fai": "100"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Not submitted:" in page and "PM2.5 concentration is missing." in page
    # The figure itself was saved as a draft.
    assert Observation.objects.filter(unit__code="east", year=2026, month=10).count() == 1


def test_approver_sees_approve_and_return(as_user, world):
    set_status(world, "west", 6, "submitted")
    page = as_user("west_approver").get("/reporting/units/west/?period=2026-06").content.decode()
    assert 'value="approve"' in page and 'value="return"' in page
    assert 'value="accept"' not in page and 'value="save"' not in page


def test_live_light(as_user, world):
    url = "/reporting/units/east/light/?period=2026-10"
    client = as_user("east_reporter")
    # Target 144, time progress 83.33%: 130 is ahead (green), 100 far behind (red).
    assert (
        "light--green"
        in client.post(url, {"indicator": "fai", "value-fai": "130"}).content.decode()
    )
    assert (
        "light--red" in client.post(url, {"indicator": "fai", "value-fai": "100"}).content.decode()
    )
    bad = client.post(url, {"indicator": "fai", "value-fai": "abc"}).content.decode()
    assert "is not a number" in bad
    assert "light--unknown" in client.post(url, {"indicator": "nope"}).content.decode()
    assert not Observation.objects.filter(year=2026, month=10).exists()


def test_lock_and_unlock_from_the_board(as_user, world):
    client = as_user("office")
    asked = client.post("/reporting/lock/?period=2026-10", {"action": "lock", "reason": "Meeting"})
    assert asked.status_code == 200 and "have not reported" in asked.content.decode()
    client.post(
        "/reporting/lock/?period=2026-10", {"action": "lock", "confirm": "yes", "reason": "Meeting"}
    )
    page = client.get(BOARD).content.decode()
    assert 'data-locked="true"' in page and "Unlock the period" in page
    client.post("/reporting/lock/?period=2026-10", {"action": "unlock", "reason": ""})
    assert "Say why the period is unlocked." in client.get(BOARD).content.decode()
    client.post("/reporting/lock/?period=2026-10", {"action": "unlock", "reason": "Fix"})
    assert "Lock the period" in client.get(BOARD).content.decode()


def test_nav_links_to_reporting(as_user):
    page = as_user("office").get("/?period=2026-06").content.decode()
    assert 'href="/reporting/"' in page


ADMIN_PAGES = [
    "/admin/reporting/reportingperiod/",
    "/admin/reporting/submission/",
    "/admin/reporting/periodlockevent/",
    "/admin/reporting/acknowledgement/",
    "/admin/reporting/reminder/",
]


@pytest.mark.parametrize("path", ADMIN_PAGES)
@pytest.mark.parametrize("persona", ["office", "leader", "east_reporter"])
def test_admin_is_the_offices_and_read_only(as_user, world, persona, path):
    set_status(world, "east", 6, "submitted")
    response = as_user(persona).get(path)
    if persona != "office":
        assert response.status_code == 302 and response.url.startswith("/admin/login/")
        return
    assert response.status_code == 200
    adds = as_user(persona).get(f"{path}add/").status_code
    assert adds == (200 if "reportingperiod" in path else 403)
