"""The unit page shows the engine's figures: computed here straight from the world's rows."""

from __future__ import annotations

import re

import polars as pl
import pytest

from saima.engine import IndicatorSpec, Period, compute_progress
from saima.metrics.models import Observation, Target

PERIOD = Period(2026, 6)


def _engine_progress(world) -> pl.DataFrame:
    """The engine's progress at 2026-06 from every Target and Observation row, without selectors."""
    targets = pl.DataFrame(
        [
            {
                "unit": t.unit.code,
                "indicator": t.indicator.code,
                "target": float(t.value),
                "last_year_total": None if t.last_year_total is None else float(t.last_year_total),
            }
            for t in Target.objects.select_related("unit", "indicator").filter(year=2026)
        ],
        schema={
            "unit": pl.String,
            "indicator": pl.String,
            "target": pl.Float64,
            "last_year_total": pl.Float64,
        },
    )
    actuals = pl.DataFrame(
        [
            {
                "unit": o.unit.code,
                "indicator": o.indicator.code,
                "year": o.year,
                "month": o.month,
                "value": None if o.value is None else float(o.value),
                "last_year_value": None if o.last_year_value is None else float(o.last_year_value),
            }
            for o in Observation.objects.select_related("unit", "indicator")
        ],
        schema={
            "unit": pl.String,
            "indicator": pl.String,
            "year": pl.Int64,
            "month": pl.Int64,
            "value": pl.Float64,
            "last_year_value": pl.Float64,
        },
    )
    specs = {
        code: IndicatorSpec(code, kind=i.kind, direction=i.direction)
        for code, i in world.indicators.items()
    }
    return compute_progress(targets, actuals, PERIOD, specs=specs)


def _card_data(html: str, code: str) -> dict[str, str]:
    match = re.search(rf'<section class="card" id="ind-{code}"(.*?)>', html, re.S)
    assert match, f"no card for {code}"
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', match.group(1)))


def _shown(value: float | None, decimals: int) -> str:
    return "" if value is None else f"{value:.{decimals}f}"


@pytest.mark.parametrize("code", ["fai", "ivag", "pm25", "projects"])
def test_unit_page_figures_equal_the_engines(world, client, code):
    indicator = world.indicators[code]
    expected = (
        _engine_progress(world)
        .filter((pl.col("unit") == "east") & (pl.col("indicator") == code))
        .row(0, named=True)
    )
    client.force_login(world.user("office"))
    html = client.get("/units/east/?period=2026-06").content.decode()
    shown = _card_data(html, code)

    for name in ("value", "target", "run_rate_needed", "projection"):
        assert shown[name.replace("_", "-")] == _shown(expected[name], indicator.decimals), name
    for name in ("completion", "time_progress", "gap_pp", "required_growth", "growth"):
        assert shown[name.replace("_", "-")] == _shown(expected[name], 1), name
    assert shown["run-rate-ratio"] == _shown(expected["run_rate_ratio"], 2)
    assert shown["light"] == expected["light"]
    assert shown["value"]  # every east figure is reported at 2026-06


def test_unit_page_shows_figures_at_the_indicators_decimals(world, client):
    client.force_login(world.user("office"))
    html = client.get("/units/east/?period=2026-06").content.decode()
    assert "79.20 100m yuan" in html  # fai, 2 decimals
    assert "144.00 100m yuan" in html
    assert "55.0%" in html and "+5.0 pp" in html
    assert "14 projects" in html  # projects, 0 decimals (14.4 shown as 14)
    assert "7.7%" in html  # ivag, 1 decimal


def test_unit_page_charts_carry_both_years(world, client):
    client.force_login(world.user("office"))
    response = client.get("/units/east/?period=2026-06")
    html = response.content.decode()
    assert '<script id="saima-charts" type="application/json">' in html
    charts = {c["id"]: c for c in response.context["charts"]}
    fai = charts["trend-fai"]
    this_year, last_year = fai["series"]
    assert this_year["name"] == "2026" and last_year["name"] == "2025"
    assert this_year["data"][:6] == [13.2, 26.4, 39.6, 52.8, 66.0, 79.2]
    assert this_year["data"][6:] == [None] * 6
    assert last_year["data"][11] == 144.0
    assert 'id="trend-fai"' in html
    assert "echarts-5.6.0.min.js" in html


def test_unit_page_links_back_with_the_period(world, client):
    client.force_login(world.user("office"))
    html = client.get("/units/east/?period=2026-Q2").content.decode()
    assert 'href="/indicators/fai/?period=2026-Q2"' in html
    assert 'href="/units/east/?period=2026-Q1"' in html  # previous quarter
    assert 'href="/units/east/?period=2026-Q3"' in html
