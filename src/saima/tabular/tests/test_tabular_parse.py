"""parse_number and parse_bool: the figures people type into Chinese office spreadsheets."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saima.tabular import parse_bool, parse_number

FULL_WIDTH = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234", 1234.0),
        ("1,234.5", 1234.5),
        ("1，234.5", 1234.5),
        ("1,234,567", 1234567.0),
        (" 12.5 ", 12.5),
        ("\u300012.5\u3000", 12.5),
        ("12.5%", 12.5),
        ("12.5 %", 12.5),
        ("１２３．４", 123.4),
        ("－３", -3.0),
        ("−3.2", -3.2),
        ("+4", 4.0),
        ("-4", -4.0),
        ("1.2e3", 1200.0),
        ("1E-3", 0.001),
        ("(3.2)", -3.2),
        ("（3.2）", -3.2),
        ("(1,234)", -1234.0),
        (".5", 0.5),
        ("0", 0.0),
    ],
)
def test_parse_number_accepts(text: str, expected: float) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "\u3000", "-", "—", "–", "/", "／", "——", " - "])
def test_parse_number_blank_and_no_figure_are_none(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12abc", "'12abc' is not a number"),
        ("1,2,3", "'1,2,3' is not a number"),
        ("1,23", "'1,23' is not a number"),
        ("12,345,67", "'12,345,67' is not a number"),
        ("1.2.3", "'1.2.3' is not a number"),
        ("(-3)", "'(-3)' is not a number"),
        ("--3", "'--3' is not a number"),
        ("e5", "'e5' is not a number"),
        (".", "'.' is not a number"),
        ("%", "'%' is not a number"),
        ("12万", "'12万' is not a number"),
        ("nan", "'nan' is not a finite number"),
        ("NaN", "'NaN' is not a finite number"),
        ("inf", "'inf' is not a finite number"),
        ("-Infinity", "'-Infinity' is not a finite number"),
        ("1e999", "'1e999' is not a finite number"),
    ],
)
def test_parse_number_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_number(text)
    assert str(info.value) == message


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_parse_number_round_trips_formatted_floats(x: float) -> None:
    text = f"{x:,.2f}"
    expected = float(text.replace(",", ""))
    assert parse_number(text) == expected
    assert parse_number(text.translate(FULL_WIDTH)) == expected
    assert parse_number(text + "%") == expected
    assert parse_number(repr(x)) == x


@given(st.text())
def test_parse_number_random_text_raises_only_value_error(text: str) -> None:
    try:
        value = parse_number(text)
    except ValueError:
        return
    assert value is None or math.isfinite(value)


@given(st.text())
def test_parse_bool_random_text_raises_only_value_error(text: str) -> None:
    try:
        value = parse_bool(text)
    except ValueError:
        return
    assert isinstance(value, bool)


@pytest.mark.parametrize("text", ["true", "TRUE", "Yes", "y", "1", "是", "√", " 是 ", "ＹＥＳ"])
def test_parse_bool_true(text: str) -> None:
    assert parse_bool(text) is True


@pytest.mark.parametrize("text", ["false", "False", "no", "N", "0", "否", "×", "x", "X", "", "  "])
def test_parse_bool_false(text: str) -> None:
    assert parse_bool(text) is False


@pytest.mark.parametrize("text", ["maybe", "2", "对"])
def test_parse_bool_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="is not yes/no"):
        parse_bool(text)
