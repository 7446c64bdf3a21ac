"""API: bad input gets 400 (404 for what does not exist), never 500, and writes nothing."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saima.org.tests.api_helpers import call, client_for, snapshot
from saima.testing import examples

FIGURE = "/api/observations/east/fai/2026-06"
TARGET = "/api/targets/east/fai/2026"

# fmt: off
#: (method, path, body, status, the field the error names (None: no field list expected))
CASES = [
    # periods that do not parse, or are in the future
    ("GET", "/api/observations?period=2026-13",   None, 400, "period"),
    ("GET", "/api/observations?period=garbage",   None, 400, "period"),
    ("GET", "/api/observations?period=2026-W14",  None, 400, "period"),
    ("GET", "/api/observations?period=1800-01",   None, 400, "period"),
    ("GET", "/api/observations?period=2100-12",   None, 400, "period"),
    ("GET", "/api/observations",                  None, 400, "period"),
    ("GET", "/api/progress?period=2100-12",       None, 400, "period"),
    ("GET", "/api/progress?period=",              None, 400, "period"),
    ("GET", f"{FIGURE[:-7]}2026-00/history",      None, 400, "period"),
    ("PUT", "/api/observations/east/fai/2100-12", {"value": "1"}, 400, "period"),
    ("PUT", "/api/observations/east/fai/2026-13", {"value": "1"}, 400, "period"),
    ("PUT", "/api/observations/east/fai/soon",    {"value": "1"}, 400, "period"),
    # years out of range or not numbers
    ("GET", "/api/targets?year=1800",             None, 400, "year"),
    ("GET", "/api/targets?year=2101",             None, 400, "year"),
    ("GET", "/api/targets?year=next",             None, 400, "year"),
    ("GET", "/api/targets",                       None, 400, "year"),
    ("PUT", "/api/targets/east/fai/3000",         {"value": "1"}, 400, "year"),
    ("PUT", "/api/targets/east/fai/twenty",       {"value": "1"}, 400, "year"),
    # figures that are not numbers, out of range, or too precise
    ("PUT", FIGURE, {"value": "abc"},                      400, "value"),
    ("PUT", FIGURE, {"value": "12abc"},                    400, "value"),
    ("PUT", FIGURE, {"value": True},                       400, "value"),
    ("PUT", FIGURE, {"value": [1]},                        400, "value"),
    ("PUT", FIGURE, {"value": {"amount": 1}},              400, "value"),
    ("PUT", FIGURE, {"value": "NaN"},                      400, "value"),
    ("PUT", FIGURE, {"value": "-Infinity"},                400, "value"),
    ("PUT", FIGURE, {"value": "1e20"},                     400, "value"),
    ("PUT", FIGURE, {"value": "1e99999999999"},            400, "value"),
    ("PUT", FIGURE, {"value": "-1E999999999"},             400, "value"),
    ("PUT", TARGET, {"value": "1e99999999999"},            400, "value"),
    # text no database can keep, in a query
    ("GET", "/api/targets?year=2026&unit=east%00",     None, 400, "unit"),
    ("GET", "/api/observations?indicator=fai%00",      None, 400, "indicator"),
    ("PUT", FIGURE, {"value": 10**30},                     400, "value"),
    ("PUT", FIGURE, {"value": "99999999999999.999999"},    400, "value"),
    ("PUT", FIGURE, {"value": "0.0000001"},                400, "value"),
    ("PUT", FIGURE, {"value": "-5"},                       400, "value"),
    ("PUT", FIGURE, {"value": "1" * 65},                   400, "value"),
    ("PUT", FIGURE, {"value": "1", "last_year_value": "x"}, 400, "last_year_value"),
    ("PUT", FIGURE, {"value": "1", "growth": {"a": 1}},    400, "growth"),
    ("PUT", FIGURE, {"value": "1", "note": "x" * 4001},    400, "note"),
    ("PUT", FIGURE, {"value": "1", "note": "nul\x00"},     400, "note"),
    ("PUT", FIGURE, {"value": "1", "note": "\ud800"},      400, "note"),
    ("PUT", FIGURE, {"value": "1", "note": 7},             400, "note"),
    ("PUT", FIGURE, {"value": "1", "entered_by": 1},       400, "entered_by"),
    ("PUT", FIGURE, {},                                    400, "value"),
    ("PUT", FIGURE, [1, 2],                                400, "body"),
    ("PUT", TARGET, {"value": "many"},                     400, "value"),
    ("PUT", TARGET, {"value": None},                       400, "value"),
    ("PUT", TARGET, {"value": "-3"},                       400, "value"),
    ("PUT", TARGET, {"value": "0"},                        400, "value"),
    ("PUT", TARGET, {"value": "1", "not_applicable": "yes"}, 400, "not_applicable"),
    ("PUT", TARGET, {"value": "1", "last_year_total": "?"}, 400, "last_year_total"),
    ("PUT", TARGET, {"value": "1", "profile": [50, 100]},  400, "profile"),
    ("POST", "/api/tokens", {"name": "\ud800"},            400, "name"),
    ("POST", "/api/tokens", {"name": ["list"]},            400, "name"),
    # codes that cannot be codes
    ("GET", "/api/units/a%20b",                   None, 400, "code"),
    ("GET", "/api/indicators/%00",                None, 400, "code"),
    ("GET", "/api/targets?year=2026&unit=%00",    None, 400, "unit"),
    ("PUT", "/api/observations/east/fai%00/2026-06", {"value": "1"}, 400, "indicator"),
    ("PUT", "/api/observations/east/fai/2026-06%00", {"value": "1"}, 400, "period"),
    ("GET", "/api/progress?period=" + "2" * 17,   None, 400, "period"),
    # what does not exist
    ("GET", "/api/targets?year=2026&unit=nowhere",         None, 404, None),
    ("GET", "/api/targets?year=2026&indicator=nothing",    None, 404, None),
    ("GET", "/api/observations?period=2026-06&unit=nowhere", None, 404, None),
    ("GET", "/api/progress?period=2026-06&indicator=nothing", None, 404, None),
    ("GET", "/api/observations/nowhere/fai/2026-06/history", None, 404, None),
    ("PUT", "/api/observations/nowhere/fai/2026-06", {"value": "1"}, 404, None),
    ("PUT", "/api/observations/east/nothing/2026-06", {"value": "1"}, 404, None),
    ("PUT", "/api/targets/nowhere/fai/2026",        {"value": "1"}, 404, None),
    ("PUT", "/api/targets/east/nothing/2026",       {"value": "1"}, 404, None),
    ("DELETE", "/api/tokens/999999",                None, 404, None),
    ("DELETE", "/api/tokens/abc",                   None, 400, "token_id"),
]
# fmt: on

#: Bodies that are not JSON at all (or not a JSON object).
RAW = [b"{not json", b"", b"\xff\xfe", b"null", b'"a string"', b"[", b"{" * 100_000]


@pytest.mark.parametrize(("method", "path", "body", "status", "field"), CASES)
def test_bad_input_is_refused_and_writes_nothing(world, method, path, body, status, field):
    client = client_for(world, "office")
    before = snapshot()

    response = call(client, method, path, body)

    assert response.status_code == status, response.content
    payload = response.json()
    assert payload["detail"]
    if field is not None:
        assert field in payload["errors"], payload
    assert snapshot() == before


@pytest.mark.parametrize("raw", RAW)
@pytest.mark.parametrize("path", [FIGURE, TARGET, "/api/tokens"])
def test_a_body_that_is_not_a_json_object_gets_400(world, path, raw):
    client = client_for(world, "office")
    before = snapshot()

    response = call(client, "POST" if path == "/api/tokens" else "PUT", path, raw=raw)

    assert response.status_code == 400, response.content
    assert response.json()["detail"]
    assert snapshot() == before


def test_a_reporter_cannot_store_another_units_figure_even_with_a_bad_value(world):
    client = client_for(world, "east_reporter", "token")
    before = snapshot()

    good = call(client, "PUT", "/api/observations/west/fai/2026-06", {"value": "1"})
    bad = call(client, "PUT", "/api/observations/west/fai/2026-06", {"value": "abc"})
    leader = call(client_for(world, "leader"), "PUT", FIGURE, {"value": "abc"})

    assert (good.status_code, bad.status_code, leader.status_code) == (403, 403, 403)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("path", "body", "errors"),
    [
        (FIGURE, {"value": "1", "growth": "lots"}, {"growth": ["'lots' is not a number."]}),
        (FIGURE, {"growth": "1"}, {"value": ["This field is required."]}),
        (FIGURE, {"value": "1", "extra": 1}, {"extra": ["This field is not expected here."]}),
        (TARGET[:-4] + "1989", {"value": "1"}, {"year": ["Give at least 1990."]}),
        (TARGET, {"value": "1", "not_applicable": 1}, {"not_applicable": ["Give true or false."]}),
    ],
)
def test_validation_errors_say_which_field_in_words(world, path, body, errors):
    response = call(client_for(world, "office"), "PUT", path, body)

    assert response.status_code == 400
    assert response.json()["errors"] == errors


# --- Property: arbitrary JSON never makes a 500, and a refusal writes nothing --------------------

JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.decimals(allow_nan=False, allow_infinity=False).map(str)
    | st.text(max_size=30)
    | st.sampled_from(
        [
            "NaN",
            "nan",
            "inf",
            "-Infinity",
            "1e999",
            "1e-999",
            "1,234.5",
            " 12 ",
            "0x10",
            "١٢",
            "",
            "-0",
        ]
    )
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children)
    ),
    max_leaves=6,
)
FIELDS = ("value", "last_year_value", "growth", "note")
BODIES = st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES) | JSON_VALUES


@settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=BODIES, period=st.sampled_from(["2026-06", "2026-07", "2026-Q1"]))
def test_arbitrary_json_never_makes_a_500(world, body, period):
    client = client_for(world, "east_reporter")
    before = snapshot()

    response = call(
        client, "PUT", f"/api/observations/east/fai/{period}", raw=json.dumps(body).encode()
    )

    assert response.status_code in (200, 400), response.content
    json.loads(response.content)  # always a JSON answer
    if response.status_code != 200:
        assert snapshot() == before
