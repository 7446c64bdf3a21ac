"""Race definitions in the office's pages: the rule editor, TOML import, export and replace.

The editor validates exactly as the TOML rules (the engine's `check_rules`); each problem shows
next to the item or field it names; nothing is saved while anything is wrong. A definition
imported from any complete example of docs/rules.md opens in the editor and saves back unchanged.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from django.urls import reverse

from saima.engine import parse_rules
from saima.metrics.models import Indicator
from saima.org.access import Access
from saima.races.definitions.rules import check_rules, parse_toml
from saima.races.definitions.selectors import race_toml
from saima.races.definitions.services import definition_save
from saima.races.models import RaceDefinition
from saima.testing import WORLD_RULES

DOC = Path(__file__).resolve().parents[5] / "docs" / "rules.md"
FENCE = re.compile(r"^```toml[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)

#: Indicators the docs examples read that the world does not have: code -> (kind, direction).
DOC_INDICATORS = {
    "iva": ("growth", "higher"),
    "revenue": ("amount", "higher"),
    "retail": ("amount", "higher"),
    "trade": ("growth", "higher"),
    "attracted": ("amount", "higher"),
    "gdp": ("growth", "higher"),
    "unemployment": ("level", "lower"),
}


def doc_examples() -> list[tuple[int, str]]:
    text = DOC.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in FENCE.finditer(text)]


def add_doc_indicators() -> None:
    for order, (code, (kind, direction)) in enumerate(DOC_INDICATORS.items(), start=10):
        Indicator.objects.create(
            code=code,
            name_zh=code,
            name_en=code.title(),
            kind=kind,
            direction=direction,
            order=order,
        )


def office(world) -> Access:
    return Access.for_user(world.user("office"))


def snapshot() -> list:
    """Everything a refused write must leave as it was."""
    return [
        sorted(
            RaceDefinition.objects.values_list(
                "code", "name_zh", "name_en", "year", "rhythm", "rules", "revision", "active"
            )
        ),
        sorted(
            RaceDefinition.groups.through.objects.values_list("racedefinition_id", "racegroup_id")
        ),
        RaceDefinition.history.count(),
    ]


def posted(response) -> dict:
    """The editor's form as a browser would post it back unchanged."""
    data: dict = {}
    context = response.context
    forms = [context["race_form"], context["header"], context["items"].management_form]
    forms += list(context["items"])
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            data[field.html_name] = [str(v) for v in value] if isinstance(value, list) else value
    return data


