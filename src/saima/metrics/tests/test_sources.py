"""Indicators computed from other records: read like reported figures everywhere (pages, the
race and its exported inputs), reported by no one, and checked when an indicator names a source."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from django.core.exceptions import ValidationError

from saima.engine import parse_period
from saima.metrics import selectors, sources
from saima.org.access import Access
from saima.reporting import selectors as reporting_selectors
from saima.reporting.services import FigureRow, FiguresRefused, figures_save

#: The fake records' fingerprint, changed by a test to see the cache follow.
VERSION = {"now": "1"}


def _started(units, months) -> pl.DataFrame:
    """Projects started: three a month in every unit but North, which has none on record."""
    rows = [(u, y, m, 3.0 * m) for u in units if u != "north" for y, m in months]
    return pl.DataFrame(rows, schema=sources.FIGURE_SCHEMA, orient="row")


@pytest.fixture
def computed(world, monkeypatch):
    """The world's `projects` indicator computed from a registered source."""
    monkeypatch.setattr(sources, "_SOURCES", dict(sources._SOURCES))
    sources.add(
        sources.Source(
            "test.started",
            "Projects started (test records)",
            kinds=("count",),
            figures=_started,
            fingerprint=lambda: [f"'{VERSION['now']}'"],
        )
    )
    indicator = world.indicators["projects"]
    indicator.source = "test.started"
    indicator.full_clean()
    indicator.save()
    return indicator


def _office(world) -> Access:
    return Access.for_user(world.user("office"))


def test_pages_read_the_computed_figures_not_the_stored_ones(world, computed):
    frame = selectors.progress(_office(world), parse_period("2026-06"))
    rows = {r["unit"]: r for r in frame.filter(indicator="projects").iter_rows(named=True)}
    assert rows["east"]["value"] == 18.0  # 3 × June, not the 14.4 stored before
    assert rows["east"]["completion"] == pytest.approx(18 / 28.8 * 100)
    assert rows["north"]["value"] is None and rows["north"]["light"] == "missing"


def test_a_units_chart_reads_them_month_by_month(world, computed):
    series = selectors.unit_monthly_series(_office(world), world.units["west"], 2026)
    projects = series.filter(indicator="projects", year=2026)
    assert projects["value"].to_list() == [3.0 * m for m in range(1, 13)]


def test_a_reader_gets_only_the_units_it_may_read(world, computed):
    reporter = Access.for_user(world.user("east_reporter"))
    frame = selectors.progress(reporter, parse_period("2026-06"))
    assert set(frame.filter(indicator="projects")["unit"]) == {"east"}


def test_the_race_reads_them_as_actuals(world, computed):
    from saima.races.definitions.selectors import race_rules
    from saima.races.results.selectors import race_inputs
    from saima.testing import make_race

    race = make_race(world)
    inputs = race_inputs(race, race_rules(race), parse_period("2026-Q2"))
    projects = inputs.actuals.filter(indicator="projects", unit="west", year=2026)
    assert projects.sort("month")["value"].to_list() == [3.0 * m for m in range(1, 7)]
    assert inputs.actuals.filter(indicator="projects", unit="north").height == 0


def test_no_one_reports_a_computed_indicator(world, computed):
    required = reporting_selectors.required_indicators([world.units["east"].pk], 2026, 6)
    assert "projects" not in {i.code for i in required[world.units["east"].pk]}
    row = FigureRow("east", "projects", 2026, 6, Decimal("20"))
    with pytest.raises(FiguresRefused) as refused:
        figures_save(access=_office(world), user=world.user("office"), rows=[row], source="api")
    assert "computed from other records" in " ".join(refused.value.row_errors[0])


def test_a_change_of_the_records_changes_the_data_version(world, computed):
    before = selectors.data_version()
    VERSION["now"] = "2"
    try:
        assert selectors.data_version() != before
    finally:
        VERSION["now"] = "1"


def test_an_indicator_names_a_registered_source_of_its_kind(world, computed):
    indicator = world.indicators["fai"]
    indicator.source = "nowhere.figures"
    with pytest.raises(ValidationError, match="not a source of figures"):
        indicator.full_clean()
    indicator.source = "test.started"  # fixed-asset investment is an amount, not a count
    with pytest.raises(ValidationError, match="of the kind count"):
        indicator.full_clean()


def test_a_source_no_longer_registered_gives_no_figures(world, computed, monkeypatch):
    monkeypatch.setattr(sources, "_SOURCES", {})
    frame = selectors.progress(_office(world), parse_period("2026-06"))
    assert frame.filter(indicator="projects")["value"].null_count() == 3


def test_figures_remembered_by_month_compute_only_the_months_not_asked_before():
    asked: list[list[tuple[int, int]]] = []

    def compute(units, months):
        asked.append(list(months))
        # month by month, as the projects' and supervision's computations give them
        rows = [(u, y, m, float(y * 100 + m)) for y, m in months for u in units]
        return pl.DataFrame(rows, schema=sources.FIGURE_SCHEMA, orient="row")

    def ask(months, version="v1"):
        return selectors.remembered_by_month("test", version, ["a", "b"], months, compute)

    q1 = [(2025, m) for m in range(1, 13)] + [(2026, m) for m in (1, 2, 3)]
    assert ask(q1).equals(compute(["a", "b"], q1))
    q2 = q1 + [(2026, m) for m in (4, 5, 6)]
    asked.clear()
    assert ask(q2).equals(compute(["a", "b"], q2))  # in the months' order, as computed at once
    assert asked[0] == [(2026, 4), (2026, 5), (2026, 6)]
    asked.clear()
    ask(q2, version="v2")  # the records changed: everything again
    assert asked == [q2]
    # A month with no figures is remembered too, and no months give the computation's columns.
    none = selectors.remembered_by_month("test", "v1", [], [(2026, 7)], compute)
    assert none.is_empty() and none.columns == list(sources.FIGURE_SCHEMA)
    assert ask([]).columns == list(sources.FIGURE_SCHEMA)
