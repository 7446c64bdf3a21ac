"""Checks on reported figures: each rule with hand-computed figures, then invariants."""

from __future__ import annotations

import math
import statistics

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saima.engine import DataError
from saima.engine.checks import (
    CHECKS,
    DEFAULT_SEVERITY,
    FINDINGS_SCHEMA,
    CheckConfig,
    blocking,
    needs_acknowledgement,
    run_checks,
)
from saima.testing import examples

KINDS = {"inv": "amount", "proj": "count", "gr": "growth", "pm": "level"}


def figures(*rows: tuple) -> pl.DataFrame:
    """Rows of (unit, indicator, year, month, value[, last_year_value[, growth[, note]]])."""
    full = [tuple(row) + (None,) * (8 - len(row)) for row in rows]
    return pl.DataFrame(
        full,
        schema={
            "unit": pl.String,
            "indicator": pl.String,
            "year": pl.Int64,
            "month": pl.Int64,
            "value": pl.Float64,
            "last_year_value": pl.Float64,
            "growth": pl.Float64,
            "note": pl.String,
        },
        orient="row",
    )


def history(*rows: tuple) -> pl.DataFrame:
    return pl.DataFrame(
        list(rows),
        schema={
            "unit": pl.String,
            "indicator": pl.String,
            "year": pl.Int64,
            "month": pl.Int64,
            "value": pl.Float64,
        },
        orient="row",
    )


def cumulative(unit: str, indicator: str, year: int, increments: list[float]) -> list[tuple]:
    """History rows from January whose monthly increments are `increments`."""
    rows, total = [], 0.0
    for month, step in enumerate(increments, start=1):
        total += step
        rows.append((unit, indicator, year, month, total))
    return rows


NO_HISTORY = history()


def checks(frame: pl.DataFrame) -> list[tuple[str, str, str]]:
    return frame.select("unit", "check", "severity").rows()


def only(frame: pl.DataFrame, check: str) -> dict:
    rows = frame.filter(pl.col("check") == check)
    assert rows.height == 1, frame
    return rows.row(0, named=True)


# -- negative ----------------------------------------------------------------------------------


def test_negative_cumulative_amount_and_count_are_errors():
    found = run_checks(
        figures(
            ("A", "inv", 2026, 3, -5.0),
            ("A", "proj", 2026, 3, -1.0),
            ("A", "gr", 2026, 3, -5.0),
            ("A", "pm", 2026, 3, -1.0),
        ),
        NO_HISTORY,
        kinds=KINDS,
    )
    assert found.select("indicator", "check", "severity").rows() == [
        ("inv", "negative", "error"),
        ("proj", "negative", "error"),
    ]
    row = only(found.filter(pl.col("indicator") == "inv"), "negative")
    assert row["message"] == "cumulative value -5 for 2026-03 is negative"
    assert row["value"] == -5.0
    assert row["reference"] is None


def test_zero_is_not_negative():
    assert run_checks(figures(("A", "inv", 2026, 3, 0.0)), NO_HISTORY, kinds=KINDS).height == 0


# -- decrease ----------------------------------------------------------------------------------


def test_decrease_against_the_latest_earlier_month_of_the_year():
    found = run_checks(
        figures(("A", "inv", 2026, 3, 80.0)),
        history(("A", "inv", 2026, 1, 50.0), ("A", "inv", 2026, 2, 100.0)),
        kinds=KINDS,
    )
    row = only(found, "decrease")
    assert row["severity"] == "error"
    assert row["reference"] == 100.0
    assert row["message"] == (
        "cumulative value 80 for 2026-03 is lower than 100 for 2026-02; "
        "a cumulative figure cannot fall"
    )


def test_decrease_skips_a_missing_month_and_names_the_one_used():
    found = run_checks(
        figures(("A", "inv", 2026, 4, 40.5)),
        history(("A", "inv", 2026, 1, 50.0), ("A", "inv", 2026, 2, None)),
        kinds=KINDS,
    )
    row = only(found, "decrease")
    assert row["reference"] == 50.0
    assert "lower than 50 for 2026-01" in row["message"]
    assert "40.5 for 2026-04" in row["message"]


