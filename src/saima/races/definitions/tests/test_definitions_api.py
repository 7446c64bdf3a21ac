"""The definitions API: list, read, TOML, create and change; bad input is a 400 naming the key,
and a refused request changes nothing."""

from __future__ import annotations

import copy
import tomllib

import pytest

from saima.engine import parse_rules
from saima.org.tests.api_helpers import call, client_for
from saima.races.definitions.rules import check_rules
from saima.races.definitions.selectors import race_toml
from saima.races.definitions.tests.test_definitions import GOOD_TOML, snapshot
from saima.races.models import RaceDefinition
from saima.testing import WORLD_RULES, make_race

DEFINITIONS = "/api/races/definitions"


def body(**changes) -> dict:
    data = {
        "code": "apirace",
        "name_zh": "接口赛马",
        "name_en": "API race",
        "groups": ["districts"],
        "rhythm": "month",
        "monthly_comment": False,
        "objection_days": 3,
        "rules": copy.deepcopy(WORLD_RULES),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_list_and_read(world, race) -> None:
    make_race(world, code="counties_only", groups=[world.groups["counties"]])
    office = client_for(world, "office", "token")
    listed = call(office, "GET", DEFINITIONS).json()
    assert [r["code"] for r in listed] == ["counties_only", "keywork"]
    assert listed[1]["groups"] == ["counties", "districts"] or set(listed[1]["groups"]) == {
        "districts",
        "counties",
    }
    east = client_for(world, "east_reporter", "token")
    assert [r["code"] for r in call(east, "GET", DEFINITIONS).json()] == ["keywork"]
    assert call(client_for(world, "stranger"), "GET", DEFINITIONS).json() == []
    one = call(office, "GET", f"{DEFINITIONS}/keywork").json()
    assert one["rules"] == WORLD_RULES
    assert (one["code"], one["year"], one["rhythm"], one["revision"]) == (
        "keywork",
        2026,
        "quarter",
        1,
    )
    assert (one["name_zh"], one["name_en"], one["objection_days"]) == (
        "重点工作赛马",
        "Key-work race",
        7,
    )
    assert one["monthly_comment"] is True and one["updated_by"] == "office"


def test_toml(world, race) -> None:
    response = call(client_for(world, "leader", "token"), "GET", f"{DEFINITIONS}/keywork/toml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/toml")
    text = response.content.decode()
    assert text == race_toml(race)
    assert parse_rules(text) == check_rules(race.rules)


@pytest.mark.parametrize("how", ["rules", "toml"])
def test_create(world, how) -> None:
    office = client_for(world, "office", "token")
    payload = body() if how == "rules" else body(rules=None, toml=GOOD_TOML)
    response = call(office, "POST", DEFINITIONS, payload)
    assert response.status_code == 201, response.json()
    created = RaceDefinition.objects.get(code="apirace")
    expected = WORLD_RULES if how == "rules" else tomllib.loads(GOOD_TOML)
    assert created.rules == expected
    assert response.json()["rules"] == expected
    assert [g.code for g in created.groups.all()] == ["districts"]
    assert (created.rhythm, created.monthly_comment, created.objection_days) == ("month", False, 3)


def test_change(world, race) -> None:
    office = client_for(world, "office", "token")
    response = call(office, "PUT", f"{DEFINITIONS}/keywork", {"name_en": "Renamed"})
    assert response.status_code == 200
    race.refresh_from_db()
    assert (race.name_en, race.revision, race.rules) == ("Renamed", 1, WORLD_RULES)
    response = call(office, "PUT", f"{DEFINITIONS}/keywork", {"toml": GOOD_TOML})
    assert response.status_code == 200
    race.refresh_from_db()
    assert (race.revision, race.rules) == (2, tomllib.loads(GOOD_TOML))
    rules = copy.deepcopy(WORLD_RULES)
    rules["indicator"][0]["weight"] = 45
    rules["indicator"][1]["weight"] = 25
    response = call(
        office, "PUT", f"{DEFINITIONS}/keywork", {"rules": rules, "groups": ["counties"]}
    )
    assert response.status_code == 200
    assert response.json()["revision"] == 3
    assert response.json()["groups"] == ["counties"]


def _bad_rules(**item_changes) -> dict:
    rules = copy.deepcopy(WORLD_RULES)
    rules["indicator"][1].update(item_changes)
    return rules


BAD = {
    "weights": (body(rules=_bad_rules(weight=20)), "rules", "weights must sum to 100"),
    "item weight": (body(rules=_bad_rules(weight=-1)), "rules", "indicator[2].weight"),
    "unknown key": (body(rules=_bad_rules(stpe=1)), "rules", "did you mean 'step'"),
    "unknown indicator": (
        body(rules=_bad_rules(code="steel")),
        "rules",
        "indicator[2].code: 'steel' is not an indicator in Saima",
    ),
    "kind": (body(rules=_bad_rules(kind="amount")), "rules", "indicator[2].kind"),
    "toml syntax": (body(rules=None, toml="name = "), "rules", "TOML syntax error"),
    "toml unknown key": (
        body(rules=None, toml=GOOD_TOML.replace("red = 1", "rde = 1")),
        "rules",
        "flags.rde: unknown key",
    ),
    "both": (body(toml=GOOD_TOML), "rules", "not both"),
    "neither": (body(rules=None), "rules", "as a mapping"),
    "group": (body(groups=["nowhere"]), "groups", "no race group nowhere"),
    "no groups": (body(groups=[]), "groups", ""),
    "duplicate": (body(code="keywork"), "code", "already exists"),
    "bad code": (body(code="has space"), "code", ""),
    "page name": (body(code="import"), "code", "name of a page"),
    "extra field": (body(colour="red"), "colour", ""),
    "rhythm": (body(rhythm="weekly"), "rhythm", ""),
    "days": (body(objection_days=400), "objection_days", ""),
    "rules not an object": (body(rules=[1, 2]), "rules", ""),
    "big toml": (body(rules=None, toml="#" * (1024 * 1024 + 1)), "toml", ""),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_400_and_changes_nothing(world, race, case) -> None:
    payload, field, text = BAD[case]
    office = client_for(world, "office", "token")
    before = snapshot()
    response = call(office, "POST", DEFINITIONS, payload)
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert field in errors
    assert any(text in m for m in errors[field]), errors
    if field in ("rules", "groups") and case != "neither":  # a change may leave out the rules
        change = {k: v for k, v in payload.items() if k in ("rules", "toml", "groups")}
        response = call(office, "PUT", f"{DEFINITIONS}/keywork", change)
        if change.get("groups") == []:
            assert response.status_code == 400
        else:
            assert response.status_code == 400, response.content
            assert any(text in m for m in response.json()["errors"][field])
    assert snapshot() == before


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b'{"code": "x", "name_zh": "x", "name_en": "x", "groups": ["districts"], '
        b'"rules": {"name": "x", "year": 2026, "indicator": [{"code": "fai", "weight": NaN, '
        b'"method": "efficacy"}]}}',
        b'{"code": "x", "name_zh": "x", "name_en": "x", "groups": ["districts"], '
        b'"rules": {"name": "x\\u0000", "year": 2026, "indicator": [{"code": "fai", '
        b'"weight": 100, "method": "efficacy", "qualify": Infinity}]}}',
    ],
)
def test_junk_bodies_are_400(world, race, raw) -> None:
    before = snapshot()
    response = call(client_for(world, "office", "token"), "POST", DEFINITIONS, raw=raw)
    assert response.status_code == 400
    assert snapshot() == before


def test_unknown_race_is_404(world) -> None:
    office = client_for(world, "office", "token")
    assert call(office, "GET", f"{DEFINITIONS}/nothing").status_code == 404
    assert call(office, "GET", f"{DEFINITIONS}/nothing/toml").status_code == 404
    assert call(office, "PUT", f"{DEFINITIONS}/nothing", {"name_en": "x"}).status_code == 404
    assert call(office, "GET", f"{DEFINITIONS}/bad%20code").status_code in (400, 404)


def test_openapi_lists_the_routes(world) -> None:
    paths = call(client_for(world, "office"), "GET", "/api/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/races/definitions"])
    assert {"get", "put"} <= set(paths["/api/races/definitions/{code}"])
    assert "get" in paths["/api/races/definitions/{code}/toml"]
