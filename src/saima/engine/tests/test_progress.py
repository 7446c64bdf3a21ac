from __future__ import annotations

import polars as pl
import pytest

from saima.engine import (
    DataError,
    IndicatorSpec,
    compute_progress,
    compute_progress_periods,
    parse_period,
)

from .builders import actuals, targets


def run(target_rows, actual_rows, period, specs=None, **target_extra):
    actual_rows = actual_rows or [("nobody", "none", "2025-01", None)]
    frame = compute_progress(
        targets(target_rows, **target_extra),
        actuals(actual_rows),
        parse_period(period),
        specs=specs,
    )
    return {row["unit"]: row for row in frame.iter_rows(named=True)}


def test_worked_example_progress_to_the_last_decimal():
    rows = run(
        [("East", "fai", 200.0), ("West", "fai", 100.0), ("North", "fai", 150.0)],
        [
            ("East", "fai", "2026-Q1", 58.0),
            ("West", "fai", "2026-Q1", 24.0),
            ("North", "fai", "2026-Q1", 33.0),
        ],
        "2026-Q1",
    )
    assert [rows[u]["time_progress"] for u in ("East", "West", "North")] == [25.0] * 3
    assert [rows[u]["completion"] for u in ("East", "West", "North")] == [29.0, 24.0, 22.0]
    assert [rows[u]["gap_pp"] for u in ("East", "West", "North")] == [4.0, -1.0, -3.0]
    assert [rows[u]["light"] for u in ("East", "West", "North")] == ["green", "yellow", "yellow"]
    east = rows["East"]
    assert east["run_rate_needed"] == round(142 / 9, 9)  # derived rates keep nine decimals
    assert east["run_rate_ratio"] == round((142 / 9) / (58 / 3), 9)
    assert round(east["run_rate_ratio"], 6) == 0.816092
    assert east["projection"] == 232.0
    assert east["double_over_half"] is None  # only judged at the half year


@pytest.mark.parametrize(
    ("value", "light"), [(25.0, "green"), (20.0, "yellow"), (19.99, "red"), (24.999, "yellow")]
)
def test_light_thresholds_are_exact_at_the_edges(value, light):
    rows = run([("A", "fai", 100.0)], [("A", "fai", "2026-03", value)], "2026-03")
    assert rows["A"]["light"] == light


def test_profile_with_combined_january_february():
    spec = {
        "fai": IndicatorSpec(
            "fai", profile=(8, 18, 27, 36, 45, 55, 63, 71, 80, 88, 100), combined_jan_feb=True
        )
    }
    for period, tau in (("2026-02", 8.0), ("2026-03", 18.0), ("2026-H1", 45.0), ("2026", 100.0)):
        rows = run([("A", "fai", 100.0)], [("A", "fai", period, 20.0)], period, spec)
        assert rows["A"]["time_progress"] == tau
    assert rows["A"]["projection"] == 20.0
    assert run([("A", "fai", 100.0)], [], "2026-01", spec) == {}  # no January period
    with pytest.raises(DataError, match="January and February together"):
        run([("A", "fai", 100.0)], [("A", "fai", "2026-01", 5.0)], "2026-01", spec)


def test_twelve_entry_profile_and_projection_under_it():
    profile = (5, 10, 20, 30, 40, 55, 60, 70, 80, 90, 95, 100)
    spec = {"fai": IndicatorSpec("fai", profile=profile)}
    rows = run([("A", "fai", 100.0)], [("A", "fai", "2026-03", 24.0)], "2026-03", spec)
    assert rows["A"]["time_progress"] == 20.0
    assert rows["A"]["gap_pp"] == 4.0
    assert rows["A"]["projection"] == 120.0


def test_last_year_schedule_from_the_units_own_figures():
    spec = {"rev": IndicatorSpec("rev", profile="last_year")}
    frame = compute_progress(
        targets([("A", "rev", 132.0)]),
        actuals(
            [
                ("A", "rev", "2025-03", 30.0),
                ("A", "rev", "2025-12", 120.0),
                ("A", "rev", "2026-03", 36.0),
            ]
        ),
        parse_period("2026-03"),
        specs=spec,
    )
    row = frame.row(0, named=True)
    assert row["time_progress"] == 25.0  # 30 of last year's 120 was in by March
    assert row["completion"] == pytest.approx(36 * 100 / 132)
    assert row["last_year_value"] == 30.0
    assert row["growth"] == 20.0
    # (L·(1+G) − A)/(L − L_p) − 1 with L·(1+G) = 132: (132 − 36)/(120 − 30) − 1
    assert row["required_growth"] == pytest.approx((96 / 90 - 1) * 100)


