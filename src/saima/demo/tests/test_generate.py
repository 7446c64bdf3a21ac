"""The generator on its own: the month rule, determinism, and a cast the models accept."""

from __future__ import annotations

import datetime

import pytest
from django.core.validators import validate_slug
from django.utils.translation import override

from saima.demo import DEMO_LOGINS, DEMO_PASSWORD
from saima.demo.catalogue import EXTRA_INDICATORS, INDICATORS, UNITS
from saima.demo.generate import (
    _province_designations,
    build_dataset,
    province_cast,
    reported_months,
    schedule,
)
from saima.engine.rules import check_profile

AS_OF = datetime.date(2026, 11, 25)


@pytest.mark.parametrize(
    ("as_of", "year", "last"),
    [
        ("2026-11-25", 2026, 10),
        ("2026-11-09", 2026, 10),
        ("2026-11-08", 2026, 9),  # October's figures are due today, not yet overdue
        ("2026-02-09", 2026, 1),
        ("2026-02-08", 2025, 12),
        ("2026-01-05", 2025, 11),
        ("2026-12-31", 2026, 11),
    ],
)
def test_months_are_those_whose_deadline_has_passed(as_of: str, year: int, last: int) -> None:
    assert reported_months(datetime.date.fromisoformat(as_of)) == (year, tuple(range(1, last + 1)))


def test_the_same_day_gives_the_same_rows_and_a_later_day_only_adds_months() -> None:
    first = build_dataset(as_of=AS_OF)
    assert first == build_dataset(as_of=AS_OF)
    earlier = build_dataset(as_of=datetime.date(2026, 7, 20))
    assert earlier.months == (1, 2, 3, 4, 5, 6)
    later = {(r.unit, r.indicator, r.year, r.month): r.value for r in first.observations}
    for row in earlier.observations:
        assert later[(row.unit, row.indicator, row.year, row.month)] == row.value
    assert earlier.targets == first.targets


def test_the_city_cast() -> None:
    data = build_dataset(as_of=AS_OF)
    assert len(data.units) == 15
    assert {u.group for u in data.units} == {"districts", "counties", "zones"}
    assert {i.kind for i in data.indicators} == {"amount", "growth", "count", "level"}
    assert {i.direction for i in data.indicators} == {"higher", "lower"}
    assert len({u.code for u in UNITS}) == len(UNITS)
    assert data.red_units == ("baishi",) and data.missing_units == ("beiyuan",)


def test_indicators_are_valid_for_the_models() -> None:
    every = INDICATORS + EXTRA_INDICATORS
    assert len(every) == 40 and len({i.code for i in every}) == 40
    for spec in every:
        validate_slug(spec.code)
        assert len(spec.code) <= 32 and spec.name_zh and spec.name_en and spec.measure_en
        if spec.profile is not None:
            check_profile(list(spec.profile))
            assert spec.kind in ("amount", "count")
            assert (len(spec.profile) == 11) == spec.combined_jan_feb
        tau = schedule(spec)
        assert len(tau) == 12 and tau == sorted(tau) and tau[-1] == 100


def test_cumulative_amounts_never_go_down() -> None:
    data = build_dataset(as_of=datetime.date(2027, 1, 20))
    kinds = {i.code: i.kind for i in data.indicators}
    series: dict[tuple, list] = {}
    for row in data.observations:
        series.setdefault((row.unit, row.indicator, row.year), []).append((row.month, row.value))
    for (_unit, indicator, _year), points in series.items():
        values = [v for _m, v in sorted(points)]
        if kinds[indicator] in ("amount", "count"):
            assert values == sorted(values)
        assert all(v >= 0 for v in values) or kinds[indicator] == "growth"


def test_the_province_cast() -> None:
    groups, units = province_cast(150)
    assert len(groups) == 10 and len(units) == 150
    assert sorted({sum(u.group == g.code for u in units) for g in groups}) == [15]
    assert len({u.code for u in units}) == 150 and len({u.name_zh for u in units}) == 150
    assert units[0].code == "dongcheng"
    for unit in units:
        validate_slug(unit.code)
        assert len(unit.code) <= 32
    assert {g.kind for g in groups} == {"district", "county", "zone"}


def test_the_national_cast() -> None:
    """Above 300 units: six race groups of uneven sizes, like provinces, each mixing kinds."""
    groups, units = province_cast(2850)
    sizes = [sum(u.group == g.code for u in units) for g in groups]
    assert len(groups) == 6 and sum(sizes) == len(units) == 2850
    assert sizes == sorted(sizes) and sizes[0] >= 100 and sizes[-1] <= 1000
    assert len({u.code for u in units}) == 2850 and len({u.name_zh for u in units}) == 2850
    assert units[0].code == "dongcheng"
    for unit in units:
        validate_slug(unit.code)
        assert len(unit.code) <= 32
    for group in groups:
        assert {u.kind for u in units if u.group == group.code} == {"district", "county", "zone"}
    red, missing = _province_designations(groups, units)
    assert len(red) == len(missing) == 190 and not set(red) & set(missing)


def test_logins() -> None:
    assert [u for u, _r in DEMO_LOGINS] == ["office", "reporter", "approver", "leader"]
    with override("en"):
        assert str(DEMO_LOGINS[1][1]) == "reporter of Dongcheng District"
    with override("zh-hans"):
        assert "东城区" in str(DEMO_LOGINS[1][1])
    assert len(DEMO_PASSWORD) >= 8


def test_a_smaller_province_for_quick_runs() -> None:
    data = build_dataset(as_of=AS_OF, scale="province", units=30)
    assert len(data.units) == 30 and len(data.groups) == 3 and len(data.indicators) == 40
    assert len(data.targets) == 30 * 40
    assert len(data.red_units) == len(data.missing_units) == 3
    assert not set(data.red_units) & set(data.missing_units)
    latest = {(r.unit, r.month) for r in data.observations if r.year == 2026}
    assert all((unit, 10) not in latest for unit in data.missing_units)
    assert data == build_dataset(as_of=AS_OF, scale="province", units=30)


@pytest.mark.parametrize(
    ("scale", "units", "problem"),
    [
        ("nation", None, "scale"),
        ("city", 20, "fixed cast"),
        ("province", 2, "3 to 3000"),
        ("province", 3001, "3 to 3000"),
    ],
)
def test_requests_the_generator_cannot_make(scale: str, units: int | None, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        build_dataset(as_of=AS_OF, scale=scale, units=units)