def test_decrease_compares_with_earlier_submitted_figures_too():
    found = run_checks(
        figures(("A", "inv", 2026, 2, 100.0), ("A", "inv", 2026, 3, 90.0)),
        NO_HISTORY,
        kinds=KINDS,
    )
    assert found.select("month", "check").rows() == [(3, "decrease")]


def test_no_decrease_across_years_for_equal_values_or_for_rates():
    found = run_checks(
        figures(
            ("A", "inv", 2026, 1, 10.0),
            ("B", "inv", 2026, 2, 20.0),
            ("A", "gr", 2026, 2, 3.0),
            ("A", "pm", 2026, 2, 30.0),
        ),
        history(
            ("A", "inv", 2025, 12, 500.0),
            ("B", "inv", 2026, 1, 20.0),
            ("A", "gr", 2026, 1, 8.0),
            ("A", "pm", 2026, 1, 45.0),
        ),
        kinds=KINDS,
    )
    assert found.height == 0


def test_a_resubmitted_figure_replaces_the_stored_one():
    # March is stored as 120 and resubmitted as 130; April 125 falls below the new March only.
    found = run_checks(
        figures(("A", "inv", 2026, 3, 130.0), ("A", "inv", 2026, 4, 125.0)),
        history(("A", "inv", 2026, 3, 120.0)),
        kinds=KINDS,
    )
    assert only(found, "decrease")["reference"] == 130.0


# -- growth_mismatch ---------------------------------------------------------------------------


def test_growth_mismatch_exactly_at_tolerance_is_not_flagged():
    # computed = (110 − 100)·100/100 = 10; reported 10.5 → 0.5 pp, at the tolerance.
    found = run_checks(figures(("A", "inv", 2026, 3, 110.0, 100.0, 10.5)), NO_HISTORY, kinds=KINDS)
    assert found.height == 0
    # 103.3 against 100 computes to 3.2999999999999545 in floating point; 3.8 is 0.5 pp away.
    found = run_checks(figures(("A", "inv", 2026, 3, 103.3, 100.0, 3.8)), NO_HISTORY, kinds=KINDS)
    assert found.height == 0


def test_growth_mismatch_above_tolerance():
    found = run_checks(figures(("A", "inv", 2026, 3, 110.0, 100.0, 10.51)), NO_HISTORY, kinds=KINDS)
    row = only(found, "growth_mismatch")
    assert row["severity"] == "warning"
    assert row["reference"] == pytest.approx(10.0)
    assert row["message"] == (
        "reported growth 10.51% differs from the computed 10% (110 against last year's 100 "
        "for 2025-03) by 0.51 pp, more than the 0.5 pp allowed"
    )


def test_growth_mismatch_takes_last_year_from_history_and_honours_the_tolerance():
    # No last_year_value on the row: last year's March (80) from history → 25% computed.
    found = run_checks(
        figures(("A", "inv", 2026, 3, 100.0, None, 24.0)),
        history(("A", "inv", 2025, 3, 80.0)),
        kinds=KINDS,
    )
    assert only(found, "growth_mismatch")["reference"] == pytest.approx(25.0)
    relaxed = {"inv": CheckConfig(growth_tolerance_pp=1.0)}
    found = run_checks(
        figures(("A", "inv", 2026, 3, 100.0, None, 24.0)),
        history(("A", "inv", 2025, 3, 80.0)),
        kinds=KINDS,
        config=relaxed,
    )
    assert found.height == 0


def test_growth_mismatch_needs_a_positive_last_year_and_an_amount():
    found = run_checks(
        figures(
            ("A", "inv", 2026, 3, 110.0, 0.0, 50.0),
            ("B", "inv", 2026, 3, 110.0, None, 50.0),
            ("C", "inv", 2026, 3, 110.0, -10.0, 50.0),
            ("D", "gr", 2026, 3, 6.0, 100.0, 50.0),
            ("E", "inv", 2026, 3, 110.0, 100.0, None),
        ),
        NO_HISTORY,
        kinds=KINDS,
    )
    assert found.height == 0


# -- outlier_history ---------------------------------------------------------------------------

