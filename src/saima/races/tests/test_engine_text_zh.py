"""The engine's problems with a race's rules, in the reader's language: on the rule editor (at the
top and on the item's row), on the import page and in the API's errors; and a result's notes."""

from __future__ import annotations

import copy

from django.conf import settings
from django.urls import reverse

from saima.org.tests.api_helpers import call, client_for
from saima.races.definitions.tests.test_definitions import new_race_data, row_errors, snapshot
from saima.races.definitions.tests.test_definitions_api import DEFINITIONS, _bad_rules, body


def _in_chinese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


def test_the_rule_editor_says_the_engines_problems_in_chinese(world, as_user) -> None:
    client = _in_chinese(as_user("office"))
    before = snapshot()
    response = client.post(
        reverse("races:definition_new"), new_race_data(world, **{"items-1-weight": "30"})
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "权重合计须为 100，现为 90（fai 60 + inspection 30）" in response.context["errors"]
    assert "权重合计须为 100" in page and "weights must sum to 100" not in page
    assert snapshot() == before

    response = client.post(
        reverse("races:definition_new"), new_race_data(world, **{"items-1-weight": "0"})
    )
    assert response.status_code == 400
    assert row_errors(response, 2)["weight"] == ["应大于 0"]
    response = client.post(
        reverse("races:definition_new"),
        new_race_data(world, **{"items-0-parameters": "stpe = 2.0"}),
    )
    assert "未知的键（是否应为 &#x27;step&#x27;？）" in response.content.decode()
    assert snapshot() == before


def test_the_import_page_says_a_toml_problem_in_chinese(world, as_user) -> None:
    from saima.races.definitions.tests.test_definitions import GOOD_TOML, import_data

    client = _in_chinese(as_user("office"))
    data = import_data(text=GOOD_TOML.replace("red = 1", "rde = 1"))
    response = client.post(reverse("races:definition_import"), data)
    assert response.status_code == 400
    errors = response.context["errors"]
    assert errors[0] == "规则：规则无效", errors
    assert "flags.rde：未知的键（是否应为 'red'？）" in errors


def test_the_api_says_a_rules_problem_in_the_callers_language(world, race) -> None:
    office = client_for(world, "office", "token")
    payload = body(rules=_bad_rules(weight=20))
    english = call(office, "POST", DEFINITIONS, payload).json()["errors"]["rules"]
    assert any("weights must sum to 100" in m for m in english), english
    office.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    response = call(office, "POST", DEFINITIONS, payload)
    assert response.status_code == 400
    chinese = response.json()["errors"]["rules"]
    assert any(m.startswith("权重合计须为 100，现为") for m in chinese), chinese
    payload = body(rules=_bad_rules(weight=-1))
    chinese = call(office, "POST", DEFINITIONS, payload).json()["errors"]["rules"]
    assert "indicator[2].weight：应大于 0" in chinese, chinese


def test_a_published_results_notes_and_reasons_are_said_in_chinese(world, as_user) -> None:
    from saima.engine import parse_period
    from saima.metrics.models import Observation
    from saima.org.access import Access
    from saima.races.results.services import race_publish
    from saima.testing import WORLD_RULES, make_race

    rules = copy.deepcopy(WORLD_RULES)
    rules["missing"] = {"policy": "exclude"}
    rules["indicator"][2]["exempt"] = ["west"]
    race = make_race(world, rules=rules)
    Observation.objects.filter(
        unit__code="east", indicator__code="ivag", year=2026, month=3
    ).delete()
    published = race_publish(Access.for_user(world.user("office")), race, parse_period("2026-Q1"))
    stored = {row["unit"]: row["status"] for row in published.standings}
    assert stored["east"] == "no figure for ivag"  # stored as the engine wrote it
    client = _in_chinese(as_user("office"))
    result = "/races/keywork/2026-Q1/"
    assert "不参与排名：ivag 无数据" in client.get(result).content.decode()
    east = client.get(result + "units/east/").content.decode()
    assert "无数据（缺报不参与排名）" in east and "no figure" not in east
    west = client.get(result + "units/west/").content.decode()
    assert "不适用；权重分摊至其他评分项" in west and "weight spread" not in west
