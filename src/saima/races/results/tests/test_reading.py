"""How the explanation reads a metric: in the item's direction, at its decimals, honestly named."""

from __future__ import annotations

from django.utils import translation

from saima.races.results.present import (
    ItemReading,
    gain_text,
    intermediate_text,
    metric_name,
    rounded_for_people,
)

PM25 = ItemReading(1, "µg/m³", lower=True, kind="level")
SHARE = ItemReading(1, "%", lower=False, kind="level")


def test_a_lower_is_better_gain_is_a_reduction() -> None:
    with translation.override("en"):
        row = {"metric_value": 35.0, "gain_one_place": 5.5}
        assert gain_text(row, PM25, spread=12.0) == "35.0 µg/m³ → 29.5 µg/m³ (−5.5 µg/m³)"
        row = {"metric_value": 87.1, "gain_one_place": 0.42}
        assert gain_text(row, SHARE, spread=10.0) == "87.1% → 87.6% (+0.5%)"  # rounded up


def test_a_gain_beyond_the_groups_spread_says_so() -> None:
    with translation.override("en"):
        text = gain_text({"metric_value": 35.0, "gain_one_place": 5.5}, PM25, spread=3.2)
        assert text.startswith("35.0 µg/m³ → 29.5 µg/m³ (−5.5 µg/m³): beyond plausible reach")
        assert "3.2 µg/m³" in text
        text = gain_text({"metric_value": 4.0, "gain_one_place": 5.0}, PM25, spread=None)
        assert "below zero" in text
        assert gain_text({"metric_value": 4.0, "gain_one_place": None}, PM25, None) == "—"


def test_each_method_shows_its_own_intermediate() -> None:
    with translation.override("en"):
        assert intermediate_text({"method": "rank", "place": 3}, PM25) == "place 3"
        efficacy = {"method": "efficacy", "normalised": 0.4231}
        assert intermediate_text(efficacy, PM25).startswith("42.3% of the way")
        linear = {"method": "linear", "normalised": 31.25}
        assert intermediate_text(linear, PM25) == "reference 31.2 µg/m³"
        assert intermediate_text({"method": "manual"}, PM25) == "—"


def test_a_level_is_never_called_a_completion() -> None:
    with translation.override("en"):
        assert metric_name("completion", PM25) == "value relative to the target (%)"
        assert metric_name("completion", ItemReading(1, "%", False)) == "completion (%)"


def test_downloads_for_people_are_rounded() -> None:
    rows = [{"unit": "a", "item": "pm25", "metric_value": -0.5999999999999996, "points": 7.123456}]
    out = rounded_for_people(rows, {"pm25": PM25}, 2)
    assert out == [{"unit": "a", "item": "pm25", "metric_value": -0.6, "points": 7.12}]
