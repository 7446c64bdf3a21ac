"""Every page × every persona, each expected status written out."""

from __future__ import annotations

import pytest
from django.urls import reverse

from saima.testing import PERSONAS

LOGIN = reverse("login")

# page: (method, path) ; statuses in the order of PERSONAS:
# office, leader, east_reporter, west_approver, stranger, anonymous
MATRIX = {
    "overview": ("get", "/?period=2026-06", (200, 200, 200, 200, 200, 302)),
    "units": ("get", "/units/?period=2026-06", (200, 200, 200, 200, 200, 302)),
    "unit east": ("get", "/units/east/?period=2026-06", (200, 200, 200, 403, 403, 302)),
    "unit west": ("get", "/units/west/?period=2026-06", (200, 200, 403, 200, 403, 302)),
    "indicators": ("get", "/indicators/?period=2026-06", (200, 200, 200, 200, 200, 302)),
    "indicator": ("get", "/indicators/fai/?period=2026-06", (200, 200, 200, 200, 200, 302)),
    "table": ("get", "/table/?period=2026-06", (200, 200, 200, 200, 200, 302)),
    "table xlsx": ("get", "/table.xlsx?period=2026-06", (200, 200, 200, 200, 200, 302)),
    "ranking xlsx": (
        "get",
        "/indicators/fai/ranking.xlsx?period=2026-06",
        (200, 200, 200, 200, 200, 302),
    ),
    "todo": ("get", "/todo/", (200, 200, 200, 200, 200, 302)),
    "todo count": ("get", "/todo/count/", (200, 200, 200, 200, 200, 302)),
    "dashboard": ("get", "/dashboard/?period=2026-06", (200, 200, 403, 403, 403, 302)),
    "login": ("get", "/login/", (302, 302, 302, 302, 302, 200)),
    "logout": ("post", "/logout/", (302, 302, 302, 302, 302, 302)),
    "language": ("post", "/i18n/setlang/", (302, 302, 302, 302, 302, 302)),
}
CASES = [
    pytest.param(page, method, path, persona, statuses[i], id=f"{page}-{persona}")
    for page, (method, path, statuses) in MATRIX.items()
    for i, persona in enumerate(PERSONAS)
]


def test_matrix_covers_every_persona():
    assert PERSONAS[-1] == "anonymous" and len(PERSONAS) == 6
    assert all(len(statuses) == len(PERSONAS) for _m, _p, statuses in MATRIX.values())


@pytest.mark.parametrize(("page", "method", "path", "persona", "status"), CASES)
def test_page_status(as_user, page, method, path, persona, status):
    response = getattr(as_user(persona), method)(path)
    assert response.status_code == status
    if persona == "anonymous" and page not in ("login", "logout", "language"):
        assert response["Location"].startswith(f"{LOGIN}?next=")
    if page == "logout":
        assert response["Location"] == LOGIN
    if page == "login" and persona != "anonymous":
        assert response["Location"] == reverse("overview")


def test_logout_signs_out(as_user):
    client = as_user("office")
    assert client.get("/").status_code == 200
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_logout_by_get_is_refused(as_user):
    assert as_user("office").get("/logout/").status_code == 405


def test_pages_refuse_post(as_user):
    assert as_user("office").post("/").status_code == 405


def test_reporter_overview_shows_only_their_unit(as_user):
    html = as_user("east_reporter").get("/?period=2026-06").content.decode()
    assert "East District" in html
    assert "West District" not in html
    assert "North County" not in html


def test_reporter_indicator_page_shows_only_their_unit(as_user):
    html = as_user("east_reporter").get("/indicators/fai/?period=2026-06").content.decode()
    assert "East District" in html
    assert "West District" not in html


def test_stranger_sees_an_empty_overview(as_user):
    response = as_user("stranger").get("/?period=2026-06")
    html = response.content.decode()
    assert response.status_code == 200
    assert "There are no units with targets for you to see" in html
    for name in ("East District", "West District", "North County"):
        assert name not in html


def test_top_bar_names_the_user_and_roles(as_user):
    html = as_user("east_reporter").get("/?period=2026-06").content.decode()
    assert "east_reporter" in html
    assert "unit reporter" in html
    assert 'action="/logout/" method="post"' in html
    assert 'action="/i18n/setlang/" method="post"' in html