# Increments 10, 12, 11, 9, 10, 13, 10, 11, 9, 10, 12 over 2025-01..11 (11 points):
# sorted 9 9 10 10 10 10 11 11 12 12 13 → median 10; |y − 10| sorted 0 0 0 0 1 1 1 1 2 2 3 → MAD 1.
STEADY = cumulative("A", "inv", 2025, [10, 12, 11, 9, 10, 13, 10, 11, 9, 10, 12])


def test_outlier_history_robust_z():
    # January 2026: increment 21 → z = (21 − 10) / (1.4826 · 1) = 7.4194...
    found = run_checks(figures(("A", "inv", 2026, 1, 21.0)), history(*STEADY), kinds=KINDS)
    row = only(found, "outlier_history")
    assert row["severity"] == "warning"
    assert row["reference"] == 10.0
    assert row["message"] == (
        "monthly increment 21 for 2026-01 is far from this unit's own record: robust z 7.42 "
        "against 11 earlier months (median 10, threshold 5)"
    )


def test_outlier_history_exactly_at_threshold_is_not_flagged():
    # 10 + 5 · 1.4826 = 17.413 → z = 5 exactly (up to floating-point noise).
    assert (
        run_checks(figures(("A", "inv", 2026, 1, 17.413)), history(*STEADY), kinds=KINDS).height
        == 0
    )
    found = run_checks(figures(("A", "inv", 2026, 1, 17.42)), history(*STEADY), kinds=KINDS)
    assert "robust z 5.00 " in only(found, "outlier_history")["message"]


def test_outlier_history_uses_this_years_earlier_months_and_spreads_gaps():
    # 2026-01 = 10 stored; March 230 → (230 − 10) / 2 = 110 a month, against 12 points
    # (11 of 2025 and 2026-01's 10): median 10, MAD 1 → z = 100 / 1.4826 = 67.45.
    found = run_checks(
        figures(("A", "inv", 2026, 3, 230.0)),
        history(*STEADY, ("A", "inv", 2026, 1, 10.0)),
        kinds=KINDS,
    )
    assert "monthly increment 110 for 2026-03" in only(found, "outlier_history")["message"]
    assert "robust z 67.45 against 12 earlier months" in found["message"][0]


def test_outlier_history_ignores_older_years():
    old = [("A", "inv", 2024, m, v) for _, _, _, m, v in STEADY]
    found = run_checks(figures(("A", "inv", 2026, 1, 500.0)), history(*old), kinds=KINDS)
    assert found.height == 0


def test_outlier_history_needs_min_points():
    four = cumulative("A", "inv", 2025, [10, 10, 11, 9])
    assert (
        run_checks(figures(("A", "inv", 2026, 1, 500.0)), history(*four), kinds=KINDS).height == 0
    )
    lenient = {"inv": CheckConfig(outlier_min_points=4)}
    found = run_checks(
        figures(("A", "inv", 2026, 1, 500.0)), history(*four), kinds=KINDS, config=lenient
    )
    assert "against 4 earlier months" in only(found, "outlier_history")["message"]


def test_outlier_history_falls_back_to_mean_absolute_deviation():
    # Points 10 10 10 10 12: median 10, MAD 0; MeanAD = 2/5 = 0.4
    # → z = (13 − 10) / (1.253314 · 0.4) = 5.98.
    five = cumulative("A", "inv", 2025, [10, 10, 10, 10, 12])
    found = run_checks(figures(("A", "inv", 2026, 1, 13.0)), history(*five), kinds=KINDS)
    assert "robust z 5.98 against 5 earlier months" in only(found, "outlier_history")["message"]


def test_outlier_history_no_judgement_when_all_points_equal():
    flat = cumulative("A", "inv", 2025, [10] * 11)
    found = run_checks(figures(("A", "inv", 2026, 1, 1000.0)), history(*flat), kinds=KINDS)
    assert found.height == 0


