"""The API's permission matrix: every route × every persona × both auth kinds.

Each row is one request with the status each persona gets by session (office, leader, East's
reporter, West's approver, a stranger) and anonymously. A token gets the same statuses, except
where `TOKEN_DIFFERS` says otherwise (a token cannot mint tokens). A refused write leaves the
database exactly as it was.
"""

from __future__ import annotations

import pytest

from saima.org.services import api_token_create, user_create
from saima.org.tests.api_helpers import AUTH_KINDS, call, client_for, snapshot
from saima.testing import PERSONAS

TARGET = {"value": "150", "not_applicable": False, "last_year_total": None}
FIGURE = {"value": "80.5", "last_year_value": "70", "growth": None, "note": "api"}
NAME = {"name": "script"}

# fmt: off
#: off = office, lead = leader, east = East's reporter, west = West's approver, str = stranger.
MATRIX = [
    # method   path under /api                            body    off  lead east west str  anon
    ("GET",    "/units",                                  None,   200, 200, 200, 200, 200, 401),
    ("GET",    "/units/east",                             None,   200, 200, 200, 403, 403, 401),
    ("GET",    "/units/west",                             None,   200, 200, 403, 200, 403, 401),
    ("GET",    "/units/nowhere",                          None,   404, 404, 404, 404, 404, 401),
    ("GET",    "/race-groups",                            None,   200, 200, 200, 200, 200, 401),
    ("GET",    "/indicators",                             None,   200, 200, 200, 200, 200, 401),
    ("GET",    "/indicators/fai",                         None,   200, 200, 200, 200, 200, 401),
    ("GET",    "/indicators/nothing",                     None,   404, 404, 404, 404, 404, 401),
    ("GET",    "/targets?year=2026",                      None,   200, 200, 200, 200, 200, 401),
    ("GET",    "/targets?year=2026&unit=east",            None,   200, 200, 200, 403, 403, 401),
    ("PUT",    "/targets/east/fai/2026",                  TARGET, 200, 403, 403, 403, 403, 401),
    ("PUT",    "/targets/west/fai/2026",                  TARGET, 200, 403, 403, 403, 403, 401),
    ("GET",    "/observations?period=2026-06",            None,   200, 200, 200, 200, 200, 401),
    ("GET",    "/observations?period=2026-06&unit=east",  None,   200, 200, 200, 403, 403, 401),
    ("PUT",    "/observations/east/fai/2026-06",          FIGURE, 200, 403, 200, 403, 403, 401),
    ("PUT",    "/observations/west/fai/2026-06",          FIGURE, 200, 403, 403, 403, 403, 401),
    ("GET",    "/observations/east/fai/2026-06/history",  None,   200, 200, 200, 403, 403, 401),
    ("GET",    "/observations/west/fai/2026-06/history",  None,   200, 200, 403, 200, 403, 401),
    ("GET",    "/progress?period=2026-06",                None,   200, 200, 200, 200, 200, 401),
    ("GET",    "/progress?period=2026-06&unit=west",      None,   200, 200, 403, 200, 403, 401),
    ("GET",    "/tokens",                                 None,   200, 200, 200, 200, 200, 401),
    ("POST",   "/tokens",                                 NAME,   201, 201, 201, 201, 201, 401),
    ("DELETE", "/tokens/{own_token}",                     None,   204, 204, 204, 204, 204, 401),
    ("DELETE", "/tokens/{other_token}",                   None,   404, 404, 404, 404, 404, 401),
]

#: Where a token's statuses differ from the session's (off, lead, east, west, str as above).
TOKEN_DIFFERS = {
    ("POST", "/tokens"):                                          (403, 403, 403, 403, 403),
}
# fmt: on

SIGNED_IN = PERSONAS[:5]


def _cases():
    for method, path, body, *statuses in MATRIX:
        expected = dict(zip(PERSONAS, statuses, strict=True))
        for persona in SIGNED_IN:
            for auth in AUTH_KINDS:
                status = expected[persona]
                if auth == "token" and (method, path) in TOKEN_DIFFERS:
                    status = TOKEN_DIFFERS[(method, path)][SIGNED_IN.index(persona)]
                yield pytest.param(
                    method,
                    path,
                    body,
                    persona,
                    auth,
                    status,
                    id=f"{method} {path} {persona} {auth}",
                )
        yield pytest.param(
            method, path, body, "anonymous", "none", expected["anonymous"],
            id=f"{method} {path} anonymous",
        )  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body", "persona", "auth", "status"), list(_cases()))
def test_permission_matrix(world, method, path, body, persona, auth, status):
    owner = world.user("office" if persona == "anonymous" else persona)
    own, _key = api_token_create(user=owner, name="spare")
    bystander = user_create(username="bystander", password="x-unused-x", roles=[])
    other, _key = api_token_create(user=bystander, name="not yours")
    path = "/api" + path.format(own_token=own.pk, other_token=other.pk)
    client = client_for(world, persona, auth)
    before = snapshot()

    response = call(client, method, path, body)

    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json") or status == 204
    if method != "GET" and status >= 400:
        assert snapshot() == before