def new_race_data(world, **changes) -> dict:
    """A complete new race in the editor: two items, weights 60 + 40."""
    data = {
        "code": "halfyear",
        "name_zh": "半年赛马",
        "name_en": "Half-year race",
        "groups": ["districts", "counties"],
        "rhythm": "half",
        "monthly_comment": "on",
        "objection_days": "5",
        "active": "on",
        "name": "Half-year race 2026",
        "year": "2026",
        "tie_break": "fai",
        "thresholds_yellow_pp": "4",
        "missing_policy": "exclude",
        "flags_red": "1",
        "flags_red_when": "no_red",
        "adjustments_bonus_cap": "3",
        "adjustments_category_caps": "safety = 3.0, petitions = 2.0",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-code": "fai",
        "items-0-indicator": "fai",
        "items-0-metric": "gap",
        "items-0-weight": "60",
        "items-0-method": "rank",
        "items-0-parameters": "step = 2.0",
        "items-1-code": "inspection",
        "items-1-name": "Inspection rectification",
        "items-1-weight": "40",
        "items-1-method": "manual",
        "action": "save",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- The editor --------------------------------------------------------------------------------


def test_new_race_from_the_editor(world, as_user) -> None:
    client = as_user("office")
    assert client.get(reverse("races:definition_new")).status_code == 200
    response = client.post(reverse("races:definition_new"), new_race_data(world))
    assert response.status_code == 302
    assert response["Location"] == reverse("races:definition", args=["halfyear"])
    race = RaceDefinition.objects.get(code="halfyear")
    assert race.rules == {
        "name": "Half-year race 2026",
        "year": 2026,
        "tie_break": "fai",
        "thresholds": {"yellow_pp": 4},
        "missing": {"policy": "exclude"},
        "flags": {"red": 1, "red_when": "no_red"},
        "adjustments": {"bonus_cap": 3, "category_caps": {"safety": 3.0, "petitions": 2.0}},
        "indicator": [
            {"code": "fai", "metric": "gap", "weight": 60, "method": "rank", "step": 2.0},
            {
                "code": "inspection",
                "name": "Inspection rectification",
                "weight": 40,
                "method": "manual",
            },
        ],
    }
    assert {g.code for g in race.groups.all()} == {"districts", "counties"}
    assert (race.rhythm, race.objection_days, race.year, race.revision) == ("half", 5, 2026, 1)
    assert race.updated_by == world.user("office")
    page = client.get(response["Location"])
    assert "Half-year race" in page.content.decode()


def test_the_editor_opens_a_race_and_saves_it_back_unchanged(world, race, as_user) -> None:
    client = as_user("office")
    page = client.get(reverse("races:definition_edit", args=[race.code]))
    assert page.status_code == 200
    response = client.post(reverse("races:definition_edit", args=[race.code]), posted(page))
    assert response.status_code == 302, response.context and response.context["errors"]
    race.refresh_from_db()
    assert race.rules == WORLD_RULES
    assert race.revision == 1  # nothing changed, so the revision did not move


@pytest.mark.parametrize(
    ("line", "block"), doc_examples(), ids=lambda v: f"line{v}" if isinstance(v, int) else ""
)
def test_every_docs_example_round_trips_through_the_editor(world, as_user, line, block) -> None:
    add_doc_indicators()
    stored = tomllib.loads(block)
    race = definition_save(
        office(world),
        code="doc",
        name_zh="文档",
        name_en="Docs",
        groups=[world.groups["districts"]],
        rhythm="quarter",
        rules=stored,
    )
    client = as_user("office")
    page = client.get(reverse("races:definition_edit", args=["doc"]))
    assert page.status_code == 200
    response = client.post(reverse("races:definition_edit", args=["doc"]), posted(page))
    assert response.status_code == 302, response.context["errors"]
    race.refresh_from_db()
    assert race.rules == stored
    assert race.revision == 1
    assert check_rules(race.rules) == check_rules(stored)
    assert parse_rules(race_toml(race)) == check_rules(stored)


def test_a_changed_item_raises_the_revision(world, race, as_user) -> None:
    client = as_user("office")
    page = client.get(reverse("races:definition_edit", args=[race.code]))
    data = posted(page) | {"items-0-weight": "35", "items-1-weight": "35"}
    response = client.post(reverse("races:definition_edit", args=[race.code]), data)
    assert response.status_code == 302
    race.refresh_from_db()
    assert race.revision == 2
    assert [i["weight"] for i in race.rules["indicator"]] == [35, 35, 15, 15]
    assert race.history.count() == 2
    detail = client.get(reverse("races:definition", args=[race.code])).content.decode()
    assert detail.count("<td>office</td>") == 2


def test_delete_and_add_items(world, race, as_user) -> None:
    client = as_user("office")
    url = reverse("races:definition_edit", args=[race.code])
    data = posted(client.get(url))
    grown = client.post(url, data | {"action": "add_item"})
    assert grown.status_code == 200
    assert grown.context["items"].total_form_count() == 6  # 4 items, 1 blank, 1 added
    assert RaceDefinition.objects.get().rules == WORLD_RULES
    data |= {
        "items-3-DELETE": "on",
        "items-0-weight": "55",
        "action": "save",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    race.refresh_from_db()
    assert [i["code"] for i in race.rules["indicator"]] == ["fai", "ivag", "pm25"]


def row_errors(response, row: int) -> dict:
    return response.context["items"].forms[row - 1].errors


@pytest.mark.parametrize(
    ("changes", "row", "field", "text"),
    [
        ({"items-1-weight": "0"}, 2, "weight", "greater than 0"),
        ({"items-0-parameters": "stpe = 2.0"}, 1, "parameters", "did you mean 'step'"),
        ({"items-0-parameters": "cap = 1.2"}, 1, None, "do(es) not apply to method"),
        ({"items-0-parameters": 'step = 2.0, kind = "growth"'}, 1, "parameters", "'amount'"),
        ({"items-0-code": "steel", "items-0-indicator": ""}, 1, "code", "not an indicator"),
        ({"items-0-parameters": "step = "}, 1, "parameters", "Not TOML"),
        ({"items-0-parameters": "weight = 3"}, 1, "parameters", "own column"),
        ({"items-0-parameters": ""}, 1, "__all__", "exactly one of step"),
        ({"items-1-weight": "many"}, 2, "weight", "number"),
        ({"items-1-method": "guess"}, 2, "method", "valid choice"),
        ({"items-0-metric": "growth_vs_target"}, 1, None, "does not apply to a amount"),
    ],
)
def test_a_bad_item_is_shown_on_its_row_and_nothing_is_saved(
    world, as_user, changes, row, field, text
) -> None:
    client = as_user("office")
    before = snapshot()
    data = new_race_data(world, **changes)
    data.setdefault("items-1-code", "inspection")
    response = client.post(reverse("races:definition_new"), data)
    assert response.status_code == 400
    errors = row_errors(response, row)
    messages = errors.get(field, []) if field else [m for ms in errors.values() for m in ms]
    assert any(text in m for m in messages), errors
    assert text.replace("'", "&#x27;") in response.content.decode()
    assert snapshot() == before


def test_item_problem_lands_on_the_right_row_of_an_existing_race(world, race, as_user) -> None:
    client = as_user("office")
    url = reverse("races:definition_edit", args=[race.code])
    data = posted(client.get(url)) | {"items-2-metric": "growth"}
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code == 400
    assert (
        "metric 'growth' does not apply to a level indicator"
        in row_errors(response, 3)["__all__"][0]
    )
    assert not row_errors(response, 1) and not row_errors(response, 2)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("changes", "where", "text"),
    [
        ({"items-1-weight": "30"}, "top", "weights must sum to 100"),
        ({"tie_break": "nothing"}, "top", "tie_break names 'nothing'"),
        ({"thresholds_yellow_pp": "-1"}, "thresholds_yellow_pp", "greater than or equal to 0"),
        ({"flags_red": "-2"}, "flags_red", "greater than or equal to 0"),
        ({"decimals": "9"}, "decimals", "less than or equal to 6"),
        ({"year": "1200"}, "year", "greater than or equal to 1990"),
        ({"adjustments_category_caps": "safety = -1"}, "top", "category_caps"),
        ({"adjustments_category_caps": "safety ="}, "adjustments_category_caps", "Not TOML"),
        ({"name": ""}, "name", "required"),
        ({"groups": None}, "groups", "at least one race group"),
        ({"code": "has space"}, "code", "letters"),
        ({"code": "new"}, "code", "name of a page"),
        ({"objection_days": "400"}, "objection_days", "90"),
    ],
)
def test_a_bad_header_is_refused_and_nothing_is_saved(world, as_user, changes, where, text) -> None:
    client = as_user("office")
    before = snapshot()
    response = client.post(reverse("races:definition_new"), new_race_data(world, **changes))
    assert response.status_code == 400
    context = response.context
    if where == "top":
        shown = context["errors"]
    else:
        form = context["race_form"] if where in context["race_form"].fields else context["header"]
        shown = form.errors.get(where, [])
    assert any(text in m for m in shown), (shown, context["errors"])
    assert snapshot() == before


def test_a_duplicate_code_is_refused(world, race, as_user) -> None:
    client = as_user("office")
    before = snapshot()
    response = client.post(reverse("races:definition_new"), new_race_data(world, code="keywork"))
    assert response.status_code == 400
    assert response.context["race_form"].errors["code"]
    assert snapshot() == before


def test_the_weight_sum_runs(world, as_user) -> None:
    client = as_user("office")
    data = new_race_data(world, **{"items-1-weight": "30"})
    response = client.post(reverse("races:definition_weights"), data)
    assert response.status_code == 200
    assert "90 of 100" in response.content.decode()
    data["items-1-DELETE"] = "on"
    assert "60 of 100" in client.post(reverse("races:definition_weights"), data).content.decode()
    junk = client.post(reverse("races:definition_weights"), {"items-TOTAL_FORMS": "x"})
    assert "0 of 100" in junk.content.decode()
    page = client.get(reverse("races:definition_new"))
    assert 'id="weight-sum"' in page.content.decode()


# --- The rules page and the TOML export --------------------------------------------------------


def test_the_rules_page_shows_items_policies_and_history(world, race, as_user) -> None:
    response = as_user("leader").get(reverse("races:definition", args=[race.code]))
    assert response.status_code == 200
    body = response.content.decode()
    for text in (
        "Fixed-asset investment",
        "efficacy",
        "step = 5.0",
        "attainment",
        "no_distinction",
    ):
        assert text in body
    assert [r["code"] for r in response.context["items"]] == ["fai", "ivag", "pm25", "projects"]
    assert response.context["items"][2]["metric"] == "value"
    assert len(response.context["history"]) == 1
    assert "Edit the rules" not in body  # a leader reads, does not edit
    assert (
        "Edit the rules"
        in as_user("office").get(reverse("races:definition", args=[race.code])).content.decode()
    )


def test_the_rules_page_says_when_the_rules_no_longer_fit(world, race, as_user) -> None:
    Indicator.objects.filter(code="ivag").update(kind="amount")
    RaceDefinition.objects.filter(pk=race.pk).update(
        rules={**WORLD_RULES, "indicator": [{**WORLD_RULES["indicator"][0], "kind": "growth"}]}
    )
    response = as_user("office").get(reverse("races:definition", args=[race.code]))
    assert response.status_code == 200
    assert "no longer fit" in response.content.decode()


def test_the_toml_export_is_the_stored_rules_checked(world, race, as_user) -> None:
    response = as_user("leader").get(reverse("races:definition_toml", args=[race.code]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/toml")
    assert 'filename="keywork.toml"' in response["Content-Disposition"]
    text = response.content.decode()
    assert text == race_toml(race)
    assert parse_rules(text) == check_rules(race.rules)


def test_the_export_re_imported_is_an_equal_definition(world, race, as_user) -> None:
    client = as_user("office")
    text = client.get(reverse("races:definition_toml", args=[race.code])).content
    upload = _file("keywork.toml", text)
    response = client.post(
        reverse("races:definition_import"),
        {
            "code": "again",
            "name_zh": race.name_zh,
            "name_en": race.name_en,
            "groups": ["districts", "counties"],
            "rhythm": race.rhythm,
            "monthly_comment": "on",
            "objection_days": str(race.objection_days),
            "active": "on",
            "file": upload,
        },
    )
    assert response.status_code == 302, response.context["errors"]
    again = RaceDefinition.objects.get(code="again")
    assert check_rules(again.rules) == check_rules(race.rules)
    assert race_toml(again) == race_toml(race)
    assert (again.year, again.rhythm, set(again.groups.all())) == (
        race.year,
        race.rhythm,
        set(race.groups.all()),
    )


# --- Import and replace ------------------------------------------------------------------------


def _file(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/toml")


def import_data(**changes) -> dict:
    data = {
        "code": "imported",
        "name_zh": "导入",
        "name_en": "Imported",
        "groups": ["districts"],
        "rhythm": "quarter",
        "objection_days": "7",
        "active": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


GOOD_TOML = """
name = "Imported race"
year = 2026
tie_break = "fai"

[flags]
red = 1

[[indicator]]
code = "fai"
weight = 70
method = "efficacy"

[[indicator]]
code = "projects"
metric = "completion"
weight = 30
method = "attainment"
cap = 1.2
"""


def test_import_by_paste_and_by_file(world, as_user) -> None:
    client = as_user("office")
    assert client.get(reverse("races:definition_import")).status_code == 200
    response = client.post(reverse("races:definition_import"), import_data(text=GOOD_TOML))
    assert response.status_code == 302
    assert RaceDefinition.objects.get(code="imported").rules == tomllib.loads(GOOD_TOML)
    bom = b"\xef\xbb\xbf" + GOOD_TOML.encode()
    response = client.post(
        reverse("races:definition_import"),
        import_data(code="fromfile", file=_file("r.toml", bom)),
    )
    assert response.status_code == 302
    assert RaceDefinition.objects.get(code="fromfile").rules == tomllib.loads(GOOD_TOML)


BAD_TOML = {
    "syntax": ('name = "x\nyear = 2026', "TOML syntax error"),
    "unknown key": (
        GOOD_TOML.replace("[flags]\nred = 1", "[flags]\nred_wen = 1"),
        "flags.red_wen: unknown key (did you mean &#x27;red_when&#x27;?)",
    ),
    "weights": (GOOD_TOML.replace("weight = 30", "weight = 20"), "weights must sum to 100"),
    "unknown indicator": (
        GOOD_TOML.replace('code = "projects"', 'code = "steel"').replace('tie_break = "fai"', ""),
        "indicator[2].code: &#x27;steel&#x27; is not an indicator in Saima",
    ),
    "kind": (
        GOOD_TOML.replace('code = "fai"', 'code = "fai"\nkind = "growth"'),
        "indicator[1].kind: the rules say &#x27;growth&#x27;, but indicator &#x27;fai&#x27;",
    ),
    "no items": ('name = "x"\nyear = 2026\n', "indicator: is required"),
    "NaN": (GOOD_TOML.replace("cap = 1.2", "cap = 1.2\nqualify = nan"), "finite number"),
    "NUL": (GOOD_TOML.replace('"Imported race"', '"a\\u0000b"'), "NUL character"),
}


@pytest.mark.parametrize("case", BAD_TOML)
def test_bad_toml_is_refused_clearly_and_nothing_is_saved(world, race, as_user, case) -> None:
    text, message = BAD_TOML[case]
    client = as_user("office")
    before = snapshot()
    response = client.post(reverse("races:definition_import"), import_data(text=text))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Nothing was saved." in response.content.decode()
    assert snapshot() == before
    # the same file replacing the rules of an existing race
    response = client.post(
        reverse("races:definition_edit", args=[race.code]),
        {"action": "replace", "file": _file("rules.toml", text.encode())},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"file": "latin"}, "is not UTF-8 text"),
        ({"file": "big"}, "at most 1 MB"),
        ({"file": "binary"}, "is not a text file"),
        ({}, "Upload a rules file or paste the rules."),
        ({"text": GOOD_TOML, "file": "good"}, "not both"),
        ({"text": "x" * (1024 * 1024 + 1)}, "at most 1 MB"),
        ({"text": GOOD_TOML, "groups": None}, "Choose at least one race group."),
        ({"text": GOOD_TOML, "code": "keywork"}, "already exists"),
        ({"text": GOOD_TOML, "rhythm": "weekly"}, "valid choice"),
    ],
)
def test_bad_imports_are_refused_clearly(world, race, as_user, data, message) -> None:
    files = {
        "latin": _file("r.toml", 'name = "Qīnghé"\n'.encode("latin-1", "replace") + b"\xe9\xff"),
        "big": _file("r.toml", b"# " + b"x" * (1024 * 1024)),
        "binary": _file("r.toml", b"\x00\x01\x02"),
        "good": _file("r.toml", GOOD_TOML.encode()),
    }
    if "file" in data:
        data = data | {"file": files[data["file"]]}
    before = snapshot()
    response = as_user("office").post(reverse("races:definition_import"), import_data(**data))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot() == before


def test_replace_the_rules_from_toml(world, race, as_user) -> None:
    client = as_user("office")
    response = client.post(
        reverse("races:definition_edit", args=[race.code]),
        {"action": "replace", "text": GOOD_TOML},
    )
    assert response.status_code == 302
    race.refresh_from_db()
    assert race.rules == tomllib.loads(GOOD_TOML)
    assert (race.code, race.name_en, race.revision) == ("keywork", "Key-work race", 2)
    assert {g.code for g in race.groups.all()} == {"districts", "counties"}
    assert parse_toml(race_toml(race))["indicator"][1]["kind"] == "count"
