"""Periods, lists, people and levels as a reader writes them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import translation

from saima.common import formatting as fmt
from saima.engine import parse_period


@pytest.mark.parametrize(
    ("label", "chinese"),
    [
        ("2026-03", "2026年3月"),
        ("2026-Q1", "2026年第一季度"),
        ("2026-H1", "2026年上半年"),
        ("2026", "2026年"),
        ("2026-W14", "2026-W14"),  # not a cumulative period: as it is
    ],
)
def test_periods_in_chinese_and_english(label, chinese) -> None:
    with translation.override("zh-hans"):
        assert fmt.period_name(label) == chinese
    with translation.override("en"):
        assert fmt.period_name(label) == label
    if label != "2026-W14":
        with translation.override("zh-hans"):
            assert fmt.period_name(parse_period(label)) == chinese


def test_lists_are_joined_as_the_language_does() -> None:
    with translation.override("zh-hans"):
        assert fmt.join_list(["东区", "西区", "北区"]) == "东区、西区、北区"
    with translation.override("en"):
        assert fmt.join_list(["East", "West"]) == "East, West"


def _user(username, first="", last=""):
    return SimpleNamespace(first_name=first, last_name=last, get_username=lambda: username)


def test_people_by_display_name() -> None:
    assert fmt.person(_user("wangwei", "伟", "王")) == "王伟"
    assert fmt.person(_user("jsmith", "Jane", "Smith")) == "Jane Smith"
    assert fmt.person(_user("office")) == "office"
    assert fmt.person(None) == ""


@pytest.mark.parametrize(
    ("gap", "measure", "lower", "text"),
    [
        (6.1, "%", False, "+6.1 pp"),  # tax share 87.1% against a floor of 81%
        (5.0, "µg/m³", True, "5.0 µg/m³ over"),  # PM2.5 35 against a ceiling of 30
        (-2.5, "µg/m³", True, "2.5 µg/m³ under"),
        (0.5, "%", True, "0.5 pp over"),  # unemployment over its ceiling
        (0.0, "µg/m³", True, "on target"),
        (None, "%", False, "—"),
    ],
)
def test_level_gap_in_its_own_unit(gap, measure, lower, text) -> None:
    with translation.override("en"):
        assert fmt.level_gap(gap, 1, measure, lower=lower) == text