def test_last_year_schedule_needs_last_years_figures():
    spec = {"rev": IndicatorSpec("rev", profile="last_year")}
    with pytest.raises(DataError, match="needs last year's 03 figure"):
        compute_progress(
            targets([("A", "rev", 132.0)]),
            actuals([("A", "rev", "2026-03", 36.0)]),
            parse_period("2026-03"),
            specs=spec,
        )


@pytest.mark.parametrize(
    ("value", "light", "gap"),
    [(7.2, "green", 0.2), (6.5, "yellow", -0.5), (6.0, "yellow", -1.0), (5.5, "red", -1.5)],
)
def test_growth_indicator_compares_with_the_target_growth(value, light, gap):
    spec = {"ivag": IndicatorSpec("ivag", kind="growth")}
    rows = run([("A", "ivag", 7.0)], [("A", "ivag", "2026-03", value)], "2026-03", spec)
    assert rows["A"]["gap_pp"] == pytest.approx(gap, abs=1e-12)
    assert rows["A"]["light"] == light
    assert rows["A"]["completion"] is None and rows["A"]["time_progress"] is None
    assert rows["A"]["growth"] == value


def test_required_growth_for_a_growth_indicator():
    spec = {"ivag": IndicatorSpec("ivag", kind="growth")}
    frame = compute_progress(
        targets([("A", "ivag", 8.0)], last_year_total=[400.0]),
        actuals([("A", "ivag", "2026-H1", 10.0)], last_year_value=[180.0]),
        parse_period("2026-H1"),
        specs=spec,
    )
    # A = 180·1.10 = 198; goal 400·1.08 = 432; (432 − 198)/(400 − 180) − 1
    assert frame["required_growth"][0] == pytest.approx((234 / 220 - 1) * 100)
    assert frame["double_over_half"][0] is None  # a growth rate has no annual task to halve


@pytest.mark.parametrize(
    ("value", "light"), [(33.0, "green"), (35.0, "green"), (36.0, "yellow"), (40.0, "red")]
)
def test_level_lower_is_better_mirrors_the_comparison(value, light):
    spec = {"pm25": IndicatorSpec("pm25", kind="level", direction="lower")}
    rows = run([("A", "pm25", 35.0)], [("A", "pm25", "2026-03", value)], "2026-03", spec)
    assert rows["A"]["light"] == light
    assert rows["A"]["gap_pp"] == pytest.approx(value * 100 / 35 - 100)


@pytest.mark.parametrize(
    ("direction", "target", "value", "gap"),
    [
        ("higher", 81.0, 87.1, 6.1),  # a tax share of 87.1% against a floor of 81%: +6.1 pp
        ("lower", 30.0, 35.0, 5.0),  # PM2.5 35 against a ceiling of 30: 5 µg/m³ over
        ("lower", 30.0, 27.5, -2.5),  # 2.5 under the ceiling
    ],
)
def test_the_gap_of_a_level_is_value_minus_target_in_its_own_unit(direction, target, value, gap):
    spec = {"lv": IndicatorSpec("lv", kind="level", direction=direction)}
    for period in ("2026-03", "2026-06"):
        rows = run([("A", "lv", target)], [("A", "lv", period, value)], period, spec)
        assert rows["A"]["level_gap"] == gap  # exact: kept to nine decimals, no 6.099999…
        # never a completion rate, and no double over half
        assert rows["A"]["completion"] is None
        assert rows["A"]["double_over_half"] is None


def test_the_level_gap_is_only_for_levels():
    rows = run([("A", "fai", 100.0)], [("A", "fai", "2026-03", 30.0)], "2026-03")
    assert rows["A"]["level_gap"] is None


