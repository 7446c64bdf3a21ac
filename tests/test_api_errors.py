"""Every refused API request is answered in JSON, whatever refused it, and nothing a caller sends
in a path reaches the database unchecked (PostgreSQL refuses a NUL byte with a server error)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from saima.testing import make_race


def _json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response.content[:300]
    body = response.json()
    assert body["detail"]
    return body


@pytest.mark.parametrize(
    "path",
    [
        "/api/races/key%00work/publications",
        "/api/races/keywork/results/2026-Q1%00",
        "/api/races/keywork/results/2026-Q1/explanation/ea%00st",
        "/api/units/east%00",
        "/api/observations/east/fai/2026-06%00/history",
        "/api/races/keywork/2026-Q1x/statements",
        "/api/races/keywork/adjustments/99999999999999999999999/evidence",
    ],
)
def test_a_path_value_that_is_not_a_code_or_period_is_a_json_400(as_user, world, path):
    make_race(world)
    client = as_user("office")
    response = client.get(path) if "evidence" not in path else client.post(path)
    body = _json_error(response, 400)
    assert body.get("errors")


def test_an_unknown_api_address_is_a_json_404(as_user):
    _json_error(as_user("office").get("/api/nowhere"), 404)


def test_a_malformed_body_is_a_json_400(as_user):
    response = as_user("office").post(
        "/api/reporting/figures", "{not json", content_type="application/json"
    )
    assert "JSON" in _json_error(response, 400)["detail"]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_a_body_too_large_is_a_json_400(as_user):
    body = '{"rows": []}' + " " * 4096
    response = as_user("office").post(
        "/api/reporting/figures", body, content_type="application/json"
    )
    assert "larger than" in _json_error(response, 400)["detail"]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_a_form_body_too_large_is_a_json_400_before_any_route(as_user):
    response = as_user("office").post(
        "/api/nowhere", {"text": "x" * 4096}, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (400, 404)
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("day", ["0", "1700000000", "2026-1-5", "yesterday"])
def test_a_day_not_written_yyyy_mm_dd_is_a_json_400(as_user, day):
    """Pydantic alone would read a number as a timestamp (schemathesis found `start=0` taken)."""
    client = as_user("office")
    _json_error(client.get(f"/api/supervision/rates?start={day}"), 400)
    assert client.get("/api/supervision/rates?start=2026-01-01").status_code == 200
