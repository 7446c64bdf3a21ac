"""The reporting API: status, workflow steps and figures; 400/403/404, never 500."""

from __future__ import annotations

import pytest

from saima.metrics.models import Observation
from saima.org.tests.api_helpers import call, client_for
from saima.reporting.models import Submission
from saima.reporting.tests.conftest import EAST_OCTOBER, set_status

FIGURES = "/api/reporting/figures"


def rows(unit: str, values: dict, period: str = "2026-10") -> list[dict]:
    return [
        {"unit": unit, "indicator": code, "period": period, "value": value}
        for code, value in values.items()
    ]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("office", 200),
        ("leader", 200),
        ("east_reporter", 403),
        ("west_approver", 403),
        ("stranger", 403),
        ("anonymous", 401),
    ],
)
def test_status_permissions(world, persona, status):
    response = call(client_for(world, persona), "GET", "/api/reporting/status?period=2026-10")
    assert response.status_code == status


def test_status_content(world):
    set_status(world, "east", 10, "submitted")
    body = call(client_for(world, "office", "token"), "GET", "/api/reporting/status?period=2026-10")
    data = body.json()
    assert (data["period"], data["due_on"], data["locked"]) == ("2026-10", "2026-11-08", False)
    assert {u["unit"]: u["status"] for u in data["units"]} == {
        "north": "late",
        "east": "submitted",
        "west": "late",
    }
    assert data["counts"]["late"] == 2


@pytest.mark.parametrize(
    "query", ["", "?period=", "?period=2026-13", "?period=2026-W14", "?period=" + "9" * 40]
)
def test_status_bad_period(world, query):
    response = call(client_for(world, "office"), "GET", f"/api/reporting/status{query}")
    assert response.status_code == 400
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("persona", "action", "start", "status"),
    [
        ("east_reporter", "submit", "draft", 403),  # West is not theirs
        ("west_approver", "approve", "submitted", 200),
        ("west_approver", "accept", "approved", 403),
        ("office", "accept", "approved", 200),
        ("office", "accept", "submitted", 400),
        ("west_approver", "return", "submitted", 200),
        ("leader", "return", "submitted", 403),
        ("stranger", "approve", "submitted", 403),
        ("anonymous", "approve", "submitted", 401),
    ],
)
def test_transitions(world, persona, action, start, status):
    set_status(world, "west", 6, start)
    path = f"/api/reporting/submissions/west/2026-06/{action}"
    response = call(client_for(world, persona, "token"), "POST", path, {"comment": "Why?"})
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["unit"] == "west"
        stored = Submission.objects.get(unit=world.units["west"], year=2026, month=6)
        assert response.json()["status"] == stored.status != start


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/reporting/submissions/nowhere/2026-06/submit", 404),
        ("/api/reporting/submissions/west/2026-06/publish", 400),
        ("/api/reporting/submissions/west/June/approve", 400),
        ("/api/reporting/submissions/we st/2026-06/approve", 400),
    ],
)
def test_transition_bad_input(world, path, status):
    response = call(client_for(world, "office"), "POST", path, {})
    assert response.status_code == status


def test_transition_without_body_and_with_junk(world):
    set_status(world, "west", 6, "submitted")
    office = client_for(world, "office", "token")
    path = "/api/reporting/submissions/west/2026-06/approve"
    assert call(office, "POST", path, raw=b"{not json").status_code == 400
    assert call(office, "POST", path, {"comment": 5, "extra": 1}).status_code == 400
    assert call(office, "POST", path).status_code == 200


def test_post_figures(world):
    reporter = client_for(world, "east_reporter", "token")
    response = call(reporter, "POST", FIGURES, {"rows": rows("east", EAST_OCTOBER)})
    assert response.status_code == 200, response.content
    data = response.json()
    assert [(s["indicator"], s["value"], s["version"]) for s in data["stored"]] == [
        ("fai", "120.5", 1),
        ("ivag", "7.7", 1),
        ("pm25", "30.5", 1),
        ("projects", "24", 1),
    ]
    assert data["findings"] == [] and data["unchanged"] == 0
    conflict = rows("east", {"fai": "121"})
    conflict[0]["version"] = 0
    refused = call(reporter, "POST", FIGURES, {"rows": conflict})
    assert refused.status_code == 400
    assert refused.json()["errors"]["rows.0"][0].startswith("Changed by east_reporter at ")
    conflict[0]["version"] = 1
    assert call(reporter, "POST", FIGURES, {"rows": conflict}).status_code == 200


@pytest.mark.parametrize(
    ("persona", "unit", "status"),
    [
        ("east_reporter", "west", 403),
        ("west_approver", "west", 403),
        ("leader", "east", 403),
        ("stranger", "east", 403),
        ("office", "nowhere", 404),
        ("anonymous", "east", 401),
    ],
)
def test_post_figures_refused(world, persona, unit, status):
    response = call(client_for(world, persona), "POST", FIGURES, {"rows": rows(unit, {"fai": 1})})
    assert response.status_code == status
    assert not Observation.objects.filter(year=2026, month=10).exists()


@pytest.mark.parametrize(
    "body",
    [
        {"rows": [{"unit": "east", "indicator": "fai", "period": "2026-10", "value": "x"}]},
        {"rows": [{"unit": "east", "indicator": "fai", "period": "2026-12", "value": 1}]},
        {"rows": [{"unit": "east", "indicator": "fai", "period": "2026-W3", "value": 1}]},
        {"rows": [{"unit": "east", "indicator": "nope", "period": "2026-10", "value": 1}]},
        {"rows": [{"unit": "east", "indicator": "fai", "period": "2026-10", "value": [1]}]},
        {"rows": [{"unit": "east", "indicator": "fai", "period": "2026-10", "value": "1e400"}]},
        {"rows": [{"unit": "east", "indicator": "fai", "period": "2026-10"}], "junk": 1},
        {"rows": "east"},
        {},
    ],
)
def test_post_figures_bad_input_is_400(world, body):
    response = call(client_for(world, "office"), "POST", FIGURES, body)
    assert response.status_code == 400, response.content
    assert response.json()["detail"]
    assert not Observation.objects.filter(year=2026, month__in=[10, 12]).exists()


def test_post_figures_is_atomic(world):
    body = {"rows": rows("east", {"fai": "120", "ivag": "abc", "pm25": "30"})}
    response = call(client_for(world, "office"), "POST", FIGURES, body)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["rows.1"]
    assert not Observation.objects.filter(year=2026, month=10).exists()


def test_post_figures_with_acknowledgement(world):
    body = {
        "rows": [
            {
                "unit": "east",
                "indicator": "fai",
                "period": "2026-10",
                "value": "120.5",
                "last_year_value": "100",
                "growth": "5",
                "acknowledgements": {"growth_mismatch": "Bureau's own base."},
            }
        ]
    }
    response = call(client_for(world, "east_reporter"), "POST", FIGURES, body)
    assert response.status_code == 200
    (finding,) = response.json()["findings"]
    assert (finding["check"], finding["severity"], finding["acknowledged"]) == (
        "growth_mismatch",
        "warning",
        True,
    )


def test_openapi_lists_the_routes(world):
    paths = call(client_for(world, "office"), "GET", "/api/openapi.json").json()["paths"]
    assert "/api/reporting/status" in paths
    assert "/api/reporting/submissions/{unit}/{period}/{action}" in paths
    assert "/api/reporting/figures" in paths
