"""API: units and race groups, the two auth kinds, API tokens, CSRF and the OpenAPI document."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from saima.metrics.models import Observation
from saima.org.models import ApiToken
from saima.org.services import api_token_create, api_token_revoke
from saima.org.tests.api_helpers import call, client_for, snapshot

FIGURE = {"value": "80.5"}


def _codes(response) -> list[str]:
    return [row["code"] for row in response.json()]


# --- Units and race groups -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "codes"),
    [
        ("office", ["city", "east", "west", "north"]),
        ("leader", ["city", "east", "west", "north"]),
        ("east_reporter", ["east"]),
        ("west_approver", ["west"]),
        ("stranger", []),
    ],
)
def test_units_lists_only_readable_units(world, persona, codes):
    response = client_for(world, persona).get("/api/units")

    assert response.status_code == 200
    assert _codes(response) == codes


def test_unit_detail_names_parent_and_race_group(world):
    response = client_for(world, "east_reporter", "token").get("/api/units/east")

    assert response.json() == {
        "code": "east",
        "name_zh": "东城区",
        "name_en": "East District",
        "kind": "district",
        "parent": "city",
        "race_group": "districts",
        "active": True,
    }


def test_unit_refusals_say_why(world):
    client = client_for(world, "west_approver")

    assert "East District" in client.get("/api/units/east").json()["detail"]
    assert "nowhere" in client.get("/api/units/nowhere").json()["detail"]


def test_race_groups(world):
    response = client_for(world, "stranger").get("/api/race-groups")

    assert [group["code"] for group in response.json()] == ["counties", "districts"]
    assert response.json()[1] == {
        "code": "districts",
        "name_zh": "城区组",
        "name_en": "Districts",
        "order": 0,
    }


# --- Tokens --------------------------------------------------------------------------------------


def test_token_key_is_shown_once_and_works(world):
    client = client_for(world, "east_reporter")

    created = call(client, "POST", "/api/tokens", {"name": "  nightly import  "})

    assert created.status_code == 201
    key = created.json()["key"]
    assert key.startswith("saima_")
    assert created.json()["name"] == "nightly import"
    assert key.startswith(created.json()["prefix"])
    listed = client.get("/api/tokens").json()
    assert [token["name"] for token in listed] == ["nightly import"]
    assert "key" not in listed[0]
    assert key not in json.dumps(listed)
    assert not ApiToken.objects.filter(digest=key).exists()  # only the hash is kept
    script = Client(headers={"Authorization": f"Bearer {key}"})
    assert _codes(script.get("/api/units")) == ["east"]
    assert client.get("/api/tokens").json()[0]["last_used_at"] is not None


def test_tokens_lists_only_own(world):
    api_token_create(user=world.user("office"), name="office's")
    api_token_create(user=world.user("leader"), name="leader's")

    listed = client_for(world, "leader").get("/api/tokens").json()

    assert [token["name"] for token in listed] == ["leader's"]


def test_revoked_token_gets_401(world):
    token, key = api_token_create(user=world.user("east_reporter"), name="script")
    script = Client(headers={"Authorization": f"Bearer {key}"})
    assert script.get("/api/units").status_code == 200

    response = client_for(world, "east_reporter").delete(f"/api/tokens/{token.pk}")

    assert response.status_code == 204
    refused = script.get("/api/units")
    assert refused.status_code == 401
    assert refused.json()["detail"]
    listed = client_for(world, "east_reporter").get("/api/tokens").json()
    assert listed[0]["revoked_at"] is not None


def test_revoking_twice_keeps_the_first_time(world):
    token, _key = api_token_create(user=world.user("office"), name="script")
    api_token_revoke(token=token)
    first = ApiToken.objects.get(pk=token.pk).revoked_at

    response = client_for(world, "office").delete(f"/api/tokens/{token.pk}")

    assert response.status_code == 204
    assert ApiToken.objects.get(pk=token.pk).revoked_at == first


@pytest.mark.parametrize(
    "header",
    [
        "Bearer saima_wrong",
        "Bearer saima_",
        "Bearer not-even-a-saima-token",
        "Bearer " + "saima_" + "x" * 300,
        "Bearer ",
    ],
)
def test_wrong_token_gets_401_and_writes_nothing(world, header):
    client = Client(headers={"Authorization": header})
    before = snapshot()

    reads = client.get("/api/units")
    writes = call(client, "PUT", "/api/observations/east/fai/2026-06", FIGURE)

    assert (reads.status_code, writes.status_code) == (401, 401)
    assert snapshot() == before


def test_wrong_token_is_not_rescued_by_a_session(world):
    """A wrong token is refused outright, even when a session cookie comes with it."""
    client = client_for(world, "office")
    client.defaults["HTTP_AUTHORIZATION"] = "Bearer saima_wrong"

    assert client.get("/api/units").status_code == 401


def test_token_of_a_deactivated_person_gets_401(world):
    user = world.user("east_reporter")
    _token, key = api_token_create(user=user, name="script")
    user.is_active = False
    user.save(update_fields=["is_active"])

    response = Client(headers={"Authorization": f"Bearer {key}"}).get("/api/units")

    assert response.status_code == 401


def test_token_cannot_mint_tokens(world):
    client = client_for(world, "office", "token")
    before = ApiToken.objects.count()

    response = call(client, "POST", "/api/tokens", {"name": "another"})

    assert response.status_code == 403
    assert "sign in" in response.json()["detail"]
    assert ApiToken.objects.count() == before


@pytest.mark.parametrize("body", [{"name": ""}, {"name": "   "}, {"name": "x" * 101}, {}, {"n": 1}])
def test_token_needs_a_name(world, body):
    client = client_for(world, "office")
    before = ApiToken.objects.count()

    response = call(client, "POST", "/api/tokens", body)

    assert response.status_code == 400
    assert "name" in response.json()["errors"]
    assert ApiToken.objects.count() == before


def test_anonymous_gets_401_with_a_message(db):
    response = Client().get("/api/units")

    assert response.status_code == 401
    assert response.json()["detail"]


# --- CSRF ----------------------------------------------------------------------------------------

CSRF = "a" * 32


def test_session_writes_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("east_reporter"))
    before = snapshot()

    refused = call(client, "PUT", "/api/observations/east/fai/2026-06", FIGURE)

    assert refused.status_code == 403
    assert snapshot() == before
    assert client.get("/api/units").status_code == 200  # reads need no CSRF token
    client.cookies["csrftoken"] = CSRF
    client.defaults["HTTP_X_CSRFTOKEN"] = CSRF
    accepted = call(client, "PUT", "/api/observations/east/fai/2026-06", FIGURE)
    assert accepted.status_code == 200


def test_token_writes_need_no_csrf_token(world):
    _token, key = api_token_create(user=world.user("east_reporter"), name="script")
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {key}"})

    response = call(client, "PUT", "/api/observations/east/fai/2026-06", FIGURE)

    assert response.status_code == 200
    observation = Observation.objects.get(
        unit__code="east", indicator__code="fai", year=2026, month=6
    )
    assert observation.entered_by == world.user("east_reporter")


def test_anonymous_write_without_csrf_gets_401(db):
    response = call(Client(enforce_csrf_checks=True), "PUT", "/api/targets/east/fai/2026", {})

    assert response.status_code == 401


# --- OpenAPI -------------------------------------------------------------------------------------


def test_openapi_document_lists_every_route(db):
    response = Client().get("/api/openapi.json")

    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    expected = {
        "/api/units": {"get"},
        "/api/units/{code}": {"get"},
        "/api/race-groups": {"get"},
        "/api/indicators": {"get"},
        "/api/indicators/{code}": {"get"},
        "/api/targets": {"get"},
        "/api/targets/{unit}/{indicator}/{year}": {"put"},
        "/api/observations": {"get"},
        "/api/observations/{unit}/{indicator}/{period}": {"put"},
        "/api/observations/{unit}/{indicator}/{period}/history": {"get"},
        "/api/progress": {"get"},
        "/api/tokens": {"get", "post"},
        "/api/tokens/{token_id}": {"delete"},
    }
    assert {path: set(paths[path]) for path in expected} == expected
    assert set(document["components"]["securitySchemes"]) == {"TokenAuth", "SessionAuth"}


def test_docs_page_is_served_from_local_files(world):
    response = client_for(world, "office").get("/api/docs")

    assert response.status_code == 200
    # Swagger UI comes from the vendored static files, so the docs work on a closed network.
    assert b"/static/ninja/swagger-ui-bundle.js" in response.content
    assert b"cdn." not in response.content
