"""Rates from counts are rounded once, half up, from the exact ratio."""

from __future__ import annotations

from fractions import Fraction

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saima.engine import DataError, compute_progress, parse_period
from saima.engine.frames import ACTUALS_SCHEMA
from saima.engine.rates import as_actuals, rate_expr, rate_percent


def test_a_rate_is_rounded_once_from_the_exact_ratio():
    assert round(93 / 174 * 100, 9) == 53.448275862
    assert rate_percent(93, 174) == 53.4  # never 53.45 → 53.5
    assert rate_percent(1, 16) == 6.3  # 6.25 half up; Python's round(6.25, 1) gives 6.2
    assert round(6.25, 1) == 6.2
    assert rate_percent(1, 8, 0) == 13.0
    assert rate_percent(1, 8, 2) == 12.5
    assert rate_percent(2, 3, 3) == 66.667
    assert rate_percent(0, 5) == 0.0
    assert rate_percent(0, 0) is None
    assert rate_percent(7, 5) == 140.0  # not capped unless asked
    assert rate_percent(7, 5, cap=True) == 100.0
    with pytest.raises(DataError, match="0 to 6 decimals"):
        rate_percent(1, 2, 7)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 100_000), st.integers(0, 100_000), st.integers(0, 4), st.booleans())
def test_the_expression_and_the_function_agree_and_round_half_up(num, den, decimals, cap):
    frame = pl.DataFrame({"n": [num], "d": [den]})
    found = frame.select(rate_expr(pl.col("n"), pl.col("d"), decimals, cap=cap)).item()
    expected = rate_percent(num, den, decimals, cap=cap)
    assert found == expected
    if den:
        exact = Fraction(num * 100, den)
        scaled = exact * 10**decimals
        half_up = int(scaled + Fraction(1, 2))
        value = half_up / 10**decimals
        assert expected == (min(value, 100.0) if cap else value)


def test_unit_figures_come_in_the_layout_of_actuals_and_feed_progress():
    figures = pl.DataFrame({"unit": ["West", "East"], "rate": [50.0, None], "count": [3, 4]})
    rows = as_actuals(figures, parse_period("2026-Q1"), {"count": "started", "rate": "closure"})
    assert rows.schema == pl.Schema(ACTUALS_SCHEMA)
    assert rows.rows() == [
        ("East", "started", 2026, 3, 4.0, None),
        ("East", "closure", 2026, 3, None, None),
        ("West", "started", 2026, 3, 3.0, None),
        ("West", "closure", 2026, 3, 50.0, None),
    ]
    targets = pl.DataFrame(
        {"unit": ["East", "West"], "indicator": ["started", "started"], "target": [8.0, 12.0]}
    )
    progress = compute_progress(
        targets, rows.filter(pl.col("indicator") == "started"), parse_period("2026-Q1")
    )
    assert progress.sort("unit")["completion"].to_list() == [50.0, 25.0]
