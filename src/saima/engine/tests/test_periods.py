from __future__ import annotations

import pytest

from saima.engine import Period, PeriodError, parse_period


@pytest.mark.parametrize(
    ("text", "year", "month", "label"),
    [
        ("2026-03", 2026, 3, "2026-03"),
        ("2026-3", 2026, 3, "2026-03"),
        ("2026-12", 2026, 12, "2026-12"),
        ("2026-Q1", 2026, 3, "2026-Q1"),
        ("2026q3", 2026, 9, "2026-Q3"),
        ("2026-H1", 2026, 6, "2026-H1"),
        ("2026-H2", 2026, 12, "2026-H2"),
        ("2026", 2026, 12, "2026"),
        (" 2026/06 ", 2026, 6, "2026-06"),
    ],
)
def test_parse_names_a_cumulative_span(text, year, month, label):
    period = parse_period(text)
    assert (period.year, period.month, period.label) == (year, month, label)


def test_quarter_and_month_cover_the_same_span():
    assert parse_period("2026-Q1").same_span(parse_period("2026-03"))
    assert parse_period("2026-H1").is_half_year


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "blank"),
        ("2026-13", "month 13 does not exist"),
        ("2026-00", "month 0 does not exist"),
        ("2026-Q5", "is not a period"),
        ("2026-H3", "is not a period"),
        ("March 2026", "is not a period"),
        ("2026-W14", "is a week"),
        ("26-03", "is not a period"),
        ("1800-03", "outside"),
    ],
)
def test_bad_names_say_what_is_wrong(text, fragment):
    with pytest.raises(PeriodError, match=fragment):
        parse_period(text)


def test_period_orders_by_span():
    assert Period(2026, 3) < Period(2026, 6) < Period(2027, 1)
