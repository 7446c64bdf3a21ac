"""Every figure of a unit's explanation is rounded as a person reads it: values by their
indicator's decimals, percentages and points at one, scores at the result's decimals."""

from __future__ import annotations

import pytest

from saima.testing import misrounded_figures

RESULT = "/races/keywork/2026-Q1/"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("unit", ["east", "west", "north"])
def test_explanation_figures_are_rounded(publication, world, as_user, language, unit) -> None:
    client = as_user("office")
    client.cookies["django_language"] = language
    response = client.get(f"{RESULT}units/{unit}/")
    assert response.status_code == 200
    html = response.content.decode()
    decimals = {code: indicator.decimals for code, indicator in world.indicators.items()}
    assert 'data-indicator="pm25"' in html  # a value item reads its indicator's decimals
    assert not misrounded_figures(html, decimals)
