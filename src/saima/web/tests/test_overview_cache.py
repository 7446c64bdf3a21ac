"""The overview and the progress API keep computed figures in the cache, and never serve stale or
someone else's: the key holds the period, the language, the reader's scope and a data version."""

from __future__ import annotations

import json
import re
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saima.metrics.models import Observation, Target
from saima.org.access import Access
from saima.reporting.services import FigureRow, figures_save

PAGE = "/?period=2026-06"


def _east_fai(html: str) -> list:
    """East District's investment figures as the hover box shows them (measure appended)."""
    blob = re.search(r'<script id="saima-cells" type="application/json">(.*?)</script>', html, re.S)
    assert blob
    tips = json.loads(blob.group(1))
    [unit] = [u for u, link in tips["links"].items() if link == "/units/east/?period=2026-06"]
    [indicator] = [i for i, code in tips["codes"].items() if code == "fai"]
    key = f"{unit}.{indicator}"
    assert f'<td data-k="{key}" data-light=' in html
    figures = tips["cells"][key]
    measure = tips["measures"][indicator]
    return [tips["dash"] if text is None else text + measure for text in figures[:2]] + figures[2:]


def _get(client, path: str = PAGE) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_second_request_is_served_from_the_cache(as_user):
    client = as_user("office")
    first, computed = _get(client)
    second, cached = _get(client)
    assert _east_fai(second) == _east_fai(first)  # the same figures...
    assert cached < computed  # ...without computing them again


def test_a_saved_figure_shows_on_the_next_request(as_user, world):
    client = as_user("office")
    assert _east_fai(_get(client)[0])[0] == "79.20 100m yuan"
    figure = Observation.objects.get(unit__code="east", indicator__code="fai", year=2026, month=6)
    figure.value = Decimal("90.00")
    figure.save()  # writes a history row: the data version changes
    assert _east_fai(_get(client)[0])[:3] == ["90.00 100m yuan", "144.00 100m yuan", "62.5%"]


def test_a_figure_set_through_the_service_shows_on_the_next_request(as_user, world):
    client = as_user("office")
    assert _east_fai(_get(client)[0])[0] == "79.20 100m yuan"
    office = world.user("office")
    figures_save(
        access=Access.for_user(office),
        user=office,
        rows=[FigureRow("east", "fai", 2026, 6, Decimal("100.8"))],
        source="test",
    )
    assert _east_fai(_get(client)[0])[:3] == ["100.80 100m yuan", "144.00 100m yuan", "70.0%"]


def test_a_changed_target_shows_on_the_next_request(as_user, world):
    client = as_user("office")
    assert _east_fai(_get(client)[0])[1] == "144.00 100m yuan"
    target = Target.objects.get(unit__code="east", indicator__code="fai", year=2026)
    target.value = Decimal("158.40")
    target.save()
    assert _east_fai(_get(client)[0])[1:3] == ["158.40 100m yuan", "50.0%"]


def test_a_reporter_never_gets_the_offices_grid(client, world):
    client.force_login(world.user("office"))
    office_html, _ = _get(client)
    assert "West District" in office_html
    client.force_login(world.user("east_reporter"))
    reporter_html, _ = _get(client)
    assert "East District" in reporter_html
    assert "West District" not in reporter_html and "North County" not in reporter_html


def test_the_other_language_gets_its_own_grid(as_user):
    client = as_user("office")
    english, _ = _get(client)
    assert "East District" in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese, _ = _get(client)
    assert "东城区" in chinese and "East District" not in chinese
    assert "固定资产投资" in chinese
    assert _east_fai(chinese)[0] == "79.20 亿元"


def test_the_api_shows_a_saved_figure_on_the_next_request(as_user, world):
    client = as_user("office")

    def east_fai() -> dict:
        response = client.get("/api/progress?period=2026-06")
        assert response.status_code == 200
        rows = response.json()
        [row] = [r for r in rows if r["unit"] == "east" and r["indicator"] == "fai"]
        return row

    assert east_fai()["value"] == 79.2
    figure = Observation.objects.get(unit__code="east", indicator__code="fai", year=2026, month=6)
    figure.value = Decimal("90.00")
    figure.save()
    assert east_fai()["value"] == 90.0


def test_the_api_keeps_readers_apart(client, world):
    client.force_login(world.user("office"))
    assert {r["unit"] for r in client.get("/api/progress?period=2026-06").json()} >= {"west"}
    client.force_login(world.user("east_reporter"))
    assert {r["unit"] for r in client.get("/api/progress?period=2026-06").json()} == {"east"}