def test_lower_is_better_amount_mirrors_the_schedule():
    spec = {"energy": IndicatorSpec("energy", direction="lower")}
    rows = run(
        [("A", "energy", 100.0), ("B", "energy", 100.0)],
        [("A", "energy", "2026-Q1", 30.0), ("B", "energy", "2026-Q1", 20.0)],
        "2026-Q1",
        spec,
    )
    assert (rows["A"]["gap_pp"], rows["A"]["light"]) == (5.0, "yellow")
    assert (rows["B"]["gap_pp"], rows["B"]["light"]) == (-5.0, "green")


@pytest.mark.parametrize(("value", "expected"), [(50.0, True), (49.9, False), (60.0, True)])
def test_double_over_half_at_the_half_year(value, expected):
    rows = run([("A", "fai", 100.0)], [("A", "fai", "2026-H1", value)], "2026-H1")
    assert rows["A"]["double_over_half"] is expected


BACK_LOADED = (8, 12, 18, 25, 34, 44, 52, 61, 70, 80, 90, 100)


def test_double_over_half_is_half_the_task_whatever_the_profile():
    """A back-loaded profile asks 44% by June: 47.5% is on schedule (green) but not half the
    annual task, so not double over half; 52% is both."""
    spec = {"fai": IndicatorSpec("fai", profile=BACK_LOADED)}
    rows = run(
        [("A", "fai", 200.0), ("B", "fai", 200.0)],
        [("A", "fai", "2026-06", 95.0), ("B", "fai", "2026-06", 104.0)],
        "2026-06",
        spec,
    )
    assert (rows["A"]["completion"], rows["A"]["time_progress"]) == (47.5, 44.0)
    assert (rows["A"]["light"], rows["A"]["double_over_half"]) == ("green", False)
    assert (rows["B"]["completion"], rows["B"]["double_over_half"]) == (52.0, True)


def test_double_over_half_under_a_front_loaded_profile_is_still_half():
    """Ahead of half but behind a front-loaded schedule: over half, with a red light."""
    spec = {"fai": IndicatorSpec("fai", profile=(5, 10, 20, 30, 40, 60, 70, 80, 85, 90, 95, 100))}
    rows = run([("A", "fai", 100.0)], [("A", "fai", "2026-06", 52.0)], "2026-06", spec)
    assert (rows["A"]["light"], rows["A"]["double_over_half"]) == ("red", True)


def test_double_over_half_is_for_higher_is_better_amounts_and_counts():
    specs = {
        "energy": IndicatorSpec("energy", direction="lower"),
        "ivag": IndicatorSpec("ivag", kind="growth"),
        "started": IndicatorSpec("started", kind="count"),
    }
    frame = compute_progress(
        targets([("A", "energy", 100.0), ("A", "ivag", 6.0), ("A", "started", 10.0)]),
        actuals(
            [
                ("A", "energy", "2026-H1", 60.0),
                ("A", "ivag", "2026-H1", 7.0),
                ("A", "started", "2026-H1", 5.0),
            ]
        ),
        parse_period("2026-H1"),
        specs=specs,
    )
    found = dict(frame.select("indicator", "double_over_half").iter_rows())
    assert found == {"energy": None, "ivag": None, "started": True}


def test_required_growth_for_an_amount():
    frame = compute_progress(
        targets([("A", "fai", 440.0)], last_year_total=[400.0]),
        actuals([("A", "fai", "2026-H1", 200.0)], last_year_value=[180.0]),
        parse_period("2026-H1"),
    )
    row = frame.row(0, named=True)
    assert row["required_growth"] == pytest.approx((240 / 220 - 1) * 100)
    assert row["growth"] == pytest.approx((200 / 180 - 1) * 100)
    assert row["run_rate_needed"] == 40.0
    assert row["run_rate_ratio"] == pytest.approx(40 / (200 / 6))


def test_year_end_has_no_remaining_months():
    rows = run([("A", "fai", 100.0)], [("A", "fai", "2026", 101.0)], "2026")
    assert rows["A"]["run_rate_needed"] is None
    assert rows["A"]["required_growth"] is None
    assert rows["A"]["completion"] == 101.0


