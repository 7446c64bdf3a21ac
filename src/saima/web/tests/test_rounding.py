"""Every figure a person reads on the overview, a unit's page and an indicator's page is rounded
by its indicator's decimals (percentages and points at one, ratios at two), in both languages.

The checker (`saima.testing.misrounded_figures`) reads the rendered HTML: each number inside an
element marked with `data-indicator` (or `data-decimals`) must have that many decimals."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from saima.testing import misrounded_figures, misrounded_tips

LANGUAGES = ("en", "zh-hans")


def _decimals(world) -> dict[str, int]:
    return {code: indicator.decimals for code, indicator in world.indicators.items()}


def _page(as_user, path: str, language: str) -> str:
    client = as_user("office")
    client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("period", ["2026-03", "2026-06", "2026-H1"])
def test_overview_figures_are_rounded(world, as_user, language, period) -> None:
    html = _page(as_user, f"/?period={period}", language)
    assert not misrounded_figures(html, _decimals(world))
    blob = re.search(r'<script id="saima-cells" type="application/json">(.*?)</script>', html, re.S)
    tips = json.loads(blob.group(1))
    assert tips["cells"] and not misrounded_tips(tips, _decimals(world))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("unit", ["east", "west", "north"])
def test_unit_page_figures_are_rounded(world, as_user, language, unit) -> None:
    html = _page(as_user, f"/units/{unit}/?period=2026-06", language)
    assert 'data-indicator="' in html
    assert not misrounded_figures(html, _decimals(world))


@pytest.mark.parametrize("language", LANGUAGES)
def test_indicator_page_figures_are_rounded(world, as_user, language) -> None:
    for code in world.indicators:
        html = _page(as_user, f"/indicators/{code}/?period=2026-06", language)
        assert f'data-indicator="{code}"' in html
        assert not misrounded_figures(html, _decimals(world)), code


def test_the_checker_finds_a_misrounded_figure() -> None:
    html = '<td data-indicator="fai">-5.8308%</td><td data-indicator="fai">12.3</td>'
    found = misrounded_figures(html, {"fai": 2})
    assert [(f.number, f.expected) for f in found] == [("-5.8308", 1), ("12.3", 2)]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("period", ["2026-05", "2026-06"])
def test_dashboard_figures_are_rounded(world, as_user, publication, language, period) -> None:
    """The leader's dashboard: the race totals at the publication's decimals, counts whole, gaps
    in points or in the indicator's own unit (June adds double over half). East falls far behind
    on investment and its PM2.5 rises, so the "furthest behind" and "what changed" tables have
    rows to read."""
    from saima.metrics.models import Observation

    month = int(period[5:])
    east = Observation.objects.filter(unit=world.units["east"], year=2026, month=month)
    for code, factor in (("fai", "0.3333"), ("pm25", "1.5731")):
        row = east.get(indicator=world.indicators[code])
        row.value = row.value * Decimal(factor)
        row.save()
    html = _page(as_user, f"/dashboard/?period={period}", language)
    assert f'data-decimals="{publication.decimals}"' in html  # the standings are on the page
    assert 'data-indicator="fai"' in html  # East is behind on investment
    assert 'data-change="worse"' in html
    assert not misrounded_figures(html, _decimals(world))
    if language == "zh-hans":
        assert "2026年" in html
