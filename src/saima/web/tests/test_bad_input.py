"""Bad input is a 400, 403 or 404 page with a message, never a 500 (with DEBUG off)."""

from __future__ import annotations

import pytest
from django.test import override_settings

pytestmark = pytest.mark.usefixtures("world")

BAD_PERIODS = [
    pytest.param("?period=nonsense", "is not a period", id="not-a-period"),
    pytest.param("?period=2026-13", "is not a period", id="month-13"),
    pytest.param("?period=2026-W14", "is not a period", id="week"),
    pytest.param("?period=2099-01", "has not happened yet", id="future"),
    pytest.param("?period=2026-12", "has not happened yet", id="later-this-year"),
    pytest.param("?period=%ZZ", "is not a period", id="bad-escape"),
    pytest.param("?period=%FF%FE", "is not a period", id="not-utf8"),
    pytest.param("?period=2026-06&period=2026-05", "Give one period, not 2", id="repeated"),
    pytest.param("?period=" + "2026" * 1000, "too long", id="too-long"),
    pytest.param("?period=1800-01", "is not a period", id="year-out-of-range"),
]
PAGES = ["/", "/units/", "/units/east/", "/indicators/", "/indicators/fai/"]


@override_settings(DEBUG=False)
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(("query", "message"), BAD_PERIODS)
def test_bad_period_is_a_400_page(client, world, page, query, message):
    client.force_login(world.user("office"))
    response = client.get(page + query)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "This request cannot be answered" in html
    assert "Sign out" in html  # the full layout, so the reader can go on


@override_settings(DEBUG=False)
@pytest.mark.parametrize(
    ("persona", "path", "status", "text"),
    [
        ("office", "/units/nowhere/", 404, "There is no unit with the code nowhere."),
        ("office", "/indicators/nothing/", 404, "There is no such page"),
        ("office", "/units/bad%20code/", 404, "There is no such page"),
        ("office", "/no/such/page/", 404, "There is no such page"),
        ("east_reporter", "/units/west/", 403, "You may not see the figures of West District."),
        ("stranger", "/units/east/?period=2026-06", 403, "You may not see this page"),
        ("stranger", "/units/nowhere/", 404, "There is no unit with the code nowhere."),
    ],
)
def test_unknown_or_forbidden_codes(client, world, persona, path, status, text):
    client.force_login(world.user(persona))
    response = client.get(path)
    assert response.status_code == status
    assert text in response.content.decode()


@override_settings(DEBUG=False)
def test_forbidden_unit_wins_over_a_bad_period(client, world):
    client.force_login(world.user("east_reporter"))
    assert client.get("/units/west/?period=nonsense").status_code == 403


@override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"])
def test_framework_400_uses_the_template_without_a_request_context(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    html = response.content.decode()
    assert "This request cannot be answered" in html
    assert "The address or its query is malformed." in html


@override_settings(DEBUG=False, DATA_UPLOAD_MAX_NUMBER_FIELDS=100)
def test_too_many_query_fields_is_a_400(client, world):
    client.force_login(world.user("office"))
    query = "&".join(f"f{i}=1" for i in range(200))
    assert client.get(f"/?{query}").status_code == 400


@override_settings(DEBUG=False)
def test_other_query_parameters_are_ignored(client, world):
    client.force_login(world.user("office"))
    assert client.get("/?period=2026-06&x=%ZZ&y").status_code == 200


@override_settings(DEBUG=False)
def test_figures_the_engine_refuses_are_told_not_a_500(client, world, monkeypatch):
    from saima.engine import DataError
    from saima.metrics import selectors

    def refuse(*args, **kwargs):
        raise DataError("some figures have no target", details=["unit east, indicator fai"])

    monkeypatch.setattr(selectors, "progress", refuse)
    client.force_login(world.user("office"))
    for page in PAGES:
        response = client.get(page + "?period=2026-06")
        assert response.status_code == 200
        html = response.content.decode()
        assert "The figures cannot be computed" in html and "some figures have no target" in html
        assert "unit east, indicator fai" in html


@override_settings(DEBUG=False)
@pytest.mark.parametrize("page", [*PAGES, "/reporting/", "/reporting/units/east/", "/races/"])
def test_a_nul_character_in_a_query_is_a_400_page(client, world, page):
    """PostgreSQL refuses NUL in any text, even a lookup: refused before a view runs."""
    client.force_login(world.user("office"))
    response = client.get(page + "?period=2026-06%00")
    assert response.status_code == 400
    assert "The text contains a NUL character." in response.content.decode()


@override_settings(DEBUG=False)
def test_a_nul_character_in_a_form_is_a_400_page(client, world):
    client.force_login(world.user("east_reporter"))
    form = "action=save&value-fai=100&note-fai=late%00"
    response = client.post(
        "/reporting/units/east/?period=2026-06",
        form,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "note-fai: The text contains a NUL character." in response.content.decode()


@override_settings(DEBUG=False)
def test_a_version_in_other_digits_is_no_version(client, world):
    """`"²".isdigit()` is true, but it is no number: the form treats it as no version at all."""
    client.force_login(world.user("east_reporter"))
    data = {"action": "save", "value-fai": "100", "version-fai": "²"}
    response = client.post("/reporting/units/east/?period=2026-06", data)
    assert response.status_code in (200, 302, 400)