def test_outlier_history_of_a_growth_indicator_is_on_the_value():
    # Growth figures 5, 6, 7, 8, 9: median 7, MAD 1 → 20 is z = 13 / 1.4826 = 8.77.
    past = [("A", "gr", 2025, m, float(v)) for m, v in enumerate([5, 6, 7, 8, 9], start=1)]
    found = run_checks(figures(("A", "gr", 2026, 1, 20.0)), history(*past), kinds=KINDS)
    assert only(found, "outlier_history")["message"].startswith("value 20 for 2026-01")
    assert "robust z 8.77 against 5" in found["message"][0]


# -- outlier_group -----------------------------------------------------------------------------

GROUPS = {u: "counties" for u in "ABCDEF"}


def test_outlier_group_on_a_growth_indicator_against_the_others():
    # A = 30; others 5 6 7 8 9 → median 7, MAD 1 → z = 23 / 1.4826 = 15.51.
    # B = 5; others 6 7 8 9 30 → median 8, |d| 2 1 0 1 22 → MAD 1 → z = −2.02: not flagged.
    rows = [("A", "gr", 2026, 3, 30.0)] + [
        (u, "gr", 2026, 3, v) for u, v in zip("BCDEF", [5.0, 6.0, 7.0, 8.0, 9.0], strict=True)
    ]
    found = run_checks(figures(*rows), NO_HISTORY, kinds=KINDS, groups=GROUPS)
    row = only(found, "outlier_group")
    assert row["unit"] == "A"
    assert row["reference"] == 7.0
    assert row["message"] == (
        "value 30 for 2026-03 is far from the other units of group counties: robust z 15.51 "
        "against 5 units (median 7, threshold 5)"
    )


def test_outlier_group_on_year_on_year_growth_with_members_from_history():
    # Growth: A 100%; B..E 5, 6, 8, 9% from the rows; F has no figure submitted but its stored
    # March (107) and last March (100) give 7%. Others of A: 5 6 7 8 9 → z = 93 / 1.4826.
    rows = [("A", "inv", 2026, 3, 200.0, 100.0)] + [
        (u, "inv", 2026, 3, v, 100.0)
        for u, v in zip("BCDE", [105.0, 106.0, 108.0, 109.0], strict=True)
    ]
    stored = history(("F", "inv", 2026, 3, 107.0), ("F", "inv", 2025, 3, 100.0))
    found = run_checks(figures(*rows), stored, kinds=KINDS, groups=GROUPS)
    row = only(found, "outlier_group")
    assert row["unit"] == "A"
    assert row["message"].startswith("year-on-year growth 100% for 2026-03")
    assert f"robust z {93 / 1.4826:.2f} against 5 units (median 7," in row["message"]


def test_outlier_group_with_an_even_number_of_others():
    # Others 5 6 8 9: median 7, |d| 2 1 1 2 → MAD 1.5 → z = 23 / (1.4826 · 1.5) = 10.34.
    rows = [("A", "gr", 2026, 3, 30.0)] + [
        (u, "gr", 2026, 3, v) for u, v in zip("BCDE", [5.0, 6.0, 8.0, 9.0], strict=True)
    ]
    lenient = {"gr": CheckConfig(outlier_min_points=4)}
    found = run_checks(figures(*rows), NO_HISTORY, kinds=KINDS, groups=GROUPS, config=lenient)
    assert "robust z 10.34 against 4 units" in only(found, "outlier_group")["message"]
    assert run_checks(figures(*rows), NO_HISTORY, kinds=KINDS, groups=GROUPS).height == 0


def test_outlier_group_needs_groups_and_a_group_for_the_unit():
    rows = [("A", "gr", 2026, 3, 30.0)] + [
        (u, "gr", 2026, 3, v) for u, v in zip("BCDEF", [5.0, 6.0, 7.0, 8.0, 9.0], strict=True)
    ]
    assert run_checks(figures(*rows), NO_HISTORY, kinds=KINDS).height == 0
    partial = {u: "counties" for u in "BCDEF"}
    assert run_checks(figures(*rows), NO_HISTORY, kinds=KINDS, groups=partial).height == 0
    split = {**GROUPS, "F": "districts"}  # A's others: 5 6 7 8 → too few
    assert run_checks(figures(*rows), NO_HISTORY, kinds=KINDS, groups=split).height == 0


