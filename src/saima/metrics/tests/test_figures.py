"""Services and selectors of figures, on whichever database the suite runs against."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from saima.engine import compute_progress, parse_period
from saima.metrics import selectors
from saima.metrics.models import Observation, Target
from saima.metrics.services import target_set, to_decimal
from saima.org.access import Access
from saima.reporting.services import FigureRow, figures_save

JUNE = parse_period("2026-06")


def _access(world, persona):
    return Access.for_user(world.user(persona))


def _save(world, persona, unit, value, period=JUNE, note=""):
    """Store one figure through the one path every figure takes."""
    row = FigureRow(
        unit_code=unit,
        indicator_code="fai",
        year=period.year,
        month=period.month,
        value=to_decimal(value, field="value"),
        note=note,
    )
    user = world.user(persona)
    return figures_save(access=Access.for_user(user), user=user, rows=[row], source="test")


def test_a_reporter_stores_a_figure_and_history_records_who(world):
    _save(world, "east_reporter", "east", "80.5", note="项目集中开工")
    observation = Observation.objects.get(unit__code="east", indicator__code="fai", **_june())
    assert observation.value == Decimal("80.5")
    latest = observation.history.first()
    assert latest.history_user == world.user("east_reporter")
    assert latest.value == Decimal("80.5")


def test_a_reporter_cannot_touch_another_units_figures(world):
    before = list(Observation.objects.order_by("pk").values_list("value", flat=True))
    with pytest.raises((PermissionDenied, ValidationError)):
        _save(world, "east_reporter", "west", "1")
    assert list(Observation.objects.order_by("pk").values_list("value", flat=True)) == before


@pytest.mark.parametrize(
    ("value", "message"),
    [("abc", "is not a number"), ("1e400", "out of range"), ("NaN", "out of range")],
)
def test_text_and_unusable_numbers_are_refused(value, message):
    with pytest.raises(ValidationError) as caught:
        to_decimal(value, field="value")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("value", "period", "message"),
    [("-5", "2026-06", "cannot be negative"), ("500", "2099-01", "future")],
)
def test_bad_figures_are_refused_and_nothing_changes(world, value, period, message):
    count = Observation.objects.count()
    with pytest.raises(ValidationError) as caught:
        _save(world, "office", "east", value, period=parse_period(period))
    assert message in str(caught.value)
    assert Observation.objects.count() == count


def _june() -> dict:
    return {"year": 2026, "month": 6}


def test_only_the_office_sets_targets_and_they_must_be_positive(world):
    args = {
        "unit": world.units["east"],
        "indicator": world.indicators["fai"],
        "year": 2026,
    }
    with pytest.raises(PermissionDenied):
        target_set(access=_access(world, "leader"), user=world.user("leader"), value=1, **args)
    with pytest.raises(ValidationError, match="positive"):
        target_set(access=_access(world, "office"), user=world.user("office"), value=0, **args)
    target = target_set(
        access=_access(world, "office"), user=world.user("office"), value="150", **args
    )
    assert (
        target.value == Decimal("150") and target.history.first().history_user.username == "office"
    )
    zone = target_set(
        access=_access(world, "office"),
        user=world.user("office"),
        value=None,
        not_applicable=True,
        **args,
    )
    assert zone.not_applicable and zone.value is None


def test_progress_through_selectors_equals_the_engine(world):
    targets = pl.DataFrame(
        [
            (t.unit.code, t.indicator.code, float(t.value), float(t.last_year_total or 0) or None)
            for t in Target.objects.select_related("unit", "indicator")
        ],
        schema=["unit", "indicator", "target", "last_year_total"],
        orient="row",
    )
    actuals = pl.DataFrame(
        [
            (
                o.unit.code,
                o.indicator.code,
                o.year,
                o.month,
                float(o.value),
                None if o.last_year_value is None else float(o.last_year_value),
            )
            for o in Observation.objects.select_related("unit", "indicator")
        ],
        schema=["unit", "indicator", "year", "month", "value", "last_year_value"],
        orient="row",
    )
    specs = selectors.indicator_specs(world.indicators.values())
    expected = compute_progress(targets, actuals, JUNE, specs=specs).sort("unit", "indicator")
    found = selectors.progress(_access(world, "office"), JUNE).sort("unit", "indicator")
    assert found.select(expected.columns).equals(expected)
    north = found.filter(pl.col("unit") == "north")
    assert set(north["light"]) == {"missing"}


def test_progress_is_scoped_to_what_the_reader_sees(world):
    assert set(selectors.progress(_access(world, "east_reporter"), JUNE)["unit"]) == {"east"}
    assert selectors.progress(_access(world, "stranger"), JUNE).height == 0


def test_latest_period_and_series(world):
    assert selectors.latest_period() == parse_period("2026-06")
    series = selectors.unit_monthly_series(_access(world, "office"), world.units["east"], 2026)
    fai = series.filter(indicator="fai")
    assert fai.height == 18 and fai["year"].to_list()[0] == 2025
    north = selectors.unit_monthly_series(
        _access(world, "east_reporter"), world.units["north"], 2026
    )
    assert north.height == 0  # another unit's figures are not read


def test_the_default_period_is_the_latest_most_units_have_reported(world):
    """June: two of the three units have reported (North has not), so the pages open on it;
    one early unit reporting July does not move them."""
    assert selectors.readable_period() == parse_period("2026-06")
    east = world.units["east"]
    Observation.objects.create(
        unit=east, indicator=world.indicators["fai"], year=2026, month=7, value=1
    )
    assert selectors.latest_period() == parse_period("2026-07")
    assert selectors.readable_period() == parse_period("2026-06")
    assert selectors.default_period() == parse_period("2026-06")
    for code in ("west", "north"):
        Observation.objects.create(
            unit=world.units[code], indicator=world.indicators["fai"], year=2026, month=7, value=1
        )
    assert selectors.default_period() == parse_period("2026-07")
