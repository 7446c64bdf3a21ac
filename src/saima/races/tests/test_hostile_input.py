"""What a hostile or careless hand can type into the races' pages and API: each is refused with a
message, never a server error, and nothing changes. (The test client raises any server error.)"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from saima.races.models import Adjustment, ManualScore, Publication, RaceDefinition

Q1 = "/races/keywork/2026-Q1/"
#: Arrays nested deeper than Python's parser recursion allows, and a depth it parses.
DEEP = "x = " + "[" * 1200 + "]" * 1200
NESTED = "bands = " + "[" * 100 + "]" * 100
HUGE = "1e99999999999"
FORM = "application/x-www-form-urlencoded"


def _state() -> tuple:
    race = RaceDefinition.objects.get(code="keywork")
    return (
        RaceDefinition.objects.count(),
        race.revision,
        json.dumps(race.rules, sort_keys=True),
        Adjustment.objects.count(),
        ManualScore.objects.count(),
        Publication.objects.count(),
    )


@pytest.fixture
def office(race, as_user):
    return as_user("office")


@pytest.fixture
def published(publication):
    """The race's 2026-Q1 result, published once for the module (`saima.testing`)."""
    return publication


def _json(client, method: str, url: str, body) -> object:
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("text", [DEEP, NESTED], ids=["deeper than the parser", "deep"])
def test_deeply_nested_toml_is_refused(world, office, text) -> None:
    before = _state()
    imported = office.post(
        "/races/import/",
        {
            "code": "deep",
            "name_zh": "深",
            "name_en": "Deep",
            "groups": ["districts"],
            "rhythm": "quarter",
            "objection_days": "7",
            "text": text,
        },
    )
    assert imported.status_code == 400
    assert "nested too deeply" in imported.content.decode()
    replaced = office.post("/races/keywork/edit/", {"action": "replace", "text": text})
    assert replaced.status_code == 400
    created = _json(
        office,
        "post",
        "/api/races/definitions",
        {"code": "deep", "name_zh": "深", "name_en": "Deep", "groups": ["districts"], "toml": text},
    )
    assert created.status_code == 400
    assert "nested too deeply" in json.dumps(created.json(), ensure_ascii=False)
    assert _state() == before


def test_deeply_nested_item_parameters_are_refused(office) -> None:
    before = _state()
    page = office.post(
        "/races/keywork/edit/",
        {
            "action": "save",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-code": "fai",
            "items-0-weight": "100",
            "items-0-method": "bands",
            "items-0-parameters": DEEP.replace("x = ", "bands = "),
        },
    )
    assert page.status_code == 400
    assert "nested too deeply" in page.content.decode()
    assert _state() == before


def test_a_deeply_nested_json_body_is_refused(office) -> None:
    before = _state()
    body = '{"code": "deep", "rules": ' + "[" * 200 + "]" * 200 + "}"
    response = office.post("/api/races/definitions", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"rules": ["The request body is nested too deeply."]}
    assert _state() == before


def test_points_beyond_any_decimal_are_refused(world, office) -> None:
    before = _state()
    entry = {
        "action": "add",
        "unit": "east",
        "category": "safety",
        "date": "2026-02-01",
        "points": HUGE,
        "reason": "An accident",
    }
    page = office.post("/races/keywork/adjustments/", entry)
    assert page.status_code == 400 and "out of range" in page.content.decode()
    del entry["action"]
    api = _json(office, "post", "/api/races/keywork/adjustments", entry)
    assert api.status_code == 400 and "points" in api.json()["errors"]
    scores = _json(office, "put", "/api/races/keywork/scores/2026-Q1", {"east": {"fai": HUGE}})
    assert scores.status_code == 400
    assert _state() == before


def test_digits_that_are_not_ascii_are_not_numbers(world, published, office) -> None:
    before = _state()
    assert office.get(Q1 + "?version=²").status_code == 400
    assert office.get(Q1 + "units/east/?version=٣").status_code == 400
    assert office.get(Q1 + "results.csv?version=²").status_code == 400
    republish = office.post(
        "/races/keywork/publish/", {"period": "2026-Q1", "reason": "again", "objection": "²"}
    )
    assert republish.status_code == 302  # back to the preview, with the message
    grown = office.post("/races/keywork/edit/", {"action": "add_item", "items-TOTAL_FORMS": "²"})
    assert grown.status_code in (200, 400)
    withdraw = office.post("/races/keywork/adjustments/", {"action": "withdraw", "entry": "²"})
    assert withdraw.status_code == 400
    assert _state() == before


NUL = "west\x00"


@pytest.mark.parametrize(
    "url",
    [
        "/races/keywork/adjustments/?unit=" + NUL,
        "/races/keywork/preview/?period=2026-Q1%00",
        Q1 + "?version=1%00",
        "/api/races/keywork/adjustments?unit=" + NUL,
    ],
)
def test_a_nul_in_a_query_is_refused(published, office, url) -> None:
    response = office.get(url)
    assert response.status_code == 400


def test_a_nul_in_a_form_or_body_changes_nothing(world, published, office) -> None:
    before = _state()
    form = urlencode({"period": "2026-Q1", "reason": "figures\x00corrected"})
    republish = office.post("/races/keywork/publish/", form, content_type=FORM)
    assert republish.status_code == 400  # as a browser sends a form: refused before the view
    republish = office.post(
        "/races/keywork/publish/",
        {"period": "2026-Q1", "reason": "figures\x00corrected"},  # multipart
    )
    assert republish.status_code == 302  # the service refuses it: back to the preview
    messages = [str(m) for m in republish.wsgi_request._messages]
    assert messages == ["The text contains a NUL character."]
    api = _json(
        office, "post", "/api/races/keywork/publish", {"period": "2026-Q1", "reason": "a\x00b"}
    )
    assert api.status_code == 400 and api.json()["errors"] == {
        "reason": ["The text contains a NUL character."]
    }
    # multipart forms (they may carry a file) are checked by the services that store them
    entry = office.post(
        "/races/keywork/adjustments/",
        {
            "action": "add",
            "unit": "east",
            "category": "safety",
            "date": "2026-02-01",
            "points": "-1",
            "reason": "an\x00accident",
        },
    )
    assert entry.status_code == 400 and "NUL" in entry.content.decode()
    unknown_unit = office.post(
        "/races/keywork/adjustments/",
        {
            "action": "add",
            "unit": NUL,
            "category": "safety",
            "date": "2026-02-01",
            "points": "-1",
            "reason": "An accident",
        },
    )
    assert unknown_unit.status_code == 400
    assert _state() == before


def test_a_nul_in_an_objection_changes_nothing(world, published, as_user) -> None:
    client = as_user("west_approver")
    url = "/races/keywork/2026-Q1/objections/"
    for data in ({"unit": NUL, "reason": "A figure"}, {"unit": "west", "reason": "a\x00b"}):
        response = client.post(url, data)  # multipart, as the page sends it
        assert response.status_code == 400, data
    assert not published.objections.exists()