def _brute_group_z(values: dict[str, float], unit: str) -> float | None:
    others = [v for u, v in values.items() if u != unit]
    med = statistics.median(others)
    deviations = [abs(v - med) for v in others]
    mad = statistics.median(deviations)
    mean_ad = sum(deviations) / len(deviations)
    if mad > 0:
        return (values[unit] - med) / (1.4826 * mad)
    if mean_ad > 0:
        return (values[unit] - med) / (1.253314 * mean_ad)
    return None


@settings(max_examples=examples(80), deadline=None)
@given(
    st.lists(st.integers(min_value=-50, max_value=50), min_size=2, max_size=12),
)
def test_outlier_group_z_equals_a_brute_force_leave_one_out(numbers):
    values = {f"U{i:02d}": float(v) for i, v in enumerate(numbers)}
    rows = [(u, "gr", 2026, 3, v) for u, v in values.items()]
    tiny = {"gr": CheckConfig(outlier_threshold=1e-6, outlier_min_points=1)}
    found = run_checks(
        figures(*rows),
        NO_HISTORY,
        kinds=KINDS,
        groups=dict.fromkeys(values, "g"),
        config=tiny,
    ).filter(pl.col("check") == "outlier_group")
    got = {r["unit"]: r["message"] for r in found.iter_rows(named=True)}
    for unit in values:
        z = _brute_group_z(values, unit)
        flagged = z is not None and round(abs(z), 9) > 1e-6
        assert (unit in got) == flagged, (unit, z, got)
        if flagged:
            assert f"robust z {z:.2f} against {len(values) - 1} units" in got[unit]


# -- red_without_reason ------------------------------------------------------------------------


def test_red_without_reason():
    rows = figures(
        ("A", "inv", 2026, 3, 10.0, None, None, None),
        ("B", "inv", 2026, 3, 10.0, None, None, "   "),
        ("C", "inv", 2026, 3, 10.0, None, None, "typhoon stopped the sites"),
        ("D", "inv", 2026, 3, 10.0),
        ("E", "inv", 2026, 3, 10.0),
    )
    lights = pl.DataFrame(
        {
            "unit": ["A", "B", "C", "D", "Z"],
            "indicator": ["inv"] * 5,
            "year": [2026] * 5,
            "month": [3] * 5,
            "light": ["red", "red", "red", "yellow", "red"],
        }
    )
    found = run_checks(rows, NO_HISTORY, kinds=KINDS, lights=lights)
    assert checks(found) == [
        ("A", "red_without_reason", "warning"),
        ("B", "red_without_reason", "warning"),
    ]
    assert found["message"][0] == "the light for 2026-03 is red and the note gives no reason"
    assert run_checks(rows, NO_HISTORY, kinds=KINDS).height == 0


# -- unit_slip ---------------------------------------------------------------------------------


def test_unit_slip_against_the_previous_period_suppresses_the_rest():
    stored = history(*STEADY, ("A", "inv", 2026, 1, 10.0), ("A", "inv", 2026, 2, 22.0))
    found = run_checks(figures(("A", "inv", 2026, 3, 220_000.0, 33.0, 5.0)), stored, kinds=KINDS)
    row = only(found, "unit_slip")
    assert found.height == 1
    assert row["severity"] == "error"
    assert row["reference"] == 22.0
    assert row["message"] == (
        "value 220000 for 2026-03 is about 10000 times the figure for 2026-02 (22): a "
        "unit-of-measure slip (万元 written for 亿元, or the reverse)?"
    )


def test_unit_slip_the_other_way_suppresses_the_decrease():
    # 0.0025 against 22: 22 / 0.0025 = 8800, within [7000, 13000].
    found = run_checks(
        figures(("A", "inv", 2026, 3, 0.0025)), history(("A", "inv", 2026, 2, 22.0)), kinds=KINDS
    )
    assert checks(found) == [("A", "unit_slip", "error")]
    assert "about 1/8800 of the figure for 2026-02" in found["message"][0]