def test_missing_figure_and_not_applicable_target():
    rows = run(
        [("A", "fai", 100.0), ("B", "fai", None), ("C", "fai", 100.0)],
        [("A", "fai", "2026-03", 30.0)],
        "2026-03",
        not_applicable=[False, True, False],
    )
    assert rows["B"]["light"] == "n/a" and rows["B"]["applicable"] is False
    assert rows["C"]["light"] == "missing" and rows["C"]["value"] is None


@pytest.mark.parametrize(
    ("target_rows", "actual_rows", "message"),
    [
        ([("A", "fai", 0.0)], [], "target 0 must be positive for a amount indicator"),
        ([("A", "fai", -5.0)], [], "target -5 must be positive"),
        ([("A", "fai", None)], [], "the target is blank"),
        ([("A", "fai", 1.0), ("A", "fai", 2.0)], [], "some targets are given twice"),
        ([("A", "fai", 1.0)], [("B", "fai", "2026-03", 1.0)], "unit B, indicator fai: a figure"),
        (
            [("A", "fai", 1.0)],
            [("A", "fai", "2026-03", 1.0), ("A", "fai", "2026-Q1", 2.0)],
            "given twice",
        ),
    ],
)
def test_figures_that_cannot_be_used_are_refused(target_rows, actual_rows, message):
    actual_frame = actuals(actual_rows) if actual_rows else actuals([("A", "fai", "2025-03", 1.0)])
    with pytest.raises(DataError) as caught:
        compute_progress(targets(target_rows), actual_frame, parse_period("2026-03"))
    assert message in str(caught.value)


def test_growth_targets_may_be_zero_or_negative():
    spec = {"exports": IndicatorSpec("exports", kind="growth")}
    rows = run([("A", "exports", -2.0)], [("A", "exports", "2026-03", -1.0)], "2026-03", spec)
    assert (rows["A"]["gap_pp"], rows["A"]["light"]) == (1.0, "green")


def test_output_has_every_progress_column():
    frame = compute_progress(
        targets([("A", "fai", 100.0)]),
        actuals([("A", "fai", "2026-03", 1.0)]),
        parse_period("2026-03"),
    )
    assert isinstance(frame, pl.DataFrame)
    for column in (
        "unit",
        "indicator",
        "period",
        "value",
        "target",
        "time_progress",
        "completion",
        "gap_pp",
        "light",
        "double_over_half",
        "run_rate_needed",
        "required_growth",
        "projection",
    ):
        assert column in frame.columns


def test_a_targets_own_profile_overrides_the_indicators():
    spec = {"fai": IndicatorSpec("fai")}
    own = [10.0, 20, 30, 40, 50, 60, 70, 80, 90, 95, 98, 100]
    frame = compute_progress(
        targets([("A", "fai", 100.0), ("B", "fai", 100.0)], profile=[own, None]),
        actuals([("A", "fai", "2026-03", 24.0), ("B", "fai", "2026-03", 24.0)]),
        parse_period("2026-03"),
        specs=spec,
    )
    rows = {r["unit"]: r for r in frame.iter_rows(named=True)}
    assert rows["A"]["time_progress"] == 30.0
    assert rows["B"]["time_progress"] == 25.0


def test_many_periods_in_one_pass_equal_one_period_at_a_time():
    spec = {
        "fai": IndicatorSpec(
            "fai", profile=(8, 18, 27, 36, 45, 55, 63, 71, 80, 88, 100), combined_jan_feb=True
        ),
        "rev": IndicatorSpec("rev", profile="last_year"),
        "ivag": IndicatorSpec("ivag", kind="growth"),
    }
    target_frame = targets(
        [
            ("A", "fai", 100.0),
            ("B", "fai", 80.0),
            ("A", "rev", 50.0),
            ("B", "rev", 40.0),
            ("A", "ivag", 6.0),
            ("B", "ivag", 7.0),
        ]
    )
    rows = []
    for month in range(1, 13):
        for unit, pace in (("A", 1.0), ("B", 0.8)):
            rows.append((unit, "rev", f"2025-{month:02d}", 3.0 * month * pace))
            if month >= 2:
                rows.append((unit, "fai", f"2026-{month:02d}", 8.0 * month * pace))
            rows.append((unit, "rev", f"2026-{month:02d}", 3.5 * month * pace))
            if month != 7:
                rows.append((unit, "ivag", f"2026-{month:02d}", 5.0 + pace + month / 10))
    actual_frame = actuals(rows)
    periods = [parse_period(f"2026-{m:02d}") for m in range(2, 13)]
    together = compute_progress_periods(target_frame, actual_frame, periods, specs=spec)
    for period in periods:
        alone = compute_progress(target_frame, actual_frame, period, specs=spec)
        assert together.filter(pl.col("month") == period.month).drop("month").equals(alone)


