"""Who may use the definition pages and routes: every page and route against every persona.

The office writes; leaders read the rules (pages and API); a unit reads, on the rules page and
through the API, the definitions of the races of its groups (the rules it is scored by); a
stranger reads nothing (404); an anonymous visitor is sent to sign in (pages) or gets 401 (API).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from saima.org.tests.api_helpers import call, client_for
from saima.races.definitions.tests.test_definitions import snapshot
from saima.testing import PERSONAS, WORLD_RULES

OFFICE_ONLY = {
    "office": 200,
    "leader": 403,
    "east_reporter": 403,
    "west_approver": 403,
    "stranger": 403,
    "anonymous": 302,
}
READERS = OFFICE_ONLY | {"leader": 200}
#: The rules page and its TOML: the races of a unit's groups are the unit's to read.
RULE_READERS = READERS | {"east_reporter": 200, "west_approver": 200, "stranger": 404}

PAGES = [
    ("GET", "races:definition_new", [], OFFICE_ONLY),
    ("POST", "races:definition_new", [], OFFICE_ONLY | {"office": 400}),
    ("GET", "races:definition_import", [], OFFICE_ONLY),
    ("POST", "races:definition_import", [], OFFICE_ONLY | {"office": 400}),
    ("GET", "races:definition_edit", ["keywork"], OFFICE_ONLY),
    ("POST", "races:definition_edit", ["keywork"], OFFICE_ONLY | {"office": 400}),
    ("POST", "races:definition_weights", [], OFFICE_ONLY),
    ("GET", "races:definition_toml", ["keywork"], RULE_READERS),
    ("GET", "races:definition", ["keywork"], RULE_READERS),
]


def test_every_persona_is_tested() -> None:
    assert set(OFFICE_ONLY) == set(PERSONAS)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name", "args", "expected"), PAGES)
def test_pages(world, race, as_user, persona, method, name, args, expected) -> None:
    client = as_user(persona)
    url = reverse(name, args=args)
    before = snapshot()
    response = client.get(url) if method == "GET" else client.post(url, {"action": "save"})
    assert response.status_code == expected[persona]
    if expected[persona] == 302:
        assert response["Location"].startswith(reverse("login"))
    assert snapshot() == before


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "name", ["races:definition_edit", "races:definition_toml", "races:definition"]
)
def test_unknown_race(world, as_user, persona, name) -> None:
    """404 for those who may use the page at all; the others learn nothing (403)."""
    expected = {"races:definition_edit": OFFICE_ONLY}.get(name, RULE_READERS)[persona]
    response = as_user(persona).get(reverse(name, args=["nothing"]))
    assert response.status_code == (404 if expected == 200 else expected)


@pytest.mark.parametrize("persona", ["office", "leader"])
@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_pages_refuse_other_methods(world, race, as_user, persona, method) -> None:
    response = as_user(persona).generic(method, reverse("races:definition", args=["keywork"]))
    assert response.status_code == 405


NEW = {
    "code": "fresh",
    "name_zh": "新",
    "name_en": "Fresh",
    "groups": ["counties"],
    "rules": WORLD_RULES,
}

ROUTES = [
    (
        "GET",
        "/api/races/definitions",
        None,
        {"office": 200, "leader": 200, "east_reporter": 200, "west_approver": 200, "stranger": 200},
    ),
    (
        "GET",
        "/api/races/definitions/keywork",
        None,
        {"office": 200, "leader": 200, "east_reporter": 200, "west_approver": 200, "stranger": 404},
    ),
    (
        "GET",
        "/api/races/definitions/keywork/toml",
        None,
        {"office": 200, "leader": 200, "east_reporter": 200, "west_approver": 200, "stranger": 404},
    ),
    (
        "GET",
        "/api/races/definitions/countyrace",
        None,
        {"office": 200, "leader": 200, "east_reporter": 404, "west_approver": 404, "stranger": 404},
    ),
    (
        "POST",
        "/api/races/definitions",
        NEW,
        {"office": 201, "leader": 403, "east_reporter": 403, "west_approver": 403, "stranger": 403},
    ),
    (
        "PUT",
        "/api/races/definitions/keywork",
        {"name_en": "Changed"},
        {"office": 200, "leader": 403, "east_reporter": 403, "west_approver": 403, "stranger": 403},
    ),
]


@pytest.mark.parametrize("auth", ["session", "token"])
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "path", "payload", "expected"), ROUTES)
def test_routes(world, race, persona, auth, method, path, payload, expected) -> None:
    from saima.testing import make_race

    make_race(world, code="countyrace", groups=[world.groups["counties"]])
    before = snapshot()
    response = call(client_for(world, persona, auth), method, path, payload)
    status = 401 if persona == "anonymous" else expected[persona]
    assert response.status_code == status, response.content
    if status >= 400 or method == "GET":
        assert snapshot() == before


def test_a_unit_reads_only_the_rules_of_its_own_races(world, race, as_user) -> None:
    from saima.testing import make_race

    make_race(world, code="countyrace", groups=[world.groups["counties"]])
    client = as_user("east_reporter")
    page = client.get(reverse("races:definition", args=["keywork"]))
    assert page.status_code == 200
    assert reverse("races:definition_edit", args=["keywork"]) not in page.content.decode()
    assert client.get(reverse("races:definition", args=["countyrace"])).status_code == 404