def test_unit_slip_turned_off_lets_the_decrease_through():
    off = {"inv": CheckConfig(severity={"unit_slip": "off"})}
    found = run_checks(
        figures(("A", "inv", 2026, 3, 0.0025)),
        history(("A", "inv", 2026, 2, 22.0)),
        kinds=KINDS,
        config=off,
    )
    assert checks(found) == [("A", "decrease", "error")]


def test_unit_slip_band_is_inclusive():
    stored = history(("A", "inv", 2026, 2, 1.0), ("B", "inv", 2026, 2, 1.0))
    rows = figures(("A", "inv", 2026, 3, 7000.0), ("B", "inv", 2026, 3, 6999.0))
    assert checks(run_checks(rows, stored, kinds=KINDS)) == [("A", "unit_slip", "error")]
    rows = figures(("A", "inv", 2026, 3, 13000.0), ("B", "inv", 2026, 3, 13001.0))
    assert checks(run_checks(rows, stored, kinds=KINDS)) == [("A", "unit_slip", "error")]


def test_unit_slip_against_last_year():
    found = run_checks(
        figures(("A", "inv", 2026, 1, 1_000_000.0, 100.0, 5.0)), NO_HISTORY, kinds=KINDS
    )
    assert checks(found) == [("A", "unit_slip", "error")]
    assert "about 10000 times last year's figure for 2025-01 (100)" in found["message"][0]
    assert found["reference"][0] == 100.0


def test_unit_slip_with_another_factor_and_not_for_rates():
    thousand = {"inv": CheckConfig(slip_factor=1000.0, slip_band=0.1)}
    found = run_checks(
        figures(("A", "inv", 2026, 3, 2000.0)),
        history(("A", "inv", 2026, 2, 2.0)),
        kinds=KINDS,
        config=thousand,
    )
    assert checks(found) == [("A", "unit_slip", "error")]
    found = run_checks(
        figures(("A", "gr", 2026, 3, 50_000.0)), history(("A", "gr", 2026, 2, 5.0)), kinds=KINDS
    )
    assert found.height == 0


# -- configuration, validation, shape ----------------------------------------------------------


def test_defaults():
    config = CheckConfig()
    assert dict(config.severity) == dict(DEFAULT_SEVERITY)
    assert set(DEFAULT_SEVERITY) == set(CHECKS)
    assert (config.growth_tolerance_pp, config.outlier_threshold) == (0.5, 5.0)
    assert (config.outlier_min_points, config.slip_factor, config.slip_band) == (5, 10_000.0, 0.3)
    partial = CheckConfig(severity={"decrease": "warning"})
    assert partial.severity["decrease"] == "warning"
    assert partial.severity["negative"] == "error"
    assert hash(partial) == hash(CheckConfig(severity={"decrease": "off"}))


def test_severity_off_drops_and_overrides_apply_per_indicator():
    rows = figures(("A", "inv", 2026, 3, -1.0), ("A", "proj", 2026, 3, -1.0))
    config = {
        "inv": CheckConfig(severity={"negative": "off"}),
        "proj": CheckConfig(severity={"negative": "warning"}),
    }
    found = run_checks(rows, NO_HISTORY, kinds=KINDS, config=config)
    assert found.select("indicator", "check", "severity").rows() == [
        ("proj", "negative", "warning")
    ]
    assert blocking(found).height == 0
    assert needs_acknowledgement(found).height == 1


def test_blocking_and_needs_acknowledgement_split_by_severity():
    found = run_checks(
        figures(("A", "inv", 2026, 3, -1.0), ("B", "inv", 2026, 3, 110.0, 100.0, 20.0)),
        NO_HISTORY,
        kinds=KINDS,
    )
    assert checks(blocking(found)) == [("A", "negative", "error")]
    assert checks(needs_acknowledgement(found)) == [("B", "growth_mismatch", "warning")]


def test_output_is_sorted_and_has_the_schema():
    rows = figures(
        ("B", "inv", 2026, 3, -1.0, 100.0, 90.0),
        ("A", "proj", 2026, 3, -1.0),
        ("A", "inv", 2026, 3, -2.0),
    )
    found = run_checks(rows, NO_HISTORY, kinds=KINDS)
    assert found.schema == pl.Schema(FINDINGS_SCHEMA)
    assert found.select("unit", "indicator", "check").rows() == [
        ("A", "inv", "negative"),
        ("A", "proj", "negative"),
        ("B", "inv", "growth_mismatch"),
        ("B", "inv", "negative"),
    ]