def test_last_year_schedule_reaches_exactly_full_time_in_december():
    # 757.56·100/757.56 is 100.00000000000001 in floating point: still the end of the year.
    spec = {"retail": IndicatorSpec("retail", profile="last_year")}
    frame = compute_progress(
        targets([("U1", "retail", 800.0)]),
        actuals(
            [
                ("U1", "retail", "2025-06", 300.0),
                ("U1", "retail", "2025-12", 757.56),
                ("U1", "retail", "2026-12", 790.0),
            ]
        ),
        parse_period("2026-12"),
        specs=spec,
    )
    assert frame["time_progress"][0] == pytest.approx(100.0)
    assert frame["light"][0] == "yellow"


def test_figures_of_an_indicator_scored_without_a_target_get_rows_without_one():
    specs = {"iva": IndicatorSpec("iva", kind="growth", needs_target=False)}
    frame = compute_progress(
        targets([("A", "iva", 5.0)]),
        actuals([("A", "iva", "2026-03", 6.0), ("B", "iva", "2026-03", 4.5)]),
        parse_period("2026-03"),
        specs=specs,
    )
    rows = {row["unit"]: row for row in frame.iter_rows(named=True)}
    assert (rows["A"]["target"], rows["A"]["gap_pp"], rows["A"]["light"]) == (5.0, 1.0, "green")
    b = rows["B"]
    assert (b["value"], b["growth"], b["target"], b["gap_pp"], b["light"]) == (
        4.5,
        4.5,
        None,
        None,
        None,
    )
    assert b["applicable"] is True
    # Without the spec saying so, a figure still needs a target.
    with pytest.raises(DataError, match="unit B, indicator iva: a figure"):
        compute_progress(
            targets([("A", "iva", 5.0)]),
            actuals([("B", "iva", "2026-03", 4.5)]),
            parse_period("2026-03"),
            specs={"iva": IndicatorSpec("iva", kind="growth")},
        )


def test_no_targets_at_all_for_indicators_scored_without_one():
    specs = {"pm25": IndicatorSpec("pm25", kind="level", direction="lower", needs_target=False)}
    empty = targets([("A", "pm25", 1.0)]).clear()
    frame = compute_progress(
        empty,
        actuals([("B", "pm25", "2026-03", 31.0), ("A", "pm25", "2026-03", 38.0)]),
        parse_period("2026-03"),
        specs=specs,
    )
    # One row per unit with a figure, in the order of the names.
    assert frame.select("unit", "value", "kind", "direction").rows() == [
        ("A", 38.0, "level", "lower"),
        ("B", 31.0, "level", "lower"),
    ]


def test_a_figure_without_a_target_is_refused_where_the_indicator_needs_one():
    specs = {
        "iva": IndicatorSpec("iva", kind="growth", needs_target=False),
        "fai": IndicatorSpec("fai"),
    }
    figures = actuals([("B", "iva", "2026-03", 4.5), ("B", "fai", "2026-03", 10.0)])
    with pytest.raises(DataError) as caught:
        compute_progress(
            targets([("A", "fai", 100.0)]), figures, parse_period("2026-03"), specs=specs
        )
    assert caught.value.details == [
        "unit B, indicator fai: a figure is reported but the targets have no row"
    ]
    # Over several periods, a unit with a figure in any of them has a row in each.
    frame = compute_progress_periods(
        targets([("A", "fai", 100.0)]),
        actuals([("A", "fai", "2026-03", 30.0), ("B", "iva", "2026-06", 4.5)]),
        [parse_period("2026-03"), parse_period("2026-06")],
        specs=specs,
    )
    assert frame.filter(pl.col("unit") == "B").select("period", "value", "light").rows() == [
        ("2026-03", None, "missing"),
        ("2026-06", 4.5, None),
    ]