def test_empty_inputs_give_an_empty_frame_with_the_schema():
    empty = figures().clear()
    found = run_checks(empty, NO_HISTORY, kinds={})
    assert found.height == 0
    assert found.schema == pl.Schema(FINDINGS_SCHEMA)
    found = run_checks(figures(("A", "inv", 2026, 3, 10.0)), NO_HISTORY, kinds=KINDS)
    assert found.schema == pl.Schema(FINDINGS_SCHEMA)


def test_nulls_and_non_finite_values_never_raise():
    rows = figures(
        ("A", "inv", 2026, 3, None, None, 5.0, None),
        ("B", "inv", 2026, 3, math.nan, 100.0, 5.0, None),
        ("C", "inv", 2026, 3, math.inf, math.nan, None, None),
        ("D", "gr", 2026, 3, None, None, None, None),
    )
    stored = history(("A", "inv", 2026, 2, None), ("B", "inv", 2026, 2, math.nan))
    lights = pl.DataFrame(
        {"unit": ["A"], "indicator": ["inv"], "year": [2026], "month": [3], "light": [None]},
        schema_overrides={"light": pl.String},
    )
    found = run_checks(rows, stored, kinds=KINDS, groups={"A": "g", "B": "g"}, lights=lights)
    assert found.height == 0


def test_missing_columns_are_named():
    with pytest.raises(DataError, match=r"figures: missing column.*note"):
        run_checks(figures(("A", "inv", 2026, 3, 1.0)).drop("note"), NO_HISTORY, kinds=KINDS)
    with pytest.raises(DataError, match=r"history: missing column.*value"):
        run_checks(figures(("A", "inv", 2026, 3, 1.0)), NO_HISTORY.drop("value"), kinds=KINDS)
    lights = pl.DataFrame({"unit": ["A"], "indicator": ["inv"], "year": [2026], "month": [3]})
    with pytest.raises(DataError, match=r"lights: missing column.*light"):
        run_checks(figures(("A", "inv", 2026, 3, 1.0)), NO_HISTORY, kinds=KINDS, lights=lights)


def test_unknown_check_codes_and_bad_settings_are_refused():
    with pytest.raises(DataError, match=r"unknown check code.*'decreased'"):
        CheckConfig(severity={"decreased": "off"})
    with pytest.raises(DataError, match="severity"):
        CheckConfig(severity={"decrease": "fatal"})
    with pytest.raises(DataError, match="slip_factor"):
        CheckConfig(slip_factor=1.2)
    with pytest.raises(DataError, match="outlier_min_points"):
        CheckConfig(outlier_min_points=0)
    with pytest.raises(DataError, match="expected a CheckConfig"):
        run_checks(
            figures(("A", "inv", 2026, 3, 1.0)),
            NO_HISTORY,
            kinds=KINDS,
            config={"inv": {"decrease": "off"}},
        )


def test_bad_keys_are_refused():
    with pytest.raises(DataError, match="have no kind"):
        run_checks(figures(("A", "gdp", 2026, 3, 1.0)), NO_HISTORY, kinds=KINDS)
    with pytest.raises(DataError, match="a kind must be one of"):
        run_checks(figures(("A", "inv", 2026, 3, 1.0)), NO_HISTORY, kinds={"inv": "money"})
    with pytest.raises(DataError, match="figures: some figures are given twice"):
        run_checks(
            figures(("A", "inv", 2026, 3, 1.0), ("A", "inv", 2026, 3, 2.0)), NO_HISTORY, kinds=KINDS
        )
    with pytest.raises(DataError, match="history: some figures are given twice") as err:
        run_checks(
            figures(("A", "inv", 2026, 3, 1.0)),
            history(("A", "inv", 2026, 2, 1.0), ("A", "inv", 2026, 2, 1.0)),
            kinds=KINDS,
        )
    assert "unit A, indicator inv, 2026-02" in str(err.value)
    with pytest.raises(DataError, match="months run from 1 to 12"):
        run_checks(figures(("A", "inv", 2026, 13, 1.0)), NO_HISTORY, kinds=KINDS)
    with pytest.raises(DataError, match="blank unit"):
        run_checks(figures((None, "inv", 2026, 3, 1.0)), NO_HISTORY, kinds=KINDS)


# -- properties --------------------------------------------------------------------------------

PROPERTIES = settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
UNITS = ["A", "B", "C", "D", "E", "F"]
INDICATORS = list(KINDS)
maybe = st.one_of(
    st.none(),
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 1.0, 10_000.0, 1e-4]),
)


@st.composite
def cases(draw):
    keys = draw(
        st.lists(
            st.tuples(
                st.sampled_from(UNITS),
                st.sampled_from(INDICATORS),
                st.sampled_from([2025, 2026]),
                st.integers(1, 12),
            ),
            unique=True,
            max_size=40,
        )
    )
    half = draw(st.integers(0, len(keys)))
    submitted = [
        (*key, draw(maybe), draw(maybe), draw(maybe), draw(st.sampled_from([None, "", "why"])))
        for key in keys[:half]
    ]
    stored = [(*key, draw(maybe)) for key in keys[half:]]
    lights = [(*key[:4], draw(st.sampled_from(["red", "green", None]))) for key in keys[:half]]
    groups = {u: draw(st.sampled_from(["g1", "g2"])) for u in UNITS}
    config = {
        "inv": CheckConfig(outlier_min_points=1, outlier_threshold=0.5),
        "gr": CheckConfig(outlier_min_points=2),
    }
    return submitted, stored, lights, groups, config


def _run(submitted, stored, lights, groups, config):
    light_frame = pl.DataFrame(
        lights,
        schema={
            "unit": pl.String,
            "indicator": pl.String,
            "year": pl.Int64,
            "month": pl.Int64,
            "light": pl.String,
        },
        orient="row",
    )
    return run_checks(
        figures(*submitted),
        history(*stored),
        kinds=KINDS,
        groups=groups,
        lights=light_frame,
        config=config,
    )


@PROPERTIES
@given(cases())
def test_arbitrary_values_never_raise(case):
    found = _run(*case)
    assert found.schema == pl.Schema(FINDINGS_SCHEMA)
    assert set(found["severity"].to_list()) <= {"error", "warning"}
    assert set(found["check"].to_list()) <= set(CHECKS)


@PROPERTIES
@given(cases(), st.randoms(use_true_random=False))
def test_permuting_rows_does_not_change_findings(case, rng):
    submitted, stored, lights, groups, config = case
    first = _run(submitted, stored, lights, groups, config)
    for rows in (submitted, stored, lights):
        rng.shuffle(rows)
    second = _run(submitted, stored, lights, groups, config)
    assert first.equals(second)


@PROPERTIES
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=10, max_value=1000),
            st.lists(st.floats(min_value=0.8, max_value=1.2), min_size=12, max_size=12),
            st.floats(min_value=1.0, max_value=1.1),
        ),
        min_size=1,
        max_size=6,
    ),
    st.integers(1, 12),
)
def test_smooth_increasing_series_give_no_errors(units, month):
    stored, submitted = [], []
    for n, (base, wobble, growth) in enumerate(units):
        unit = f"U{n}"
        last = [base * w for w in wobble]
        this = [step * growth for step in last]
        stored += cumulative(unit, "inv", 2025, last)
        past = cumulative(unit, "inv", 2026, this[:month])
        stored += past[:-1]
        value, ly = past[-1][4], cumulative(unit, "inv", 2025, last)[month - 1][4]
        computed = (value - ly) * 100 / ly
        submitted.append((unit, "inv", 2026, month, value, ly, round(computed, 1), None))
    found = run_checks(
        figures(*submitted),
        history(*stored),
        kinds=KINDS,
        groups={f"U{n}": "g" for n in range(len(units))},
    )
    assert blocking(found).height == 0
    assert found.filter(pl.col("check") == "growth_mismatch").height == 0
